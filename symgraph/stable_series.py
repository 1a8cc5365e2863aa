"""Stable primitives for the differences that cancel to a later term of their Taylor series: x - sin(x),
sinh(x) - x, exp(x) - 1 - x, log(1 + x) - x, 1/x - cot(x), tan(x) - x, tanh(x) - x, atan(x) - x,
asinh(x) - x, asin(x) - x, atanh(x) - x, sin(x) - x cos(x), x cosh(x) - sinh(x), e^x - 1 - x - x^2/2,
cos(x) - 1 + x^2/2 and log(x) - x + 1. Each is one op with all its facts (Numba helpers per dtype, mpmath
reference, derivative, SymPy meaning; its value range is in symgraph/domain.py).

Near 0 each is x^k times a short series with no cancellation, the x^k carried as an unrounded pair (FMA),
so the result rounds about once; beyond a threshold, where the typed difference loses at most a bit, the
typed difference, or (expm1, log1p, log, asinh) vecmath's function as an unrounded pair minus the leading
terms. A module of its own: symgraph/stable.py holds the exp/log-family primitives.
"""
from __future__ import annotations

import mpmath
import sympy
from sympy.codegen import cfunctions

from . import ops
from .ir import const
from .vecmath import LN2_HI, LN2_LO, LOG64_P, horner

NAN = mpmath.mpf("nan")


# ---------------------------------------------------------------- series coefficients (lowest degree first)
# term counts: the first term left out is below 2^-58 of the series' value at the threshold
def _odd_series(sign, count):
    """(x^3 P(x^2) =) sum of sign^k x^(2k+3)/(2k+3)!: x - sin(x) (sign -1), sinh(x) - x (sign +1)."""
    return [sympy.Rational(sign ** k, sympy.factorial(2 * k + 3)) for k in range(count)]


_X_MINUS_SIN_SERIES = _odd_series(-1, 12)        # |x| < 2: 4^12/27! < 2^-58 * P(4) = 2^-58 * 0.136
_SINH_MINUS_X_SERIES = _odd_series(1, 13)        # |x| < 2.5
_EXPM1_MINUS_X_SERIES = [sympy.Rational(1, sympy.factorial(k + 2)) for k in range(11)]   # |x| < 1/8: x^2 P(x)
# tan(x) - x = x^3 T(x^2), T = sum 2^(2n) (2^(2n) - 1) |B_2n| x^(2n-4)/(2n)! (1/3, 2/15, 17/315, ...; radius
# pi/2) for |x| < 0.6, where each term is at most 0.15 of the last
_TAN_MINUS_X_SERIES = [sympy.Integer(2) ** (2 * n) * (sympy.Integer(2) ** (2 * n) - 1) * abs(sympy.bernoulli(2 * n))
                       / sympy.factorial(2 * n) for n in range(2, 23)]
# tanh(x) - x = x^3 H(x^2) with tan's coefficients alternating (-1/3, 2/15, -17/315, ...) for |x| < 0.6, and
# coth(x) - 1/x (Langevin's function) = x L(x^2) with cot's alternating (1/3, -1/45, ...) for |x| < 1.5
_TANH_MINUS_X_SERIES = [sympy.Integer(2) ** (2 * n) * (sympy.Integer(2) ** (2 * n) - 1) * sympy.bernoulli(2 * n)
                        / sympy.factorial(2 * n) for n in range(2, 23)]
_LANGEVIN_SERIES = [sympy.Integer(2) ** (2 * n) * sympy.bernoulli(2 * n) / sympy.factorial(2 * n)
                    for n in range(1, 28)]
# atan(u) - u = u^3 A(u^2), A = sum (-1)^k u^(2k)/(2k + 3), for |u| < 0.4
_ATAN_MINUS_X_SERIES = [sympy.Rational((-1) ** (k + 1), 2 * k + 3) for k in range(21)]
# asinh(u) - u = u^3 S(u^2), S = sum (-1)^n (2n)!/(4^n n!^2 (2n + 1)) u^(2n-2), n >= 1 (-1/6, 3/40, -5/112,
# ...; radius 1), for |u| < 0.4, where each term is at most 0.16 of the last
_ASINH_MINUS_X_SERIES = [sympy.Integer(-1) ** n * sympy.binomial(2 * n, n) / (4 ** n * (2 * n + 1))
                         for n in range(1, 21)]
