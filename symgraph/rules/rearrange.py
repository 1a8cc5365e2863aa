"""Generic cancellation rules, run in the rearrange phase after stabilize (catalogue F16, E8, A4, A1):
differences of exponentials, of logarithms and of powers, and logarithms of quotients near 1.

Their shapes occur inside specific stabilize patterns (log(exp(x) - exp(y)) is logdiffexp, log((1 + x)/
(1 - x))/2 is atanh), which must see them first; here the stabilize rules stay active, so what these
replacements build (log(1 + u), x - (x + 1)) is stabilized in turn. Each keeps the typed form where its
own form would be no better (far from cancellation) or is undefined.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const
from ..rewrite import Rule, Validity, Var
from ._symbolic import cancelled, factored_difference

x, y, p, q = Var("x"), Var("y"), Var("p"), Var("q")
A = Validity.ACCURACY
REARRANGE = "rearrange"
MIN_NORMAL_F32 = const(sympy.Rational(1, 2 ** 126))
HALF, THREE_HALVES = const(sympy.Rational(1, 2)), const(sympy.Rational(3, 2))


def _is_finite(t):
    return ops.EQ(t - t, 0)


def _exp_difference(x, y):
    # e^x - e^y = -e^x expm1(y - x) (base x) = e^y expm1(x - y) (base y). The base's exponential carries
    # its argument's rounding (|x| ulps where x is a rounded sum x' + e), expm1 only its own relative
    # error: so the base is an exact argument (a symbol or number) where the other is computed
    # (e^(x + e) - e^x = e^x expm1(e)), unless expm1 would overflow (beyond 80: float32's bound) where
    # the result is finite; otherwise the larger exponent, so that expm1's argument is <= 0. y - x is
    # taken with the terms that cancel exactly removed (-at - (-bt) is (b - a)t). Where it is NaN
    # (equal infinities) the typed form.
    ex, ey = ops.EXP(x), ops.EXP(y)
    d = cancelled(x, y) or factored_difference(x, y) or x - y
    margin = _exact_argument(x) - _exact_argument(y)
    use_x = ops.GE(d, const(-80 * margin)) if margin else ops.GE(x, y)
    new = ops.SELECT(use_x, -ex, ey) * ops.EXPM1(ops.SELECT(use_x, -d, d))
    return ops.SELECT(ops.EQ(d, d), new, ex - ey)


def _exact_argument(node) -> int:
    return 1 if node.is_const or node.is_symbol else 0


def _log_difference(x, y):
    # log(x) - log(y) = log(x/y): the quotient rounds once (an absolute error of 2^-53 in the log), where
    # the typed difference carries the absolute errors of both logs (2^-53 |log x|); near x = y the
    # log-quotient rule turns it into log1p. Where x/y overflows or is subnormal (below 2^-126: the
    # float32 bound, which float64 kernels share; there |log(x/y)| > 87 and the typed form loses at most
    # 4 bits), or y <= 0 (NaN), the typed form.
    q = x / y
    ok = ops.AND(ops.GT(y, 0), _is_finite(q), ops.GE(q, MIN_NORMAL_F32))
    return ops.SELECT(ok, ops.LOG(q), ops.LOG(x) - ops.LOG(y))


def _log_quotient(x, y):
    # log(x/y) = log1p((x - y)/y) for x/y in [1/2, 3/2]: x - y is exact there for floats (Sterbenz) and
    # exact by cancellation for sums sharing a term (x/(x + 1)); log1p of it is within 1.5 ulp
    q = x / y
    near = ops.AND(ops.GE(q, HALF), ops.LE(q, THREE_HALVES))
    return ops.SELECT(near, ops.LOG1P((x - y) / y), ops.LOG(q))


def _minus_one(a):
    """a - 1, built so that stabilize takes the 1 into a primitive: e^t - 1, cos(t) - 1, cosh(t) - 1,
    sinc(t) - 1 = (sin(t) - t)/t, and a sum or difference holding one of them (e^t - t - 1 is
    expm1(t) - t); None where no term of `a` has such a form."""
    if a.op in (ops.EXP, ops.COS, ops.COSH):
        return a - 1
    if a.op is ops.SINC:
        t = a.args[0]
        return ops.SELECT(ops.EQ(t, 0), const(0), (ops.SIN(t) - t) / t)
    if a.op is ops.SUB:
        first = _minus_one(a.args[0])
        return None if first is None else first - a.args[1]
    if a.op is ops.ADD:
        for i, term in enumerate(a.args):
            shifted = _minus_one(term)
            if shifted is not None:
                return ops.ADD(*a.args[:i], shifted, *a.args[i + 1:])
    return None


def _log_near_one(x):
    # log(a) = log1p(a - 1) for a in [1/2, 3/2], where a - 1 has a stable form: log(cos(x)), log(sin(x)/x),
    # log(e^x - x) lose every digit of a's distance to 1 when a rounds; the typed form elsewhere
    shifted = _minus_one(x)
    if shifted is None:
        return None
    near = ops.AND(ops.GE(x, HALF), ops.LE(x, THREE_HALVES))
    return ops.SELECT(near, ops.LOG1P(shifted), ops.LOG(x))


def _pow_difference(x, y, p):
    # x^p - y^p = y^p expm1(p log(x/y)) (log(x/y) -> log1p near 1): no cancellation while |p log(x/y)| < 1;
    # beyond, x^p and y^p differ by a factor e or more and the typed difference loses at most a bit.
    t = p * ops.LOG(x / y)
    new = ops.POW(y, p) * ops.EXPM1(t)
    return ops.SELECT(ops.AND(ops.LT(ops.ABS(t), 1), _is_finite(new)), new, ops.POW(x, p) - ops.POW(y, p))


def _pow_minus_one(x, p, sign=1):
    # x^p - 1 = expm1(p log(x)) (log(1 + u) -> log1p) while |p log(x)| < 1; the typed form beyond
    t = p * ops.LOG(x)
    typed = ops.POW(x, p) - 1
    new = ops.EXPM1(t)
    if sign < 0:
        typed, new = 1 - ops.POW(x, p), -new
    return ops.SELECT(ops.LT(ops.ABS(t), 1), new, typed)


def _conjugate(p, q, sign):
    # p + sign*sqrt(q) = (p^2 - q)/(p - sign*sqrt(q)) where p^2 - q cancels symbolically (x - sqrt(x^2 - c)
    # is c/(x + sqrt(x^2 - c)), the quadratic formula with b/2, 1 - sqrt(1 - x^2)); used where p and
    # sign*sqrt(q) have opposite signs, where the typed sum cancels and the new denominator does not:
    # there p - sign*sqrt(q) = -sign (|p| + sqrt(q)), spelled with |p| so that it is no conjugate pattern
    if p.is_const and p.value.is_Number and (p.value >= 0 if sign > 0 else p.value <= 0):
        return None  # p and sign*sqrt(q) have one sign: nothing cancels
    numerator = cancelled(p * p, q)
    if numerator is None:
        return None
    root = ops.SQRT(q)
    typed = p + root if sign > 0 else p - root
    new = numerator / (ops.ABS(p) + root)
    new = -new if sign > 0 else new
    opposite = ops.LT(p, 0) if sign > 0 else ops.GT(p, 0)
    return ops.SELECT(ops.AND(opposite, _is_finite(new)), new, typed)


def _common_factor(p, q):
    # p - q = c (a - b) for products p = c a and q = c b sharing the factors c: the typed products round
    # before the difference cancels (x*y - x*z for y ~ z, x*y - x for y ~ 1), a - b is exact there
    # (Sterbenz) and rounds once otherwise. Where a - b overflows (p and q finite, c < 1) the typed form.
    if ops.MUL not in (p.op, q.op):
        return None
    rest_q = list(q.args) if q.op is ops.MUL else [q]
    common, rest_p = [], []
    for f in (p.args if p.op is ops.MUL else (p,)):
        if not f.is_const and f in rest_q:
            common.append(f)
            rest_q.remove(f)
        else:
            rest_p.append(f)
    if not common:
        return None
    a = ops.MUL(*rest_p) if len(rest_p) > 1 else rest_p[0] if rest_p else const(1)
    b = ops.MUL(*rest_q) if len(rest_q) > 1 else rest_q[0] if rest_q else const(1)
    new = ops.MUL(*common, a - b)
    return ops.SELECT(_is_finite(new), new, p - q)


RULES = [
    Rule("exp-difference", ops.EXP(x) - ops.EXP(y), _exp_difference, validity=A, phase=REARRANGE, ref="A4, E8",
         doc="e^x - e^y cancels for x ~ y (e^(x + e) - e^x: every digit of e lost to x + e's rounding)"),
    Rule("common-factor", p - q, _common_factor, validity=A, phase=REARRANGE, ref="H6",
         doc="x*y - x*z rounds both products before the difference cancels; x*(y - z) does not"),
    Rule("log-difference", ops.LOG(x) - ops.LOG(y), _log_difference, validity=A, phase=REARRANGE, ref="A1",
         doc="log(x) - log(y) cancels for x ~ y, and loses |log x| ulps whenever |log(x/y)| is small against it"),
    Rule("log-quotient", ops.LOG(x / y), _log_quotient, validity=A, phase=REARRANGE, ref="A1",
         doc="log(x/(x + 1)), log((1 - x)/(1 + x)): the quotient near 1 has lost the digits of its distance to 1"),
    Rule("log-near-one", ops.LOG(x), _log_near_one, validity=A, phase=REARRANGE, ref="A1, A4, A6",
         doc="log(cos(x)), log(sin(x)/x), log(exp(x) - x): the argument near 1 has lost the digits of its "
         "distance to 1"),
    Rule("pow-difference", ops.POW(x, p) - ops.POW(y, p), _pow_difference, validity=A, phase=REARRANGE,
         ref="F16", doc="(x + 1)^(1/n) - x^(1/n), cbrt(x + 1) - cbrt(x) cancel for x >> 1"),
    Rule("powm1", ops.POW(x, p) - 1, _pow_minus_one, validity=A, phase=REARRANGE, ref="A7",
         doc="(1 + x)^n - 1, 2^x - 1 cancel for small x (scipy's powm1)"),
    Rule("one-minus-powm1", 1 - ops.POW(x, p), lambda x, p: _pow_minus_one(x, p, -1), validity=A, phase=REARRANGE,
         ref="A7", doc="1 - (1 - x)^n"),
    Rule("conjugate-plus", p + ops.SQRT(q), lambda p, q: _conjugate(p, q, 1), validity=A, phase=REARRANGE,
         ref="F16", doc="p + sqrt(q) for p < 0 with p^2 - q simpler than either (the quadratic formula's -b/2 + "
         "sqrt(b^2/4 - ac))"),
    Rule("conjugate-minus", p - ops.SQRT(q), lambda p, q: _conjugate(p, q, -1), validity=A, phase=REARRANGE,
         ref="F16", doc="p - sqrt(q) for p > 0 with p^2 - q simpler than either (x - sqrt(x^2 - x))"),
    Rule("sqrt-minus-conjugate", ops.SQRT(q) - p, lambda p, q: _negated(_conjugate(p, q, -1)), validity=A,
         phase=REARRANGE, ref="F16", doc="sqrt(q) - p for p > 0 with p^2 - q simpler than either"),
]


def _negated(node):
    return None if node is None else -node
