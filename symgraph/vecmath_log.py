"""Vectorisable log2 (float64) and log10 (float64 and float32) for the generated loops, on vecmath's log
reduction (float32 log2 is in vecmath.py).

math.log10 is a libm call per element, which keeps the kernel's loop scalar; log(x)/log(b), as SymPy
writes log(x, b), rounds three times (0.30 bits of error on average for b = 2, 0.60 for b = 10). Here
log_b(x) = e log_b(2) + log(m)/ln b with log(m) a double-double accurate to about 2^-64 and the product by
1/ln b taken as a pair, so the result is rounded once at the end. float64, 2*10^5 points per region and
function against mpmath: correctly rounded on all of the exponent range (2^u) and of 1 +- 10^-k, and on
all but 3e-5 of [1/2, 2] (max 0.5002 ulp); log_b of an exact power of b is that integer
(tests/test_vecmath_log.py). float32: in float64, rounded once (max 0.5001 ulp on 10^6 points).
Speed (10^6 elements, one AVX-512 core): 2.0 ns per element in float64 (vecmath's log: 1.6, NumPy's
log2/log10: 0.8, a Numba loop calling math.log10: 6.9), 0.7 in float32.
"""
from __future__ import annotations

from . import ops
from .vecmath import LOG32_P, MANTISSA_MASK, ONE_BITS_MINUS_SQRT_HALF, SQRT_HALF_BITS, _fill, horner

# log10(2) split so that e * LOG10_2_HI is exact for |e| < 2^13 (its low 13 bits are zero)
LOG10_2_HI = 0.30102999566361177
LOG10_2_LO = 3.694239077158931e-13
LOG10_2 = 0.3010299956639812
# 1/ln 2, 1/ln 10 and 2/3 rounded, and what the rounding lost
INV_LN2, INV_LN2_LO = 1.4426950408889634, 2.0355273740931033e-17
INV_LN10, INV_LN10_LO = 0.4342944819032518, 1.098319650216765e-17
TWO_THIRDS, TWO_THIRDS_LO = 0.6666666666666666, 3.700743415417188e-17
# (2 atanh(s) - 2s - (2/3)s^3) / s^5 in z = s^2, |s| <= (sqrt2 - 1)/(sqrt2 + 1): relative error 2^-53.8
# (Chebyshev interpolation at 8 nodes; the Taylor coefficients are 2/5, 2/7, 2/9, ...)
LOG_DD_P = (0.4, 0.28571428571429364, 0.22222222221656232, 0.18181818335314404, 0.15384594970895457,
            0.13334804238225345, 0.11706248540922386, 0.11723051028097753)

# log(1 + f) = 2 atanh(s), s = f/(2 + f), as a double-double hi + lo accurate to about 2^-64 of itself, for
# the results that are log(m)/ln b: s + s_lo with the division's exact remainder (FMA); 2s + (2/3)s^3
# joined by Fast2Sum, with s^3 an exact pair and 2/3 a pair; what rounds is s^5 P(s^2) < 2^-12 of the
# result (P's relative error 2^-53.8) and sums of parts below an ulp of hi. 2 s_lo enters times
# 1 + s^2 + s^4 (atanh's slope 1/(1 - s^2); the s^6 term is below 2^-68 of the result). vecmath's log1p
# core leaves (2/3)s^3, up to 1% of the result, to two roundings (0.03 ulp): on it log2 misrounds 0.3% of
# [1/2, 2]; on this one log2 and log10 misround 3e-5 there (max 0.5002 ulp; 4*10^5 points each).
ops.helper("vm_log_mantissa_dd_f64", _fill('''
def {name}(x):
    dk, f = @vm_log_reduce_f64(x)
    d = 2.0 + f
    d_err = (2.0 - d) + f
    s = f / d
    s_lo = (_vm_fma(-s, d, f) - s * d_err) / d
    z = s * s
    z_lo = _vm_fma(s, s, -z)
    cube = z * s
    cube_lo = _vm_fma(z, s, -cube) + z_lo * s
    c3 = cube * <TT>
    c3_lo = _vm_fma(cube, <TT>, -c3) + (cube * <TT_LO> + cube_lo * <TT>)
    rest = (cube * z) * <P>
    t = s + s
    hi = t + c3
    lo = ((t - hi) + c3) + (c3_lo + ((s_lo + s_lo) * (1.0 + z * (1.0 + z)) + rest))
    return dk, hi, lo
''', TT=TWO_THIRDS, TT_LO=TWO_THIRDS_LO, P=horner("z", LOG_DD_P)), requires=("fma",), ieee=True)