# asin(u) - u = u^3 S(u^2), S = sum (2n)!/(4^n n!^2 (2n + 1)) u^(2n-2), n >= 1 (1/6, 3/40, 5/112, ...: asinh's
# without the signs), for u^2 < 1/4; atanh(u) - u = u^3 T(u^2), T = sum u^(2k)/(2k + 3), for u^2 < 1/4: the
# first term left out is below 2^-59 of the series' value at 1/4
_ASIN_MINUS_X_SERIES = [sympy.binomial(2 * n, n) / (4 ** n * (2 * n + 1)) for n in range(1, 29)]
_ATANH_MINUS_X_SERIES = [sympy.Rational(1, 2 * k + 3) for k in range(29)]
# sin(x) - x cos(x) = x^3 W(x^2), W = sum (-1)^(n+1) 2n x^(2n-2)/(2n + 1)! (1/3, -1/30, 1/840, ...), for
# |x| < 1.5; x cosh(x) - sinh(x) the same with all terms positive, for |x| < 4
_SIN_MINUS_X_COS_SERIES = [sympy.Rational((-1) ** (n + 1) * 2 * n, sympy.factorial(2 * n + 1)) for n in range(1, 15)]
_X_COSH_MINUS_SINH_SERIES = [sympy.Rational(2 * n, sympy.factorial(2 * n + 1)) for n in range(1, 23)]
# e^x - (1 + x + x^2/2) = x^3 E(x), E = sum x^k/(k + 3)!, for |x| < 0.3; cos(x) - (1 - x^2/2) = x^4 C(x^2),
# C = sum (-1)^k x^(2k)/(2k + 4)!, for |x| < 3
_EXP_MINUS_TAYLOR2_SERIES = [sympy.Rational(1, sympy.factorial(k + 3)) for k in range(12)]
_COS_MINUS_TAYLOR2_SERIES = [sympy.Rational((-1) ** k, sympy.factorial(2 * k + 4)) for k in range(17)]
# 1/x - cot(x) = x P(x^2), P = sum 2^(2n) |B_2n| x^(2n-2)/(2n)! (1/3, 1/45, 2/945, ...; radius pi) for
# |x| < 1.5, where each term is at most 0.23 of the last
_INV_MINUS_COT_SERIES = [sympy.Integer(2) ** (2 * n) * abs(sympy.bernoulli(2 * n)) / sympy.factorial(2 * n)
                         for n in range(1, 28)]


def _helper(name, body, **coefficients):
    for key, coeffs in coefficients.items():
        if key in ("R", "K"):  # the series after its leading coefficient, which is split in two doubles
            c0, first = coeffs[0], "C0" if key == "R" else "K0"
            body = body.replace(f"{first}_HI", repr(float(c0)))
            body = body.replace(f"{first}_LO", repr(float(c0 - sympy.Rational(float(c0)))))
            coeffs = coeffs[1:]
        body = body.replace(f"<{key}>", horner("v" if key in ("Q", "V") else "y", coeffs))
    ops.helper(f"{name}_f64", body, requires=("fma",), ieee=True)
    # float32: the float64 helper, rounded once
    ops.helper(f"{name}_f32", f"""
def {{name}}(x):
    return np.float32(@{name}_f64(np.float64(x)))
""", ieee=True)


# x^3 = p + pe exactly (two FMA products), times P(x^2) = 1/6 + rest (0.136 to 1/6): p/6 is one FMA with
# 1/6 as two doubles, and the roundings of the rest (at most 0.18 of the result) are the small terms'; beyond |x| = 2 the typed x - sin(x) loses at most 1.8x its sin's half ulp. +-inf: the limit
# (x - sin(x) is NaN there as typed, since sin(inf) is).
_helper("x_minus_sin", """
def {name}(x):
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    rest = y * <R>
    s = C0_HI + rest
    r = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s) if abs(x) < 2.0 else x - math.sin(x)
    return x if abs(x) == np.inf else r
""", R=_X_MINUS_SIN_SERIES)

# the same with all terms positive; beyond 2.5 sinh(x) - x loses at most 1.5x sinh's error
_helper("sinh_minus_x", """
def {name}(x):
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    rest = y * <R>
    s = C0_HI + rest
    r = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s) if abs(x) < 2.5 else @vsinh_f64(x) - x
    return x if abs(x) == np.inf else r
""", R=_SINH_MINUS_X_SERIES)

# x^2 (unrounded) P(x) below 1/8; elsewhere vecmath's e^x - 1 as an unrounded pair (about 2^-64 relative)
# minus x by TwoSum: the result is at least 1/16 of e^x - 1 there, so the pair's error stays below 2^-60 of
# it and the sum rounds once. One expm1 and a short series: the typed difference beyond a wider series range
# cost a second expm1 and twice the terms. Below -40 e^x - 1 is -1 to 2^-57; from 709.8 on it is inf.
_helper("expm1_minus_x", """
def {name}(x):
    sq = x * x
    sqe = _vm_fma(x, x, -sq)
    y = x
    rest = y * <R>
    s = C0_HI + rest
    near = _vm_fma(sq, C0_HI, sq * (rest + C0_LO) + sqe * s)
    xc = x if x < 710.0 else 710.0
    xc = xc if xc > -40.0 else -40.0
    hi, lo = @vm_expm1_parts_f64(xc)
    a = hi - x
    back = a - hi
    a_lo = (hi - (a - back)) + (-x - back)
    far = a + (a_lo + lo)
    far = far if hi < np.inf else hi
    r = near if abs(x) < 0.125 else far
    r = np.inf if x == -np.inf else r
    return r if x == x else x
""", R=_EXPM1_MINUS_X_SERIES)

