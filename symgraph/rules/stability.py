"""Numerical-stability rewrites onto the stable primitives (catalogue groups A, B, C, D, G9, I4):
log1p/expm1/cosm1, softplus/log1mexp/logaddexp, sigmoid and its complements, erf/erfc complements,
log(erfc) for large x, sinc and x*log(x).

Rules run bottom-up, so each pattern is written against the form its arguments already have after
rewriting (1 - sigmoid(x) has become sigmoid(-x) before a log above it is looked at). Chains do the rest:
log(1 - exp(x)) -> log1p(-exp(x)) -> log1mexp(x).
"""
from __future__ import annotations

import sympy

from .. import ops
from ..compensated import CARRIED, REPRESENTATION_ERROR, is_represented_exactly
from ..ir import const
from ..rewrite import ConstVar, Rule, Validity, Var, unmarked
from ._guards import HALF, MIN_NORMAL, is_finite as _is_finite
from ._symbolic import cancelled, equal, numeric_value

x, y, z = Var("x"), Var("y"), Var("z")
c, d = ConstVar("c"), ConstVar("d")
A, R, G = Validity.ACCURACY, Validity.REAL_DOMAIN, Validity.GUARDED
NAN = const(sympy.nan)
STABILIZE = "stabilize"


def negate(node):
    """-node without a double negation (patterns below look for neg(x) exactly once)."""
    if node.op is ops.NEG:
        return node.args[0]
    if node.is_const and node.value.is_number:
        return const(-node.value)
    return ops.NEG(node)


def _guarded(condition, value):
    """value where condition holds, NaN elsewhere: the typed form's NaN outside the domain survives."""
    return ops.SELECT(condition, value, NAN)


# ---------------------------------------------------------------- replacements that need code
def _scaled_expm1(c, x, d, negated=False):
    # c*exp(x) - c is c*expm1(x) (A5, for the exactly matching constant), rounded once; c*exp(x) - d for
    # d/c > 0 is d expm1(x - log(d/c)) (2 exp(x) - 3 near log(3/2): 2.7 bits typed), log(d/c) exact and its
    # rounding carried as exp-minus-constant's; d - c*exp(x) is the same negated
    if c.value == d.value:
        return ops.SCALED_EXPM1(-c if negated else c, x)
    k, value = numeric_value(c), numeric_value(d)
    if k is None or value is None or not (k.is_extended_real and value.is_extended_real and k != 0):
        return None
    ratio = value / k
    if not (ratio.is_positive and ratio.is_finite and abs(value) >= SMALLEST_SHIFTED_CONSTANT):
        return None
    return ops.SCALED_EXPM1(const(-value if negated else value), x - const(sympy.log(ratio)))


# exp(u) - c = c expm1(u - log c) with log c exact and the scaled expm1 rounded once: fl(exp(u)) - c keeps
# exp's rounding, 2^-53 c, where the difference is far smaller (exp(x) - 2 within 0.1 of log 2: 2.8 bits).
# u - log c is exact near the root but for log c's own rounding, which compensate carries with the sum's.
# c expm1(d) overflows where exp(u) does not only for c < 1 (d = u - log c > u); the helper scales d up
# to 720, which holds c >= 1e-4 (float32's range is far inside)
SMALLEST_SHIFTED_CONSTANT = sympy.Rational(1, 10**4)


def _exp_minus_constant(x, y, negated=False, base=None):
    value = numeric_value(y)
    if value is None or not (value.is_extended_real and value.is_positive and value != 1
                             and SMALLEST_SHIFTED_CONSTANT <= value and value.is_finite):
        return None
    if base is not None:  # b**x = exp(x log b), the product's rounding carried with log c's
        b = numeric_value(base)
        if b is None or not (b.is_extended_real and b.is_positive and b != 1 and b.is_finite):
            return None
        x = x * const(sympy.log(b))
    return ops.SCALED_EXPM1(const(-value if negated else value), x - const(sympy.log(value)))


# (in the rearrange phase: a sum around log(x) + 1 may be a Taylor difference first, series' log(x) - x + 1)
# log(x) - c = log(x/E) for E = e^c: the typed difference keeps log's rounding, 2^-53 |c|, where it is far
# smaller (log(x) - 1 near e: 19 bits lost). log_ratio(x, fl(E)) is x - fl(E) (exact near E) over fl(E),
# through log1p; fl(E)'s own rounding is log(fl(E)/E) = -(E - fl(E))/E to far below an ulp. log_b(x) - c
# (SymPy's log(x, 10) - 1 is log(x)/log(10) - 1) is that over log b with E = b^c, but for an integer c in
# base 2: log2(x 2^-c), exact, where x 2^-c is normal (farther out nothing cancels: log2(x) - c as typed).
# log_ratio keeps log's IEEE values (0, negative, inf, NaN)
def _log_minus_constant(x, y, k=sympy.Integer(1), negated=False, added=False, base=None):
    """log_b(x) - c (k = log b: log(x), log2(x), log10(x), or log(x)/base for a base log(b))."""
    value = numeric_value(y)
    if base is not None:  # (log(y)/9 - 1 is quotient-minus-one's: the typed form's one rounding is as good)
        k = numeric_value(base.args[0]) if base.op is ops.LOG else None
        k = None if k is None else sympy.log(k)
    if value is None or k is None or not (value.is_extended_real and k.is_extended_real and k != 0):
        return None
    value = -value if added else value  # (log(x) + 1 near 1/e)
    if k == sympy.log(2) and value.is_Integer:
        scaled = x * const(sympy.Integer(2) ** -value)
        normal = ops.AND(ops.GE(scaled, MIN_NORMAL), ops.LT(scaled, const(sympy.oo)))
        difference = ops.LOG2(ops.SELECT(normal, scaled, x)) - ops.SELECT(normal, const(0), const(value))
        return negate(difference) if negated else difference
    power = sympy.exp(value * k)
    if not (2**-1000 < power < 2**1000):
        return None
    difference = ops.LOG_RATIO(x, const(power))
    if not is_represented_exactly(power):
        difference = difference - REPRESENTATION_ERROR(const(power)) * const(1 / power)
    if k != 1:
        difference = difference / const(k)
    return negate(difference) if negated else difference


def _log_rules():
    rules = []
    for op, k in ((ops.LOG, sympy.Integer(1)), (ops.LOG2, sympy.log(2)), (ops.LOG10, sympy.log(10))):
        rules += [
            Rule(f"{op.name}-minus-constant", op(x) - y, lambda x, y, k=k: _log_minus_constant(x, y, k),
                 validity=A, phase="rearrange", doc=f"{op.name}(x) - c near b^c keeps the log's rounding; "
                 "log(x/b^c) through log1p does not (log2(x/2^c), exact, for an integer c in base 2)"),
            Rule(f"constant-minus-{op.name}", y - op(x), lambda y, x, k=k: _log_minus_constant(x, y, k, True),
                 validity=A, phase="rearrange", doc=f"c - {op.name}(x)"),
            Rule(f"{op.name}-plus-constant", op(x) + y, lambda x, y, k=k: _log_minus_constant(x, y, k, added=True),
                 validity=A, phase="rearrange", doc=f"{op.name}(x) + c near b^-c"),
        ]
    return rules + [
        Rule("log-quotient-minus-constant", ops.LOG(x) / z - y, lambda x, z, y: _log_minus_constant(x, y, base=z),
             validity=A, phase="rearrange", doc="log(x)/log(3) - 1 (SymPy's log(x, 3) - 1) near 3"),
        Rule("log-quotient-plus-constant", ops.LOG(x) / z + y,
             lambda x, z, y: _log_minus_constant(x, y, added=True, base=z), validity=A, phase="rearrange",
             doc="log(x, 3) + 2 near 1/9"),
    ]


def _log_sum_exp(x):
    """log(exp(a) + exp(b) + ...) -> logaddexp(a, b, ...) (B6); an added 1 is exp(0)."""
    if x.op is not ops.ADD:
        return None
    exponents = []
    for term in x.args:
        if term.op is ops.EXP:
            exponents.append(term.args[0])
        elif term.is_const and term.value == 1:
            exponents.append(const(0))
        else:
            return None
    if sum(1 for t in x.args if t.op is ops.EXP) < 2:
        return None  # log(1 + exp(a)) is softplus: log1p then B1
    return ops.LOGADDEXP(*exponents)


def _log_diff_exp(x, y):
    # log(exp(x) - exp(y)) = x + log1mexp(y - x) (B5); y = -inf would make y - x NaN where x = -inf too
    return ops.SELECT(ops.EQ(y, const(-sympy.oo)), x, x + ops.LOG1MEXP(y - x))


def _log_expm1(x):
    # log(expm1(x)) = x + log1mexp(-x): the typed form overflows for x > 709. From 1 on the new form is
    # as accurate (log1mexp(-x) is in (-0.46, 0), so the sum rounds once and cancels less than a bit), and
    # it shows its x to what follows: x - log(exp(x) - 1) is -log1mexp(-x), where subtracting the typed
    # form keeps only its ulps (e^-x against x). Below 1 the typed form (the sum would cancel at log 2)
    return ops.SELECT(ops.LE(x, 1), ops.LOG(ops.EXPM1(x)), x + ops.LOG1MEXP(negate(x)))


