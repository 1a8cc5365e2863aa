"""Generic cancellation rules, run in the rearrange phase after stabilize (catalogue F16, E8, A4, A1):
differences of exponentials, of logarithms and of powers, and logarithms of quotients near 1.

Their shapes occur inside specific stabilize patterns (log(exp(x) - exp(y)) is logdiffexp, log((1 + x)/
(1 - x))/2 is atanh), which must see them first; here the stabilize rules stay active, so what these
replacements build (log(1 + u), x - (x + 1)) is stabilized in turn. Each keeps the typed form where its
own form would be no better (far from cancellation) or is undefined.
"""
from __future__ import annotations

import itertools

import sympy

from .. import ops
from ..compensated import CARRIED
from ..ir import const
from ..rewrite import ConstVar, Rule, Validity, Var
from ._guards import HALF, MIN_NORMAL, factored_sum_typed, is_finite as _is_finite, nan_guarded
from ._symbolic import binomial_factors, cancelled, factored_difference, once_per_node, signed_terms
from .compensate import compensates_root
from .specialize import _power_of_two

x, y, z, p, q = Var("x"), Var("y"), Var("z"), Var("p"), Var("q")
A = Validity.ACCURACY
REARRANGE = "rearrange"
THREE_HALVES, ONE = const(sympy.Rational(3, 2)), const(1)


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
    # log(x) - log(y) = log(x/y): one logarithm, which the log-quotient rule takes near x = y (log1p) and
    # beyond (log_ratio: from exponents and mantissas where x/y would over- or underflow), where the typed
    # difference carries the absolute errors of both logs (2^-53 |log x|). For y <= 0 (or NaN) log(x/y)
    # is not the difference (a negative pair has a real quotient): there the difference's IEEE values, +inf
    # where y = 0 and x > 0 (log(x) + inf), NaN elsewhere, without computing the two logs
    typed = ops.SELECT(ops.AND(ops.EQ(y, 0), ops.GT(x, 0)), const(sympy.oo), const(sympy.nan))
    return ops.SELECT(ops.GT(y, 0), ops.LOG(x / y), typed)


def _log1p_minus_log(x, y, sign=1):
    # log1p(x) - log(y) = log((1 + x)/y) where |x| >= 1/2 (1 + x rounds by at most an ulp of itself: an
    # absolute 2^-53 in the log): log(x + 1) - log(x - 1) for x >> 1 keeps only its terms' ulps as typed;
    # near 1 the log-quotient rule then takes log1p of ((1 + x) - y)/y, which cancels symbolically (2/(x - 1)).
    # As log-difference, typed where y <= 0 or the quotient over- or underflows
    q = (1 + x) / y
    ok = ops.AND(ops.GE(ops.ABS(x), HALF), ops.GT(y, 0), _is_finite(q), ops.GE(q, MIN_NORMAL))
    if sign > 0:
        return ops.SELECT(ok, ops.LOG(q), ops.LOG1P(x) - ops.LOG(y))
    return ops.SELECT(ok, -ops.LOG(q), ops.LOG(y) - ops.LOG1P(x))


def _log1p_difference(x, y):
    # log1p(x) - log1p(y) = log1p(u), u = (x - y)/(1 + y): x - y is exact near x = y (Sterbenz), or taken
    # with the terms that cancel exactly removed, and 1 + y rounds once (exact for y in [-1, -1/2]), so u
    # is within two roundings, where the typed difference keeps only the ulps of its terms. For u >= -1/2,
    # where log1p is well-conditioned; below, log((1 + x)/(1 + y)) with the quotient < 1/2 (two roundings,
    # |log| > 0.69 against the typed terms' ulps; log_ratio: no over- or underflow). Where 1 + y <= 0 the
    # typed difference's IEEE values: +inf where y = -1 and x > -1 (log1p(y) = -inf), NaN elsewhere
    one_plus_y = 1 + y
    u = (cancelled(x, y) or x - y) / one_plus_y
    positive = ops.GT(one_plus_y, 0)
    typed = ops.SELECT(ops.AND(ops.EQ(one_plus_y, 0), ops.GT(x, -1)), const(sympy.oo), const(sympy.nan))
    far = ops.SELECT(positive, ops.LOG_RATIO(1 + x, one_plus_y), typed)
    return ops.SELECT(ops.AND(positive, ops.GE(u, -HALF), _is_finite(u)), ops.LOG1P(u), far)


def _log_quotient(x, y):
    # log(x/y) = log1p((x - y)/y) for x/y in [1/2, 3/2]: x - y is exact there for floats (Sterbenz) and
    # exact by cancellation for sums sharing a term (x/(x + 1)); log1p of it is within 1.5 ulp. Beyond,
    # log_ratio: log(x/y) from exponents and mantissas, so that a quotient that over- or underflows (a
    # likelihood ratio of 1e-200 and 1e200) costs nothing (one logarithm where log(x) - log(y) took three)
    q = x / y
    near = ops.AND(ops.GE(q, HALF), ops.LE(q, THREE_HALVES))
    return ops.SELECT(near, ops.LOG1P((x - y) / y), ops.LOG_RATIO(x, y))