# log(2^dk (1 + f)) = dk ln2 + 2s + s z P(z), s = f/(2 + f), for log1p_minus_x and log_minus_x_plus_one, which
# subtract from it: dk ln2 + 2s as a Fast2Sum pair r1 + r1_lo; s's exact remainder f - s d (FMA, less s times
# 2 + f's rounding error) returned undivided, with d, because each caller folds its own low parts into that
# one division; the rest s z P(z) rounded, its leading 2/3 s^3 with s^2 = sh^2 + (s - sh)(s + sh) (sh: s's
# upper 26 bits) so that it rounds twice, not four times. Not vecmath's vm_log1p_poly_f64: that one divides
# the remainder itself and forms it from 26-bit halves, so sharing it would change the results' last bits.
ops.helper("series_log_core_f64", """
def {name}(dk, f):
    d = 2.0 + f
    d_err = (2.0 - d) + f
    s = f / d
    sh = _vm_bits_float(_vm_float_bits(s) & -134217728)
    z = s * s
    cube = s * (sh * sh) + s * ((s - sh) * (s + sh))
    poly = cube * 0.6666666666666666 + cube * z * <P1>
    residual = _vm_fma(-s, d, f) - s * d_err
    t = s + s
    a = dk * <LN2_HI>
    r1 = a + t
    r1_lo = ((a - r1) + t) + dk * <LN2_LO>
    return r1, r1_lo, d, residual, poly
""".replace("<P1>", horner("z", LOG64_P[1:])).replace("<LN2_HI>", repr(LN2_HI))
   .replace("<LN2_LO>", repr(LN2_LO)), requires=("fma", "bitcast"), ieee=True)

# vecmath's log1p (log_reduce, then 2s + s z P(z) with s = f/(2 + f)) with x subtracted inside: for x in
# [sqrt2/2 - 1, sqrt2 - 1) f = x, and 2s - x = -x^2/(2 + x) is exact (Sterbenz: 2s/x = 2/(2 + x)), so what
# rounds is s's exact remainder (FMA, with 2 + f's TwoSum error) over 2 + f, and s z P(z) (at most x/6 of the
# result); elsewhere e ln2 + 2s as a TwoSum pair minus x by TwoSum, with 1 + x's rounding error over 1 + x
# (in the same division as the remainder). Two divisions, one polynomial: 1.3x the typed form's time (the
# series to 2/3 beside log1p(x) - x beyond, 2.4x), within 1 ulp (mean 0.02) on 1.5 * 10^4 points.
_helper("log1p_minus_x", """
def {name}(x):
    xc = x if x > -1.0 else -0.5
    xc = xc if xc < 1e300 else 1e300
    u = 1.0 + xc
    back = u - xc
    u_err = (1.0 - back) + (xc - (u - back))
    dk, f = @vm_log_reduce_f64(u)
    inner = (xc >= -0.2928932188134524) & (xc < 0.41421356237309503)
    f = xc if inner else f
    dk = 0.0 if inner else dk
    u_err = 0.0 if inner else u_err
    r1, r1_lo, d, residual, poly = @series_log_core_f64(dk, f)
    correction = (2.0 * residual * u + u_err * d) / (d * u)
    g = r1 - x
    back = g - r1
    g_lo = (r1 - (g - back)) + (-x - back)
    r = g + ((g_lo + r1_lo) + (correction + poly))
    r = -np.inf if x == -1.0 else r
    r = np.nan if x < -1.0 else r
    r = -np.inf if x == np.inf else r
    return r if x == x else x
""")


# log(x) - (x - 1) straight from log's reduction x = 2^e (1 + f) (f exact): log(1 + f) = 2s + s z P(z), s = f/(2 + f),
# as in log1p_minus_x; for x in [sqrt2/2, sqrt2) f = x - 1 and 2s - f is exact, elsewhere e ln2 + 2s as a
# TwoSum pair minus x - 1 (a TwoSum pair: exact up to 2^53) by TwoSum. One logarithm's work: the select of
# log1p_minus_x(x - 1) near 1 and the typed log(x) - x + 1 elsewhere cost two (2.3x the typed form's time,
# this 1.05x); within 1 ulp (mean 0.013) on 1.5 * 10^4 points. -inf at 0 and inf, NaN below 0.
_helper("log_minus_x_plus_one", """
def {name}(x):
    xc = x if x > 0.0 else 1.0
    dk, f = @vm_log_reduce_f64(xc)
    r1, r1_lo, d, residual, poly = @series_log_core_f64(dk, f)
    u = xc - 1.0
    back = u - xc
    u_lo = (xc - (u - back)) + (-1.0 - back)
    g = r1 - u
    back = g - r1
    g_lo = (r1 - (g - back)) + (-u - back)
    r = g + (((g_lo - u_lo) + r1_lo) + (2.0 * residual / d + poly))
    r = -np.inf if x == 0.0 else r
    r = -np.inf if x == np.inf else r
    r = np.nan if x < 0.0 else r
    return r if x == x else x
""")


# x P(x^2) with x exact: the leading x/3 is one FMA with 1/3 as two doubles; beyond 1.5 the typed difference
# (cot(x) < 0.071 < 1/x there: nothing cancels before the roots of tan(x) = x, where the function is 0)
_helper("inv_minus_cot", """
def {name}(x):
    y = x * x
    rest = y * <R>
    r = _vm_fma(x, C0_HI, x * (rest + C0_LO)) if abs(x) < 1.5 else 1.0 / x - math.cos(x) / math.sin(x)
    return r
""", R=_INV_MINUS_COT_SERIES)

