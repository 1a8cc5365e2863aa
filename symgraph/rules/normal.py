"""The normal CDF as users type it: erfc(-x/sqrt(2))/2, (1 + erf(x/sqrt(2)))/2 and GELU's x*(...)/2 become
ndtr (symgraph/stable_normal.py), which carries the rounding of x/sqrt(2) that erfc multiplies by ~2 z^2;
log(ndtr(x)) becomes log_ndtr, finite where Phi underflows.

The rules run in the stabilize phase, on the graph as the erf complement rules leave it (1 + erf(w) is
already erfc(-w) there), so they read halves of erfc; SymPy's own spellings of the halves of erf
(1/2 + erf(w)/2, 1/2 - erf(w)/2) and of erfc(-w) (2 - erfc(w)) are read too. The argument w must be a
constant multiple +-1/sqrt(2) of some t: sqrt(2)*t/2, t/sqrt(2), a Float equal to the correctly rounded
1/sqrt(2) (or sqrt(2) as a divisor, or 0.5 times sqrt(2)). Such a Float is read as the constant it is
the rounding of: what the user meant, and the only reading under which the formula is Phi (the typed
Float's own value differs from 1/sqrt(2) by 2^-55 relative, which erfc magnifies as it does a rounding).
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const
from ..rewrite import ConstVar, Rule, Validity, Var, unmarked
from ..stable_normal import INV_SQRT2, LOG_NDTR, NDTR
from ._symbolic import equal, product_factors, product_of

w, r, u, h = Var("w"), Var("r"), Var("u"), ConstVar("h")
A = Validity.ACCURACY
STABILIZE = "stabilize"
HALF = sympy.S.Half
_SQRT2 = sympy.sqrt(2)
# Floats that stand for sqrt(2) or 1/sqrt(2): their correctly rounded values
_INTENDED = {sympy.Rational(float(_SQRT2)): _SQRT2, sympy.Rational(INV_SQRT2): 1 / _SQRT2}


def _constant(value):
    """A constant's value with Floats read as the constant they round (see the module doc); None for
    non-numbers, infinities and NaN."""
    if not value.is_number or not value.is_finite:
        return None
    floats = value.atoms(sympy.Float)
    if not floats:
        return value
    return value.xreplace({f: _INTENDED.get(sympy.Rational(f), sympy.Rational(f)) for f in floats})


def _constant_node(node):
    """The value of a node built from constants only (sqrt(2) is still sqrt of 2 in the stabilize phase;
    folding comes later), Floats read as in _constant; None for any other node."""
    stack, seen = [node], 0
    while stack:
        n = stack.pop()
        seen += 1
        if seen > 8 or n.is_symbol or (n.op.arity == 0 and not n.is_const):
            return None
        stack.extend(n.args)
    return _constant(sympy.sympify(node.to_sympy()))


def over_sqrt2(node):
    """(t, s) with node = s t/sqrt(2), s = +-1, for node a constant multiple of t (products with
    constant factors, quotients by constants, negations); None otherwise."""
    scale = sympy.S.One
    for _ in range(8):  # a few layers: -(sqrt(2)*t)/2, (0.5*sqrt(2))*t
        if node.op is ops.NEG:
            scale, node = -scale, node.args[0]
            continue
        if node.op is ops.DIV:
            c = _constant_node(node.args[1])
            if c is None:
                break
            if c == 0:
                return None
            scale, node = scale / c, node.args[0]
            continue
        if node.op is ops.MUL:
            values = [_constant_node(a) for a in node.args]
            rest = [a for a, v in zip(node.args, values) if v is None]
            if len(rest) == len(node.args) or not rest:
                break
            for v in values:
                if v is not None:
                    scale *= v
            node = rest[0] if len(rest) == 1 else ops.MUL(*rest)
            continue
        break
    if _constant_node(node) is not None:
        return None
    for sign in (1, -1):
        if sympy.simplify(scale * _SQRT2 - sign) == 0:
            return node, sign
    return None


def _phi(w, negated=False, factor=None):
    """Phi(s t) for w = s t/sqrt(2) (Phi(-s t) when negated), times factor; None where w is not of
    that form."""
    found = over_sqrt2(w)
    if found is None:
        return None
    t, sign = found
    if negated:
        sign = -sign
    result = NDTR(t if sign > 0 else _negate(t))
    return result if factor is None else factor * result


def _times_two(node):
    return None if node is None else const(2) * node


def _negate(t):
    return t.args[0] if t.op is ops.NEG else ops.NEG(t)


def _is_half(h):
    return _constant(h.value) == HALF


def _exp_over_tail(numerator, denominator):
    # exp(-v^2) ... / (erfc(v) ...) = ... / (erfcx(v) ...) and exp(-t^2/2) ... / (Phi(t) ...) =
    # ... / (erfcx(-t/sqrt(2))/2 ...) (the inverse Mills ratio, the hazard of the normal distribution, the
    # mean of a truncated normal phi(a)/(1 - Phi(a))): erfc and Phi underflow past v = 26.5 (t = -37.5) where
    # the quotient is about v (-t), and the typed exp(-v^2) carries v^2's rounding (31 bits lost on [1, 60]).
    # Where v < 0 (t > 0) both are near their limits and typed
    tops, bottoms = product_factors(numerator), product_factors(denominator)
    exps = [f for f in tops if f.op is ops.EXP]
    # (1 - Phi(x) reads plus_zero(Phi(-x)): Phi is never -0)
    tails = [f for f in bottoms if unmarked(f).op in (ops.ERFC, NDTR)]
    for e in exps:
        for d in tails:
            tail = unmarked(d)
            v = tail.args[0]
            if tail.op is ops.ERFC:
                if not equal(e.args[0], -(v * v), symbolic_constants=True):
                    continue
                scaled, inside = ops.ERFCX(v), ops.GE(v, 0)
            else:
                if not equal(e.args[0], -(v * v) / 2, symbolic_constants=True):
                    continue
                scaled, inside = ops.ERFCX(_negate(v) * const(1 / _SQRT2)) / 2, ops.LE(v, 0)
            new = product_of([f for f in tops if f is not e]) / product_of([scaled if f is d else f for f in bottoms])
            return ops.SELECT(inside, new, numerator / denominator)
    return _tail_ratio(tops, bottoms, numerator, denominator)


def _tail_ratio(tops, bottoms, numerator, denominator):
    # erfc(u) ... / (erfc(v) ...) = exp((v - u)(v + u)) erfcx(u) ... / (erfcx(v) ...) for u, v >= 0, and
    # Phi(s)/Phi(t) = exp((t - s)(t + s)/2) erfcx(-s/sqrt(2))/erfcx(-t/sqrt(2)) for s, t <= 0 (a ratio of
    # normal tail probabilities): both underflow past 26.5 (-37.5), 0/0 where the ratio is e^-(u^2 - v^2);
    # the exponent's difference is exact for close u, v (its rounding carried into exp by the specialize
    # phase). Typed elsewhere
    for a in tops:
        upper = unmarked(a)
        if upper.op not in (ops.ERFC, NDTR):
            continue
        for b in bottoms:
            lower = unmarked(b)
            if lower.op is not upper.op:
                continue
            u, v = upper.args[0], lower.args[0]
            if upper.op is ops.ERFC:
                scaled_u, scaled_v, exponent = ops.ERFCX(u), ops.ERFCX(v), (v - u) * (v + u)
                inside = ops.AND(ops.GE(u, 0), ops.GE(v, 0))
                tu, tv = over_sqrt2(u), over_sqrt2(v)
                if tu is not None and tv is not None:  # erfc(x/sqrt(2)): the exponent from x, not x/sqrt(2)
                    su, sv = (t if sign > 0 else _negate(t) for t, sign in (tu, tv))
                    exponent = (sv - su) * (sv + su) / 2
            else:
                root = const(1 / _SQRT2)
                scaled_u, scaled_v = ops.ERFCX(_negate(u) * root), ops.ERFCX(_negate(v) * root)
                exponent, inside = (v - u) * (v + u) / 2, ops.AND(ops.LE(u, 0), ops.LE(v, 0))
            new = product_of([scaled_u if f is a else f for f in tops]) * ops.EXP(exponent) / \
                product_of([scaled_v if f is b else f for f in bottoms])
            return ops.SELECT(inside, new, numerator / denominator)
    return None


RULES = [
    # erfc(w)/2 = Phi(-s t): the typed forms of Phi(x) and GELU once one-plus-erf has made 1 + erf(w) erfc(-w)
    Rule("ndtr-half-erfc", ops.ERFC(w) / 2, lambda w: _phi(w, negated=True), validity=A, phase=STABILIZE,
         doc="erfc(-x/sqrt(2))/2: erfc multiplies the rounding of x/sqrt(2) by ~x^2"),
    Rule("ndtr-half-times-erfc", h * ops.ERFC(w), lambda h, w: _phi(w, negated=True) if _is_half(h) else None,
         validity=A, phase=STABILIZE, doc="0.5*erfc(-x/sqrt(2))"),
    Rule("ndtr-half-times-erfc-product", ops.MUL(h, ops.ERFC(w), r),
         lambda h, w, r: _phi(w, negated=True, factor=r) if _is_half(h) else None, validity=A,
         phase=STABILIZE, doc="GELU 0.5*x*(1 + erf(x/sqrt(2)))"),
    Rule("ndtr-half-erfc-product", ops.ERFC(w) * r / 2, lambda w, r: _phi(w, negated=True, factor=r),
         validity=A, phase=STABILIZE, doc="GELU x*(1 + erf(x/sqrt(2)))/2"),
    # SymPy's spellings: (1 + erf(w))/2 expands to 1/2 + erf(w)/2, erfc(-w) evaluates to 2 - erfc(w)
    Rule("ndtr-half-plus-half-erf", const(HALF) + ops.ERF(w) / 2, lambda w: _phi(w), validity=A, phase=STABILIZE,
         doc="(1 + erf(x/sqrt(2)))/2 as SymPy expands it"),
    Rule("ndtr-half-plus-half-times-erf", h + h * ops.ERF(w), lambda h, w: _phi(w) if _is_half(h) else None,
         validity=A, phase=STABILIZE, doc="0.5 + 0.5*erf(x/sqrt(2))"),
    Rule("ndtr-half-minus-half-erf", const(HALF) - ops.ERF(w) / 2, lambda w: _phi(w, negated=True), validity=A,
         phase=STABILIZE, doc="(1 - erf(x/sqrt(2)))/2 = Phi(-x)"),
    Rule("ndtr-half-minus-half-times-erf", h - h * ops.ERF(w),
         lambda h, w: _phi(w, negated=True) if _is_half(h) else None, validity=A, phase=STABILIZE,
         doc="0.5 - 0.5*erf(x/sqrt(2))"),
    Rule("two-minus-erfc", 2 - ops.ERFC(w), lambda w: ops.ERFC(_negate(w)), validity=A, phase=STABILIZE,
         doc="2 - erfc(w) (SymPy's erfc(-w)) cancels for w << 0, where erfc(-w) is small and keeps its digits"),
    Rule("one-minus-ndtr", 1 - NDTR(u), lambda u: NDTR(_negate(u)), validity=A, phase=STABILIZE,
         doc="1 - Phi(-x) (SymPy's erfc(-x/sqrt(2))/2 is 1 - erfc(x/sqrt(2))/2) cancels for x << 0"),
    Rule("exp-over-normal-tail", u / w, lambda u, w: _exp_over_tail(u, w), validity=A, phase=STABILIZE,
         doc="exp(-x**2/2)/erfc(x/sqrt(2)) (the inverse Mills ratio) is inf or 0/0 past x = 37.5; "
         "1/erfcx(x/sqrt(2)) is about x there; erfc(x)/erfc(y) likewise"),
    # rearrange: after the stabilize patterns that hold erfc (erfcx's exp(x**2/2)*erfc(x/sqrt(2)), log_erfc,
    # Phi's erfc(w)/2), a bare erfc(t/sqrt(2)) is 2 Phi(-t)
    Rule("erfc-over-sqrt2", ops.ERFC(w), lambda w: _times_two(_phi(w, negated=True)), validity=A,
         phase="rearrange", doc="erfc(x/sqrt(2)) carries the rounding of x/sqrt(2) (and of sqrt(2)) times x^2: "
         "9 bits lost at x = 30; 2*Phi(-x) none"),
    Rule("log-ndtr", ops.LOG(NDTR(u)), LOG_NDTR(u), validity=A, phase=STABILIZE,
         doc="log Phi(x): Phi underflows below -38.5 where its log is about -x^2/2, and rounds to 1 above 8.3"),
]