def _minus_one(a):
    """a - 1, built so that stabilize takes the 1 into a primitive: e^t - 1, cos(t) - 1, cosh(t) - 1,
    sinc(t) - 1 = (sin(t) - t)/t, a sum or difference holding one of them (e^t - t - 1 is
    expm1(t) - t), and a product with one of them among its factors (cos(x) cos(y) - 1 is
    (cos(x) - 1) + cos(x) (cos(y) - 1)); None where no term or factor of `a` has such a form."""
    if a.op in (ops.EXP, ops.COS, ops.COSH):
        return a - 1
    if a.op is ops.MUL:  # the product-minus-one rule takes it
        return a - 1 if _product_minus_one(a.args) is not None else None
    if a.op is ops.SINC:
        t = a.args[0]
        return ops.SELECT(ops.EQ(t, 0), const(0), (ops.SIN(t) - t) / t)
    if a.op is ops.EXPREL:  # (e^t - 1)/t - 1 = (e^t - 1 - t)/t
        t = a.args[0]
        return ops.SELECT(ops.EQ(t, 0), const(0), ops.EXPM1_MINUS_X(t) / t)
    if a.op is ops.X_OVER_EXPM1:  # t/(e^t - 1) - 1 = -(e^t - 1 - t)/(e^t - 1)
        t = a.args[0]
        return ops.SELECT(ops.EQ(t, 0), const(0), -ops.EXPM1_MINUS_X(t) / ops.EXPM1(t))
    if a.op is ops.DIV:  # f(t)/t - 1 = (f(t) - t)/t and t/f(t) - 1 = (t - f(t))/f(t) with a primitive f(t) - t
        difference = _function_minus_argument(*a.args)
        if difference is None and _norm_square(a.args[1]) is not None:
            difference = _dot_minus_norms_once(a.args[0] - a.args[1])  # a cosine: (u.v - |u| |v|)/(|u| |v|)
        return None if difference is None else difference / a.args[1]
    if a.op is ops.SUB:
        first = _minus_one(a.args[0])
        return None if first is None else first - a.args[1]
    if a.op is ops.ADD:
        angle = _cosine_of_difference_minus_one(a)
        if angle is not None:
            return angle
        between = _interpolation_minus_one(a)
        if between is not None:
            return between
        for i, term in enumerate(a.args):
            shifted = _minus_one(term)
            if shifted is not None:
                return ops.ADD(*a.args[:i], shifted, *a.args[i + 1:])
    return None


def _interpolation_minus_one(a):
    """a - 1 for a = t + (1 - t) w (or (1 - t) + t w), a point between 1 and w: (1 - t)(w - 1) (t (w - 1)),
    w - 1 by _minus_one where it has a form, without the typed sum's cancellation near 1 (pbrt's hair
    sampling log(u + (1 - u) e^(-2/v)) for large v: 2.9 bits, where log1p((1 - u) expm1(-2/v)) keeps every
    digit); None for other sums."""
    if len(a.args) != 2:
        return None
    for point, scaled in (a.args, a.args[::-1]):
        if scaled.op is not ops.MUL:
            continue
        complement = ONE - point if point.op is not ops.SUB or point.args[0] != ONE else point.args[1]
        factors = list(scaled.args)
        if complement not in factors:
            continue
        factors.remove(complement)
        w = factors[0] if len(factors) == 1 else ops.MUL(*factors)
        shifted = _minus_one(w)
        return complement * (w - 1 if shifted is None else shifted)
    return None


def _cosine_of_difference_minus_one(a):
    """a - 1 for a = sin(u) sin(v) + cos(u) cos(v) r: cosm1(u - v) + cos(u) cos(v) (r - 1), r - 1 by
    _minus_one (the spherical law of cosines, r = cos(d): both terms <= 0 where cos(u) cos(v) >= 0, where the
    typed sum's two parts near 1 cancel), where |u - v| < 1; None for other sums."""
    if a.op is not ops.ADD or len(a.args) != 2:
        return None
    for sines, rest in (a.args, a.args[::-1]):
        if not (sines.op is ops.MUL and len(sines.args) == 2 and all(f.op is ops.SIN for f in sines.args)
                and rest.op is ops.MUL):
            continue
        u, v = (f.args[0] for f in sines.args)
        others = list(rest.args)
        for c in (ops.COS(u), ops.COS(v)):
            if c not in others:
                break
            others.remove(c)
        else:
            if not others:
                continue  # sin sin + cos cos - 1: a cosine's own (cos-sum rules)
            r = others[0] if len(others) == 1 else ops.MUL(*others)
            shifted = _minus_one(r)
            if shifted is None:
                continue
            # where |u - v| < 1 (u - v then rounds by no more than cosm1 can bear; 1e8 - 1e-8 would lose the
            # 1e-8 that cos(u) and cos(v) apart keep)
            new = ops.OPS["cosm1"](u - v) + ops.COS(u) * ops.COS(v) * shifted
            return ops.SELECT(ops.LT(ops.ABS(u - v), const(1)), new, a - 1)
    return None


def _product_minus_one(factors):
    """f g ... - 1 as (f - 1) + f (g ... - 1), and where it holds; None where no factor has a stable
    form of its own f - 1."""
    # near f = g = 1 each term keeps the digits of its factor's distance to 1, where the typed product
    # rounds them away before the subtraction (1 - cos(x) cos(y): every digit of x^2 + y^2 lost for small
    # x, y). A factor without a stable form contributes its own f - 1 (exact for f in [1/2, 2]: Sterbenz).
    # It holds where every factor is in [1/2, 3/2]: the terms are then below 1/2 and their sum cancels no
    # more than the typed difference does, where e^10 e^-10.1 - 1 would subtract terms of 22025
    shifted = [_minus_one(f) for f in factors]
    if all(s is None for s in shifted):
        return None
    holds = ops.AND(*[c for f in factors for c in (ops.GE(f, HALF), ops.LE(f, THREE_HALVES))])
    first_order = _exp_times_one_minus(factors)
    if first_order is not None:
        return first_order, holds
    new = factors[-1] - 1 if shifted[-1] is None else shifted[-1]
    for k in range(len(factors) - 2, -1, -1):  # f_k ... f_n - 1 = (f_k - 1) + f_k (f_k+1 ... f_n - 1)
        own = factors[k] - 1 if shifted[k] is None else shifted[k]
        new = own + factors[k] * new
    return new, holds


def _exp_times_one_minus(factors):
    """e^u (1 - u) - 1 = (e^u - 1 - u) - u (e^u - 1), for two factors e^u and w with w - 1 = -u (e^-x (1 + x),
    the probability of at most one Poisson event, less 1; None otherwise): the split form expm1(u) +
    e^u (w - 1) would cancel its first-order terms u and -u (11 bits lost near 0); these terms are u^2/2
    and u^2, the result -u^2/2."""
    if len(factors) != 2:
        return None
    for e, w in (factors, factors[::-1]):
        if e.op is not ops.EXP:
            continue
        u, d = e.args[0], cancelled(w, const(1))
        if d is not None and (_negation_of(d) is u or _negation_of(u) is d):
            return ops.EXPM1_MINUS_X(u) - u * ops.EXPM1(u)
    return None