TINY = const(sympy.Rational(1, 2 ** 120))  # 1/x overflows float32 below 2^-128
TWO_64 = const(sympy.Integer(2) ** 64)


def _log1p_minus_log(x):
    # log1p(x) - log(x) = log1p(1/x) for x >= 0: the difference cancels for x >> 1, and log1p of 1/x >= 0 is
    # well-conditioned everywhere. Below 2^-120, where 1/x would overflow (in float32 first), x is scaled by
    # 2^64 and 64 log 2 added back (log1p(1/x) is log(1/x) there to far below an ulp). One log1p, where the typed form has
    # two logs; NaN for x < 0 as typed (-0.0 is 0 here, as log(-0.0) = -inf makes it)
    tiny = ops.LT(ops.ABS(x), TINY)
    scaled = ops.SELECT(tiny, ops.ABS(x) * TWO_64, ops.ABS(x))
    shift = ops.SELECT(tiny, const(64 * sympy.log(2)), const(0))
    return ops.SELECT(ops.GE(x, 0), ops.LOG1P(1 / scaled) + shift, NAN)


def _hypot_minus_one(x):
    # sqrt(1 + x^2) - 1 = x^2/(sqrt(1 + x^2) + 1): no cancellation for small x; where x*x overflows
    # (1e154 in float64, 1e19 in float32) the typed difference is accurate and stays
    h = ops.HYPOT(1, x)
    square = x * x
    return ops.SELECT(ops.LT(square, const(sympy.oo)), square / (h + 1), h - 1)


def _logaddexp_minus_max(x, y, z, sign):
    # log(e^x + e^y) - max(x, y) = log1p(e^-|x - y|), softplus(-|x - y|), which the specialize phase carries
    # x - y's rounding into; typed where x - y is not finite (inf - inf: NaN as typed, or the limit)
    if z.op is not ops.MAX or len(z.args) != 2 or set(z.args) != {x, y}:
        return None
    d = x - y
    value = ops.SOFTPLUS(-ops.ABS(d))
    typed = ops.LOGADDEXP(x, y) - z if sign > 0 else z - ops.LOGADDEXP(x, y)
    return ops.SELECT(_is_finite(d), value if sign > 0 else -value, typed)


def _softmax2(x, y):
    # exp(x)/(exp(x) + exp(y)) = sigmoid(x - y), with the rounding of x - y compensated (a plain
    # sigmoid(x - y) would be off by up to ulp(x)/2 in its argument: 256 ulps for x near 700)
    return ops.SIGMOID_DIFF(x, y)


def _sigmoid_difference(x, y):
    # sigmoid(x) - sigmoid(y) = (e^x - e^y)/((1 + e^x)(1 + e^y)) = -sigmoid(hi) sigmoid(-lo) expm1(lo - hi)
    # (hi, lo the larger and the smaller argument, the sign that of x - y): a product of three factors
    # without cancellation (expm1 of a value <= 0 is in [-1, 0]: no overflow), where the typed difference of
    # two values near 1 (or near each other) keeps only their ulps (x, y ~ 10 and close: 31 bits lost).
    # lo - hi is exact for close arguments (Sterbenz); where it is NaN (equal infinities) the typed form
    up = ops.GE(x, y)
    hi, lo = ops.SELECT(up, x, y), ops.SELECT(up, y, x)
    d = lo - hi
    magnitude = ops.SIGMOID(hi) * ops.SIGMOID(-lo) * ops.EXPM1(d)
    new = ops.SELECT(up, -magnitude, magnitude)
    # Where the signs differ (or one is 0) sigmoid(x) - sigmoid(y) = (tanh(x/2) - tanh(y/2))/2 is a sum of two
    # magnitudes (tanh is odd): two roundings, where the product rounds five times, and where the typed
    # difference of two values near 1/2 cancels for small x, y (pbrt's trimmed logistic sigmoid(pi/s) -
    # sigmoid(-pi/s): 0.94 bits with the product, 0.57 typed). The second carried: tanh-diff would meet it
    apart = (ops.TANH(HALF * x) - CARRIED(ops.TANH(HALF * y))) * HALF
    same_sign = ops.SELECT(ops.EQ(d, d), new, ops.SIGMOID(x) - ops.SIGMOID(y))
    return ops.SELECT(ops.GT(ops.SIGN(x) * ops.SIGN(y), 0), same_sign, apart)


def _softplus_difference(x, y):
    # softplus(x) - softplus(y) = log((1 + e^x)/(1 + e^y)) = log1p(sigmoid(y) expm1(x - y)) for x >= y (and
    # -log1p(sigmoid(x) expm1(y - x)) for x < y): log1p of a value >= 0, where the typed difference keeps
    # only its terms' ulps (29 bits lost for close x, y). For |x - y| < 88 (expm1 overflows float32 from
    # 88.7; the specialize phase carries x - y's rounding into it) and the smaller above -80 (below, its
    # sigmoid underflows float32 where the difference need not). Where both are below -40, softplus(t) is
    # e^t to within e^t/2 < 2^-57 of itself and the difference -e^high expm1(-|x - y|) (exp-difference's
    # form; e^high underflows only with the result). Otherwise |x - y| >= 40 and the typed difference
    # loses nothing
    d = x - y
    up = ops.GE(d, 0)
    low, high = ops.SELECT(up, y, x), ops.SELECT(up, x, y)
    sign, gap = ops.SELECT(up, const(1), const(-1)), ops.EXPM1(ops.ABS(d))
    new = sign * ops.LOG1P(ops.SIGMOID(low) * gap)
    tiny = -sign * (ops.EXP(high) * ops.EXPM1(-ops.ABS(d)))
    typed = ops.SOFTPLUS(x) - ops.SOFTPLUS(y)
    return ops.SELECT(ops.LT(ops.ABS(d), const(88)),
                      ops.SELECT(ops.GT(low, const(-80)), new, ops.SELECT(ops.LT(high, const(-40)), tiny, typed)),
                      typed)


def _softmax(x, y):
    # exp(x)/(exp(x) + exp(a) + ...) = exp(x - m)/(exp(x - m) + exp(a - m) + ...), m the largest exponent,
    # softmax over three or more: the exps no longer overflow (inf/inf = NaN from 709) or underflow
    # together (0/0), a subnormal result stays one (the numerator's exp), and each a - m rounds once,
    # which the specialize phase carries into its exp. Where m is not finite, the typed form. (Two terms:
    # softmax2, one sigmoid_diff.)
    if y.op is not ops.ADD or len(y.args) < 3 or any(t.op is not ops.EXP for t in y.args):
        return None
    exponents = [t.args[0] for t in y.args]
    if x not in exponents or any(a.op is ops.SUB and a.args[1].op is ops.MAX for a in exponents):
        return None  # not a softmax, or one already shifted
    m = ops.MAX(*exponents)
    new = ops.EXP(x - m) / ops.ADD(*[ops.EXP(a - m) for a in exponents])
    return ops.SELECT(_is_finite(m), new, ops.EXP(x) / y)


def _quotient_minus_one(x, y):
    # x/y - 1 = (x - y)/y; where x - y is not finite (an infinite operand, or an overflow) the typed x/y - 1,
    # by selecting the operands of the one division. x - y is taken with the terms that cancel exactly
    # removed: 1 - x^2/(x^2 + 1) is 1/(x^2 + 1), also where x^2 overflows (the typed inf/inf is NaN)
    # Where x/y is far from 1 (|x - y| > |y|/2: beyond [1/2, 3/2]) nothing cancels and the typed x/y - 1
    # rounds once less (log(y)/9 - 1 over y in [0.1, 10]: 0.14 bits typed, 0.26 as (log(y) - 9)/9); an
    # exact cancellation (a symbolic difference) is taken everywhere
    d = cancelled(x, y)
    if d is None:
        d = x - y
        ok = ops.AND(_is_finite(d), ops.LE(ops.ABS(d), HALF * ops.ABS(y)))
    else:
        ok = _is_finite(d)
    return ops.SELECT(ok, d, x) / y - ops.SELECT(ok, const(0), const(1))


def _log_of_one_minus_quotient(x):
    # log(1 - n/d) once one-minus-quotient has made 1 - n/d its guarded (d - n)/d (children are rewritten
    # before their parents): log1p(-n/d) for small n/d, where (d - n)/d near 1 has lost n/d's digits
    # (n = 1e-10 d: every one), and log((d - n)/d) (log_ratio: log-quotient would take a log of a quotient
    # again) for n/d in [1/2, 1], where d - n is exact (Sterbenz) and the rounded n/d has kept only its
    # ulps of the distance 1 - n/d (d = n(1 + 1e-9): 15 bits lost to log1p)
    if x.op is not ops.NEG or x.args[0].op is not ops.SUB:
        return None
    quotient, offset = x.args[0].args
    if quotient.op is not ops.DIV or quotient.args[0].op is not ops.SELECT or offset.op is not ops.SELECT:
        return None
    ok, difference, numerator = quotient.args[0].args  # difference: n - d, exact or cancelled
    if offset.args != (ok, const(0), const(1)):
        return None
    denominator = quotient.args[1]
    argument = negate(numerator / denominator)
    near = ops.AND(ops.GE(argument, const(-1)), ops.LE(argument, -HALF))
    return ops.SELECT(near, ops.LOG_RATIO(negate(difference), denominator), ops.LOG1P(argument))