# below 0.6 as x_minus_sin: x^3 as an exact pair times its series; up to 1.2 tan(x) - x = x tan(x) (1/x -
# cot(x)), a product in which nothing cancels (a pole of tan is a pole of the result), x tan(x) as an exact
# pair; beyond, tan(x) - x loses at most 1.9x tan's half ulp
_helper("tan_minus_x", """
def {name}(x):
    t = math.tan(x)
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    rest = y * <R>
    s = C0_HI + rest
    near = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s)
    cot_rest = y * <K>
    c = _vm_fma(x, K0_HI, x * (cot_rest + K0_LO))
    xt = x * t
    xte = _vm_fma(x, t, -xt)
    r = _vm_fma(xt, c, xte * c) if abs(x) < 1.2 else t - x
    return near if abs(x) < 0.6 else r
""", R=_TAN_MINUS_X_SERIES, K=_INV_MINUS_COT_SERIES)


# as tan_minus_x: up to 1.5 tanh(x) - x = -x tanh(x) (coth(x) - 1/x), a product; beyond, tanh(x) - x loses
# at most 1.5x tanh's half ulp (-inf at inf, as typed)
_helper("tanh_minus_x", """
def {name}(x):
    t = @vtanh_f64(x)
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    rest = y * <R>
    s = C0_HI + rest
    near = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s)
    langevin_rest = y * <K>
    c = _vm_fma(x, K0_HI, x * (langevin_rest + K0_LO))
    xt = x * t
    xte = _vm_fma(x, t, -xt)
    r = -_vm_fma(xt, c, xte * c) if abs(x) < 1.5 else t - x
    return near if abs(x) < 0.6 else r
""", R=_TANH_MINUS_X_SERIES, K=_LANGEVIN_SERIES)

# below 0.4 x^3 (exact pair) times its series; up to 4 two half-angle steps, u = x/(1 + sqrt(1 + x^2)) with
# atan(x) = 2 atan(u) and 2u - x = -x^3/(1 + sqrt(1 + x^2))^2 (likewise u2 from u1, |u2| < 0.35), so
# atan(x) - x = 4 (atan(u2) - u2) - 2 u1^3/(1 + s2)^2 - x^3/(1 + s1)^2: three terms of one sign, nothing
# cancels; beyond 4, atan(x) - x loses at most 1.5x atan's half ulp
_helper("atan_minus_x", """
def {name}(x):
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    rest = y * <R>
    s = C0_HI + rest
    near = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s)
    xc = x if abs(x) < 4.0 else 1.0
    # the largest term, x^3/d1^2 (0.8 of the result at x = 1), to about 2^-100: 1 + x^2, its square root,
    # d1 = 1 + sqrt and d1^2 as exact pairs, the quotient with its remainder
    c3 = xc * y
    c3e = _vm_fma(xc, y, -c3) + xc * ye
    q = 1.0 + y
    q_lo = ((1.0 - q) + y) + ye
    s1 = math.sqrt(q)
    s1_lo = (_vm_fma(-s1, s1, q) + q_lo) / (2.0 * s1)
    d1 = 1.0 + s1
    d1_lo = ((1.0 - d1) + s1) + s1_lo
    dd = d1 * d1
    dd_lo = _vm_fma(d1, d1, -dd) + 2.0 * d1 * d1_lo
    t3 = c3 / dd
    t3_lo = (_vm_fma(-t3, dd, c3) + c3e - t3 * dd_lo) / dd
    u1 = xc / d1
    d2 = 1.0 + math.sqrt(1.0 + u1 * u1)
    u2 = u1 / d2
    v = u2 * u2
    rest = v * <V>
    small = 4.0 * (u2 * v * (C0_HI + rest)) - 2.0 * (u1 * u1 * u1) / (d2 * d2)
    reduced = (small - t3_lo) - t3
    r = reduced if abs(x) < 4.0 else math.atan(x) - x
    return near if abs(x) < 0.4 else r
""", R=_ATAN_MINUS_X_SERIES, V=_ATAN_MINUS_X_SERIES[1:])

# below 0.4 x^3 (exact pair) times its series; beyond, asinh(a) for a = |x| as vecmath's asinh computes it
# (w = a + (sqrt(1 + a^2) - 1) to about 2^-100, from 2^28 on log(2a)), but with log1p's result left as an
# unrounded pair, minus a by TwoSum: the result is at least 1/39 of asinh(a) there, and within 1 ulp (a
# 0.03 ulp mean) on 10^4 points near 0.4. (Two half-angle steps to a 39-term series cost 3.9x the typed
# form's time and erred up to 2 ulps; this costs 1.2x.) -inf at inf.
_helper("asinh_minus_x", """
def {name}(x):
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    rest = y * <R>
    s = C0_HI + rest
    near = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s)
    a = abs(x)
    ac = a if a < 268435456.0 else 268435456.0
    ac = ac if ac > 0.25 else 0.25
    sq = ac * ac
    sq_lo = _vm_fma(ac, ac, -sq)
    h = 1.0 + sq
    h_lo = ((1.0 - h) + sq) + sq_lo
    r = math.sqrt(h)
    r_lo = (_vm_fma(-r, r, h) + h_lo) / (r + r)
    c = r - 1.0
    c_lo = ((r - c) - 1.0) + r_lo
    w = ac + c
    back = w - c
    w_lo = ((ac - back) + (c - (w - back))) + c_lo
    huge = a >= 268435456.0
    hi, lo = @vm_log1p_dd_parts_f64(a if huge else w, -1.0 if huge else w_lo, 1.0 if huge else 0.0)
    d = hi - a
    back = d - hi
    d_lo = (hi - (d - back)) + (-a - back)
    far = d + (d_lo + lo)
    far = -far if x < 0.0 else far
    r = near if a < 0.4 else far
    return -x if a == np.inf else r
""", R=_ASINH_MINUS_X_SERIES)