def _negation_of(node):
    """t for -t or (-1)*t, None otherwise."""
    if node.op is ops.NEG:
        return node.args[0]
    if node.op is ops.MUL and len(node.args) == 2 and node.args[0].is_const and node.args[0].value == -1:
        return node.args[1]
    return None


def _reciprocal_argument_minus_one(a, sign):
    """u f(1/u) - 1 (sign 1; 1 - u f(1/u): -1) = (f(t) - t)/t, t = 1/u, for the f with a primitive f(t) - t:
    x log(1 + 1/x) - 1 and x sin(1/x) - 1 for large x, where the typed product is f(t)/t rounded near 1;
    None for other products. (t's rounding moves (f(t) - t)/t, of order t or t^2, by 1 or 2 ulps at most:
    0.4-0.75 mean bits)"""
    if a.op is not ops.MUL or len(a.args) != 2:
        return None
    for u, f in (a.args, a.args[::-1]):
        if f.op.arity == 1 and f.args[0].op is ops.DIV and f.args[0].args[1] is u \
                and f.args[0].args[0].is_const and f.args[0].args[0].value == 1:
            difference = _function_minus_argument(f, f.args[0])
            if difference is not None:  # where |t| <= 1: beyond, f(t)/t is far from 1, the typed form exact
                new = difference * u
                return ops.SELECT(ops.GE(ops.ABS(u), 1), new if sign > 0 else -new, a - 1 if sign > 0 else 1 - a)
    return None


def _near_one_product(a, sign):
    # a - 1 (sign 1) or 1 - a (sign -1) for a product a: the stable form where it holds, the typed beyond
    reciprocal = _reciprocal_argument_minus_one(a, sign)
    if reciprocal is not None:
        return reciprocal
    parts = _product_minus_one(a.args) if a.op is ops.MUL else None
    if parts is None:
        return None
    new, holds = parts
    return ops.SELECT(holds, new, a - 1) if sign > 0 else ops.SELECT(holds, -new, 1 - a)


def _acos_near_one(x):
    # acos(a) = 2 asin(sqrt((1 - a)/2)) where 1 - a cancels symbolically (acos(1 - x**2/2), as typed
    # (2 - x**2)/2) or has a stable form (acos(cos(x)): 1 - cos(x) = -cosm1(x)): a near 1 has lost the
    # digits of its distance to 1, which acos magnifies by 1/sqrt(2(1 - a)) (every digit lost for
    # acos(cos(x)) at x = 1e-8). For a > 0, where asin's argument is below 1/sqrt(2); near a = -1 both forms
    # keep only the rounding of a + 1, and the typed one is cheaper
    d = cancelled(const(1), x)
    if d is None:
        shifted = _minus_one(x)
        if shifted is None:
            return None
        d = -shifted
    return ops.SELECT(ops.GT(x, 0), 2 * ops.ASIN(ops.SQRT(HALF * d)), ops.ACOS(x))


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
    # (the guard reads y^p, not the new form, whose expm1 the specialize phase compensates: optimizing again
    # meets the same select). Small integer powers factor instead (below)
    if p.is_const and p.value.is_Integer and 3 <= p.value <= _MAX_FACTORED_POWER:
        return _integer_pow_difference(x, y, int(p.value))
    t = p * ops.LOG(x / y)
    yp = ops.POW(y, p)
    new = yp * ops.EXPM1(t)
    return ops.SELECT(ops.AND(ops.LT(ops.ABS(t), 1), _is_finite(yp)), new, ops.POW(x, p) - yp)


def _pow_difference_of_exponents(x, p, q):
    # x^p - x^q = x^q expm1((p - q) log x): where the exponents are close the typed powers cancel (x^y - x^z
    # for y ~ z: 23.7 bits lost), p - q is exact there (Sterbenz) and expm1 keeps the digits. Only while
    # |(p - q) log x| < 1: beyond, the powers differ by a factor e or more and the typed difference loses at
    # most a bit, where expm1's argument would carry |(p - q) log x| ulps of log's rounding. Both exponents
    # numbers: the polynomial rules' (x^2.5 - x^1.5). x <= 0, 0, inf or NaN: log is NaN or infinite, the
    # guard fails and the typed difference stays
    if p.is_const and q.is_const:
        return None
    t = (cancelled(p, q) or p - q) * ops.LOG(x)
    xq = ops.POW(x, q)
    return ops.SELECT(ops.AND(ops.LT(ops.ABS(t), 1), _is_finite(xq)), xq * ops.EXPM1(t), ops.POW(x, p) - xq)


def _quotient_difference(a, b, c, d, sign):
    # a/b -+ c/d = (a d -+ c b)/(b d) for inputs and numbers: where the quotients cancel (x/y - z/w near
    # x/y = z/w: 23.5 bits lost typed) the numerator is a difference of products, which the specialize
    # phase computes as in twice the precision (difference-of-products), and the result rounds about twice.
    # Only where the typed difference is below half the first quotient: elsewhere it rounds three times
    # and loses at most a bit or two. Typed where b d is subnormal or the new form is not finite
    if not all(n.is_symbol or n.is_const for n in (a, b, c, d)) or b is d:
        return None  # (one denominator: fractions' shared-denominator)
    q1, q2 = a / b, c / d
    typed = q1 - q2 if sign < 0 else q1 + q2
    denominator = b * d
    numerator = a * d - c * b if sign < 0 else a * d + c * b
    new = numerator / denominator
    # (the guard reads the numerator, |a d -+ c b| < |a d|/2, not the typed branch: a second run rewrites
    # that again, and a guard holding it would grow by a select each time)
    usable = ops.AND(ops.LT(2 * ops.ABS(numerator), ops.ABS(a * d)), ops.GE(ops.ABS(denominator), MIN_NORMAL),
                     _is_finite(new))
    return ops.SELECT(usable, new, typed)


_MAX_FACTORED_POWER = 8