def _log_of_one_plus_quotient(x, y):
    # log(1 + x/y) is log1p(x/y) except for x/y in [-1, -1/2], where the rounded x/y has kept only its ulps
    # of the distance 1 + x/y (x = -y(1 - 1e-9): 15 bits lost to log1p) and x + y is exact (Sterbenz) or
    # cancels symbolically: there log((x + y)/y) (log_ratio, which log-quotient leaves alone). A constant
    # numerator declines: log1p(1/x) is the form the rules at infinity read (x log(1 + 1/x) - 1)
    if x.is_const:
        return None
    q = x / y
    near = ops.AND(ops.GE(q, const(-1)), ops.LE(q, -HALF))
    total = cancelled(x, negate(y)) or x + y
    return ops.SELECT(near, ops.LOG_RATIO(total, y), ops.LOG1P(q))


def _shifted_softplus(x):
    # softplus(x) - log 2 = log1p(expm1(x)/2): 0 at x = 0, where the typed difference keeps only the ulps of
    # log 2; beyond 80 (float32's expm1 overflows at 88.7) x - log 2, which is the value there to far below
    # an ulp (e^-80 against 80)
    big = ops.GT(x, const(80))
    return ops.SELECT(big, x - ops.LOG(const(2)), ops.LOG1P(HALF * ops.EXPM1(ops.SELECT(big, const(0), x))))


def _reciprocal_difference(x, y, a=None, b=None):
    # a/x - b/y = ((a y - b x)/L) (1/S) with L the larger of x and y in magnitude and S the other (a = b = 1
    # where a and b are None): y - x is exact when x and y are close (Sterbenz), where the typed difference
    # cancels; a y - b x is a difference of products that the compensate phase takes (vis-viva's 2/r - 1/a
    # near r = 2a). For a = b = 1 the first quotient is below 2 in magnitude, so the product overflows only
    # where the result does. Two independent divisions, as typed (a chain of two divisions ran 2x slower:
    # each waits for the last), three roundings (1.5 ulps). An infinite L: the first quotient is (y - x)/L's
    # limit (-b or a), and the result -b/y or a/x as typed.
    x_larger = ops.GE(ops.ABS(x), ops.ABS(y))
    larger, smaller = ops.SELECT(x_larger, x, y), ops.SELECT(x_larger, y, x)
    limit = ops.SELECT(x_larger, const(-(b or 1)), const(a or 1))
    # y - x with a negation folded (y + e for x = -e), as the patterns of the difference look for it
    # (exactly cancelling terms taken out: 1/(x + h) - 1/x has -h, not x - (x + h) with x + h's rounding)
    negated = unmarked(x)
    ay = y if a is None else a * y
    bx = x if b is None else b * x
    if negated.op is ops.NEG:
        difference = cancelled(ay, bx) or ay + (negated.args[0] if b is None else b * negated.args[0])
    else:
        difference = cancelled(ay, bx) or ay - bx
    first = ops.SELECT(ops.EQ(ops.ABS(larger), const(sympy.oo)), limit, difference / larger)
    return first * (1 / smaller)


def _scaled_reciprocal_difference(c, x, d, y):
    # a/x - b/y for finite nonzero constants a and b, not both 1 (that is reciprocal-difference), and
    # denominators of arithmetic only, over two values or more: where a function is below (1/(1 - cos(x))
    # - 2/x^2) the new numerator's terms cancel as a Taylor series, the taylor rules' sum as typed; rational
    # functions of one value (2/(x + 3) - 2/(x - 3)) are fractions' common-denominator
    values = (c.value, d.value)
    if not all(v.is_Rational and v != 0 for v in values) or values == (1, 1):
        return None
    leaves = [_arithmetic_leaves(x), _arithmetic_leaves(y)]
    if None in leaves or len(leaves[0] | leaves[1]) < 2:
        return None
    return _reciprocal_difference(x, y, const(values[0]), const(values[1]))


_ARITHMETIC = frozenset((ops.ADD, ops.SUB, ops.NEG, ops.MUL, ops.DIV))


def _arithmetic_leaves(node, limit=16):
    """The symbols below `node` where its subgraph (at most `limit` nodes) holds symbols, constants and
    + - * / only; None otherwise."""
    stack, seen, symbols = [node], set(), set()
    while stack:
        n = stack.pop()
        if n.key in seen:
            continue
        seen.add(n.key)
        if len(seen) > limit or not (n.is_symbol or n.is_const or n.op in _ARITHMETIC):
            return None
        if n.is_symbol:
            symbols.add(n.key)
        stack.extend(n.args)
    return symbols


# The denominators below add |y|, equal to y (or -y) on the branch where they are used: spelled with y
# they would be the conjugate patterns themselves (y + sqrt(y*y - w)), rewritten in turn, back and forth.
def _conjugate_minus(y, w, sign):
    """sqrt(y*y + sign*w) - y = sign*w/(sqrt(y*y + sign*w) + y), without cancellation for y > 0."""
    root = ops.SQRT(y * y + w) if sign > 0 else ops.SQRT(y * y - w)
    typed = root - y
    new = (w if sign > 0 else -w) / (root + ops.ABS(y))
    return ops.SELECT(ops.AND(ops.GT(y, 0), _is_finite(new)), new, typed)


def _conjugate_plus(y, x):
    # y + sqrt(y*y - w) = -w/(|y| + sqrt(y*y - w)), without cancellation for y < 0 (the quadratic formula)
    root = ops.SQRT(y * y - x)
    new = -x / (ops.ABS(y) + root)
    return ops.SELECT(ops.AND(ops.LT(y, 0), _is_finite(new)), new, y + root)


def _split_root(y, x):
    # sqrt((y + x)(y - x)), where the product overflows (from |y| = 1.3e154; 1.8e19 in float32, where the
    # conjugate's result, 1/(2y) for x - sqrt(x^2 - 1), is still a normal number) as sqrt(y + x) sqrt(y - x)
    # (NaN where a factor is negative, as the product's root is). Elsewhere the root of the product (two
    # roundings, not three: 0.02 bits against 0.24 on x - sqrt(x**2 - 1)); selects of the operands
    product = (y + x) * (y - x)
    fits = _is_finite(product)
    return ops.SQRT(ops.SELECT(fits, product, y + x)) * ops.SELECT(fits, const(1), ops.SQRT(y - x))


def _factored_root_minus(y, x):
    # sqrt((y + x)(y - x)) - y (how y*y - x*x reads after difference-of-squares) = -x*x/(root + y)
    root = ops.SQRT((y + x) * (y - x))
    new = -(x * x) / (_split_root(y, x) + ops.ABS(y))
    return ops.SELECT(ops.AND(ops.GT(y, 0), _is_finite(new)), new, root - y)


def _minus_root(y, x):
    # y - sqrt(y*y - x) = x/(y + sqrt(y*y - x)), without cancellation for y > 0 (x - sqrt(x^2 - c))
    root = ops.SQRT(y * y - x)
    new = x / (ops.ABS(y) + root)
    return ops.SELECT(ops.AND(ops.GT(y, 0), _is_finite(new)), new, y - root)


def _minus_factored_root(y, x):
    # y - sqrt((y + x)(y - x)) = x*x/(y + root) for y > 0 (y*y - x*x after difference-of-squares)
    root = ops.SQRT((y + x) * (y - x))
    new = (x * x) / (_split_root(y, x) + ops.ABS(y))
    return ops.SELECT(ops.AND(ops.GT(y, 0), _is_finite(new)), new, y - root)


def _square_over(x, s):
    """x^2/s for s >= |x| (s = hypot(x, y) + |y|) as |x| (|x|/s): the quotient is at most 1, so nothing
    overflows before the result does (x*x is inf from |x| = 1.3e154)."""
    a = ops.ABS(x)
    return a * (a / s)


def _hypot_plus(x, y):
    # hypot(x, y) + y = x*x/(hypot(x, y) - y) for y < 0 (sqrt(x^2 + 1) + x for x << 0)
    h = ops.HYPOT(x, y)
    new = _square_over(x, h + ops.ABS(y))
    return ops.SELECT(ops.AND(ops.LT(y, 0), _is_finite(new)), new, h + y)


def _minus_hypot(x, y):
    # y - hypot(x, y) = -x*x/(hypot(x, y) + y) for y > 0
    h = ops.HYPOT(x, y)
    new = -_square_over(x, h + ops.ABS(y))
    return ops.SELECT(ops.AND(ops.GT(y, 0), _is_finite(new)), new, y - h)


def _twice_sigmoid(x, scale):
    """scale * sigmoid(2x): 1 + tanh(x) = 2/(1 + e^-2x) = 2 sigmoid(2x); 1 - tanh(x) = 2 sigmoid(-2x).
    2x is exact (it overflows only where sigmoid has reached 0 or 1 anyway)."""
    return const(scale) * ops.SIGMOID(const(2) * x)


