"""Vectorisable tanh, sinh, cosh, asinh, acosh, atanh and logit's core for the generated loops.

Same reason as symgraph/vecmath.py: math.tanh & co. are libm calls, one per element, and a loop that
calls them does not vectorise, so a rewrite that turns a typed formula into one of these primitives
(atanh-def, asinh-def, tanh-def, ...) made the kernel slower than the formula as typed (up to 14x).
These helpers are branch-free arithmetic on vecmath's exp/log internals, which LLVM inlines and
vectorises with the rest of the loop.

Each result is carried unrounded as hi + lo through error-free steps (TwoSum, exact products of 26-bit
halves, division with its exact remainder) into one final log1p, log or addition, so it is rounded
about once: on 10^6 points per function (benchmarks/vecmath.py; tests/test_vecmath_hyp.py) max 0.5001
(tanh), 0.533 (sinh), 0.515 (cosh), 0.531 (asinh), 0.530 (acosh), 0.527 (atanh), 0.525 (logit) ulp in
float64, mean 0.19-0.25. float32: the plain formulas in float64, rounded once to float32 (max 0.5000).
Speed (benchmarks/vecmath.py, 10^6 elements, float64): 3.0-3.7 ns per element, 1.8-13x faster than a
Numba loop calling math.*; NumPy's SIMD ufuncs remain 1.7-3.4x faster than these.
Special values follow C99: odd functions keep the sign of zero, +-inf map to their limits, acosh(x < 1)
and atanh(|x| > 1) are NaN, atanh(+-1) = +-inf, NaN propagates; overflow where the exact value exceeds
the largest float (sinh and cosh above 710.4758600739439).
"""
from __future__ import annotations

import math

from . import ops
from .vecmath import INV_LN2, LN2_HI, LN2_LO, _fill, horner

# sinh(a) = a + a z P(z), z = a^2, for a < 0.3: Taylor's 1/(2n+1)!, n = 1..7; the first term left out
# (a^17/17!) is 2^-76 of the result at a = 0.3
SINH_TAYLOR = tuple(1.0 / math.factorial(2 * n + 1) for n in range(1, 8))

# ---------------------------------------------------------------- error-free building blocks (float64)
# a * b = p + err exactly (FMA; Dekker's 26-bit splits before, five times the arithmetic)
ops.helper("vm_mul_dd_f64", '''
def {name}(a, b):
    p = a * b
    return p, _vm_fma(a, b, -p)
''', requires=("fma",), ieee=True)

# (a + a_lo) / (b + b_lo) = q + q_lo with one division: q = a (1/b) is within 2 ulps of a/b, so
# a - q b is exact (Sterbenz, and q b split exactly) and q_lo carries the rest, to about 2^-100
# relative (q alone is not the rounded quotient: callers add q_lo). b + b_lo is renormalised first
# (Fast2Sum, |b| >= |b_lo|): vecmath's unrounded pairs may have a low part of 1% of the high one, and
# b_lo enters only to first order.
ops.helper("vm_div_dd_f64", '''
def {name}(a, a_lo, b_wide, b_wide_lo):
    b = b_wide + b_wide_lo
    b_lo = (b_wide - b) + b_wide_lo
    inv = 1.0 / b
    q = a * inv
    p, p_err = @vm_mul_dd_f64(q, b)
    return q, (((a - p) - p_err) + (a_lo - q * b_lo)) * inv
''', ieee=True)

# log(x) + rel for finite x > 0 and |rel| < 2^-27, rounded once (vecmath's log plus rel): with
# rel = x_lo/x it is log(x + x_lo); callers that know 1/x from a division they make anyway pass rel
ops.helper("vm_log_rel_f64", _fill('''
def {name}(x, rel):
    dk, f = @vm_log_reduce_f64(x)
    t, tail = @vm_log1p_poly_f64(f)
    a = dk * <LN2_HI>
    r1 = a + t
    return r1 + ((((a - r1) + t) + (tail + rel)) + dk * <LN2_LO>)
''', LN2_HI=LN2_HI, LN2_LO=LN2_LO), ieee=True)

ops.helper("vm_log_dd_f64", '''
def {name}(x, x_lo):
    return @vm_log_rel_f64(x, x_lo / x)
''', ieee=True)