def _integer_pow_difference(x, y, n):
    # x^n - y^n = (x - y)(x^(n-1) + x^(n-2) y + ... + y^(n-1)), and for even n = (x - y)(x + y)(sum of
    # (x^2)^k (y^2)^(n/2-1-k)): x -+ y is exact where the typed powers cancel, the sum of terms of one sign
    # does not cancel (x^3 - y^3 for close x, y: 9 bits lost typed, and the expm1 form ran 20x slower).
    # Where x/y is outside [1/2, 2] (odd n: x, y of opposite signs, where the factor's alternating terms
    # x^4 - x^3 y + ... would cancel) the typed difference loses at most a bit and rounds less: typed there
    def powers_sum(a, b, m):  # a^(m-1) + a^(m-2) b + ... + b^(m-1)
        return ops.ADD(*[_power(a, m - 1 - k) * _power(b, k) for k in range(m)])

    typed = ops.POW(x, const(n)) - ops.POW(y, const(n))
    # x -+ y with its exactly cancelling terms taken out ((x + h)^3 - x^3: h, not the rounded (x + h) - x)
    difference = cancelled(x, y) or x - y
    if n % 2 == 0:
        total = cancelled(x, -y) or x + y
        near = ops.LT(3 * ops.ABS(ops.ABS(x) - ops.ABS(y)), ops.ABS(x) + ops.ABS(y))
        return ops.SELECT(near, difference * total * powers_sum(x * x, y * y, n // 2), typed)
    return ops.SELECT(ops.LT(3 * ops.ABS(x - y), ops.ABS(x + y)), difference * powers_sum(x, y, n), typed)


def _power(a, k):
    return const(1) if k == 0 else a if k == 1 else ops.POW(a, const(k))


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
    if p.is_const and compensates_root(q):
        return None  # sqrt(x + 1) - 3: compensate's root-minus-constant rounds once
    numerator = cancelled(p * p, q)
    if numerator is None:
        return None
    root = ops.SQRT(q)
    typed = p + root if sign > 0 else p - root
    new = numerator / (ops.ABS(p) + root)
    new = -new if sign > 0 else new
    opposite = ops.LT(p, 0) if sign > 0 else ops.GT(p, 0)
    return ops.SELECT(ops.AND(opposite, _is_finite(new)), new, typed)


def _root_and_scale(d):
    """(k, root, q) for a denominator d = k*root, root = sqrt(q) or hypot(a, b) (q = a^2 + b^2; also as
    hypot-of-squares guards it, select(ok, hypot(a, b), NaN)), k a nonzero number (1 where there is none);
    None otherwise."""
    k, root = sympy.Integer(1), d
    if d.op is ops.MUL and len(d.args) == 2 and d.args[0].is_const and d.args[0].value.is_Number:
        k, root = d.args[0].value, d.args[1]
    if k == 0 or not k.is_finite:
        return None
    if root.op is ops.SQRT:
        return k, root, root.args[0]
    _, norm = nan_guarded(root)
    if norm.op is ops.HYPOT:
        a, b = norm.args
        return k, root, a * a + b * b
    return None


def _constant_plus_quotient_by_root(c, p, d, sign=1):
    # c + p/(k r), r = sqrt(q) (or a hypot): (p + m r)/(k r) with m = c k, and p + m r is a conjugate,
    # sign(m) (m^2 q - p^2)/(|m| r + |p|), where p and m have opposite signs and m^2 q - p^2 cancels
    # symbolically: the half-angle cos(t/2)^2 = 1/2 + x/(2 hypot(x, y)) (Givens' rotation) cancels for
    # x < 0, |y| << |x| (7.6 bits mean over |x|, |y| in [1e-10, 1e10]), its numerator is y^2. The typed
    # form where the signs agree (nothing cancels) or the new form is no finite number. sign -1: c - p/d
    found = _root_and_scale(d)
    if found is None or not c.value.is_Number or c.value == 0:
        return None
    k, root, q = found
    m = c.value * k
    numerator = cancelled(const(m * m) * q, p * p)
    if numerator is None:
        return None
    new = numerator / (const(abs(m)) * root + ops.ABS(p)) / d
    new = -new if m < 0 else new
    typed = c + p / d if sign > 0 else c - p / d
    # the signs of m and of sign*p are opposite
    opposite = ops.LT(p, 0) if (m > 0) == (sign > 0) else ops.GT(p, 0)
    return ops.SELECT(ops.AND(opposite, _is_finite(new)), new, typed)


def _minus_root_of_product(p, root, q):
    # p - sqrt(q) for a product q where p^2 - q factors into binomials: the gap between the arithmetic and
    # the geometric mean (x + y)/2 - sqrt(x*y) = ((x - y)/2)^2/((x + y)/2 + sqrt(x*y)), x - sqrt(x*y) =
    # x (x - y)/(x + sqrt(x*y)): typed, p and the root cancel for x ~ y (26 bits lost at |x/y - 1| ~ 1e-3);
    # the new numerator's x - y is exact there. The new form where p > 0 (else the denominator cancels) and
    # the numerator kept its digits; typed where it did not or the new form overflows
    found = binomial_factors(p * p, q)
    if found is None:
        return None
    numerator, factors = found
    denominator = p + root
    new = numerator / denominator
    usable = ops.AND(ops.GT(p, 0), _kept_digits(numerator, factors, p), _is_finite(new), _is_finite(denominator))
    return ops.SELECT(usable, new, p - root)


def _kept_digits(product, factors, scale):
    # a product of binomial factors (the numerator of a difference rewritten as a quotient) that has not
    # underflowed: a normal number of the kernel's dtype; nonzero where the scale it is divided by is above
    # 2^-60 (the product is then at least a squared ulp of it); or 0 because a factor is 0 exactly (x = y),
    # not by underflow
    zero = [ops.EQ(f, 0) for f in factors if not f.is_const]
    return ops.OR(ops.GE(ops.ABS(product), MIN_NORMAL),
                  ops.AND(ops.NE(product, 0), ops.GE(scale, _TINY_SCALE)), *zero)


_TINY_SCALE = const(sympy.Rational(1, 2 ** 60))


def _product_of_terms(facts, x, y, **_):
    # sqrt((x + 1)(x - 1)) - x is the stabilize phase's factored-root-minus
    return not {x.op, y.op} & {ops.ADD, ops.SUB, ops.NEG}


def _common_factor(p, q, sign=-1):
    # p - q = c (a - b) for products p = c a and q = c b sharing the factors c: the typed products round
    # before the difference cancels (x*y - x*z for y ~ z, x*y - x for y ~ 1), a - b is exact there
    # (Sterbenz) and rounds once otherwise; then a - b's own rules see it (2 hypot(x, y) - 2x). The same
    # for p + q (2 re + 2 hypot(re, im) for re < 0: the complex square root). Where a -+ b overflows (p
    # and q finite, c < 1) the typed form, and where a factor of c is infinite or NaN (inf*a - inf*b is
    # NaN as typed); where only c (a -+ b) overflows, the result does too (two roundings), and it stays
    # (the typed c a + c b is inf - inf = NaN there for a, b of opposite signs: 1.5 bits over the full
    # range on FastMath's d1 d2 + d1 d3). Quotients by one constant likewise: a/c -+ b/c = (a -+ b)/c.
    typed = p - q if sign < 0 else p + q
    if p.op is ops.DIV and q.op is ops.DIV and p.args[1] is q.args[1] and p.args[1].is_const:
        a, b = p.args[0], q.args[0]
        difference = a - b if sign < 0 else a + b
        return ops.SELECT(_is_finite(difference), difference / p.args[1], typed)
    factors_p, divisor_p = _factors(p)
    factors_q, divisor_q = _factors(q)
    if len(factors_p) + len(factors_q) < 3:
        return None  # (no product)
    rest_q = list(factors_q)
    common, rest_p = [], []
    for f in factors_p:
        if f in rest_q and not (f.is_const and f.value in (1, -1)):
            common.append(f)
            rest_q.remove(f)
        else:
            rest_p.append(f)
    # a factor 1/2, 1/4, ...: exact, so nothing to gain but the overflow of a -+ b (the guard below), and the
    # specialize phase makes such factors of quotients (x/2 is x*(1/2)) after this phase: taking them
    # would take the typed form again when optimizing twice
    if not common or any(f.is_const and _power_of_two(f) is not None and abs(f.value) < 1 for f in common):
        return None
    a = ops.MUL(*rest_p) if len(rest_p) > 1 else rest_p[0] if rest_p else const(1)
    b = ops.MUL(*rest_q) if len(rest_q) > 1 else rest_q[0] if rest_q else const(1)
    if all(f.is_const for f in common) and any(r.is_const and r.value == 1 and (o.is_symbol or o.is_const)
                                               for r, o in ((a, b), (b, a))):
        return None  # 3*y + 3 is fused, fma(3, y, 3): one rounding, where 3*(y + 1) rounds twice
    a = a if divisor_p is None else a / divisor_p
    b = b if divisor_q is None else b / divisor_q
    difference = a - b if sign < 0 else a + b
    checks = [_is_finite(difference)] + [_is_finite(f) for f in common if not f.is_const]
    return ops.SELECT(checks[0] if len(checks) == 1 else ops.AND(*checks), ops.MUL(*common, difference), typed)


def _factors(term):
    """(factors, divisor) of a term u*v*w, c*(u*v) or (u*v)/c for a constant c: its factors, those of a product
    a number multiplies (2*(x*x) shares x with 3*x*y: x*(2x - 3y) near x = 1.5y, 20.8 bits -> 0.00; the
    factors of other nested products stay together: (b s)(b s), a scaled square, keeps its scale inside),
    and the constant it is divided by (None): x**2/4 - x*y/2 is x*(x/4 - y/2)."""
    divisor = None
    if term.op is ops.DIV and term.args[1].is_const and term.args[1].value.is_nonzero:
        term, divisor = term.args[0], term.args[1]
    if term.op is not ops.MUL:
        return [term], divisor
    factors = list(term.args)
    if any(f.is_const for f in factors):
        factors = [g for f in factors for g in (f.args if f.op is ops.MUL else (f,))]
    return factors, divisor


MAX_FACTORED_TERMS = 8


def _signed_products(node, sign, terms):
    """Appends (sign, factors) for each term of a tree of sums, differences and negations, reading a
    common-factor select (of two of the terms, rewritten first) as its typed sum; False past
    MAX_FACTORED_TERMS terms."""
    node = factored_sum_typed(node) or node
    if node.op in (ops.ADD, ops.SUB, ops.NEG):
        signs = (-sign,) if node.op is ops.NEG else \
            (sign, -sign) if node.op is ops.SUB else (sign,) * len(node.args)
        return all(_signed_products(a, s, terms) for a, s in zip(node.args, signs))
    terms.append((sign, list(node.args) if node.op is ops.MUL else [node]))
    return len(terms) <= MAX_FACTORED_TERMS


def _common_factor_of_terms(node, **_):
    # c a1 +- c a2 +- c a3 ... = c (a1 +- a2 +- a3 ...) for three or more terms (FastMath's d1 d2 - d1 d3 +
    # d4 d1 - d1 d1, 3 d1 + d1 d2 + d1 d3): as for two terms (common-factor), the products round before the
    # sum cancels, and overflow where the sum does not (d1 d2 = inf, d1 (d2 + d3) finite); a sum of
    # inputs left is then compensated. Two-term sums inside, which common-factor took first, are read as
    # typed. Guarded like common-factor: the typed sum where the inner sum or a common factor is not finite
    terms = []
    if not _signed_products(node, 1, terms) or len(terms) < 3:
        return None
    common = []
    for f in terms[0][1]:
        if not f.is_const and all(f in factors for _, factors in terms[1:]) and \
                sum(1 for g in terms[0][1] if g is f) > common.count(f) and \
                all(sum(1 for g in factors if g is f) > common.count(f) for _, factors in terms[1:]):
            common.append(f)
    if not common:
        return None
    inner = None
    for sign, factors in terms:
        rest = list(factors)
        for f in common:
            rest.remove(f)
        value = ops.MUL(*rest) if len(rest) > 1 else rest[0] if rest else const(1)
        if inner is None:
            inner = value if sign > 0 else -value
        else:
            inner = inner + value if sign > 0 else inner - value
    checks = [_is_finite(inner)] + [_is_finite(f) for f in common]
    return ops.SELECT(ops.AND(*checks), ops.MUL(*common, inner), node)


RULES = [
    Rule("exp-difference", ops.EXP(x) - ops.EXP(y), _exp_difference, validity=A, phase=REARRANGE, ref="A4, E8",
         doc="e^x - e^y cancels for x ~ y (e^(x + e) - e^x: every digit of e lost to x + e's rounding)"),
    Rule("common-factor", p - q, _common_factor, validity=A, phase=REARRANGE, ref="H6",
         doc="x*y - x*z rounds both products before the difference cancels; x*(y - z) does not"),
    # (a sum of two terms only: an n-ary sum matched as p + q would be rebuilt as another node)
    # (terms of one sign cannot cancel: 900 x^2 + 900 y^2 stays a sum of products, which the specialize phase
    # compensates in a level set 900 x^2 + 900 y^2 + 900 z^2 - 625)
    Rule("common-factor-sum", p + q, lambda p, q: None if ops.ADD in (p.op, q.op) else _common_factor(p, q, 1),
         when=lambda facts, p, q: not (facts.nonnegative(p) and facts.nonnegative(q) or
                                       facts.nonpositive(p) and facts.nonpositive(q)),
         validity=A, phase=REARRANGE, ref="H6", doc="x*y + x*z for y ~ -z"),
    Rule("common-factor-of-terms", p + q, _common_factor_of_terms, validity=A, phase=REARRANGE, whole=True,
         ref="H6", doc="3*d1 + d1*d2 + d1*d3 rounds and may overflow each product; d1*(3 + d2 + d3) does not"),
    Rule("common-factor-of-differences", p - q, _common_factor_of_terms, validity=A, phase=REARRANGE, whole=True,
         ref="H6", doc="d1*d2 - d1*d3 + d4*d1 - d1*d1"),
    Rule("select-difference", p - ops.SELECT(q, x, y), lambda p, q, x, y: _select_difference(p, q, x, y, 1),
         validity=A, phase=REARRANGE, ref="H6", doc="x - log(exp(x) - 1): a branch of the select cancels x"),
    Rule("difference-select", ops.SELECT(q, x, y) - p, lambda p, q, x, y: _select_difference(p, q, x, y, -1),
         validity=A, phase=REARRANGE, ref="H6", doc="log(exp(x) - 1) - x"),
    Rule("product-minus-one", p - 1, lambda p: _near_one_product(p, 1), validity=A, phase=REARRANGE, ref="A4, A6",
         doc="cos(x) cos(y) - 1, e^x cos(y) - 1: the product rounds away its factors' distances to 1"),
    Rule("one-minus-product", 1 - p, lambda p: _near_one_product(p, -1), validity=A, phase=REARRANGE,
         ref="A4, A6", doc="1 - cos(x) cos(y)"),
    Rule("cosine-of-difference-minus-one", p - 1, lambda p: _cosine_of_difference_minus_one(p), validity=A,
         phase=REARRANGE,
         ref="A6, G1", doc="sin(a) sin(b) + cos(a) cos(b) cos(d) - 1 = cosm1(a - b) + cos(a) cos(b) cosm1(d)"),
    Rule("log-difference", ops.LOG(x) - ops.LOG(y), _log_difference, validity=A, phase=REARRANGE, ref="A1",
         doc="log(x) - log(y) cancels for x ~ y, and loses |log x| ulps whenever |log(x/y)| is small against it"),
    Rule("log1p-minus-log-of", ops.LOG1P(x) - ops.LOG(y), _log1p_minus_log, validity=A, phase=REARRANGE,
         ref="A1", doc="log(x + 1) - log(x - 1) cancels for x >> 1"),
    Rule("log-minus-log1p-of", ops.LOG(y) - ops.LOG1P(x), lambda y, x: _log1p_minus_log(x, y, -1), validity=A,
         phase=REARRANGE, ref="A1", doc="log(x - 1) - log(x + 1)"),
    Rule("log1p-difference", ops.LOG1P(x) - ops.LOG1P(y), _log1p_difference, validity=A, phase=REARRANGE,
         ref="A1", doc="log(1 + x) - log(1 + y) cancels for x ~ y, and loses |log1p(x)| ulps whenever the "
         "difference is small against it"),
    Rule("log-quotient", ops.LOG(x / y), _log_quotient, validity=A, phase=REARRANGE, ref="A1",
         doc="log(x/(x + 1)), log((1 - x)/(1 + x)): the quotient near 1 has lost the digits of its distance to 1"),
    Rule("acos-near-one", ops.ACOS(x), _acos_near_one, validity=A, phase=REARRANGE, ref="G8",
         doc="acos(cos(x)), acos(1 - x**2/2): 1 - a from its stable form, not from the rounded a"),
    Rule("log-near-one", ops.LOG(x), _log_near_one, validity=A, phase=REARRANGE, ref="A1, A4, A6",
         doc="log(cos(x)), log(sin(x)/x), log(exp(x) - x): the argument near 1 has lost the digits of its "
         "distance to 1"),
    Rule("pow-difference", ops.POW(x, p) - ops.POW(y, p), _pow_difference, validity=A, phase=REARRANGE,
         ref="F16", doc="(x + 1)^(1/n) - x^(1/n), cbrt(x + 1) - cbrt(x) cancel for x >> 1"),
    Rule("pow-difference-of-exponents", ops.POW(x, p) - ops.POW(x, q), _pow_difference_of_exponents, validity=A,
         phase=REARRANGE, ref="A7, E8", doc="x^y - x^z cancels for y ~ z; x^z expm1((y - z) log x) does not"),
    Rule("quotient-difference", x / y - z / Var("w"), lambda x, y, z, w: _quotient_difference(x, y, z, w, -1),
         validity=A, phase=REARRANGE, ref="F16", doc="x/y - z/w cancels for x/y ~ z/w; (x w - z y)/(y w) does not"),
    Rule("quotient-sum", x / y + z / Var("w"), lambda x, y, z, w: _quotient_difference(x, y, z, w, 1),
         validity=A, phase=REARRANGE, ref="F16", doc="x/y + z/w for x/y ~ -z/w"),
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
    Rule("constant-plus-quotient-by-root", ConstVar("c") + p / q,
         lambda c, p, q: _constant_plus_quotient_by_root(c, p, q), validity=A,
         phase=REARRANGE, ref="F16", doc="1/2 + x/(2 sqrt(x^2 + y^2)) for x < 0: y^2/(2 h (h + |x|)) does not cancel"),
    Rule("constant-minus-quotient-by-root", ConstVar("c") - p / q,
         lambda c, p, q: _constant_plus_quotient_by_root(c, p, q, -1), validity=A, phase=REARRANGE, ref="F16",
         doc="1/2 - x/(2 sqrt(x^2 + y^2)) for x > 0 (the half-angle's sine squared)"),
    # canonicalize: the stabilize phase guards sqrt(x*y) against the product's overflow, a select no pattern
    # sees through
    Rule("minus-root-of-product", p - ops.SQRT(x * y),
         lambda p, x, y: _minus_root_of_product(p, ops.SQRT(x * y), x * y), when=_product_of_terms,
         validity=A, phase="canonicalize", ref="F16",
         doc="(x + y)/2 - sqrt(x*y) cancels for x ~ y; ((x - y)/2)**2/((x + y)/2 + sqrt(x*y)) does not"),
    Rule("root-of-product-minus", ops.SQRT(x * y) - p,
         lambda p, x, y: _negated(_minus_root_of_product(p, ops.SQRT(x * y), x * y)), when=_product_of_terms,
         validity=A, phase="canonicalize", ref="F16", doc="sqrt(x*y) - (x + y)/2, the same negated"),
    Rule("minus-scaled-root-of-product", p - ops.MUL(ConstVar("c"), ops.SQRT(x * y)),
         lambda p, c, x, y: _minus_root_of_product(p, c * ops.SQRT(x * y), const(c.value ** 2) * (x * y))
         if c.value.is_Rational and c.value > 0 else None, when=_product_of_terms, validity=A,
         phase="canonicalize", ref="F16", doc="x + y - 2*sqrt(x*y) = (sqrt(x) - sqrt(y))**2 cancels for x ~ y"),
    Rule("minus-product-of-roots", p - ops.SQRT(x) * ops.SQRT(y),
         lambda p, x, y: _minus_root_of_product(p, ops.SQRT(x) * ops.SQRT(y), x * y), when=_product_of_terms,
         validity=A, phase="canonicalize", ref="F16",
         doc="the same with SymPy's sqrt(x)*sqrt(y) (positive symbols)"),
    Rule("product-of-roots-minus", ops.SQRT(x) * ops.SQRT(y) - p,
         lambda p, x, y: _negated(_minus_root_of_product(p, ops.SQRT(x) * ops.SQRT(y), x * y)),
         when=_product_of_terms, validity=A, phase="canonicalize", ref="F16",
         doc="sqrt(x)*sqrt(y) - (x + y)/2, the same negated"),
    Rule("dot-minus-norms", x - y, lambda x, y: _dot_minus_norms_once(x - y), validity=A, phase=REARRANGE,
         ref="F16", doc="u.v - |u| |v| cancels for nearly parallel vectors (cosine distance): -|u x v|^2/(u.v + "
         "|u| |v|)"),
    Rule("dot-minus-norms-sum", x + y, lambda x, y: _dot_minus_norms_once(x + y), validity=A, phase=REARRANGE,
         ref="F16", doc="1 + (x*y - |u| |v|) as sum-order leaves u.v - |u| |v|"),
]


def _logs(p, t) -> bool:
    return p.op in (ops.LOG, ops.LOG1P) and t.op in (ops.LOG, ops.LOG1P)


def _log_minus(first, second):
    """The log-difference rules' form of first - second for two logarithms (built here: the typed
    difference inside a select's branch may be the node being rewritten, which the engine leaves alone)."""
    if not _logs(first, second):
        return None
    u, v = first.args[0], second.args[0]
    if first.op is ops.LOG and second.op is ops.LOG:
        return _log_difference(u, v)
    if first.op is ops.LOG1P and second.op is ops.LOG1P:
        return _log1p_difference(u, v)
    return _log1p_minus_log(u, v) if first.op is ops.LOG1P else _log1p_minus_log(v, u, -1)


# f -> the primitive f(u) - u
_MINUS_ARGUMENT = {ops.LOG1P: ops.LOG1P_MINUS_X, ops.EXPM1: ops.EXPM1_MINUS_X, ops.SINH: ops.SINH_MINUS_X,
                   ops.TAN: ops.TAN_MINUS_X, ops.TANH: ops.TANH_MINUS_X, ops.ATAN: ops.ATAN_MINUS_X,
                   ops.ASINH: ops.ASINH_MINUS_X, ops.ASIN: ops.ASIN_MINUS_X, ops.ATANH: ops.ATANH_MINUS_X}


def _function_minus_argument(first, second):
    """f(u) - u or u - f(u) as the primitive that computes it without cancellation near 0 (log1p(u) - u is
    log1p_minus_x(u)); None for other pairs."""
    minus_x = _MINUS_ARGUMENT
    if first.op is ops.SIN and first.args[0] is second:
        return -ops.X_MINUS_SIN(second)
    if second.op is ops.SIN and second.args[0] is first:
        return ops.X_MINUS_SIN(first)
    if first.op in minus_x and first.args[0] is second:
        return minus_x[first.op](second)
    if second.op in minus_x and second.args[0] is first:
        return -minus_x[second.op](first)
    return None


def _norm_square(node):
    """The square of a product of two or more Euclidean norms (sqrt(a), hypot(a, b)), as arithmetic:
    a, a^2 + b^2; None for anything else (one root alone is the conjugate rules')."""
    if node.op is not ops.MUL:
        return None
    factors = node.args
    square = None
    for f in factors:
        if f.op is ops.SQRT:
            part = f.args[0]
        elif f.op is ops.HYPOT:
            part = f.args[0] * f.args[0] + f.args[1] * f.args[1]
        else:
            return None
        square = part if square is None else square * part
    return square


def _components(norm):
    """The components of a vector whose Euclidean norm is `norm`: hypot(a, b) (nested: hypot(hypot(a, b),
    c)) or sqrt(a*a + b*b + ...); None for anything else."""
    if norm.op is ops.HYPOT:
        out = []
        for a in norm.args:
            out.extend(_components(a) if a.op is ops.HYPOT else [a])
        return out
    if norm.op is ops.SQRT:
        terms = signed_terms(norm.args[0])
        if any(s < 0 or t.op is not ops.MUL or len(t.args) != 2 or t.args[0] is not t.args[1] for t, s in terms):
            return None
        return [t.args[0] for t, _ in terms]
    return None


def _lagrange_by_components(norm, dot_terms):
    """|u|^2 |v|^2 - (u.v)^2 as Lagrange's sum of squared 2x2 determinants, sum over i < j of (a_i b_j -
    a_j b_i)^2, where norm is |u| |v| and dot_terms are the products a_i b_i of u.v (in any order and
    orientation); None where they are not. For vectors of three or four components, whose determinants SymPy
    cannot factor out of the expanded difference."""
    if len(norm.args) != 2:
        return None
    first, second = (_components(f) for f in norm.args)
    if first is None or second is None or len(first) != len(second) or not 2 <= len(first) <= 4 \
            or len(dot_terms) != len(first):
        return None
    products = []
    for t, s in dot_terms:
        if s < 0 or t.op is not ops.MUL or len(t.args) != 2:
            return None
        products.append(t.args)
    for flips in itertools.product((False, True), repeat=len(products)):
        pairs = [(q, p) if flip else (p, q) for (p, q), flip in zip(products, flips)]
        if sorted(a.key for a, _ in pairs) == sorted(a.key for a in first) and \
                sorted(b.key for _, b in pairs) == sorted(b.key for b in second):
            squares = None
            for (a, b), (c, d) in itertools.combinations(pairs, 2):
                det = a * d - c * b
                squares = det * det if squares is None else squares + det * det
            return squares
    return None


def _dot_minus_norms(node):
    # u.v - |u| |v|: the cosine of two vectors' angle minus 1 has this difference above its quotient (1 -
    # (x*y + 1)/(sqrt(x**2 + 1)*sqrt(y**2 + 1)), cosine distance), where nearly parallel vectors cancel it to
    # nothing. It is (dot^2 - |u|^2 |v|^2)/(dot + |u| |v|), and the numerator is minus Lagrange's |u x v|^2
    # ((x - y)^2, (x1 y2 - x2 y1)^2): SymPy's factors, differences of two terms that are exact or compensated.
    # Where dot > 0 (the new sum does not cancel); typed elsewhere. The terms of the dot product are found in
    # any order and nesting of the sum (sum-order may have put the norms next to one of them)
    terms = signed_terms(node)
    norms = [(t, s) for t, s in terms if _norm_square(t) is not None]
    if len(norms) != 1 or not 2 <= len(terms) <= 8:
        return None
    norm, sign = norms[0]
    dot, dot_terms = None, []
    for t, s in terms:
        if t is not norm:
            dot_terms.append((t, -s * sign))  # the dot product: the terms of the sign opposite the norms'
            t = t if s == -sign else -t
            dot = t if dot is None else dot + t
    # |u|^2 |v|^2 - dot^2 >= 0
    found = binomial_factors(_norm_square(norm), dot * dot)
    lagrange = found[0] if found else _lagrange_by_components(norm, dot_terms)
    if lagrange is None:
        return None
    # the norms carried, in the new denominator and the typed difference: neither is a difference of a dot
    # product and norms to this rule again (optimizing twice changes nothing)
    carried = CARRIED(norm)
    new = lagrange / (dot + carried)  # |u| |v| - dot
    typed = carried - dot if sign > 0 else dot - carried
    # (where |u x v|^2 overflows, (x - y)^2 at y = 1e300, the typed difference has no cancellation)
    usable = ops.AND(ops.GT(dot, 0), ops.EQ(new - new, 0))
    if found:  # (where |u x v|^2 underflowed to 0, the typed difference is the better guess)
        usable = ops.AND(usable, _kept_digits(lagrange, found[1], dot))
    return ops.SELECT(usable, new if sign > 0 else -new, typed)


_dot_minus_norms_once = once_per_node(_dot_minus_norms)


def _select_difference(p, condition, a, b, sign):
    # p - select(c, a, b) = select(c, p - a, p - b) (sign 1; select(c, a, b) - p for sign -1) where a
    # branch cancels against p symbolically: x - log(exp(x) - 1), whose rewrite is x + log1mexp(-x) for
    # x > 1, is -log1mexp(-x) there, where the typed difference keeps only the ulps of x; or where p and a
    # branch are logarithms, whose difference the log-difference rules take (log(x) - log(sin(x)), once
    # log(sin(x)) is a select near sin(x) = 1, is log(x/sin(x)) near 0)
    # log(x/y) near 1 is log1p((x - y)/y): (x - y)/y - log(x/y), the gamma deviance, is -log1p_minus_x there
    def minus(first, second):
        return cancelled(first, second) or _log_minus(first, second) or _function_minus_argument(first, second) \
            or first - second

    pairs = [(p, a), (p, b)] if sign > 0 else [(a, p), (b, p)]
    if p.is_const or all(t.is_const or (cancelled(*pair) is None and not _logs(p, t)
                                        and _function_minus_argument(*pair) is None)
                         for t, pair in zip((a, b), pairs)):
        return None
    return ops.SELECT(condition, minus(*pairs[0]), minus(*pairs[1]))


def _negated(node):
    return None if node is None else -node