def _over_expm1_squared(y, x):
    # e^x/(e^x - 1)^2 = 1/(4 sinh(x/2)^2) is even in x: as e^a/expm1(a)^2 with a = -|x| nothing overflows
    # (typed, (e^x - 1)^2 is inf from x = 355, where the result is e^-x ~ 1e-154: 0 instead). The numerator
    # is e^x or a product holding it (Planck's and Einstein's x^2 e^x/(e^x - 1)^2)
    if x.op is ops.NEG and x.args[0].op is ops.ABS:
        return None  # this rule's own form
    factors = list(y.args) if y.op is ops.MUL else [y]
    for k, f in enumerate(factors):
        if f.op is ops.EXP and f.args[0] is x:
            a = -ops.ABS(x)
            e = ops.EXPM1(a)
            rest = factors[:k] + factors[k + 1:]
            top = ops.EXP(a) if not rest else ops.MUL(*rest, ops.EXP(a))
            return top / (e * e)
    return None


def _halved(x):
    """x/2, as the u of x = 2u where x is one (2u/2 is u but for 2u's overflow, where tanh has reached +-1)."""
    if x.op is ops.MUL and len(x.args) == 2 and x.args[0].is_const and x.args[0].value == 2:
        return x.args[1]
    if x.op is ops.NEG:
        return negate(_halved(x.args[0]))
    return HALF * x


def _erfcx_of_square(u, v):
    # exp(u)*erfc(v) = erfcx(v) where u is v**2 in another spelling: exp(x**2/2)*erfc(x/sqrt(2)) (the Gaussian
    # Mills ratio), exp(x)*erfc(sqrt(x)) (for x < 0 both are NaN); erfc underflows long before exp overflows
    # (inf*0 = NaN from x = 26.6 for the first), and u's rounding costs u ulps below that. For v >= 0:
    # below, erfc(v) is near 2 and erfcx(v) near 2 exp(v^2), which v's own rounding (x/sqrt(2)) moves by 2v^2
    # of its ulps (670 at v = -23), where the typed exp(u) carries u's rounding (symgraph.compensated)
    if v.op is ops.SQRT and v.args[0] is u:
        return ops.ERFCX(v)
    if equal(u, v * v, symbolic_constants=True):
        return ops.SELECT(ops.GE(v, 0), ops.ERFCX(v), ops.EXP(u) * ops.ERFC(v))
    return None


def _times(node, factor):
    return None if node is None else node * factor


def _log_tanh(x):
    # log(tanh(x)) = log((1 - u)/(1 + u)) = -2 atanh(u), u = e^-2x < 0.37, for x > 1/2: typed, tanh rounds
    # to 1 from x = 19 and the log keeps nothing of its distance to 1 (-2 e^-2x). One exp, which specialize
    # compensates for a rounded argument (log1mexp(-2x) - softplus(-2x) had two, one not compensated: 3.5
    # bits for log(coth(pi x/4)) at x > 100). Below 1/2 the typed log of tanh(x) < 0.47 rounds less (-inf
    # at 0, NaN below)
    u = ops.EXP(-(const(2) * x))
    return ops.SELECT(ops.GT(x, HALF), -(const(2) * ops.ATANH(u)), ops.LOG(ops.TANH(x)))


def _log_one_plus_tanh(x, sign):
    # log(1 + sign tanh(x)) = log(2 sigmoid(2 sign x)) = log(2) - softplus(-2 sign x): typed, 1 + tanh(x) for
    # x << 0 keeps only the ulps of tanh near -1 (and stabilize's 2 sigmoid(2x) underflows from x = -373).
    # Where sign x < -1, softplus(-2 sign x) > 2 and the difference does not cancel; log1p(sign tanh(x))
    # elsewhere (canonicalize: before one-plus-tanh, whose 2 sigmoid(2x) has lost x's digits near 0)
    t = const(-2 * sign) * x
    typed = ops.LOG1P(ops.TANH(x) if sign > 0 else -ops.TANH(x))
    return ops.SELECT(ops.LT(const(sign) * x, -1), const(sympy.log(2)) - ops.SOFTPLUS(t), typed)


def _log_cosh(x):
    # log(cosh(x)) = log1p(cosh(x) - 1) = log1p(2 sinh(x/2)^2): no cancellation near 0 (log of a number
    # near 1); above |x| = 20, where sinh(x/2)^2 overflows first (x > 710), |x| - log(2) + softplus(-2|x|)
    # (its terms cancel at most one bit there)
    a = ops.ABS(x)
    far = a - const(sympy.log(2)) + ops.SOFTPLUS(-(const(2) * a))
    return ops.SELECT(ops.LT(a, 20), _log_cosh_near_zero(x), far)


def _log_cosh_near_zero(x):
    s = ops.SINH(const(sympy.Rational(1, 2)) * x)
    return ops.LOG1P(const(2) * (s * s))


def _log_scaled_cosh(c, x):
    # log(c cosh(x)) for c >= 1 (log(2 cosh(x)), a two-state partition function): log(c) + log(cosh(x)),
    # a sum of two non-negative terms, with log(c) - log(2) folded exactly into the far branch, which for c = 2
    # is |x| + softplus(-2|x|)
    if not (c.value.is_Number and c.value.is_finite and c.value >= 1):
        return None
    a = ops.ABS(x)
    near = const(sympy.log(c.value)) + _log_cosh_near_zero(x)
    shift = sympy.log(c.value) - sympy.log(2)
    far = a + ops.SOFTPLUS(-(const(2) * a))
    return ops.SELECT(ops.LT(a, 20), near, far if shift == 0 else const(shift) + far)


# asinh(1), the root of log(sinh(x)): a 24-bit head (exact in float32 and float64) and the rest, whose
# rounding to float32 is 1.6e-16, far below an ulp of x - asinh(1) there
ROOT_OF_LOG_SINH = (const(sympy.Rational(14786995, 2 ** 24)),
                    const(sympy.Rational(12380691, 2 ** 52) + sympy.Rational(7181339509536585, 2 ** 106)))


def _log_sinh(x):
    # log(sinh(x)) = x - log(2) + log(1 - e^-2x) (log1mexp): sinh overflows from x = 710 where its log is
    # still ~x; from x = 2 the terms cancel at most one bit. Near its root x0 = asinh(1) the log of the
    # rounded sinh keeps only sinh's ulps (~14 ulps at x = 0.93): there log1p(sinh(x) - 1), with
    # sinh(x) - sinh(x0) = 2 cosh((x + x0)/2) sinh(d/2) and d = (x - head) - rest, where x - head is exact
    # (Sterbenz; carried() keeps the constants from being summed first, which would round x0). Both
    # arguments are left uncorrected: d has one rounding, and cosh near x0 moves by 0.6 ulp at most.
    # Elsewhere below 2 (|x - x0| >= 1/2) the typed log cancels nothing and stays (log(sinh(x)) is NaN for
    # x < 0 either way)
    head, rest = ROOT_OF_LOG_SINH
    d = CARRIED(x - head) - rest
    near = 2 * ops.COSH(CARRIED(HALF * (CARRIED(x + head) + rest))) * ops.SINH(CARRIED(HALF * d))
    far = x - const(sympy.log(2)) + ops.LOG1MEXP(-(const(2) * x))
    typed = ops.LOG(ops.SINH(x))
    return ops.SELECT(ops.GT(x, 2), far, ops.SELECT(ops.LT(ops.ABS(d), HALF), ops.LOG1P(near), typed))


def _hypot_minus(x, y):
    # hypot(x, y) - y = x*x/(hypot(x, y) + y) for y > 0; where it is not finite the typed form stays
    h = ops.HYPOT(x, y)
    new = _square_over(x, h + ops.ABS(y))
    return ops.SELECT(ops.AND(ops.GT(y, 0), _is_finite(new)), new, h - y)


def _over_one_plus_exp(y, x):
    # c/(1 + exp(x)) = c*sigmoid(-x) (C6, C7): inf/inf and overflow gone (and the patterns of sigmoid's
    # complements see it: 1 - 2/(exp(2x) + 1) is tanh(x)). sigmoid rounds once (its sum and quotient
    # carried), so y*sigmoid(-x) rounds twice where y/(1 + e) rounds twice and y e/(1 + e) three times (swish
    # x/(1 + exp(-x)) over [-30, 30]: 0.42 mean bits that way, lambdify 0.31)
    s = ops.SIGMOID(negate(x))
    return s if y.is_const and y.value == 1 else y * s


def _one_plus_erf(x):
    return ops.ERFC(negate(x))          # D1: erfc(-x) keeps the digits of 1 + erf(x) for x << 0


def _erfc_minus_one(x):
    # erfc(x) - 1 = -erf(x); erfc(-t) - 1 = erf(t) (D5)
    return ops.ERF(x.args[0]) if x.op is ops.NEG else -ops.ERF(x)


def _in_unit_interval(x):
    return ops.AND(ops.GE(x, 0), ops.LE(x, 1))