# below 1/2 as x_minus_sin. From 1/2 to 1, for a = |x|: asin(a) = pi/2 - 2 asin(z), z = sqrt(h), h = (1 - a)/2
# exact (Sterbenz), so asin(a) - a = (pi/2 - a - 2z) - 2 z h S(h) with S the same series (h <= 1/4, and
# z^2 = h exactly for the unrounded z = z + z_lo, z_lo from the FMA remainder of the square root). The
# result is down to 1/2 of the series term and 1/66 of pi/2 (0.0236 at a = 1/2), so everything is carried
# in pairs: pi/2 as two doubles, pi/2 - a by Fast2Sum, the subtractions of 2z and of the term's leading
# 2 z h/6 (an exact FMA product) by TwoSum; the term's rest (at most 0.12 of it, its own leading 3/40 as
# two doubles) enters the low part through one FMA: within 0.88 ulp near 1/2 (1.0 with the rest rounded
# separately). One polynomial for both sides (its argument selected), so the loop stays one vectorisable
# body. NaN beyond 1 (asin's), pi/2 - 1 at 1.
_helper("asin_minus_x", """
def {name}(x):
    a = abs(x)
    small = a < 0.5
    ac = a if (a >= 0.5) & (a <= 1.0) else 0.75
    h = 0.5 * (1.0 - ac)
    z = math.sqrt(h)
    z_lo = _vm_fma(-z, z, h) / (2.0 * (z if z > 0.0 else 1.0))
    xx = x * x
    base = x if small else z
    base_lo = 0.0 if small else z_lo
    y = xx if small else h
    y_lo = _vm_fma(x, x, -xx) if small else 0.0
    p = base * y
    pe = _vm_fma(base, y, -p) + (base * y_lo + base_lo * y)
    rest = y * ((K0_HI + y * <K>) + K0_LO)
    s = C0_HI + rest
    near = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s)
    m = p * C0_HI
    m_lo = _vm_fma(p, C0_HI, -m)
    t = 1.5707963267948966 - ac
    t_lo = (1.5707963267948966 - t) - ac
    b = 2.0 * z
    u = t - b
    back = u - t
    u_lo = (t - (u - back)) + (-b - back)
    c = 2.0 * m
    v = u - c
    back = v - u
    v_lo = (u - (v - back)) + (-c - back)
    lows = (((6.123233995736766e-17 + t_lo) + u_lo) + v_lo) - 2.0 * ((z_lo + m_lo) + (p * C0_LO + pe * s))
    far = v + _vm_fma(-2.0 * p, rest, lows)
    r = near if small else (-far if x < 0.0 else far)
    return r if a <= 1.0 else np.nan
""", R=_ASIN_MINUS_X_SERIES, K=_ASIN_MINUS_X_SERIES[1:])

# below 1/2 as x_minus_sin. From 1/2 to 1, for a = |x|: atanh(a) = log1p(w)/2, w = 2a/(1 - a) (1 - a exact)
# with its exact remainder, vecmath's log1p as an unrounded pair, halved, minus a by TwoSum: the result is
# at least 1/11 of atanh(a) there (0.049 at a = 1/2), which magnifies the pair's few hundredths of an ulp
# to at most 0.1 ulp, and it rounds once. +-inf at +-1, NaN beyond (atanh's).
_helper("atanh_minus_x", """
def {name}(x):
    a = abs(x)
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    rest = y * <R>
    s = C0_HI + rest
    near = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s)
    ac = a if (a >= 0.5) & (a < 1.0) else 0.5
    d = 1.0 - ac
    w = (ac + ac) / d
    w_lo = _vm_fma(-w, d, ac + ac) / d
    hi, lo = @vm_log1p_dd_parts_f64(w, w_lo, 0.0)
    g = 0.5 * hi
    u = g - ac
    back = u - g
    u_lo = (g - (u - back)) + (-ac - back)
    far = u + (u_lo + 0.5 * lo)
    r = near if a < 0.5 else (-far if x < 0.0 else far)
    return r if a < 1.0 else (x * np.inf if a == 1.0 else np.nan)
""", R=_ATANH_MINUS_X_SERIES)

# as x_minus_sin (the series from 1/3 down to 0.26 at 1.5); beyond 1.5, sin(x) - x cos(x) with one FMA
# loses at most 1.12x sin's error up to the first root of tan(x) = x (4.49, ill-conditioned for every form)
_helper("sin_minus_x_cos", """
def {name}(x):
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    rest = y * <R>
    s = C0_HI + rest
    r = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s) if abs(x) < 1.5 else _vm_fma(-x, math.cos(x), math.sin(x))
    return r
""", R=_SIN_MINUS_X_COS_SERIES)

# all terms positive below 4; beyond, x cosh(x) - sinh(x) with one FMA loses at most 1.33x cosh's error;
# from 710 on it overflows (cosh and sinh are inf there, and the typed form NaN)
_helper("x_cosh_minus_sinh", """
def {name}(x):
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    rest = y * <R>
    s = C0_HI + rest
    near = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s)
    r = near if abs(x) < 4.0 else _vm_fma(x, @vcosh_f64(x), -@vsinh_f64(x))
    return r if abs(x) < 710.0 else x * np.inf
""", R=_X_COSH_MINUS_SINH_SERIES)

