"""Powers of a sum with 1 (catalogue A7): (1 + u)**v and (1 - u)**v become pow1p (symgraph/stable_pow.py),
which carries the rounding of 1 + u that pow would multiply by v ((1 + 1/x)**x: 24.5 bits -> 0.3).

The rule runs in the stabilize phase, before the rearrange phase would put 1 + 1/x over a common
denominator (another rounding pow multiplies); so the rearrange rules that read x**p as a power
(powm1, pow-difference) get pow1p here in their place: pow1p(u, v) - 1 is expm1(v log1p(u)), and
pow1p(u, p) - y**p is y**p expm1(p log((1 + u)/y)), as they build for x**p.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const
from ..rewrite import Rule, Validity, Var
from ..stable_pow import POW1P
from ._symbolic import equal
from .specialize import MAX_SQUARING_POWER

u, v, y, p = Var("u"), Var("v"), Var("y"), Var("p")
A = Validity.ACCURACY
STABILIZE, REARRANGE = "stabilize", "rearrange"


def _becomes_arithmetic(v) -> bool:
    """Constant exponents that the specialize phase turns into multiplications and square or cube roots
    (rules/specialize.py: integers up to 32, k + 1/2 up to 17/2, 1/3), and that canonicalize already has
    (2, 1/2, -1/2): those stay powers of the rounded 1 + u. They vectorise, where pow1p is a libm call,
    and multiply 1 + u's half-ulp error by |v| (16 ulps at 32: the price of the speed)."""
    if not v.is_const or not v.value.is_Number or not v.value.is_finite:
        return False
    value = sympy.Rational(v.value)
    if value.is_Integer:
        return abs(int(value)) <= MAX_SQUARING_POWER
    twice = 2 * value
    return (twice.is_Integer and -1 <= twice <= 17) or value == sympy.Rational(1, 3)


def _pow1p(u, v):
    if u.is_const or _becomes_arithmetic(v):
        return None  # 1 + c folds to one rounding of the exact sum, which pow1p could not improve
    return POW1P(u, v)


def _pow1p_minus_one(u, v, sign=1):
    # rearrange's powm1 on the power it would have seen: (1 + u)^v - 1 = expm1(v log1p(u)) while
    # |v log1p(u)| < 1, where the difference cancels; the typed difference (of pow1p) beyond
    t = v * ops.LOG1P(u)
    new, typed = ops.EXPM1(t), POW1P(u, v) - 1
    if sign < 0:
        new, typed = -new, 1 - POW1P(u, v)
    return ops.SELECT(ops.LT(ops.ABS(t), 1), new, typed)


def _pow1p_difference(u, y, p, sign=1):
    # rearrange's pow-difference with x = 1 + u: (1 + u)^p - y^p = y^p expm1(p log((1 + u)/y)) (the
    # log-quotient rule takes log1p of ((1 + u) - y)/y near 1, where 1 + u - y cancels exactly for y = u)
    # while |t| < 1; beyond, the powers differ by a factor e or more and the typed difference is accurate
    # (the guard reads y^p, not the new form: its expm1 is compensated later, and optimizing again must meet
    # the same select; with |t| < 1 the new form is finite where y^p is, but within a factor 1.72 of the
    # largest float)
    t = p * ops.LOG((1 + u) / y)
    yp = ops.POW(y, p)
    new = yp * ops.EXPM1(t)
    typed = POW1P(u, p) - yp
    if sign < 0:
        new, typed = -new, yp - POW1P(u, p)
    return ops.SELECT(ops.AND(ops.LT(ops.ABS(t), 1), ops.EQ(yp - yp, 0)), new, typed)


def _exponent_of(y):
    """w for y = e^w: an exp node, or the constant e^k for a rational k; None otherwise."""
    if y.op is ops.EXP:
        return y.args[0]
    if y.is_const:
        value = y.value
        if value == sympy.E:
            return const(1)
        if value.is_Pow and value.base == sympy.E and value.exp.is_Rational:
            return const(value.exp)
    return None


def _pow1p_minus_exp(u, v, y, sign=1):
    # (1 + u)^v - e^w where v u = w (the limits (1 + 1/x)^x - e and (1 + x/n)^n - e^x): (1 + u)^v is
    # e^(v u + v (log1p(u) - u)), so the difference is e^w expm1(v log1p_minus_x(u)), where the typed one
    # subtracts two values that agree to all but the last few of their digits. While |v (log1p(u) - u)|
    # < 1; the typed difference beyond (and where 1 + u <= 0)
    w = _exponent_of(y)
    if w is None or not equal(v * u, w):
        return None
    d = v * ops.LOG1P_MINUS_X(u)
    new, typed = ops.EXP(w) * ops.EXPM1(d), POW1P(u, v) - y
    if sign < 0:
        new, typed = -new, y - POW1P(u, v)
    return ops.SELECT(ops.AND(ops.GT(u, -1), ops.LT(ops.ABS(d), 1)), new, typed)


RULES = [
    Rule("pow1p", ops.POW(1 + u, v), _pow1p, validity=A, phase=STABILIZE, ref="A7",
         doc="(1 + u)**v: pow multiplies the rounding of 1 + u by v ((1 + 1/x)**x, (1 + x)**(1/x))"),
    Rule("pow1p-one-minus", ops.POW(1 - u, v), lambda u, v: _pow1p(-u, v), validity=A, phase=STABILIZE,
         ref="A7", doc="(1 - u)**v = pow1p(-u, v)"),
    Rule("pow1p-minus-one", POW1P(u, v) - 1, _pow1p_minus_one, validity=A, phase=REARRANGE, ref="A7",
         doc="(1 + u)**v - 1 cancels for small v log(1 + u) (powm1's case, on pow1p)"),
    Rule("one-minus-pow1p", 1 - POW1P(u, v), lambda u, v: _pow1p_minus_one(u, v, -1), validity=A,
         phase=REARRANGE, ref="A7", doc="1 - (1 + u)**v"),
    Rule("pow1p-difference", POW1P(u, p) - ops.POW(y, p), _pow1p_difference, validity=A, phase=REARRANGE,
         ref="F16", doc="(x + 1)**(1/5) - x**(1/5) cancels for x >> 1 (pow-difference's case, on pow1p)"),
    Rule("pow1p-minus-exp", POW1P(u, v) - y, _pow1p_minus_exp, validity=A, phase=REARRANGE, ref="A7",
         doc="(1 + 1/x)**x - e, (1 + x/n)**n - exp(x): the power and its limit agree to all but a few digits"),
    Rule("exp-minus-pow1p", y - POW1P(u, v), lambda y, u, v: _pow1p_minus_exp(u, v, y, -1), validity=A,
         phase=REARRANGE, ref="A7", doc="exp(x) - (1 + x/n)**n"),
    Rule("pow-pow1p-difference", ops.POW(y, p) - POW1P(u, p), lambda y, u, p: _pow1p_difference(u, y, p, -1),
         validity=A, phase=REARRANGE, ref="F16", doc="x**(1/5) - (x + 1)**(1/5)"),
]