# e^a = (u + small) 2^k unrounded, for 2^-40 <= a <= 711 (k <= 1026): the reduction of vecmath's exp.
# Returns u, small, kf and e^a = ehi + elo renormalised (small may be 1% of u), with 2^k capped at
# 2^40 (ehi, elo are used only where a < 22).
ops.helper("vm_exp_parts_f64", _fill('''
def {name}(a):
    kf = np.rint(a * <INV_LN2>)
    u, small = @vm_exp_poly_f64(a - kf * <LN2_HI>, kf * <LN2_LO>)
    km = np.int64(kf if kf < 40.0 else 40.0)
    scale = _vm_bits_float((km + 1023) << 52)
    e = u + small
    return u, small, kf, e * scale, ((u - e) + small) * scale
''', INV_LN2=INV_LN2, LN2_HI=LN2_HI, LN2_LO=LN2_LO), requires=("bitcast",), ieee=True)


# ---------------------------------------------------------------- tanh, sinh, cosh (float64)
# tanh |x| = t / (t + 2), t = expm1(2|x|) unrounded (hi + lo) from vecmath: t + 2 by TwoSum and the
# quotient with its remainder, so only the last addition rounds. tanh(20) rounds to 1 (|x| is capped
# there; the cap also sends NaN and inf through harmless arithmetic); below 2^-27, tanh x = x.
ops.helper("vtanh_f64", '''
def {name}(x):
    a = abs(x)
    ac = a if a < 20.0 else 20.0
    ac = ac if ac > 1e-10 else 1e-10
    t_wide, t_wide_lo = @vm_expm1_parts_f64(ac + ac)
    th = t_wide + t_wide_lo
    tl = (t_wide - th) + t_wide_lo
    d = th + 2.0
    back = d - th
    d_lo = ((th - (d - back)) + (2.0 - back)) + tl
    q, q_lo = @vm_div_dd_f64(th, tl, d, d_lo)
    res = q + q_lo
    res = -res if x < 0.0 else res
    res = x if a < 7.450580596923828e-09 else res
    return res if x == x else x
''', ieee=True)

# sinh: below 0.3 the Taylor series (a + a z P(z), the tail under 1.5% of the result, so its roundings
# cost < 0.03 ulp); 0.3 to 22: (e^a - e^-a)/2 with e^a and e^-a unrounded (hi + lo pairs, known to
# ~2^-60), the difference by Fast2Sum (it cancels at most a factor coth(0.3) = 3.4); above 22 e^-a is
# below 2^-63 of e^a, so the result is e^a/2, scaled by 2^(k-1) in vecmath's single rounding (it
# overflows exactly where sinh does). Below 2^-26, sinh x = x.
ops.helper("vsinh_f64", _fill('''
def {name}(x):
    a = abs(x)
    ac = a if a < 711.0 else 711.0
    ac = ac if ac > 1e-10 else 1e-10
    s = ac if ac < 0.3 else 0.3
    z = s * s
    small = s + s * z * <P>
    u, us, kf, ehi, elo = @vm_exp_parts_f64(ac)
    inv, inv_lo = @vm_div_dd_f64(1.0, 0.0, ehi, elo)
    d = ehi - inv
    d_lo = ((ehi - d) - inv) + (elo - inv_lo)
    mid = 0.5 * (d + d_lo)
    big = @vm_exp_scale_f64(u, us, kf - 1.0)
    res = small if a < 0.3 else (mid if a < 22.0 else big)
    res = -res if x < 0.0 else res
    res = x if a < 1.4901161193847656e-08 else res
    return res if x == x else x
''', P=horner("z", SINH_TAYLOR)), ieee=True)

# cosh = (e^a + e^-a)/2: both terms positive, e^a unrounded and e^-a as a double, so only the last
# addition rounds; above 22, e^a/2 as in sinh. cosh(tiny) = 1, cosh(+-inf) = inf.
ops.helper("vcosh_f64", '''
def {name}(x):
    a = abs(x)
    ac = a if a < 711.0 else 711.0
    ac = ac if ac > 1e-10 else 1e-10
    u, us, kf, ehi, elo = @vm_exp_parts_f64(ac)
    inv, inv_lo = @vm_div_dd_f64(1.0, 0.0, ehi, elo)
    s = ehi + inv
    s_lo = ((ehi - s) + inv) + (elo + inv_lo)
    mid = 0.5 * (s + s_lo)
    big = @vm_exp_scale_f64(u, us, kf - 1.0)
    res = mid if a < 22.0 else big
    return res if x == x else x
''', ieee=True)