# x^3 (exact pair) times its series below 0.3; elsewhere e^x - 1 as vecmath's unrounded pair (about 2^-64
# relative) minus x and minus x^2/2 (an exact FMA pair) by TwoSums, rounded once: the result is at least
# 1/72 of e^x - 1 there (at 0.3), so the pair's error stays below 2^-57.8 of it (0.06 ulp). One expm1 and a 12-term
# series (the series on (-1, 2), e^x in pairs and expm1 beyond 22 cost 2.9x the typed form's time, this
# 1.6x). Below -40 e^x - 1 is -1 to 2^-57; below -1e150 -(x/2) x alone (x^2 overflows); inf from 709.8 on.
_helper("exp_minus_taylor2", """
def {name}(x):
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = x * y
    pe = _vm_fma(x, y, -p) + x * ye
    y = x
    rest = y * <R>
    s = C0_HI + rest
    near = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s)
    xc = x if x < 710.0 else 710.0
    xc = xc if xc > -40.0 else -40.0
    hi, lo = @vm_expm1_parts_f64(xc)
    a = hi - x
    back = a - hi
    a_lo = (hi - (a - back)) + (-x - back)
    h = (0.5 * x) * x
    he = _vm_fma(0.5 * x, x, -h)
    b = a - h
    back = b - a
    b_lo = (a - (b - back)) + (-h - back)
    far = b + ((a_lo + b_lo) + (lo - he))
    far = far if x > -1e150 else -(0.5 * x) * x
    far = far if hi < np.inf else hi
    r = near if abs(x) < 0.3 else far
    return r if x == x else x
""", R=_EXP_MINUS_TAYLOR2_SERIES)

# x^4 (x^2 and its square as exact pairs) times its series below 3 (alternating: the rest's roundings grow
# at most 1.8x); beyond, (x/2) x + (cos(x) - 1) in one FMA, whose parts' errors are absolute and below 2^-52
# while the result is above 2.5; the limit inf at +-inf (the typed form is NaN there)
_helper("cos_minus_taylor2", """
def {name}(x):
    y = x * x
    ye = _vm_fma(x, x, -y)
    p = y * y
    pe = _vm_fma(y, y, -p) + 2.0 * y * ye
    rest = y * <R>
    s = C0_HI + rest
    near = _vm_fma(p, C0_HI, p * (rest + C0_LO) + pe * s)
    r = near if abs(x) < 3.0 else _vm_fma(0.5 * x, x, math.cos(x) - 1.0)
    return np.inf if abs(x) == np.inf else r
""", R=_COS_MINUS_TAYLOR2_SERIES)

# ---------------------------------------------------------------- mpmath references
def _without_cancellation(fn, x, order):
    """fn(x) whose value is ~x^order while its parts are ~x: order-1 times x's binary digits more."""
    if mpmath.isnan(x):
        return NAN
    if x == 0:
        return mpmath.mpf(0)
    extra = max(0, -int(mpmath.floor(mpmath.log(abs(x), 2)))) * (order - 1) + 30
    with mpmath.extraprec(extra):
        value = fn(x)
    return +value


def mp_x_minus_sin(x):
    return x if mpmath.isinf(x) else _without_cancellation(lambda t: t - mpmath.sin(t), x, 3)


def mp_sinh_minus_x(x):
    return x if mpmath.isinf(x) else _without_cancellation(lambda t: mpmath.sinh(t) - t, x, 3)


def mp_expm1_minus_x(x):
    if mpmath.isinf(x):
        return mpmath.inf
    return _without_cancellation(lambda t: mpmath.expm1(t) - t, x, 2)


def mp_log1p_minus_x(x):
    if mpmath.isinf(x):
        return -mpmath.inf if x > 0 else NAN
    if x < -1:
        return NAN
    if x == -1:
        return -mpmath.inf
    return _without_cancellation(lambda t: mpmath.log1p(t) - t, x, 2)


def mp_log_minus_x_plus_one(x):
    if mpmath.isnan(x) or x < 0:
        return NAN
    if x == 0 or mpmath.isinf(x):
        return -mpmath.inf
    if x == 1:
        return mpmath.mpf(0)
    # its parts are ~1, its value ~(x - 1)^2: twice x - 1's binary digits more
    extra = max(0, -int(mpmath.floor(mpmath.log(abs(x - 1), 2)))) * 2 + 30
    with mpmath.extraprec(extra):
        value = mpmath.log(x) - x + 1
    return +value


def mp_inv_minus_cot(x):
    if mpmath.isinf(x):
        return NAN
    # its parts are ~1/x: twice x's binary digits more
    return _without_cancellation(lambda t: 1 / t - mpmath.cot(t), x, 3) if x != 0 else mpmath.mpf(0)


def mp_tan_minus_x(x):
    if mpmath.isinf(x):
        return NAN
    return _without_cancellation(lambda t: mpmath.tan(t) - t, x, 3)


def mp_tanh_minus_x(x):
    if mpmath.isinf(x):
        return -x
    return _without_cancellation(lambda t: mpmath.tanh(t) - t, x, 3)


def mp_atan_minus_x(x):
    if mpmath.isinf(x):
        return -x
    return _without_cancellation(lambda t: mpmath.atan(t) - t, x, 3)


