"""Trigonometric sums that cancel near special angles, rewritten onto what libm computes accurately for
every argument (sin, cos, tan with exact argument reduction, and cos(2x), 2x being exact): 1 -+ sin(x),
sin(x) -+ cos(x), tan(x) -+ 1, cot(x) -+ 1, sec/csc -+ 1, the squares 1 - sin^2, 1 - cos^2 and
2 sin^2 - 1, log(sin x), log(tan x) and log(cos^2) near 1, and tan(x) -+ tan(y) at close arguments; and
the inverse functions' complements (pi/2 - atan(x) = atan2(1, x), atan(x) - pi/4, pi/2 - acos(x) = asin(x),
pi - acos(x) = acos(-x), ...); and sin, cos, tan, cosm1 of a rational multiple of pi, c*pi*u, onto sinpi and
cospi of c*u (symgraph/stable_trigpi.py), whose argument reduction is exact where pi*u's rounding is not.

Each guarded form keeps the typed sum where it does not cancel (the sign tests below), and where 2x
overflows (|x| > 2^1023, float32 2^127): cos(inf) would be NaN where the typed sum is a number. Phases: the
squares in canonicalize (before algebra's factoring), 1 -+ sin, tan -+ 1, cot -+ 1 in rearrange (after
stabilize's log1p has taken log(1 + sin x)), sin -+ cos in specialize (after rearrange's log near 1).
sin and cos of multiples of pi in specialize, after every rule above has had sin(pi*u) and cos(pi*u)
(1 - sin(pi*u) is cos(pi*u)^2/(1 + |sin(pi*u)|), whose sin and cos then become sinpi and cospi); tan and
cosm1 of them in stabilize (see RULES).
Inside a replacement, denominators are spelled with abs (1 + |sin x|, |sin x| + |cos x|) so that they are
not the patterns of the sibling rules here (1 + sin x is itself a rule's pattern).
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const
from ..rewrite import Rule, Validity, Var
from ._guards import is_finite as _is_finite

x, y, z = Var("x"), Var("y"), Var("z")
A = Validity.ACCURACY
STABILIZE, REARRANGE, SPECIALIZE = "stabilize", "rearrange", "specialize"
FOUR = const(4)
HALF_NODE = const(sympy.Rational(1, 2))


def _cosm1(x):
    return ops.OPS["cosm1"](x)  # symgraph/stable.py's op, registered once the package is imported


def _double(x):
    """(2x, cos(2x), 2x is finite): 2x is exact, so cos(2x) is accurate wherever 2x does not overflow."""
    twice = 2 * x
    return twice, ops.COS(twice), _is_finite(twice)


# ---------------------------------------------------------------- 1 -+ sin(x)
def _one_minus_sin(x, sign, below):
    """sign * (1 - sin x) (`below` False) or 1 + sin x (`below` True): cos(x)^2/(1 + |sin x|) where the
    typed sum cancels, |sin x| > 1/2 on its side (1 - sin x = cos^2/(1 + sin x) for sin x > 0; cos x is
    accurate near pi/2 and cos^2 >= 1e-38 for every float64 x); 1 - |sin x| below 1/2 on that side (one
    rounding, no cancellation: three fewer than the quotient), and 1 + |sin x| on the other, which is the
    typed sum bit for bit (and NaN at NaN/inf): the typed node is not kept (nothing to rewrite again)."""
    s, c = ops.SIN(x), ops.COS(x)
    a = ops.ABS(s)
    q = 1 + a
    same_side = ops.LT(s, 0) if below else ops.GT(s, 0)
    value = ops.SELECT(ops.AND(same_side, ops.GT(a, const(HALF))), c * c / q, ops.SELECT(same_side, 1 - a, q))
    return value if sign > 0 else -value


# ---------------------------------------------------------------- sin(x) -+ cos(x)
def _sin_cos(x, kind):
    """sin x - cos x (kind "s-c"), cos x - sin x ("c-s") or sin x + cos x ("s+c"). Where the sum cancels
    (equal signs for a difference, opposite ones for the sum) it is -+cos(2x)/(sin x +- cos x), whose
    denominator adds magnitudes: sign(cos x) (|sin x| + |cos x|) (sin^2 - cos^2 = -cos 2x; cos x is never
    0 for a float x). Elsewhere the same sums spelled on magnitudes, equal to the typed ones bit for bit
    (|s| - |c| or |s| + |c| with a sign), so no node of the pattern is kept: these run in specialize, after
    rearrange's log(a) near 1 has taken log(sin x + cos x) (log1p(sin x + cosm1(x))), and nothing later
    would fold a select nested by rewriting a kept typed node again."""
    s, c = ops.SIN(x), ops.COS(x)
    _, cos2, finite = _double(x)
    sign_c = ops.SIGN(c)
    abs_s, abs_c = ops.ABS(s), ops.ABS(c)
    total = abs_s + abs_c
    product = s * c
    if kind == "s+c":
        cancels = ops.LT(product, 0)
        new, close, far = cos2 / total, abs_c - abs_s, total
    else:
        cancels = ops.GT(product, 0)
        if kind == "s-c":
            new, close, far = -(cos2 / total), abs_s - abs_c, -total
        else:
            new, close, far = cos2 / total, abs_c - abs_s, total
    return sign_c * ops.SELECT(ops.AND(cancels, finite), new, ops.SELECT(cancels, close, far))


# ---------------------------------------------------------------- tan(x) -+ 1, cot(x) -+ 1
def _unit_difference(t, x, positive, sign, typed):
    """sign * (t - 1) for t = tan(x) in (0, 4) (`positive`), sign * (t + 1) for t in (-4, 0); t = cot(x)
    likewise with the sign of cos(2x) flipped (sign -1 then means the other spelling). t^2 - 1 =
    -cos(2x)(1 + t^2) for tan (cos 2x = (1 - t^2)/(1 + t^2)), so t -+ 1 = (t^2 - 1)/(t +- 1) with
    |t| + 1 as the denominator: no sum cancels. Bounded t keeps 1 + t^2 from overflowing; far from +-1 the
    typed sum does not cancel."""
    _, cos2, finite = _double(x)
    new = cos2 * (1 + t * t) / (1 + ops.ABS(t))
    inside = ops.AND(ops.GT(t, 0), ops.LT(t, FOUR)) if positive else ops.AND(ops.LT(t, 0), ops.GT(t, -FOUR))
    return ops.SELECT(ops.AND(inside, finite), new if sign > 0 else -new, typed)


# ---------------------------------------------------------------- tan(x) -+ tan(y)
def _tan_difference(x, y, sign, typed):
    # tan x -+ tan y = sin(x -+ y)/(cos x cos y) where x -+ y is exact (|x -+ y| <= min(|x|, |y|): Sterbenz),
    # which holds where the typed sum cancels; the typed sum elsewhere. sin of the exact x -+ y is accurate
    # even where it is far from 0 (tan x = tan y at x - y = k pi)
    d = x - y if sign < 0 else x + y
    exact = ops.LE(ops.ABS(d), ops.MIN(ops.ABS(x), ops.ABS(y)))
    return ops.SELECT(exact, ops.SIN(d) / (ops.COS(x) * ops.COS(y)), typed)


def _squares_double(x, value):
    """-cos(2x) (sin^2 - cos^2, 2 sin^2 - 1, 1 - 2 cos^2) where 2x is finite, the typed form beyond."""
    _, cos2, finite = _double(x)
    return ops.SELECT(finite, -cos2, value)


def _log_square(f, g, x):
    """log(f(x)^2) for f, g = cos, sin or sin, cos: log1p(-g^2) where |g| < 1/2 (f^2 near 1 has lost g^2's
    digits; log(1 - sin^2) is log(cos^2) by canonicalize), 2 log|f| elsewhere (f^2 <= 3/4, and no underflow
    of f^2); -inf at f = 0 and NaN at NaN/inf, as typed."""
    fx, gx = f(x), g(x)
    return ops.SELECT(ops.LT(ops.ABS(gx), const(sympy.Rational(1, 2))), ops.LOG1P(-(gx * gx)),
                      2 * ops.LOG(ops.ABS(fx)))


def _log_near_one(f, x):
    """log(f(x)) for f = sin, tan, cot: log1p(f(x) - 1) where f(x) is in (1/2, 3/2), whose difference the
    rules above take (sin x - 1 = -cos^2/(1 + sin x)); log(f(x)) elsewhere. As rearrange's log near 1 does
    for cos (log1p(cosm1(x))), for the functions whose difference from 1 has no primitive."""
    fx = f(x)
    near = ops.AND(ops.GT(fx, const(sympy.Rational(1, 2))), ops.LT(fx, const(sympy.Rational(3, 2))))
    return ops.SELECT(near, ops.LOG1P(fx - 1), ops.LOG(fx))


# ---------------------------------------------------------------- inverse functions' complements
def _pi_fraction(node):
    """r where `node` is the constant r*pi (r rational; a constant, or a quotient or product of two, as
    SymPy's pi/2 lowers), else None. Only the symbolic pi: a float near it is another value."""
    if node.is_const:
        value = node.value
    elif node.op in (ops.DIV, ops.MUL) and len(node.args) == 2 and all(a.is_const for a in node.args):
        a, b = (arg.value for arg in node.args)
        value = a / b if node.op is ops.DIV else a * b
    else:
        return None
    r = value / sympy.pi if isinstance(value, sympy.Expr) else None  # pi/2 over pi is 1/2; a Float stays a Float
    return r if r is not None and r.is_Rational else None


HALF, QUARTER, WHOLE = sympy.Rational(1, 2), sympy.Rational(1, 4), sympy.Integer(1)


def _atan_angle(x, c, sign, offset_sign):
    """sign * atan(x) + offset_sign * c for c = pi/2 or pi/4, as one atan2 of exact operands (the typed sum
    cancels where atan(x) is near -+c: large |x|, x near +-1): pi/2 - atan(x) = atan2(1, x),
    atan(x) - pi/4 = atan2(x - 1, x + 1), atan(x) + pi/4 = atan2(1 + x, 1 - x), for every real x."""
    r = _pi_fraction(c)
    if r == HALF:
        # pi/2 - atan(x) = atan2(1, x); atan(x) - pi/2 is its negation, pi/2 + atan(x) = atan2(1, -x)
        if sign < 0 < offset_sign:
            return ops.ATAN2(1, x)
        if sign > 0 > offset_sign:
            return -ops.ATAN2(1, x)
        if sign > 0 and offset_sign > 0:
            return ops.ATAN2(1, -x)
    if r == QUARTER:
        if sign > 0 > offset_sign:
            return ops.ATAN2(x - 1, x + 1)
        if sign < 0 < offset_sign:
            return ops.ATAN2(1 - x, 1 + x)
        if sign > 0 and offset_sign > 0:
            return ops.ATAN2(1 + x, 1 - x)
    return None


def _reciprocal_const(node):
    """1/c as a constant node for a constant c (atan(x)/pi is (1/pi) atan(x)); the node itself otherwise
    (which _scaled_atan_angle declines)."""
    return const(1 / node.value) if node.is_const and node.value.is_number and node.value != 0 else node


def _scaled_atan_angle(k, x, c, sign, offset_sign):
    """sign * k atan(x) + offset_sign * c for a positive constant k with c/k = pi/2 or pi/4: k times
    _atan_angle's form (2 atan(e^x) - pi/2, the Gudermannian function, cancels near x = 0; the Cauchy
    distribution function atan(x)/pi + 1/2 far in its left tail)."""
    if not k.is_const or not k.value.is_number or not k.value.is_positive or k.value == 1:
        return None
    r = _pi_fraction(c)
    angle = c.value if c.is_const else None
    if r is not None:
        angle = sympy.pi * r
    elif angle is None or not angle.is_Rational:
        return None  # (a rational c over an irrational k: 1/2 over 1/pi)
    if angle.is_negative:  # atan(x)/pi - 1/2, as SymPy's sum holds it: + (-1/2)
        angle, offset_sign = -angle, -offset_sign
    inner = _atan_angle(x, const(sympy.nsimplify(angle / k.value)), sign, offset_sign)
    return None if inner is None else k * inner


def _log_tan_shifted(x, y, reciprocal=False):
    # log(tan(x + pi/4)) = 2 atanh(tan(x)) = asinh(tan(2x)) (tan(x + pi/4) = (1 + tan x)/(1 - tan x)): the
    # inverse Gudermannian log(tan(x/2 + pi/4)) (Mercator's y) near x = 0 takes the log of a value near 1,
    # whose distance to 1 rounded, and near x = pi/2 the tan of x/2 + pi/4 rounded near its pole (11.7 bits
    # over pi/2 - [1e-10, 0.1]); 2x is exact and tan(2x) keeps its digits near the pole (0.03 bits; 0.20
    # against atanh's 0.37 over (-pi/2, pi/2)). Real exactly where |tan(x)| < 1, i.e. cos(2x) >= 0; NaN
    # elsewhere (the log of a negative tangent), as typed
    if _pi_fraction(y) != QUARTER:
        return None
    double = 2 * x
    value = ops.ASINH(ops.TAN(double))
    # log(cot(x + pi/4)) = -log(tan(x + pi/4)): SymPy's spelling of log(tan(pi/4 - x)) (PROJ's omerc pole)
    return ops.SELECT(ops.GE(ops.COS(double), 0), -value if reciprocal else value, const(sympy.nan))


def _atan2_angle(y, x, c, sign, offset_sign):
    """sign * atan2(y, x) + offset_sign * c for c = pi/2 or pi: the angle of the vector rotated by a
    quarter or half turn, one atan2 of exact operands where the typed sum cancels (the angle near
    +-pi/2 or +-pi): atan2(y, x) - pi/2 = atan2(-x, y) and atan2(y, x) - pi = atan2(-y, -x) for y > 0,
    atan2(y, x) + pi/2 = atan2(x, -y) and atan2(y, x) + pi = atan2(-y, -x) for y < 0; typed elsewhere."""
    r = _pi_fraction(c)
    shift = offset_sign * sign * r if r in (HALF, WHOLE) else None  # the angle's own shift, sign * (...)
    if shift is None:
        return None
    if shift == -HALF:
        new, holds = ops.ATAN2(-x, y), ops.GT(y, 0)
    elif shift == HALF:
        new, holds = ops.ATAN2(x, -y), ops.LT(y, 0)
    else:
        new, holds = ops.ATAN2(-y, -x), ops.GT(y, 0) if shift < 0 else ops.LT(y, 0)
    angle = ops.ATAN2(y, x)
    typed = c - angle if sign < 0 else (angle + c if offset_sign > 0 else angle - c)
    return ops.SELECT(holds, new if sign > 0 else -new, typed)


def _arc_complement(f, x, c, sign, offset_sign):
    """sign * f(x) + offset_sign * c (f asin or acos) where an identity leaves no sum: pi/2 - acos = asin,
    pi/2 - asin = acos, pi - acos(x) = acos(-x), pi/2 + asin(x) = acos(-x); NaN beyond |x| = 1, as typed."""
    r = _pi_fraction(c)
    other = ops.ASIN if f is ops.ACOS else ops.ACOS
    if r == HALF and sign != offset_sign:
        return other(x) if offset_sign > 0 else -other(x)
    if r == HALF and sign > 0 and offset_sign > 0 and f is ops.ASIN:
        return ops.ACOS(-x)
    if r == WHOLE and f is ops.ACOS and sign != offset_sign:
        return ops.ACOS(-x) if offset_sign > 0 else -ops.ACOS(-x)
    return None


# ---------------------------------------------------------------- sin, cos, tan of c*pi*u
def _pi_multiple(arg):
    """(c, u) where `arg` is c*pi*u: a product (mul, div, neg) whose constant factors multiply to the symbolic
    pi times a nonzero rational c, and u the product (quotient) of its other factors; else None. A Float
    factor is another value (2.0*pi*x is the product typed), so only exact constants count."""
    coefficient, numerator, denominator = sympy.S.One, [], []
    stack = [(arg, 1)]
    while stack:
        node, power = stack.pop()
        if node.is_const:
            if not isinstance(node.value, sympy.Expr):
                return None
            coefficient = coefficient * node.value if power > 0 else coefficient / node.value
        elif node.op is ops.MUL:
            stack.extend((a, power) for a in node.args)
        elif node.op is ops.DIV:
            stack.extend(((node.args[0], power), (node.args[1], -power)))
        elif node.op is ops.NEG:
            coefficient = -coefficient
            stack.append((node.args[0], power))
        else:
            (numerator if power > 0 else denominator).append(node)
    c = coefficient / sympy.pi
    if not c.is_Rational or c == 0 or not (numerator or denominator):
        return None
    u = numerator[0] if len(numerator) == 1 else (ops.MUL(*numerator) if numerator else const(1))
    if denominator:
        u = u / (denominator[0] if len(denominator) == 1 else ops.MUL(*denominator))
    return c, u


def _is_power_of_two(n):
    return n > 0 and n & (n - 1) == 0


def _times(c, u):
    """c*u with the fewest roundings: exact for c = +-2^k but where c*u overflows or is subnormal (there
    sinpi(c*u) is within pi 2^-1075 of the exact value, not within an ulp); u/q or p*u/q, correctly rounded
    operations on exact operands, for the other rationals p/q."""
    p, q = int(c.p), int(c.q)
    if _is_power_of_two(abs(p)) and _is_power_of_two(q):
        scaled = u if abs(c) == 1 else const(abs(c)) * u
    else:
        scaled = u if abs(p) == 1 else const(abs(p)) * u
        scaled = scaled if q == 1 else scaled / const(q)
    return -scaled if p < 0 else scaled  # a negation, not a negative constant: canonicalize's form


def _of_pi_multiple(kind, arg):
    """sin, cos, tan or cosm1 of c*pi*u as sinpi(c*u), cospi(c*u), their quotient or -2 sinpi(c*u/2)^2;
    None for another argument.
    The typed angle rounds pi and then the product: an absolute error of ulp(pi*u) that sin keeps where
    it is small (near the multiples of pi), 8 bits on average for |u| < 1000, every bit near large integers;
    c*u is exact for the powers of two and rounded once for u/q, and sinpi reduces it exactly."""
    found = _pi_multiple(arg)
    if found is None:
        return None
    c, u = found
    sinpi, cospi = ops.SINPI, ops.COSPI  # symgraph/stable_trigpi.py's ops
    if kind == "cosm1":  # cos(c pi u) - 1 = -2 sinpi(c u/2)^2 (cosm1's own form; c/2 a power of two if c is)
        half = sinpi(_times(c / 2, u))
        return -(2 * (half * half))
    t = _times(c, u)
    return {"sin": lambda: sinpi(t), "cos": lambda: cospi(t), "tan": lambda: sinpi(t) / cospi(t)}[kind]()


def _reciprocal_sine_difference(p, q, x, sign):
    # p/sin(x) - q/tan(x) = (p - q cos(x))/sin(x) = (p - q)/sin(x) + q tan(x/2) ((1 - cos x)/sin x is tan(x/2)):
    # near x = 0 the typed terms are large and close (1/sin(B) - x/tan(B), Vanden-Broeck and Keller's flow
    # at x ~ 1: 9.7 bits); p - q is exact for close p, q (Sterbenz) and q tan(x/2) small. Where cos(x) <
    # 1/2 (tan(x/2)^2 > 1/3) q tan(x/2) is as large as q and the sum could cancel where the typed one does
    # not (p << q near pi/2): typed there. Two terms, not ((p - q) - q cosm1(x))/sin(x), whose three
    # terms sum-order would reorder, taking p - q apart
    t = ops.TAN(HALF_NODE * x)
    typed = p / ops.SIN(x) - q / ops.TAN(x)
    # typed also where the new form is not finite: x = 0 (the one float where sin is 0: typed inf - inf or
    # 0/0), an infinite p or q, p - q overflowing
    value = (p - q) / ops.SIN(x) + q * t
    holds = ops.AND(ops.LE(t * t, const(sympy.Rational(1, 3))), _is_finite(value))
    new = ops.SELECT(holds, value, typed)
    return new if sign > 0 else -new


RULES = [
    # ---- a product with a reciprocal function is a quotient: cot = 1/tan rounds twice before the product
    # rounds, and x*cot(x) - 1, x*csc(x) - 1 are then quotient-minus-one's x/tan(x) - 1, x/sin(x) - 1
    Rule("times-cot", x * ops.COT(y), lambda x, y: x / ops.TAN(y), validity=A, phase="canonicalize", ref="G4",
         doc="x*cot(x) - 1 cancels near 0 (31 bits lost at 1e-5); x/tan(x) - 1 is (x - tan(x))/tan(x)"),
    Rule("times-csc", x * ops.CSC(y), lambda x, y: x / ops.SIN(y), validity=A, phase="canonicalize", ref="G4"),
    Rule("times-sec", x * ops.SEC(y), lambda x, y: x / ops.COS(y), validity=A, phase="canonicalize", ref="G4"),
    # ---- squares (canonicalize: stabilize's one-minus-square and difference-of-squares, in rules/algebra.py
    # which is indexed first, would factor them into 1 -+ sin x, sin x -+ cos x, each a select here)
    Rule("one-minus-sin-square", 1 - ops.SIN(x) * ops.SIN(x), lambda x: ops.COS(x) * ops.COS(x), validity=A,
         phase="canonicalize", ref="G10", doc="1 - sin(x)^2 = cos(x)^2 cancels near pi/2"),
    Rule("sin-square-minus-one", ops.SIN(x) * ops.SIN(x) - 1, lambda x: -(ops.COS(x) * ops.COS(x)), validity=A,
         phase="canonicalize", ref="G10"),
    Rule("one-minus-cos-square", 1 - ops.COS(x) * ops.COS(x), lambda x: ops.SIN(x) * ops.SIN(x), validity=A,
         phase="canonicalize", ref="G10", doc="1 - cos(x)^2 = sin(x)^2 cancels near 0 and pi"),
    Rule("cos-square-minus-one", ops.COS(x) * ops.COS(x) - 1, lambda x: -(ops.SIN(x) * ops.SIN(x)), validity=A,
         phase="canonicalize", ref="G10"),
    Rule("sin-squares-difference", ops.SIN(x) * ops.SIN(x) - ops.COS(x) * ops.COS(x),
         lambda x: _squares_double(x, ops.SIN(x) * ops.SIN(x) - ops.COS(x) * ops.COS(x)), validity=A,
         phase="canonicalize", ref="G4", doc="sin(x)^2 - cos(x)^2 = -cos(2x) cancels near pi/4"),
    Rule("twice-sin-square-minus-one", 2 * (ops.SIN(x) * ops.SIN(x)) - 1,
         lambda x: _squares_double(x, 2 * (ops.SIN(x) * ops.SIN(x)) - 1), validity=A, phase=STABILIZE, ref="G4",
         doc="2 sin(x)^2 - 1 = -cos(2x) cancels near pi/4"),
    Rule("one-minus-twice-cos-square", 1 - 2 * (ops.COS(x) * ops.COS(x)),
         lambda x: _squares_double(x, 1 - 2 * (ops.COS(x) * ops.COS(x))), validity=A, phase=STABILIZE, ref="G4"),
    # sin^2 + cos - 1 = cos - cos^2 = -cos(x) cosm1(x): near 0 the typed sum keeps only cos's rounding
    Rule("sin-square-plus-cos-minus-one", (ops.SIN(x) * ops.SIN(x) + ops.COS(x)) - 1,
         lambda x: -(ops.COS(x) * _cosm1(x)), validity=A, phase=STABILIZE, ref="G10, A6",
         doc="sin(x)^2 + cos(x) - 1 = -cos(x) cosm1(x) cancels near 0"),
    Rule("log-cos-square", ops.LOG(ops.COS(x) * ops.COS(x)), lambda x: _log_square(ops.COS, ops.SIN, x), validity=A,
         phase=STABILIZE, ref="A1, G10", doc="log(cos(x)^2) (log(1 - sin(x)^2)) cancels near 0"),
    Rule("log-sin-square", ops.LOG(ops.SIN(x) * ops.SIN(x)), lambda x: _log_square(ops.SIN, ops.COS, x), validity=A,
         phase=STABILIZE, ref="A1, G10", doc="log(sin(x)^2) (log(1 - cos(x)^2)) cancels near pi/2"),
    Rule("log-sin", ops.LOG(ops.SIN(x)), lambda x: _log_near_one(ops.SIN, x), validity=A, phase=STABILIZE,
         ref="A1", doc="log(sin(x)) near pi/2: sin(x) near 1 has lost the digits of its distance to 1"),
    Rule("log-tan-shifted", ops.LOG(ops.TAN(x + y)), _log_tan_shifted, validity=A, phase=STABILIZE, ref="G8",
         doc="log(tan(x/2 + pi/4)), the inverse Gudermannian, is asinh(tan(x))"),
    Rule("log-cot-shifted", ops.LOG(ops.COT(x + y)), lambda x, y: _log_tan_shifted(x, y, reciprocal=True),
         validity=A, phase=STABILIZE, ref="G8", doc="log(cot(x/2 + pi/4)) = log(tan(pi/4 - x/2)) is -asinh(tan(x))"),
    Rule("log-tan", ops.LOG(ops.TAN(x)), lambda x: _log_near_one(ops.TAN, x), validity=A, phase=STABILIZE,
         ref="A1", doc="log(tan(x)) near pi/4"),
    Rule("log-cot", ops.LOG(ops.COT(x)), lambda x: _log_near_one(ops.COT, x), validity=A, phase=STABILIZE,
         ref="A1"),
    # ---- 1 -+ sin(x) in rearrange, after stabilize's log(1 + x) -> log1p(x) (log(1 + sin x) is log1p(sin x));
    # sin(x) -+ cos(x) in specialize (see _sin_cos)
    Rule("one-minus-sin", 1 - ops.SIN(x), lambda x: _one_minus_sin(x, 1, False), validity=A, phase=REARRANGE,
         ref="G1", doc="1 - sin(x) = cos(x)^2/(1 + sin(x)) cancels near pi/2"),
    Rule("sin-minus-one", ops.SIN(x) - 1, lambda x: _one_minus_sin(x, -1, False), validity=A, phase=REARRANGE,
         ref="G1"),
    Rule("one-plus-sin", 1 + ops.SIN(x), lambda x: _one_minus_sin(x, 1, True), validity=A, phase=REARRANGE,
         ref="G1", doc="1 + sin(x) = cos(x)^2/(1 - sin(x)) cancels near -pi/2"),
    Rule("sin-minus-cos", ops.SIN(x) - ops.COS(x), lambda x: _sin_cos(x, "s-c"), validity=A, phase=SPECIALIZE,
         ref="G4", doc="sin(x) - cos(x) = -cos(2x)/(sin(x) + cos(x)) cancels near pi/4"),
    Rule("cos-minus-sin", ops.COS(x) - ops.SIN(x), lambda x: _sin_cos(x, "c-s"), validity=A, phase=SPECIALIZE,
         ref="G4"),
    Rule("sin-plus-cos", ops.SIN(x) + ops.COS(x), lambda x: _sin_cos(x, "s+c"), validity=A, phase=SPECIALIZE,
         ref="G4", doc="sin(x) + cos(x) = cos(2x)/(cos(x) - sin(x)) cancels near 3 pi/4"),
    # ---- tan(x) -+ 1, cot(x) -+ 1 (rearrange: log(1 + tan x) is log1p(tan x) first)
    Rule("tan-minus-one", ops.TAN(x) - 1, lambda x: _unit_difference(ops.TAN(x), x, True, -1, ops.TAN(x) - 1),
         validity=A, phase=REARRANGE, ref="G4", doc="tan(x) - 1 = -cos(2x)(1 + tan^2)/(1 + tan) cancels near pi/4"),
    Rule("one-minus-tan", 1 - ops.TAN(x), lambda x: _unit_difference(ops.TAN(x), x, True, 1, 1 - ops.TAN(x)),
         validity=A, phase=REARRANGE, ref="G4"),
    Rule("tan-plus-one", 1 + ops.TAN(x), lambda x: _unit_difference(ops.TAN(x), x, False, 1, 1 + ops.TAN(x)),
         validity=A, phase=REARRANGE, ref="G4", doc="tan(x) + 1 cancels near -pi/4"),
    Rule("cot-minus-one", ops.COT(x) - 1, lambda x: _unit_difference(ops.COT(x), x, True, 1, ops.COT(x) - 1),
         validity=A, phase=REARRANGE, ref="G4", doc="cot(x) - 1 = cos(2x)(1 + cot^2)/(1 + cot) cancels near pi/4"),
    Rule("one-minus-cot", 1 - ops.COT(x), lambda x: _unit_difference(ops.COT(x), x, True, -1, 1 - ops.COT(x)),
         validity=A, phase=REARRANGE, ref="G4"),
    Rule("cot-plus-one", 1 + ops.COT(x), lambda x: _unit_difference(ops.COT(x), x, False, -1, 1 + ops.COT(x)),
         validity=A, phase=REARRANGE, ref="G4"),
    # ---- sec, csc -+ 1: over cos (sin), so that cosm1, one-plus-cos (rearrange) and 1 -+ sin take them
    Rule("sec-minus-one", ops.SEC(x) - 1, lambda x: -_cosm1(x) / ops.COS(x), validity=A, phase=STABILIZE,
         ref="A6", doc="sec(x) - 1 = (1 - cos(x))/cos(x) cancels near 0"),
    Rule("one-minus-sec", 1 - ops.SEC(x), lambda x: _cosm1(x) / ops.COS(x), validity=A, phase=STABILIZE, ref="A6"),
    Rule("sec-plus-one", 1 + ops.SEC(x), lambda x: (1 + ops.COS(x)) / ops.COS(x), validity=A, phase=STABILIZE,
         ref="G1", doc="sec(x) + 1 cancels near pi"),
    Rule("csc-minus-one", ops.CSC(x) - 1, lambda x: (1 - ops.SIN(x)) / ops.SIN(x), validity=A, phase=STABILIZE,
         ref="G1", doc="csc(x) - 1 cancels near pi/2"),
    Rule("one-minus-csc", 1 - ops.CSC(x), lambda x: (ops.SIN(x) - 1) / ops.SIN(x), validity=A, phase=STABILIZE,
         ref="G1"),
    Rule("csc-plus-one", 1 + ops.CSC(x), lambda x: (1 + ops.SIN(x)) / ops.SIN(x), validity=A, phase=STABILIZE,
         ref="G1"),
    # ---- p csc(x) - q cot(x) (times-csc and times-cot have made them quotients)
    Rule("csc-minus-scaled-cot", x / ops.SIN(z) - y / ops.TAN(z),
         lambda x, y, z: _reciprocal_sine_difference(x, y, z, 1), validity=A, phase=STABILIZE, ref="G1",
         doc="p/sin(x) - q/tan(x) = (p - q)/sin(x) + q tan(x/2) cancels near 0 for p ~ q"),
    Rule("scaled-cot-minus-csc", y / ops.TAN(z) - x / ops.SIN(z),
         lambda x, y, z: _reciprocal_sine_difference(x, y, z, -1), validity=A, phase=STABILIZE, ref="G1"),
    Rule("unit-csc-minus-scaled-cot", ops.CSC(z) - y / ops.TAN(z),
         lambda y, z: _reciprocal_sine_difference(const(1), y, z, 1), validity=A, phase=STABILIZE, ref="G1"),
    Rule("scaled-cot-minus-unit-csc", y / ops.TAN(z) - ops.CSC(z),
         lambda y, z: _reciprocal_sine_difference(const(1), y, z, -1), validity=A, phase=STABILIZE, ref="G1"),
    # ---- tan(x) -+ tan(y) at close arguments (after algebra's tan-shift, which sees tan(x + e) - tan(x))
    Rule("tan-diff", ops.TAN(x) - ops.TAN(y), lambda x, y: _tan_difference(x, y, -1, ops.TAN(x) - ops.TAN(y)),
         validity=A, phase=STABILIZE, ref="G3", doc="tan(x) - tan(y) = sin(x - y)/(cos(x) cos(y)) cancels for x ~ y"),
    Rule("tan-sum", ops.TAN(x) + ops.TAN(y), lambda x, y: _tan_difference(x, y, 1, ops.TAN(x) + ops.TAN(y)),
         validity=A, phase=STABILIZE, ref="G3"),
    # ---- inverse functions minus (plus) multiples of pi: 25 bits lost in pi/2 - atan(x) at x = 1e8
    Rule("angle-minus-atan", ops.SUB(y, ops.ATAN(x)), lambda x, y: _atan_angle(x, y, -1, 1), validity=A,
         phase=STABILIZE, ref="G5", doc="pi/2 - atan(x) = atan2(1, x), pi/4 - atan(x) = atan2(1 - x, 1 + x)"),
    Rule("atan-minus-angle", ops.ATAN(x) - y, lambda x, y: _atan_angle(x, y, 1, -1), validity=A, phase=STABILIZE,
         ref="G5", doc="atan(x) - pi/4 = atan2(x - 1, x + 1) cancels near x = 1"),
    Rule("atan-plus-angle", ops.ADD(ops.ATAN(x), y), lambda x, y: _atan_angle(x, y, 1, 1), validity=A,
         phase=STABILIZE, ref="G5"),
    Rule("scaled-atan-plus-angle", ops.ADD(ops.MUL(z, ops.ATAN(x)), y),
         lambda z, x, y: _scaled_atan_angle(z, x, y, 1, 1), validity=A, phase=STABILIZE, ref="G5",
         doc="atan(x)/pi + 1/2 (the Cauchy distribution function) = atan2(1, -x)/pi"),
    Rule("atan-over-plus-angle", ops.ADD(ops.DIV(ops.ATAN(x), z), y),
         lambda x, z, y: _scaled_atan_angle(_reciprocal_const(z), x, y, 1, 1), validity=A, phase=STABILIZE,
         ref="G5", doc="atan(x)/pi + 1/2 as SymPy lowers it"),
    Rule("atan-over-minus-angle", ops.DIV(ops.ATAN(x), z) - y,
         lambda x, z, y: _scaled_atan_angle(_reciprocal_const(z), x, y, 1, -1), validity=A, phase=STABILIZE,
         ref="G5", doc="atan(x)/pi - 1/2 = -atan2(1, x)/pi"),
    Rule("angle-minus-atan-over", ops.SUB(y, ops.DIV(ops.ATAN(x), z)),
         lambda y, x, z: _scaled_atan_angle(_reciprocal_const(z), x, y, -1, 1), validity=A, phase=STABILIZE,
         ref="G5", doc="1/2 - atan(x)/pi (the Cauchy survival function) = atan2(1, x)/pi"),
    Rule("scaled-atan-minus-angle", ops.MUL(z, ops.ATAN(x)) - y,
         lambda z, x, y: _scaled_atan_angle(z, x, y, 1, -1), validity=A, phase=STABILIZE, ref="G5",
         doc="2 atan(e^x) - pi/2 (the Gudermannian function) = 2 (atan(e^x) - pi/4)"),
    Rule("angle-minus-scaled-atan", ops.SUB(y, ops.MUL(z, ops.ATAN(x))),
         lambda y, z, x: _scaled_atan_angle(z, x, y, -1, 1), validity=A, phase=STABILIZE, ref="G5"),
    Rule("atan2-minus-angle", ops.ATAN2(x, y) - z, lambda x, y, z: _atan2_angle(x, y, z, 1, -1), validity=A,
         phase=STABILIZE, ref="G5", doc="atan2(y, x) - pi/2 = atan2(-x, y) for y > 0 cancels near the y axis"),
    Rule("angle-minus-atan2", ops.SUB(z, ops.ATAN2(x, y)), lambda z, x, y: _atan2_angle(x, y, z, -1, 1),
         validity=A, phase=STABILIZE, ref="G5", doc="pi - atan2(y, x) = -atan2(-y, -x) for y > 0"),
    Rule("atan2-plus-angle", ops.ADD(ops.ATAN2(x, y), z), lambda x, y, z: _atan2_angle(x, y, z, 1, 1),
         validity=A, phase=STABILIZE, ref="G5", doc="atan2(y, x) + pi = atan2(-y, -x) for y < 0"),
    Rule("angle-minus-acos", ops.SUB(y, ops.ACOS(x)), lambda x, y: _arc_complement(ops.ACOS, x, y, -1, 1),
         validity=A, phase=STABILIZE, ref="G8", doc="pi/2 - acos(x) = asin(x), pi - acos(x) = acos(-x)"),
    Rule("acos-minus-angle", ops.ACOS(x) - y, lambda x, y: _arc_complement(ops.ACOS, x, y, 1, -1), validity=A,
         phase=STABILIZE, ref="G8", doc="acos(x) - pi/2 = -asin(x) cancels near 0"),
    Rule("angle-minus-asin", ops.SUB(y, ops.ASIN(x)), lambda x, y: _arc_complement(ops.ASIN, x, y, -1, 1),
         validity=A, phase=STABILIZE, ref="G8", doc="pi/2 - asin(x) = acos(x) cancels near 1"),
    Rule("asin-minus-angle", ops.ASIN(x) - y, lambda x, y: _arc_complement(ops.ASIN, x, y, 1, -1), validity=A,
         phase=STABILIZE, ref="G8"),
    Rule("asin-plus-angle", ops.ADD(ops.ASIN(x), y), lambda x, y: _arc_complement(ops.ASIN, x, y, 1, 1),
         validity=A, phase=STABILIZE, ref="G8", doc="asin(x) + pi/2 = acos(-x) cancels near -1"),
    # ---- sin, cos of c*pi*u in specialize: after the rules above, which know sin and cos, not sinpi
    Rule("sin-pi-multiple", ops.SIN(x), lambda x: _of_pi_multiple("sin", x), validity=A, phase=SPECIALIZE,
         doc="sin(c*pi*u) = sinpi(c*u): exact argument reduction (pi*u rounds; 8 bits lost for |u| < 1000)"),
    Rule("cos-pi-multiple", ops.COS(x), lambda x: _of_pi_multiple("cos", x), validity=A, phase=SPECIALIZE,
         doc="cos(c*pi*u) = cospi(c*u): exact argument reduction"),
    # tan and cosm1 in stabilize (and so in rearrange, where cosm1 is made too): the quotient and the negated
    # square land in sums and products that the canonical rules of the fold phase and the quotient rules of
    # rearrange then see as they see any (sinpi(u)/cospi(u) - 1 is (sinpi(u) - cospi(u))/cospi(u))
    Rule("tan-pi-multiple", ops.TAN(x), lambda x: _of_pi_multiple("tan", x), validity=A, phase=STABILIZE,
         doc="tan(c*pi*u) = sinpi(c*u)/cospi(c*u): exact argument reduction"),
    Rule("cosm1-pi-multiple", ops.COSM1(x), lambda x: _of_pi_multiple("cosm1", x), validity=A,
         phase=STABILIZE, doc="cosm1(c*pi*u) = -2 sinpi(c*u/2)^2: exact argument reduction"),
]