def _one_minus_sinc(x):
    # 1 - sin(x)/x = (x - sin x)/x, with x - sin(x) the series primitive, for 0 < |x| < 1 where the typed
    # form cancels; at 0 (the limit 0) and beyond (no cancellation; x - sin(x) is inf - NaN at inf) typed
    near = ops.AND(ops.LT(ops.ABS(x), 1), ops.NE(x, 0))
    return ops.SELECT(near, ops.X_MINUS_SIN(x) / x, 1 - ops.SINC(x))


def _log_coth_half(x):
    # log((e^x + 1)/(e^x - 1)) = log(coth(x/2)) = log1p(2/(e^x - 1)), 2/(e^x - 1) = 2 e^-x/(-expm1(-x)):
    # no overflow of e^x, and no cancellation anywhere (x < 0: log1p of a number below -2 is NaN, as the
    # typed log of a negative number; x = 0: +inf, as typed, not the 2/0 of the new form)
    return ops.SELECT(ops.EQ(x, 0), const(sympy.oo), ops.LOG1P(2 * ops.EXP(-x) / -ops.EXPM1(-x)))


RULES = [
    # ---- A: log1p / expm1 / cosm1
    Rule("logsumexp", ops.LOG(x), _log_sum_exp, validity=A, phase=STABILIZE, ref="B6",
         doc="log(exp(a) + exp(b) + ...) overflows for a > 709 and is -inf for all a < -745"),
    Rule("log-one-plus-quotient", ops.LOG(1 + x / y), _log_of_one_plus_quotient, validity=A, phase=STABILIZE,
         ref="A1", doc="log(1 + y/x): log1p(y/x), and the log of (x + y)/x for y ~ -x"),
    Rule("log1p", ops.LOG(1 + x), ops.LOG1P(x), validity=A, phase=STABILIZE, ref="A1",
         doc="log(1 + x) loses all digits for |x| < eps"),
    Rule("log1p-neg", ops.LOG(1 - x), lambda x: ops.LOG1P(negate(x)), validity=A, phase=STABILIZE, ref="A2"),
    Rule("expm1", ops.EXP(x) - 1, ops.EXPM1(x), validity=A, phase=STABILIZE, ref="A4",
         doc="exp(x) - 1 cancels for |x| << 1"),
    Rule("expm1-plus", (ops.EXP(x) + y) - 1, lambda x, y: ops.EXPM1(x) + y, validity=A, phase=STABILIZE,
         ref="A4", doc="exp(x) + y - 1: the -1 meets exp first"),
    Rule("expm1-minus-sum", ops.EXP(x) - (1 + y), lambda x, y: ops.EXPM1(x) - y, validity=A,
         phase=STABILIZE, ref="A4", doc="exp(x) - 1 - y: the -1 meets exp first"),
    Rule("expm1-one-minus", 1 - ops.EXP(x), lambda x: -ops.EXPM1(x), validity=A, phase=STABILIZE, ref="A4"),
    Rule("expm1-scaled", c * ops.EXP(x) - d, _scaled_expm1, validity=A, phase=STABILIZE, ref="A5",
         doc="c*exp(x) - c, and c*exp(x) - d near log(d/c)"),
    Rule("constant-minus-scaled-exp", d - c * ops.EXP(x), lambda d, c, x: _scaled_expm1(c, x, d, negated=True),
         validity=A, phase=STABILIZE, ref="A5", doc="3 - 2*exp(x) near log(3/2)"),
    Rule("exp-quotient-minus-constant", ops.EXP(x) / c - d,
         lambda x, c, d: None if c.value == 0 else _scaled_expm1(const(1 / c.value), x, d), validity=A,
         phase=STABILIZE, ref="A5", doc="exp(x)/2 - 1/3 near log(2/3)"),
    Rule("constant-minus-exp-quotient", d - ops.EXP(x) / c,
         lambda d, x, c: None if c.value == 0 else _scaled_expm1(const(1 / c.value), x, d, negated=True),
         validity=A, phase=STABILIZE, ref="A5", doc="1/3 - exp(x)/2"),
    Rule("exp-minus-constant", ops.EXP(x) - y, _exp_minus_constant, validity=A, phase=STABILIZE,
         doc="exp(x) - 2 near log 2 keeps exp's rounding; 2 expm1(x - log 2) rounds once"),
    Rule("constant-minus-exp", y - ops.EXP(x), lambda y, x: _exp_minus_constant(x, y, negated=True), validity=A,
         phase=STABILIZE, doc="3 - exp(x) near log 3"),
    Rule("power-minus-constant", ops.POW(z, x) - y, lambda z, x, y: _exp_minus_constant(x, y, base=z),
         validity=A, phase=STABILIZE, doc="2**x - 3 near log2(3): 3 expm1(x log 2 - log 3)"),
    Rule("constant-minus-power", y - ops.POW(z, x), lambda y, z, x: _exp_minus_constant(x, y, True, base=z),
         validity=A, phase=STABILIZE, doc="3 - 10**x near log10(3)"),
    *_log_rules(),
    Rule("scaled-expm1", c * ops.EXPM1(x), ops.SCALED_EXPM1(c, x), validity=A, phase=STABILIZE, ref="A5",
         doc="c*expm1(x) rounds twice; the fused form once"),
    Rule("exprel", ops.EXPM1(x) / x, ops.EXPREL(x), validity=A, phase=STABILIZE, ref="A4",
         doc="(exp(x) - 1)/x: the rounded expm1 divided rounds twice, and 0/0 at x = 0 (the limit is 1)"),
    Rule("x-over-expm1", x / ops.EXPM1(x), ops.X_OVER_EXPM1(x), validity=A, phase=STABILIZE, ref="A4",
         doc="x/(exp(x) - 1): rounds twice through expm1, and 0/0 at x = 0 (the limit is 1)"),
    Rule("cosm1", ops.COS(x) - 1, ops.COSM1(x), validity=A, phase=STABILIZE, ref="A6",
         doc="cos(x) - 1 cancels for |x| << 1"),
    Rule("one-minus-cos", 1 - ops.COS(x), lambda x: -ops.COSM1(x), validity=A, phase=STABILIZE, ref="A6"),
    Rule("cosm1-scaled", c * ops.COS(x) - d, lambda c, x, d: c * ops.COSM1(x) if c.value == d.value else None,
         validity=A, phase=STABILIZE, ref="A6", doc="2*cos(x) - 2 (the law of cosines' 2 - 2 cos(x)) cancels near 0"),
    Rule("cosm1-scaled-minus", d - c * ops.COS(x), lambda d, c, x: -(c * ops.COSM1(x)) if c.value == d.value else None,
         validity=A, phase=STABILIZE, ref="A6", doc="2 - 2*cos(x)"),
    Rule("log1p-expm1", ops.LOG1P(ops.EXPM1(x)), x, validity=R, phase=STABILIZE, ref="A8",
         doc="exact identity for real x, NaN and +-inf included; the typed form overflows for x > 709"),
    Rule("expm1-log1p", ops.EXPM1(ops.LOG1P(x)), lambda x: _guarded(ops.GE(x, -1), x), validity=G,
         phase=STABILIZE, ref="A9"),
    Rule("exp-log1p", ops.EXP(ops.LOG1P(x)), lambda x: _guarded(ops.GE(x, -1), 1 + x), validity=G,
         phase=STABILIZE, ref="A10"),
    Rule("expm1-log", ops.EXPM1(ops.LOG(x)), lambda x: _guarded(ops.GE(x, 0), x - 1), validity=G,
         phase=STABILIZE, ref="A11"),
    # ---- B: softplus, log1mexp, logaddexp
    Rule("softplus", ops.LOG1P(ops.EXP(x)), ops.SOFTPLUS(x), validity=A, phase=STABILIZE, ref="B1",
         doc="log1p(exp(x)) overflows for x > 709"),
    Rule("log1mexp", ops.LOG1P(-ops.EXP(x)), ops.LOG1MEXP(x), validity=A, phase=STABILIZE, ref="B2",
         doc="log1p(-exp(x)) loses digits for x near 0; both are NaN for x > 0"),
    Rule("log1mexp-expm1", ops.LOG(-ops.EXPM1(x)), ops.LOG1MEXP(x), validity=A, phase=STABILIZE, ref="B3"),
    Rule("logdiffexp", ops.LOG(ops.EXP(x) - ops.EXP(y)), _log_diff_exp, validity=A, phase=STABILIZE, ref="B5",
         doc="both forms are NaN for x < y"),
    Rule("log-expm1", ops.LOG(ops.EXPM1(x)), _log_expm1, validity=A, phase=STABILIZE, ref="B5",
         doc="log(exp(x) - 1) after expm1: overflows for x > 709"),
    Rule("shifted-softplus", ops.SOFTPLUS(x) - ops.LOG(const(2)), lambda x: _shifted_softplus(x), validity=A,
         phase=STABILIZE, ref="B9", doc="softplus(x) - log(2) (SchNet's shifted softplus) cancels near 0"),
    Rule("log2-minus-softplus", ops.LOG(const(2)) - ops.SOFTPLUS(x), lambda x: -_shifted_softplus(x), validity=A,
         phase=STABILIZE, ref="B9", doc="log(2) - log(1 + exp(-x)) cancels near 0"),
    Rule("softplus-minus-x", ops.SOFTPLUS(x) - x, lambda x: ops.SOFTPLUS(negate(x)), validity=A, phase=STABILIZE,
         ref="B1", doc="log(1 + exp(x)) - x cancels for x >> 1; it is softplus(-x)"),
    Rule("x-minus-softplus", x - ops.SOFTPLUS(x), ops.LOG_SIGMOID(x), validity=A, phase=STABILIZE, ref="C1"),
    Rule("exp-softplus", ops.EXP(ops.SOFTPLUS(x)), 1 + ops.EXP(x), validity=R, phase=STABILIZE, ref="B10"),
    Rule("expm1-softplus", ops.EXPM1(ops.SOFTPLUS(x)), ops.EXP(x), validity=R, phase=STABILIZE, ref="B11"),
    Rule("softplus-log", ops.SOFTPLUS(ops.LOG(x)), lambda x: _guarded(ops.GE(x, 0), ops.LOG1P(x)), validity=G,
         phase=STABILIZE, ref="B12"),
    Rule("log1mexp-log", ops.LOG1MEXP(ops.LOG(x)), lambda x: _guarded(ops.GE(x, 0), ops.LOG1P(negate(x))),
         validity=G, phase=STABILIZE, ref="B13"),
    Rule("exp-log1mexp", ops.EXP(ops.LOG1MEXP(x)), lambda x: _guarded(ops.LE(x, 0), -ops.EXPM1(x)), validity=G,
         phase=STABILIZE, ref="B14", doc="-expm1(x), not the catalogue's 1 - exp(x), which cancels near 0"),
    Rule("expm1-log1mexp", ops.EXPM1(ops.LOG1MEXP(x)), lambda x: _guarded(ops.LE(x, 0), -ops.EXP(x)),
         validity=G, phase=STABILIZE, ref="B15"),
    Rule("log1mexp-log1mexp", ops.LOG1MEXP(ops.LOG1MEXP(x)), lambda x: _guarded(ops.LE(x, 0), x), validity=G,
         phase=STABILIZE, ref="B16"),
    Rule("log1p-minus-log", ops.LOG1P(x) - ops.LOG(x), _log1p_minus_log, validity=A, phase=STABILIZE,
         ref="A1", doc="log(1 + x) - log(x) cancels for x >> 1: log1p(1/x)"),
    Rule("log-minus-log1p", ops.LOG(x) - ops.LOG1P(x), lambda x: -_log1p_minus_log(x), validity=A,
         phase=STABILIZE, ref="A1", doc="log(x) - log(1 + x) = -log1p(1/x) for x > 1"),
    Rule("hypot-minus-one", ops.HYPOT(1, x) - 1, _hypot_minus_one, validity=A, phase=STABILIZE, ref="F12, F16",
         doc="sqrt(1 + x^2) - 1 (after hypot) cancels for |x| << 1"),
    Rule("quotient-minus-one", x / y - 1, lambda x, y: _quotient_minus_one(x, y), validity=A, phase=STABILIZE,
         ref="F16", doc="x/y - 1 = (x - y)/y: x - y is exact near x = y (Sterbenz) or cancels symbolically "
         "(x/sin(x) - 1 = (x - sin(x))/sin(x), 1/(1 + x^2) - 1 = -x^2/(1 + x^2))"),
    Rule("one-minus-quotient", 1 - x / y, lambda x, y: -_quotient_minus_one(x, y), validity=A, phase=STABILIZE,
         ref="F16"),
    Rule("log-one-minus-quotient", ops.LOG(x), _log_of_one_minus_quotient, validity=A, phase=STABILIZE,
         ref="A2", doc="log(1 - y/x): log1p(-y/x) for small y/x, the log of (x - y)/x for y ~ x"),
    # ---- cancellation: reciprocals, conjugates (quadratic formula), hypot
    Rule("reciprocal-difference", 1 / x - 1 / y, _reciprocal_difference, validity=A, phase=STABILIZE,
         ref="F16", doc="1/(x + 1) - 1/x cancels for large x; with (x - (x + 1)) = -1 it is -1/(x(x + 1))"),
    Rule("scaled-reciprocal-difference", c / x - d / y, _scaled_reciprocal_difference, validity=A, phase=STABILIZE,
         ref="F16", doc="2/x - 1/y cancels for x ~ 2y: (2y - x)/(x y), whose numerator the compensate phase takes"),
    Rule("sqrt-minus-root", ops.SQRT(y * y - x) - y, lambda y, x: _conjugate_minus(y, x, -1), validity=A,
         phase=STABILIZE, ref="F16", doc="-b + sqrt(b^2 - 4ac) cancels for b > 0 and |4ac| << b^2"),
    Rule("sqrt-plus-minus-root", ops.SQRT(y * y + x) - y, lambda y, x: _conjugate_minus(y, x, 1), validity=A,
         phase=STABILIZE, ref="F16"),
    Rule("factored-root-minus", ops.SQRT((y + x) * (y - x)) - y, _factored_root_minus, validity=A,
         phase=STABILIZE, ref="F16", doc="sqrt(y^2 - 1) - y once y^2 - 1 is (y + 1)(y - 1)"),
    Rule("root-plus-sqrt", y + ops.SQRT(y * y - x), _conjugate_plus, validity=A, phase=STABILIZE, ref="F16",
         doc="b + sqrt(b^2 - 4ac) cancels for b < 0"),
    Rule("minus-root", y - ops.SQRT(y * y - x), _minus_root, validity=A, phase=STABILIZE, ref="F16",
         doc="x - sqrt(x^2 - c) cancels for x >> c"),
    Rule("minus-factored-root", y - ops.SQRT((y + x) * (y - x)), _minus_factored_root, validity=A,
         phase=STABILIZE, ref="F16", doc="x - sqrt(x^2 - 1) once x^2 - 1 is (x + 1)(x - 1)"),
    # rearrange: log(x + hypot(1, x)) is asinh (asinh-def-hypot) before its argument is looked at
    Rule("hypot-plus", ops.HYPOT(x, y) + y, _hypot_plus, when=lambda facts, x, y: not facts.nonnegative(y),
         validity=A, phase="rearrange", ref="F16", doc="sqrt(x^2 + 1) + x cancels for x << 0"),
    Rule("minus-hypot", y - ops.HYPOT(x, y), _minus_hypot, when=lambda facts, x, y: not facts.nonpositive(y),
         validity=A, phase=STABILIZE, ref="F16"),
    Rule("hypot-minus", ops.HYPOT(x, y) - y, _hypot_minus, validity=A, phase=STABILIZE, ref="F16",
         doc="sqrt(x^2 + y^2) - y (after hypot) cancels for y >> |x|"),
    # ---- tanh's complements, log(cosh), tan - sin
    Rule("one-minus-tanh", 1 - ops.TANH(x), lambda x: _twice_sigmoid(negate(x), 2), validity=A, phase=STABILIZE,
         ref="C4, G7", doc="1 - tanh(x) is 0 from x = 19.1; 2 sigmoid(-2x) keeps e^-2x"),
    Rule("tanh-minus-one", ops.TANH(x) - 1, lambda x: _twice_sigmoid(negate(x), -2), validity=A, phase=STABILIZE,
         ref="C4, G7"),
    Rule("one-plus-tanh", 1 + ops.TANH(x), lambda x: _twice_sigmoid(x, 2), validity=A, phase=STABILIZE,
         ref="C4, G7"),
    Rule("log-tanh", ops.LOG(ops.TANH(x)), _log_tanh, validity=A, phase=STABILIZE, ref="G7",
         doc="log(tanh(x)) is 0 from x = 19, where it is -2 e^-2x"),
    Rule("log-one-plus-tanh", ops.LOG(1 + ops.TANH(x)), lambda x: _log_one_plus_tanh(x, 1), validity=A,
         phase="canonicalize", ref="G7", doc="log(1 + tanh(x)) is -inf from x = -19, where it is log(2) + 2x"),
    Rule("log-one-minus-tanh", ops.LOG(1 - ops.TANH(x)), lambda x: _log_one_plus_tanh(x, -1), validity=A,
         phase="canonicalize", ref="G7", doc="log(1 - tanh(x)) is -inf from x = 19, where it is log(2) - 2x"),
    Rule("log-cosh-minus-log-sinh", ops.LOG(ops.COSH(x)) - ops.LOG(ops.SINH(x)), lambda x: -ops.LOG(ops.TANH(x)),
         validity=R, phase="canonicalize", ref="G7", doc="log(coth(x)), whose terms' own rules hide it"),
    Rule("log-sinh-minus-log-cosh", ops.LOG(ops.SINH(x)) - ops.LOG(ops.COSH(x)), lambda x: ops.LOG(ops.TANH(x)),
         validity=R, phase="canonicalize", ref="G7"),
    Rule("log-cosh", ops.LOG(ops.COSH(x)), _log_cosh, validity=A, phase=STABILIZE, ref="G7",
         doc="log(cosh(x)) (the log-cosh loss) cancels near 0 and overflows for |x| > 710"),
    Rule("log-scaled-cosh", ops.LOG(c * ops.COSH(x)), _log_scaled_cosh, validity=A, phase=STABILIZE, ref="G7",
         doc="log(2*cosh(x)) overflows for |x| > 710, where it is |x|"),
    Rule("log-sinh", ops.LOG(ops.SINH(x)), _log_sinh, validity=A, phase=STABILIZE, ref="G7",
         doc="sinh(x) overflows for x > 710, where log(sinh(x)) is ~x"),
    Rule("tan-minus-sin", ops.TAN(x) - ops.SIN(x), lambda x: -(ops.TAN(x) * ops.COSM1(x)), validity=A,
         phase=STABILIZE, ref="A6", doc="tan(x) - sin(x) = tan(x)(1 - cos(x)) cancels near 0"),
    Rule("sin-minus-tan", ops.SIN(x) - ops.TAN(x), lambda x: ops.TAN(x) * ops.COSM1(x), validity=A,
         phase=STABILIZE, ref="A6"),
    # sec - cos = (1 - cos^2)/cos = sin tan, csc - sin = cos^2/sin = cos/tan: the typed differences cancel
    # near 0 (26.7 bits lost over |x| in [1e-8, 0.1]) and near pi/2
    Rule("sec-minus-cos", ops.SEC(x) - ops.COS(x), lambda x: ops.SIN(x) * ops.TAN(x), validity=A,
         phase=STABILIZE, ref="A6", doc="sec(x) - cos(x) = sin(x) tan(x) cancels near 0"),
    Rule("cos-minus-sec", ops.COS(x) - ops.SEC(x), lambda x: -(ops.SIN(x) * ops.TAN(x)), validity=A,
         phase=STABILIZE, ref="A6"),
    Rule("csc-minus-sin", ops.CSC(x) - ops.SIN(x), lambda x: ops.COS(x) / ops.TAN(x), validity=A,
         phase=STABILIZE, ref="A6", doc="csc(x) - sin(x) = cos(x)/tan(x) cancels near pi/2"),
    Rule("sin-minus-csc", ops.SIN(x) - ops.CSC(x), lambda x: -(ops.COS(x) / ops.TAN(x)), validity=A,
         phase=STABILIZE, ref="A6"),
    # tan - cot = (sin^2 - cos^2)/(sin cos) = -2/tan(2x): both near 1 at pi/4 (9.9 bits lost within 5e-4
    # of it), where 2x is exact and tan(2x) is libm's
    Rule("tan-minus-cot", ops.TAN(x) - ops.COT(x), lambda x: -2 / ops.TAN(2 * x), validity=A,
         phase=STABILIZE, ref="G4", doc="tan(x) - cot(x) = -2/tan(2x) cancels near pi/4"),
    Rule("cot-minus-tan", ops.COT(x) - ops.TAN(x), lambda x: 2 / ops.TAN(2 * x), validity=A,
         phase=STABILIZE, ref="G4"),
    # canonicalize: stabilize would take the two logs apart first (softplus, log-expm1), whose difference
    # cancels for x >> 1 (21 bits lost over x in [1e-3, 700])
    Rule("log-coth-half", ops.LOG(ops.EXP(x) + 1) - ops.LOG(ops.EXP(x) - 1), _log_coth_half, validity=A,
         phase="canonicalize", ref="B2",
         doc="log(exp(x) + 1) - log(exp(x) - 1) = log1p(2 exp(-x)/(-expm1(-x))), about 2 exp(-x) for large x"),
    Rule("log-tanh-half", ops.LOG(ops.EXP(x) - 1) - ops.LOG(ops.EXP(x) + 1), lambda x: -_log_coth_half(x),
         validity=A, phase="canonicalize", ref="B2"),
    # ---- C: sigmoid, its complements and logit
    Rule("softmax2", ops.EXP(x) / (ops.EXP(x) + ops.EXP(y)), _softmax2, validity=A, phase=STABILIZE, ref="C5",
         doc="inf/inf = NaN once exp(x) overflows"),
    Rule("sigmoid-difference", ops.SIGMOID(x) - ops.SIGMOID(y), _sigmoid_difference, validity=A, phase=STABILIZE,
         ref="C5", doc="sigmoid(x) - sigmoid(y) cancels for close x, y and for large ones (both near 1)"),
    # log(1 + e^x) - log(1 + e^-x) = log(e^x) = x for every x (inf and NaN too): the logit of a sigmoid,
    # log(s) - log(1 - s), as the sigmoid rules leave it
    Rule("softplus-odd-part", ops.SOFTPLUS(x) - ops.SOFTPLUS(-x), x, validity=R, phase=STABILIZE,
         ref="C1", doc="log(1 + exp(x)) - log(1 + exp(-x)) is x; the typed difference cancels near 0"),
    Rule("log-sigmoid-odd-part", ops.LOG_SIGMOID(x) - ops.LOG_SIGMOID(-x), x, validity=R,
         phase=STABILIZE, ref="C1", doc="log(sigmoid(x)) - log(sigmoid(-x)) is x"),
    Rule("log-sigmoid-difference", ops.LOG_SIGMOID(x) - ops.LOG_SIGMOID(y),
         lambda x, y: _softplus_difference(negate(y), negate(x)), validity=A, phase=STABILIZE, ref="C1",
         doc="log_sigmoid(x) - log_sigmoid(y) = softplus(-y) - softplus(-x) cancels for x ~ y"),
    Rule("softplus-difference", ops.SOFTPLUS(x) - ops.SOFTPLUS(y), _softplus_difference, validity=A,
         phase=STABILIZE, ref="B1", doc="log(1 + exp(x)) - log(1 + exp(y)) cancels for x ~ y"),
    Rule("softmax", ops.EXP(x) / y, _softmax, validity=A, phase=STABILIZE, ref="C5, B6",
         doc="exp(x)/(exp(x) + exp(y) + exp(z)): inf/inf = NaN once the exps overflow"),
    Rule("sigmoid", ops.EXP(x) / (1 + ops.EXP(x)), ops.SIGMOID(x), validity=A, phase=STABILIZE, ref="C5",
         doc="inf/inf = NaN for x > 709"),
    Rule("over-one-plus-exp", y / (1 + ops.EXP(x)), _over_one_plus_exp, validity=A, phase=STABILIZE,
         ref="C6, C7", doc="1/(1 + exp(-x)) is sigmoid(x)"),
    Rule("one-minus-sigmoid", 1 - ops.SIGMOID(x), lambda x: ops.SIGMOID(negate(x)), validity=A,
         phase=STABILIZE, ref="C4", doc="1 - sigmoid(40) is 0; sigmoid(-40) is 4.2e-18"),
    Rule("sigmoid-minus-one", ops.SIGMOID(x) - 1, lambda x: -ops.SIGMOID(negate(x)), validity=A,
         phase=STABILIZE, ref="C4", doc="exp(x)/(exp(x) + 1) - 1 is -sigmoid(-x) (37 bits lost for x in [1, 700])"),
    Rule("sigmoid-minus-half", ops.SIGMOID(x) - HALF, lambda x: HALF * ops.TANH(HALF * x), validity=A,
         phase=STABILIZE, ref="C4, G7", doc="sigmoid(x) - 1/2 = tanh(x/2)/2 cancels near 0 (x = 1e-10: every "
         "digit but the first 6 lost)"),
    Rule("half-minus-sigmoid", HALF - ops.SIGMOID(x), lambda x: -(HALF * ops.TANH(HALF * x)), validity=A,
         phase=STABILIZE, ref="C4, G7"),
    Rule("one-minus-twice-sigmoid", 1 - 2 * ops.SIGMOID(x), lambda x: -ops.TANH(_halved(x)), validity=A,
         phase=STABILIZE, ref="C4, G7", doc="1 - 2/(exp(2x) + 1) = tanh(x) cancels near 0 as typed"),
    Rule("twice-sigmoid-minus-one", 2 * ops.SIGMOID(x) - 1, lambda x: ops.TANH(_halved(x)), validity=A,
         phase=STABILIZE, ref="C4, G7", doc="2/(1 + exp(-2x)) - 1 = tanh(x)"),
    Rule("sigmoid-times-one-plus-exp", ops.SIGMOID(x) * (1 + ops.EXP(x)), lambda x: ops.EXP(x), validity=A, phase=STABILIZE,
         ref="C8", doc="sigmoid(x)(1 + e^x) = e^x: s/(1 - s) for s = 1/(1 + e^-x), as SymPy lowers the odds"),
    Rule("sigmoid-times-one-plus-exp-neg", ops.SIGMOID(x) * (1 + ops.EXP(-x)), lambda x: _guarded(ops.EQ(x, x), 1),
         validity=A, phase=STABILIZE, ref="C8",
         doc="sigmoid(x)(1 + e^-x) = 1 (NaN kept; the typed 0*inf at x = -inf is its limit 1)"),
    Rule("over-expm1-squared", y / (ops.EXPM1(x) * ops.EXPM1(x)), _over_expm1_squared, validity=A,
         phase=STABILIZE, ref="B1, E8", doc="e^x/(e^x - 1)^2 (Planck's, Einstein's) is 0 from x = 355 as typed"),
    Rule("log-sigmoid", ops.LOG(ops.SIGMOID(x)), ops.LOG_SIGMOID(x), validity=A, phase=STABILIZE, ref="C1, C2",
         doc="log(sigmoid(-800)) is -inf; the true value is -800"),
    Rule("log1p-neg-sigmoid", ops.LOG1P(-ops.SIGMOID(x)), lambda x: ops.LOG_SIGMOID(negate(x)), validity=A,
         phase=STABILIZE, ref="C3"),
    Rule("log-softmax2", ops.LOG(ops.SIGMOID_DIFF(x, y)), lambda x, y: ops.LOG_SIGMOID(x - y), validity=A,
         phase=STABILIZE, ref="C1, C5", doc="log(e^x/(e^x + e^y)), a two-class cross-entropy: -inf once the "
         "quotient underflows (x - y < -745), every digit lost where it rounds to 1"),
    Rule("log1p-neg-softmax2", ops.LOG1P(-ops.SIGMOID_DIFF(x, y)), lambda x, y: ops.LOG_SIGMOID(y - x),
         validity=A, phase=STABILIZE, ref="C3, C5"),
    Rule("exp-times-expm1-neg", ops.EXP(x) * ops.EXPM1(-x), lambda x: -ops.EXPM1(x), validity=A,
         phase=STABILIZE, ref="A4, E8", doc="e^x (1 - e^-x) = expm1(x): one rounding, and no inf*0 at x = -800"),
    Rule("exp-times-neg-expm1-neg", ops.EXP(x) * -ops.EXPM1(-x), ops.EXPM1(x), validity=A, phase=STABILIZE,
         ref="A4, E8", doc="e^x (1 - e^-x) once 1 - e^-x is -expm1(-x)"),
    Rule("sigmoid-derivative", ops.EXP(x) / ((1 + ops.EXP(x)) * (1 + ops.EXP(x))),
         lambda x: ops.SIGMOID(x) * ops.SIGMOID(negate(x)), validity=A, phase=STABILIZE, ref="C5",
         doc="e^x/(1 + e^x)^2 = sigmoid(x) sigmoid(-x): inf/inf from x = 709, and e^x rounds"),
    Rule("logaddexp-minus-first", ops.LOGADDEXP(x, y) - x, lambda x, y: ops.SOFTPLUS(y - x), validity=A,
         phase=STABILIZE, ref="B9", doc="log(e^x + e^y) - x = softplus(y - x): the typed difference keeps only "
         "the ulps of x where e^y << e^x"),
    Rule("first-minus-logaddexp", x - ops.LOGADDEXP(x, y), lambda x, y: ops.LOG_SIGMOID(x - y), validity=A,
         phase=STABILIZE, ref="B9"),
    Rule("logaddexp-minus-max", ops.LOGADDEXP(x, y) - z, lambda x, y, z: _logaddexp_minus_max(x, y, z, 1),
         validity=A, phase=STABILIZE, ref="B9", doc="log(e^x + e^y) - max(x, y) = softplus(-|x - y|): the typed "
         "difference keeps only the ulps of the max (41 bits lost on [-50, 50]^2)"),
    Rule("max-minus-logaddexp", z - ops.LOGADDEXP(x, y), lambda x, y, z: _logaddexp_minus_max(x, y, z, -1),
         validity=A, phase=STABILIZE, ref="B9"),
    Rule("exp-times-sigmoid", ops.EXP(x) * ops.SIGMOID(-x), ops.SIGMOID(x), validity=A, phase=STABILIZE,
         ref="C8"),
    Rule("exp-neg-times-sigmoid", ops.EXP(-x) * ops.SIGMOID(x), lambda x: ops.SIGMOID(-x), validity=A,
         phase=STABILIZE, ref="C8"),
    Rule("odds", ops.SIGMOID(x) / ops.SIGMOID(-x), ops.EXP(x), validity=A, phase=STABILIZE, ref="C10",
         doc="sigmoid(x)/(1 - sigmoid(x)) once the complement is sigmoid(-x)"),
    Rule("inverse-odds", ops.SIGMOID(-x) / ops.SIGMOID(x), lambda x: ops.EXP(negate(x)), validity=A,
         phase=STABILIZE, ref="C11"),
    Rule("logit", ops.LOG(x / (1 - x)), ops.LOGIT(x), validity=A, phase=STABILIZE, ref="C9",
         doc="log(p/(1 - p)) loses digits near p = 1/2"),
    Rule("logit-logs", ops.LOG(x) - ops.LOG1P(-x), ops.LOGIT(x), validity=A, phase=STABILIZE, ref="C9"),
    # its negation, log((1 - p)/p), as quotient-minus-one leaves log(1/p - 1) (Herbie's "neg log": 12.9 bits
    # near p = 1/2, where the quotient's distance to 1 rounded)
    Rule("logit-complement", ops.LOG((1 - x) / x), lambda x: -ops.LOGIT(x), validity=A, phase=STABILIZE,
         ref="C9", doc="log((1 - p)/p) = -logit(p) loses digits near p = 1/2"),
    # (canonicalize: stabilize's quotient-minus-one would first make 1/p - 1 a guarded (1 - p)/p)
    Rule("logit-reciprocal", ops.LOG(1 / x - 1), lambda x: -ops.LOGIT(x), validity=A, phase="canonicalize",
         ref="C9"),
    Rule("sigmoid-logit", ops.SIGMOID(ops.LOGIT(x)), lambda x: _guarded(_in_unit_interval(x), x), validity=G,
         phase=STABILIZE, ref="C9", doc="0 <= x <= 1; NaN kept outside"),
    Rule("logit-sigmoid", ops.LOGIT(ops.SIGMOID(x)), x, validity=R, phase=STABILIZE, ref="C10",
         doc="sigmoid rounds to 1 for x > 37, and logit(1) is inf"),
    # ---- D: erf / erfc complements and log(erfc)
    Rule("one-plus-erf", 1 + ops.ERF(x), _one_plus_erf, validity=A, phase=STABILIZE, ref="D1"),
    Rule("one-minus-erf", 1 - ops.ERF(x), ops.ERFC(x), validity=A, phase=STABILIZE, ref="D2"),
    Rule("erf-minus-one", ops.ERF(x) - 1, lambda x: -ops.ERFC(x), validity=A, phase=STABILIZE, ref="D3"),
    Rule("one-minus-erfc", 1 - ops.ERFC(x), ops.ERF(x), validity=A, phase=STABILIZE, ref="D4"),
    Rule("erfc-minus-one", ops.ERFC(x) - 1, _erfc_minus_one, validity=A, phase=STABILIZE, ref="D5"),
    Rule("erfcx", ops.EXP(x * x) * ops.ERFC(x), lambda x: ops.ERFCX(x), validity=A, phase=STABILIZE, ref="D6",
         doc="exp(x**2)*erfc(x) is inf*0 = NaN from x = 26.6, and x*x's rounding costs x^2 ulps below"),
    Rule("erfcx-times", ops.MUL(ops.EXP(x * x), ops.ERFC(x), y), lambda x, y: ops.ERFCX(x) * y, validity=A,
         phase=STABILIZE, ref="D6", doc="exp(x**2)*erfc(x) times more factors"),
    Rule("erfcx-of-square", ops.EXP(x) * ops.ERFC(y), lambda x, y: _erfcx_of_square(x, y), validity=A,
         phase=STABILIZE, ref="D6", doc="exp(u)*erfc(v) with u = v**2 another way (the Mills ratio "
         "exp(x**2/2)*erfc(x/sqrt(2)), exp(x)*erfc(sqrt(x)))"),
    Rule("erfcx-of-square-times", ops.MUL(ops.EXP(x), ops.ERFC(y), z),
         lambda x, y, z: _times(_erfcx_of_square(x, y), z), validity=A, phase=STABILIZE, ref="D6"),
    Rule("log-erfc", ops.LOG(ops.ERFC(x)), ops.LOG_ERFC(x), validity=A, phase=STABILIZE, ref="D6",
         doc="erfc underflows for x > 26.5 (float32: 9.2), and its log cancels near 0"),
    # ---- sinc and x*log(x)
    Rule("sinc", ops.SIN(x) / x, ops.SINC(x), validity=A, phase=STABILIZE, ref="G9",
         doc="sin(x)/x is 0/0 at x = 0, where the limit is 1"),
    Rule("one-minus-sinc", 1 - ops.SINC(x), lambda x: _one_minus_sinc(x), validity=A, phase=STABILIZE, ref="A6",
         doc="1 - sin(x)/x cancels for |x| < 1 (x = 1e-8: every digit lost)"),
    Rule("sinc-minus-one", ops.SINC(x) - 1, lambda x: -_one_minus_sinc(x), validity=A, phase=STABILIZE, ref="A6"),
    Rule("xlogx", x * ops.LOG(x), lambda x: ops.XLOGY(x, x), validity=A, phase=STABILIZE, ref="I4",
         doc="0*log(0) is 0*-inf = NaN; the limit, 0, is what entropy formulas mean"),
]