def mp_asinh_minus_x(x):
    if mpmath.isinf(x):
        return -x
    return _without_cancellation(lambda t: mpmath.asinh(t) - t, x, 3)


def mp_asin_minus_x(x):
    if mpmath.isnan(x) or abs(x) > 1:
        return NAN
    return _without_cancellation(lambda t: mpmath.asin(t) - t, x, 3)


def mp_atanh_minus_x(x):
    if mpmath.isnan(x) or abs(x) > 1:
        return NAN
    if abs(x) == 1:
        return mpmath.inf * x
    return _without_cancellation(lambda t: mpmath.atanh(t) - t, x, 3)


def mp_sin_minus_x_cos(x):
    if mpmath.isinf(x):
        return NAN
    return _without_cancellation(lambda t: mpmath.sin(t) - t * mpmath.cos(t), x, 3)


def mp_x_cosh_minus_sinh(x):
    if mpmath.isinf(x):
        return x
    return _without_cancellation(lambda t: t * mpmath.cosh(t) - mpmath.sinh(t), x, 3)


def mp_exp_minus_taylor2(x):
    if mpmath.isinf(x):
        return x
    return _without_cancellation(lambda t: mpmath.expm1(t) - t - t * t / 2, x, 3)


def mp_cos_minus_taylor2(x):
    if mpmath.isinf(x):
        return mpmath.inf
    # its parts are ~1, its value ~x^4: four times x's binary digits more
    return _without_cancellation(lambda t: mpmath.cos(t) - 1 + t * t / 2, x, 5)


def _calls(name):
    suffix = {"float64": "f64", "float32": "f32", "complex128": "f64"}

    def emit(ctx, node, *args):
        return f"@{name}_{suffix[ctx.variant]}({', '.join(args)})"
    return emit


X_MINUS_SIN = ops.defop("x_minus_sin", 1, lambda x: x - sympy.sin(x), emit=_calls("x_minus_sin"),
                        mpmath=mp_x_minus_sin, vjp=lambda g, out, x: (-(g * ops.COSM1(x)),),
                        description="x - sin(x) without cancellation near 0")
SINH_MINUS_X = ops.defop("sinh_minus_x", 1, lambda x: sympy.sinh(x) - x, emit=_calls("sinh_minus_x"),
                         mpmath=mp_sinh_minus_x,
                         vjp=lambda g, out, x: (g * 2 * ops.SINH(x / 2) * ops.SINH(x / 2),),
                         description="sinh(x) - x without cancellation near 0")
EXPM1_MINUS_X = ops.defop("expm1_minus_x", 1, lambda x: cfunctions.expm1(x) - x, emit=_calls("expm1_minus_x"),
                          mpmath=mp_expm1_minus_x, vjp=lambda g, out, x: (g * ops.EXPM1(x),),
                          description="exp(x) - 1 - x without cancellation near 0")
LOG1P_MINUS_X = ops.defop("log1p_minus_x", 1, lambda x: cfunctions.log1p(x) - x, emit=_calls("log1p_minus_x"),
                          mpmath=mp_log1p_minus_x, vjp=lambda g, out, x: (-(g * x / (1 + x)),),
                          description="log(1 + x) - x without cancellation near 0")


# d/dx (log(x) - x + 1) = 1/x - 1 = -(x - 1)/x (x - 1 exact near 1)
LOG_MINUS_X_PLUS_ONE = ops.defop("log_minus_x_plus_one", 1, lambda x: sympy.log(x) - x + 1,
                                 emit=_calls("log_minus_x_plus_one"), mpmath=mp_log_minus_x_plus_one,
                                 vjp=lambda g, out, x: (-(g * (x - 1) / x),),
                                 description="log(x) - x + 1 without cancellation near 1")


def _inv_minus_cot_slope(x, c):
    """d/dx (1/x - cot x) = csc^2 x - 1/x^2 = 1 - c (2/x - c) (csc^2 = 1 + cot^2, cot = 1/x - c): it
    cancels by at most 3x near 0 (1 - 2/3), instead of csc^2 - 1/x^2's every digit; 1/3 at 0."""
    return ops.SELECT(ops.EQ(x, 0), const(sympy.Rational(1, 3)), 1 - c * (2 / x - c))


INV_MINUS_COT = ops.defop("inv_minus_cot", 1, lambda x: 1 / x - sympy.cot(x), emit=_calls("inv_minus_cot"),
                          mpmath=mp_inv_minus_cot, vjp=lambda g, out, x: (g * _inv_minus_cot_slope(x, out),),
                          description="1/x - cot(x) without cancellation near 0 (0 at 0)")
TAN_MINUS_X = ops.defop("tan_minus_x", 1, lambda x: sympy.tan(x) - x, emit=_calls("tan_minus_x"),
                        mpmath=mp_tan_minus_x, vjp=lambda g, out, x: (g * ops.TAN(x) * ops.TAN(x),),
                        description="tan(x) - x without cancellation near 0")
TANH_MINUS_X = ops.defop("tanh_minus_x", 1, lambda x: sympy.tanh(x) - x, emit=_calls("tanh_minus_x"),
                         mpmath=mp_tanh_minus_x, vjp=lambda g, out, x: (-(g * ops.TANH(x) * ops.TANH(x)),),
                         description="tanh(x) - x without cancellation near 0")