# ---------------------------------------------------------------- asinh, acosh, atanh (float64)
# asinh |x| = log1p(w), w = a + (sqrt(1 + a^2) - 1), every step with its exact error (a^2 split,
# 1 + a^2 by TwoSum, the sqrt corrected by its exact residual, r - 1 by Fast2Sum (exact for r <= 2:
# no cancellation is left where a is small)), so w is known to ~2^-100 and log1p rounds once. From 2^28 on,
# asinh a = log(2a) + 1/(4a^2), the last term below 2^-58 of it: log(1 + a - 1) + ln2 (no overflow
# at the largest floats). Below 2^-26, asinh x = x.
ops.helper("vasinh_f64", '''
def {name}(x):
    a = abs(x)
    ac = a if a < 268435456.0 else 268435456.0
    ac = ac if ac > 1e-10 else 1e-10
    p, p_lo = @vm_mul_dd_f64(ac, ac)
    h = 1.0 + p
    back = h - p
    h_lo = ((1.0 - back) + (p - (h - back))) + p_lo
    r = math.sqrt(h)
    rr, rr_lo = @vm_mul_dd_f64(r, r)
    r_lo = (((h - rr) - rr_lo) + h_lo) / (r + r)
    s = r - 1.0
    s_lo = ((r - s) - 1.0) + r_lo
    w = ac + s
    back = w - s
    w_lo = ((ac - back) + (s - (w - back))) + s_lo
    huge = a >= 268435456.0
    res = @vm_log1p_dd_f64(a if huge else w, -1.0 if huge else w_lo, 1.0 if huge else 0.0)
    res = a if a == np.inf else res
    res = -res if x < 0.0 else res
    res = x if a < 1.4901161193847656e-08 else res
    return res if x == x else x
''', ieee=True)

# acosh x = log1p(t + sqrt(t (2 + t))), t = x - 1 (exact below 2^53; 2 + t by TwoSum, the product
# split, the sqrt corrected), near x = 1 as accurate as far from it. From 2^28 on: log(2x) (the
# dropped -1/(4x^2) is below 2^-58 of it). acosh(1) = 0, x < 1 gives NaN.
ops.helper("vacosh_f64", '''
def {name}(x):
    t = x - 1.0
    tc = t if t < 268435456.0 else 268435456.0
    tc = tc if tc > 1e-300 else 1e-300
    d = 2.0 + tc
    back = d - tc
    d_lo = (2.0 - back) + (tc - (d - back))
    p, p_lo = @vm_mul_dd_f64(tc, d)
    p_lo = p_lo + tc * d_lo
    r = math.sqrt(p)
    rr, rr_lo = @vm_mul_dd_f64(r, r)
    r_lo = (((p - rr) - rr_lo) + p_lo) / (r + r)
    w = tc + r
    back = w - r
    w_lo = ((tc - back) + (r - (w - back))) + r_lo
    huge = x >= 268435457.0
    res = @vm_log1p_dd_f64(x if huge else w, -1.0 if huge else w_lo, 1.0 if huge else 0.0)
    res = x if x == np.inf else res
    res = 0.0 if x == 1.0 else res
    res = np.nan if x < 1.0 else res
    return res if x == x else x
''', ieee=True)

# atanh |x| = log(q) / 2, q = (1 + a)/(1 - a): 1 + a and 1 - a by Fast2Sum, q with its remainder (exact:
# q is within 2 ulps of the quotient), so q is known to ~2^-100 and the log rounds once (halving is
# exact); near a = 0 the log of q near 1 is as accurate as log1p. One division: 1/((1 + a)(1 - a)) gives
# both 1/(1 - a) (for q) and 1/q = (1 - a)/(1 + a) (for the log's correction q_lo/q). Below 2^-27,
# atanh x = x; atanh(+-1) = +-inf, |x| > 1 gives NaN.
ops.helper("vatanh_f64", '''
def {name}(x):
    a = abs(x)
    ac = a if a < 1.0 else 0.5
    ac = ac if ac > 1e-10 else 1e-10
    n = 1.0 + ac
    n_lo = (1.0 - n) + ac
    d = 1.0 - ac
    d_lo = (1.0 - d) - ac
    inv2 = 1.0 / (n * d)
    inv_d = n * inv2
    q = n * inv_d
    p, p_err = @vm_mul_dd_f64(q, d)
    q_lo = (((n - p) - p_err) + (n_lo - q * d_lo)) * inv_d
    res = 0.5 * @vm_log_rel_f64(q, q_lo * (d * d * inv2))
    res = np.inf if a == 1.0 else res
    res = np.nan if a > 1.0 else res
    res = -res if x < 0.0 else res
    res = x if a < 7.450580596923828e-09 else res
    return res if x == x else x
''', ieee=True)