# log2 x = e + (hi + lo)/ln 2: the product as a pair (FMA), e + its head by Fast2Sum (|e| >= 1 > 0.51
# unless e = 0), one rounding at the end; log2 of a power of two is exact (f = 0: everything else is 0).
ops.helper("vlog2_f64", _fill('''
def {name}(x):
    dk, hi, lo = @vm_log_mantissa_dd_f64(x)
    p_hi = hi * <IL>
    p_lo = _vm_fma(hi, <IL>, -p_hi) + (hi * <IL_LO> + lo * <IL>)
    r1 = dk + p_hi
    res = r1 + (((dk - r1) + p_hi) + p_lo)
    res = x if x == np.inf else res
    res = -np.inf if x == 0.0 else res
    res = np.nan if x < 0.0 else res
    return res if x == x else x
''', IL=INV_LN2, IL_LO=INV_LN2_LO), requires=("fma",), ieee=True)

# log10 x = e log10(2) + (hi + lo)/ln 10: e LOG10_2_HI is exact and, for e != 0, at least 0.301 >
# |log10 m| (m in [sqrt2/2, sqrt2)), so one Fast2Sum joins it to the product's head exactly (for e = 0
# too); log10 of an exact power of ten is that integer (the sum is within 2^-60 of it before rounding).
ops.helper("vlog10_f64", _fill('''
def {name}(x):
    dk, hi, lo = @vm_log_mantissa_dd_f64(x)
    p_hi = hi * <IL>
    p_lo = _vm_fma(hi, <IL>, -p_hi) + (hi * <IL_LO> + lo * <IL>)
    a = dk * <L_HI>
    r1 = a + p_hi
    res = r1 + ((((a - r1) + p_hi) + p_lo) + dk * <L_LO>)
    res = x if x == np.inf else res
    res = -np.inf if x == 0.0 else res
    res = np.nan if x < 0.0 else res
    return res if x == x else x
''', IL=INV_LN10, IL_LO=INV_LN10_LO, L_HI=LOG10_2_HI, L_LO=LOG10_2_LO), requires=("fma",), ieee=True)

# float32: in float64 (float32 subnormals are normal there), e log10(2) + s P(s^2)/ln 10 with relative
# error < 2^-37, rounded once to float32; log10 of 10^k (k = 0..10, the exact float32 powers) is k.
ops.helper("vlog10_f32", _fill('''
def {name}(x):
    xd = np.float64(x)
    ix = _vm_float_bits(xd) + <OFFSET>
    m = _vm_bits_float((ix & <MASK>) + <SQRT_HALF>)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    res = np.float32(np.float64((ix >> 52) - 1023) * <LOG10_2> + (s * <P>) * <INV_LN10>)
    res = x if x == np.inf else res
    res = np.float32(-np.inf) if x == 0.0 else res
    res = np.float32(np.nan) if x < 0.0 else res
    return res if x == x else x
''', OFFSET=ONE_BITS_MINUS_SQRT_HALF, MASK=MANTISSA_MASK, SQRT_HALF=SQRT_HALF_BITS, LOG10_2=LOG10_2,
                                     INV_LN10=INV_LN10, P=horner("z", LOG32_P)), requires=("bitcast",), ieee=True)

# op name -> helper family; ops.py emits these for real arguments
VECTORISED = {"log10": "vlog10"}