ATAN_MINUS_X = ops.defop("atan_minus_x", 1, lambda x: sympy.atan(x) - x, emit=_calls("atan_minus_x"),
                         mpmath=mp_atan_minus_x, vjp=lambda g, out, x: (-(g * x * x / (1 + x * x)),),
                         description="atan(x) - x without cancellation near 0")


def _asinh_minus_x_slope(x):
    """d/dx (asinh(x) - x) = 1/c - 1 = -x^2/(c (1 + c)), c = sqrt(1 + x^2): nothing cancels."""
    c = ops.SQRT(1 + x * x)
    return -(x * x / (c * (1 + c)))


ASINH_MINUS_X = ops.defop("asinh_minus_x", 1, lambda x: sympy.asinh(x) - x, emit=_calls("asinh_minus_x"),
                          mpmath=mp_asinh_minus_x, vjp=lambda g, out, x: (g * _asinh_minus_x_slope(x),),
                          description="asinh(x) - x without cancellation near 0")


def _asin_minus_x_slope(x):
    """d/dx (asin(x) - x) = 1/c - 1 = x^2/(c (1 + c)), c = sqrt((1 - x)(1 + x)): nothing cancels (the
    product form keeps 1 - x^2 exact near |x| = 1)."""
    c = ops.SQRT((1 - x) * (1 + x))
    return x * x / (c * (1 + c))


ASIN_MINUS_X = ops.defop("asin_minus_x", 1, lambda x: sympy.asin(x) - x, emit=_calls("asin_minus_x"),
                         mpmath=mp_asin_minus_x, vjp=lambda g, out, x: (g * _asin_minus_x_slope(x),),
                         description="asin(x) - x without cancellation near 0 (NaN beyond |x| = 1)")
# d/dx (atanh(x) - x) = 1/(1 - x^2) - 1 = x^2/((1 - x)(1 + x))
ATANH_MINUS_X = ops.defop("atanh_minus_x", 1, lambda x: sympy.atanh(x) - x, emit=_calls("atanh_minus_x"),
                          mpmath=mp_atanh_minus_x, vjp=lambda g, out, x: (g * (x * x / ((1 - x) * (1 + x))),),
                          description="atanh(x) - x without cancellation near 0 (+-inf at +-1)")
SIN_MINUS_X_COS = ops.defop("sin_minus_x_cos", 1, lambda x: sympy.sin(x) - x * sympy.cos(x),
                            emit=_calls("sin_minus_x_cos"), mpmath=mp_sin_minus_x_cos,
                            vjp=lambda g, out, x: (g * x * ops.SIN(x),),
                            description="sin(x) - x cos(x) without cancellation near 0")
X_COSH_MINUS_SINH = ops.defop("x_cosh_minus_sinh", 1, lambda x: x * sympy.cosh(x) - sympy.sinh(x),
                              emit=_calls("x_cosh_minus_sinh"), mpmath=mp_x_cosh_minus_sinh,
                              vjp=lambda g, out, x: (g * x * ops.SINH(x),),
                              description="x cosh(x) - sinh(x) without cancellation near 0")
EXP_MINUS_TAYLOR2 = ops.defop("exp_minus_taylor2", 1, lambda x: sympy.exp(x) - 1 - x - x ** 2 / 2,
                              emit=_calls("exp_minus_taylor2"), mpmath=mp_exp_minus_taylor2,
                              vjp=lambda g, out, x: (g * EXPM1_MINUS_X(x),),
                              description="e^x - 1 - x - x^2/2 without cancellation near 0")
COS_MINUS_TAYLOR2 = ops.defop("cos_minus_taylor2", 1, lambda x: sympy.cos(x) - 1 + x ** 2 / 2,
                              emit=_calls("cos_minus_taylor2"), mpmath=mp_cos_minus_taylor2,
                              vjp=lambda g, out, x: (g * X_MINUS_SIN(x),),
                              description="cos(x) - 1 + x^2/2 without cancellation near 0")

# thresholds of the helpers above, for the tests that probe both sides
THRESHOLDS = {"x_minus_sin": [2.0, -2.0], "sinh_minus_x": [2.5, -2.5],
              "expm1_minus_x": [-0.125, 0.125, -40.0, 709.0],
              "log1p_minus_x": [-0.2928932188134524, 0.41421356237309503, 1e300], "inv_minus_cot": [1.5, -1.5],
              "log_minus_x_plus_one": [0.7071067811865476, 1.4142135623730951, 1.0, 9007199254740992.0],
              "tan_minus_x": [1.2, -1.2, 0.6],
              "tanh_minus_x": [1.5, -1.5, 0.6, -0.6], "atan_minus_x": [0.4, -0.4, 4.0, -4.0],
              "asinh_minus_x": [0.4, -0.4, 268435456.0, -268435456.0], "asin_minus_x": [0.5, -0.5, 1.0, -1.0],
              "atanh_minus_x": [0.5, -0.5, 1.0, -1.0], "sin_minus_x_cos": [1.5, -1.5],
              "x_cosh_minus_sinh": [4.0, -4.0, 710.0, -710.0],
              "exp_minus_taylor2": [-0.3, 0.3, -40.0, 709.0, -1e150], "cos_minus_taylor2": [3.0, -3.0]}