# logit p = log(q), q = p/(1 - p) unrounded (1 - p by Fast2Sum, the quotient with its remainder), so
# that near p = 1/2, where log(q) is small, the rounding of q does not show; one log instead of the two
# or three of log(p) - log1p(-p), and one division, as in atanh. Below 2^-60, logit p = log(p) + p
# (p (1 - p) could be subnormal there). logit(0) = -inf, logit(1) = inf, outside [0, 1] NaN.
ops.helper("vlogit_f64", '''
def {name}(p):
    pc = p if (p > 8.673617379884035e-19) & (p < 1.0) else 0.5
    d = 1.0 - pc
    d_lo = (1.0 - d) - pc
    inv2 = 1.0 / (pc * d)
    inv_d = pc * inv2
    q = pc * inv_d
    m, m_err = @vm_mul_dd_f64(q, d)
    q_lo = (((pc - m) - m_err) - q * d_lo) * inv_d
    tiny = p <= 8.673617379884035e-19
    res = @vm_log_rel_f64(p if tiny else q, p if tiny else q_lo * (d * d * inv2))
    res = -np.inf if p == 0.0 else res
    res = np.inf if p == 1.0 else res
    res = np.nan if (p < 0.0) | (p > 1.0) else res
    return res if p == p else p
''', ieee=True)


# ---------------------------------------------------------------- float32: in float64, rounded once
# A float32 result needs the float64 value only to ~2^-30 relative, so the plain formulas on vecmath's
# float64 helpers do (a few float64 ulps, no cancellation left that float64 cannot absorb: 1 - a and
# x - 1 are exact for float32 inputs, and a^2 cannot overflow), rounded once to float32.
ops.helper("vtanh_f32", '''
def {name}(x):
    a = np.float64(abs(x))
    t = @vexpm1_f64(2.0 * (a if a < 20.0 else 20.0))
    res = np.float32(t / (t + 2.0))
    res = -res if x < 0.0 else res
    return x if (a < 1e-5) | (x != x) else res
''', ieee=True)

ops.helper("vsinh_f32", '''
def {name}(x):
    a = np.float64(abs(x))
    t = @vexpm1_f64(a if a < 90.0 else 90.0)
    res = np.float32(0.5 * (t + t / (t + 1.0)))
    res = -res if x < 0.0 else res
    return x if (a < 1e-5) | (x != x) else res
''', ieee=True)

ops.helper("vcosh_f32", '''
def {name}(x):
    a = np.float64(abs(x))
    e = @vexp_f64(a if a < 90.0 else 90.0)
    res = np.float32(0.5 * (e + 1.0 / e))
    return res if x == x else x
''', ieee=True)

ops.helper("vasinh_f32", '''
def {name}(x):
    a = np.float64(abs(x))
    z = a * a
    res = np.float32(@vlog1p_f64(a + z / (1.0 + math.sqrt(1.0 + z))))
    res = np.float32(np.inf) if a == np.inf else res
    res = -res if x < 0.0 else res
    return x if (a < 1e-5) | (x != x) else res
''', ieee=True)

ops.helper("vacosh_f32", '''
def {name}(x):
    t = np.float64(x) - 1.0
    res = np.float32(@vlog1p_f64(t + math.sqrt(t * (2.0 + t))))
    res = np.float32(np.inf) if x == np.inf else res
    return np.float32(np.nan) if x < 1.0 else res
''', ieee=True)

ops.helper("vatanh_f32", '''
def {name}(x):
    a = np.float64(abs(x))
    res = np.float32(0.5 * @vlog1p_f64((a + a) / (1.0 - a)))
    res = np.float32(np.nan) if a > 1.0 else res
    res = -res if x < 0.0 else res
    return x if (a < 1e-5) | (x != x) else res
''', ieee=True)

ops.helper("vlogit_f32", '''
def {name}(p):
    pd = np.float64(p)
    return np.float32(@vlog_f64(pd / (1.0 - pd)))
''', ieee=True)

# op name -> helper family; ops.py emits these for real arguments
VECTORISED = {"tanh": "vtanh", "sinh": "vsinh", "cosh": "vcosh", "asinh": "vasinh", "acosh": "vacosh",
              "atanh": "vatanh"}
