"""Vectorisable exp, log, exp2, log2, expm1 and log1p for the generated loops (float64 and float32;
log2 in float64 and log10 are in symgraph/vecmath_log.py, on this module's log reduction).

Numba 0.62+ has no SVML, so a loop calling math.exp / math.log calls libm once per element and LLVM
cannot vectorise it (2-4x slower than NumPy's SIMD ufuncs). The helpers here are branch-free arithmetic:
range reduction, a polynomial, a scale by 2**k built from bits, special cases as selects. LLVM inlines
them into the kernel's loop and vectorises the whole loop body (<8 x double> with AVX-512).

Accuracy against mpmath (benchmarks/vecmath.py, 10^6 points per function and dtype; tests/test_vecmath.py):
- float64: max 0.517 (exp, exp2), 0.530 (log, log1p), 0.5001 (expm1) ulp, mean 0.16-0.25 ulp:
  every value is carried unrounded as hi + lo
  through error-free steps (Fast2Sum, TwoSum, exact products of 26-bit halves) so that only the final
  addition rounds noticeably. Subnormal results of exp/exp2 are rounded once, at the subnormal's last bit.
- float32: computed in float64 with shorter polynomials (relative error < 2^-34) and rounded once to
  float32: max 0.5006 ulp.
Special values follow C99/NumPy: exp(-inf) = 0, overflow to inf, log(0) = -inf, log(x < 0) = NaN,
expm1(-0.0) = log1p(-0.0) = -0.0, NaN propagates.

The helpers are `ieee=True` (see ops.IEEE_HELPERS): no fast-math flags but `contract` (their exact
steps would be undone by `reassoc`), forceinline (so the loop stays one vectorisable body).
Coefficients: minimax (Remez) fits by benchmarks/vecmath_coefficients.py.
"""
from __future__ import annotations

from . import ops

# ---------------------------------------------------------------- float <-> integer bit casts
# Emitted once per generated module that uses a helper below. @intrinsic lowers to one LLVM bitcast,
# which vectorises and which Numba can cache (the module is a real file).
ops.preamble("bitcast", '''
from numba.extending import intrinsic as _vm_intrinsic


@_vm_intrinsic
def _vm_float_bits(typingctx, x):
    """float64 -> int64, float32 -> int32, same bits."""
    if x == types.float64:
        sig = types.int64(types.float64)
    elif x == types.float32:
        sig = types.int32(types.float32)
    else:
        return None

    def lower(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(signature.return_type))
    return sig, lower


@_vm_intrinsic
def _vm_bits_float(typingctx, v):
    """int64 -> float64, int32 -> float32, same bits."""
    if v == types.int64:
        sig = types.float64(types.int64)
    elif v == types.int32:
        sig = types.float32(types.int32)
    else:
        return None

    def lower(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(signature.return_type))
    return sig, lower
''')

# a*b + c with one rounding (LLVM's llvm.fma, one instruction with FMA hardware, vectorised like any
# arithmetic): a*b = p + fma(a, b, -p) exactly, the cheapest error-free product
ops.preamble("fma", '''
from numba.extending import intrinsic as _vm_fma_intrinsic


@_vm_fma_intrinsic
def _vm_fma(typingctx, a, b, c):
    """a*b + c rounded once (float64 or float32)."""
    if not (a == b == c and a in (types.float64, types.float32)):
        return None

    def lower(context, builder, signature, args):
        return builder.fma(*args)
    return a(a, a, a), lower
''')

# ---------------------------------------------------------------- coefficients (lowest degree first)
# (e^r - 1 - r - r^2/2) / r^3 on |r| <= ln2/2: relative error 2^-53.8 after rounding to float64
EXP64_C = (0.16666666666666666, 0.04166666666666667, 0.008333333333333331, 0.0013888888888883763,
           0.00019841269841283532, 2.48015873255018e-05, 2.755731920003182e-06, 2.755727369638004e-07,
           2.505211600647098e-08, 2.091466641847979e-09, 1.607166742803361e-10)
# (e^r - 1 - r - r^2/2 - r^3/6 - r^4/24) / r^5 on |r| <= ln2/2: relative error 2^-55 after rounding
# (a degree-9 Chebyshev interpolant: the Remez exchange stalls at this degree)
EXP64_E = (0.008333333333333333, 0.001388888888888889, 0.00019841269841268285, 2.480158730158633e-05,
           2.7557319234349743e-06, 2.7557319230462546e-07, 2.505208422844437e-08, 2.0876741891332197e-09,
           1.6082023509453773e-10, 1.1485106747834767e-11)
# 1/6 and 1/24 as float64 heads and tails
SIXTH, SIXTH_LO = 0.16666666666666666, 9.25185853854297e-18
TWENTYFOURTH, TWENTYFOURTH_LO = 0.041666666666666664, 2.3129646346357427e-18
# e^r on |r| <= ln2/2: relative error 2^-34.5
EXP32_P = (0.9999999999616817, 1.000000000243098, 0.5000000104536807, 0.16666665126131977,
           0.041666225423761735, 0.008333561090481554, 0.0013948183445988275, 0.00019775171765039036)
# (2 atanh(s) - 2s) / s^3 in z = s^2, |s| <= (sqrt2 - 1)/(sqrt2 + 1): relative error 2^-54
LOG64_P = (0.6666666666666666, 0.4000000000000088, 0.2857142857080192, 0.22222222392059543,
           0.18181795606536608, 0.15386241378901996, 0.1326873168072437, 0.1308702896405809)
# (e^r - 1 - r) / r^2 on |r| <= ln2/2: relative error 2^-34.2
EXPM1_32_Q = (0.5000000000020877, 0.16666666718770198, 0.04166666640544007, 0.008333298559480923,
              0.0013888923735263451, 0.00019899223525557153, 2.482087526069823e-05)
# 2 atanh(s) / s in z = s^2: relative error 2^-37.8
LOG32_P = (2.000000000008424, 0.666666652404421, 0.40000385871287464, 0.2853498578596811, 0.23617468581886927)

# ln2 split so that k * LN2_HI is exact for |k| < 2^20 (its low 21 bits are zero; fdlibm's constants)
LN2_HI = 0.6931471803691238
LN2_LO = 1.9082149292705877e-10
LN2 = 0.6931471805599453
INV_LN2 = 1.4426950408889634
# 26-bit heads (a product of two 26-bit numbers is exact) and float64 tails of ln2
LN2_HEAD, LN2_TAIL = 0.6931471675634384, 1.2996506893889889e-08
SQRT_HALF_BITS = 0x3FE6A09E667F3BCD         # bits of sqrt(2)/2: mantissas are reduced to [sqrt2/2, sqrt2)
ONE_BITS_MINUS_SQRT_HALF = 0x3FF0000000000000 - SQRT_HALF_BITS
MANTISSA_MASK = 0x000FFFFFFFFFFFFF


def horner(var: str, coeffs) -> str:
    text = repr(float(coeffs[-1]))
    for c in reversed(coeffs[:-1]):
        text = f"({float(c)!r} + {var} * {text})"
    return text


def _fill(template: str, **values) -> str:
    for key, value in values.items():
        template = template.replace(f"<{key}>", str(value))
    return template


# ---------------------------------------------------------------- exp, exp2, expm1 (float64)
# x = k ln2 + r, |r| <= ln2/2, k = rint(x/ln2); hi = x - k LN2_HI is exact, lo = k LN2_LO, r = hi - lo
# rounds (its error r_err is recovered exactly). e^r = 1 + hi + r^2/2 + (-lo + r^3 C(r)): r^2/2 is
# exact for the top 26 bits of r (rh) and hi + r^2/2 is split exactly (Fast2Sum), so the parts that
# round are < 0.007; r^3/6, the largest, is (exact rh^2/2) (r/3) with two roundings, the rest r^4 D(r)
# (D = C without its 1/6) is < 0.0006. That leaves about 2^-60 of the result to rounding: exp and exp2
# within 0.514 ulp. vm_exp_poly returns e^(hi - lo) unrounded, u + small: 1 + qh by one more Fast2Sum,
# so only the last addition rounds noticeably.
ops.helper("vm_exp_poly_f64", _fill('''
def {name}(hi, lo):
    r = hi - lo
    r_err = (hi - r) - lo
    rh = _vm_bits_float(_vm_float_bits(r) & -134217728)
    half_sq_hi = 0.5 * rh * rh
    half_sq_lo = 0.5 * (r - rh) * (r + rh) + r * r_err
    r_third = r * 0.3333333333333333
    cubic = half_sq_hi * r_third + (half_sq_lo * r_third + (r * r) * (r * r) * <D>)
    qh = hi + half_sq_hi
    ql = (((hi - qh) + half_sq_hi) + half_sq_lo) + (cubic - lo)
    u = 1.0 + qh
    return u, ((1.0 - u) + qh) + ql
''', D=horner("r", EXP64_C[1:])), requires=("bitcast",), ieee=True)

# e^(hi - lo) - 1 unrounded, qh + ql, for expm1 (and tanh, log1mexp), whose results near x = 0 are
# that sum alone: about 2^-64 of the result is left to rounding, not exp's 2^-60, so that expm1 is
# correctly rounded on all of 2*10^5 random points (glibc's table-driven expm1 misses one in 6000, the
# polynomial above one in 3000). e^r - 1 = r + r^2/2 + r^3 b, b = 1/6 + r/24 + r^2 E(r): r^2 and r^3
# are exact pairs (FMA), b is carried as a pair (1/6 and 1/24 are not floats: their tails go in too;
# without 1/24's, expm1 erred by 2^-63 on the same side everywhere) and c = r^3 b as a pair, so what
# rounds is r^2 E(r) < 0.001 (times r^3 in the result) and sums of parts below an ulp of qh. r's
# rounding error r_err enters as r_err e^r. 15% slower than the polynomial above (renormalising b
# would halve the error again and cost another 12%), which is why exp keeps that one.
ops.helper("vm_expm1_poly_f64", _fill('''
def {name}(hi, lo):
    r = hi - lo
    r_err = (hi - r) - lo
    sq = r * r
    sq_lo = _vm_fma(r, r, -sq)
    a = r * <C24>
    a_lo = _vm_fma(r, <C24>, -a) + r * <C24_LO>
    e = sq * (<C120> + r * <F>)
    b = <C6> + a
    b_lo = ((<C6> - b) + a) + ((a_lo + <C6_LO>) + e)
    cube = sq * r
    cube_lo = _vm_fma(sq, r, -cube) + sq_lo * r
    c = cube * b
    c_lo = _vm_fma(cube, b, -c) + (cube * b_lo + cube_lo * b)
    half = 0.5 * sq
    s1 = r + half
    e1 = (r - s1) + half
    qh = s1 + c
    e2 = (s1 - qh) + c
    return qh, (e1 + e2) + ((0.5 * sq_lo + c_lo) + _vm_fma(r_err, qh, r_err))
''', F=horner("r", EXP64_E[1:]), C120=EXP64_E[0], C24=TWENTYFOURTH, C24_LO=TWENTYFOURTH_LO, C6=SIXTH,
                  C6_LO=SIXTH_LO), requires=("fma",), ieee=True)

# (u + small) 2^k rounded once, k in [-1077, 1025]. 2^k is applied as two factors 2^(k>>1) and
# 2^(k - k>>1): a single factor would not be a normal float64 at either end; the first product is exact.
# Subnormal results would round twice that way (0.75 ulp): there (z = u 2^(k+1022) < 1), 1 + z is
# rounded at the position of the subnormal's last bit, the 1 taken off exactly and the rest scaled by
# 2^-1022 exactly. Only that last product may be subnormal: subnormal intermediates on the common path
# would cost a microcode assist per element (27 ns).
ops.helper("vm_exp_scale_f64", '''
def {name}(u, small, kf):
    k = np.int64(kf)
    k1 = k >> 1
    scale1 = _vm_bits_float((k1 + 1023) << 52)
    scale2 = _vm_bits_float((k - k1 + 1023) << 52)
    sub_scale = _vm_bits_float((k + 2045 if k < -1000 else 1123) << 52)
    zh = u * sub_scale
    w = 1.0 + zh
    w = w + (((1.0 - w) + zh) + small * sub_scale)
    subnormal = zh < 1.0
    base = (w - 1.0) if subnormal else (u + small) * scale1
    return base * (2.2250738585072014e-308 if subnormal else scale2)
''', requires=("bitcast",), ieee=True)

# Inputs are clamped to [-746, 710] first: outside, the result is 0 or inf anyway, and the clamp keeps
# k in range. The clamp maps NaN to 710; the last select gives NaN back.
ops.helper("vexp_f64", _fill('''
def {name}(x):
    xc = x if x < 710.0 else 710.0
    xc = xc if xc > -746.0 else -746.0
    kf = np.rint(xc * <INV_LN2>)
    u, small = @vm_exp_poly_f64(xc - kf * <LN2_HI>, kf * <LN2_LO>)
    res = @vm_exp_scale_f64(u, small, kf)
    return res if x == x else x
''', INV_LN2=INV_LN2, LN2_HI=LN2_HI, LN2_LO=LN2_LO), ieee=True)

# 2^x = 2^k e^(r ln2), k = rint(x), r = x - k exact; r ln2 = hi - lo with hi = (top 26 bits of r) times
# (top 26 bits of ln2), exact.
ops.helper("vexp2_f64", _fill('''
def {name}(x):
    xc = x if x < 1025.0 else 1025.0
    xc = xc if xc > -1077.0 else -1077.0
    kf = np.rint(xc)
    r = xc - kf
    rh = _vm_bits_float(_vm_float_bits(r) & -134217728)
    lo = -((r - rh) * <LN2_HEAD> + r * <LN2_TAIL>)
    u, small = @vm_exp_poly_f64(rh * <LN2_HEAD>, lo)
    res = @vm_exp_scale_f64(u, small, kf)
    return res if x == x else x
''', LN2_HEAD=LN2_HEAD, LN2_TAIL=LN2_TAIL), requires=("bitcast",), ieee=True)

# e^x - 1 = (2^k - 1) + 2^k qh + 2^k ql: for k <= 52 both sums are exact (TwoSum), so the
# cancellation near x = 0 (k = 0: qh + ql) or near -1 costs nothing. For k > 52 the -1 only touches the
# last bits: 2^k (u + small) - 1 with 2^k u exact. vm_expm1_parts returns the result unrounded as
# hi + lo (for x in [-40, 710]; vecmath_hyp's tanh divides it without rounding it first).
# Below -40 the result is -1 (rounded); |x| < 2^-56 gives x itself (so -0.0 stays -0.0).
ops.helper("vm_expm1_parts_f64", _fill('''
def {name}(xc):
    kf = np.rint(xc * <INV_LN2>)
    qh, ql = @vm_expm1_poly_f64(xc - kf * <LN2_HI>, kf * <LN2_LO>)
    k = np.int64(kf)
    k1 = k >> 1
    scale1 = _vm_bits_float((k1 + 1023) << 52)
    scale2 = _vm_bits_float((k - k1 + 1023) << 52)
    two_k = scale1 * scale2
    c = two_k - 1.0
    back = c - two_k
    c_err = (two_k - (c - back)) + (-1.0 - back)
    d = two_k * qh
    s = c + d
    back = s - c
    s_err = (c - (s - back)) + (d - back)
    u = 1.0 + qh
    u_small = ((1.0 - u) + qh) + ql
    hi = s if k <= 52 else (u * scale1) * scale2
    lo = ((c_err + s_err) + two_k * ql) if k <= 52 else ((u_small * scale1) * scale2) - 1.0
    return hi, lo
''', INV_LN2=INV_LN2, LN2_HI=LN2_HI, LN2_LO=LN2_LO), requires=("bitcast",), ieee=True)

ops.helper("vexpm1_f64", '''
def {name}(x):
    xc = x if x < 710.0 else 710.0
    xc = xc if xc > -40.0 else -40.0
    hi, lo = @vm_expm1_parts_f64(xc)
    res = hi + lo
    res = x if abs(x) < 1.3877787807814457e-17 else res
    return res if x == x else x
''', ieee=True)

# float32: the whole computation in float64 (relative error < 2^-34) and one rounding to float32.
# Clamp [-105, 89]: e^-105 is below half the smallest float32 subnormal, e^89 above the largest float32.
ops.helper("vexp_f32", _fill('''
def {name}(x):
    xd = np.float64(x)
    xd = xd if xd < 89.0 else 89.0
    xd = xd if xd > -105.0 else -105.0
    kf = np.rint(xd * <INV_LN2>)
    r = xd - kf * <LN2>
    p = <P>
    scale = _vm_bits_float((np.int64(kf) + 1023) << 52)
    res = np.float32(p * scale)
    return res if x == x else x
''', INV_LN2=INV_LN2, LN2=LN2, P=horner("r", EXP32_P)), requires=("bitcast",), ieee=True)


# ---------------------------------------------------------------- log, log2, log1p (float64)
# x = 2^e m, m in [sqrt2/2, sqrt2) (bit trick: adding 1.0's bits minus sqrt2/2's bits carries into the
# exponent exactly when the mantissa is >= sqrt2's); subnormal x are scaled by 2^54 first. f = m - 1 is
# exact. Only for finite x > 0: the callers select the special values (log(+-0) = -inf, log(x<0) = NaN,
# log(inf) = inf, NaN).
ops.helper("vm_log_reduce_f64", _fill('''
def {name}(x):
    tiny = x < 2.2250738585072014e-308
    xs = x * 18014398509481984.0 if tiny else x
    ix = _vm_float_bits(xs) + <OFFSET>
    e = (ix >> 52) - (1077 if tiny else 1023)
    return np.float64(e), _vm_bits_float((ix & <MASK>) + <SQRT_HALF>) - 1.0
''', OFFSET=ONE_BITS_MINUS_SQRT_HALF, MASK=MANTISSA_MASK, SQRT_HALF=SQRT_HALF_BITS), requires=("bitcast",), ieee=True)

# log(1 + f) = 2 atanh(s) = 2s + s z P(z), s = f / (2 + f), z = s^2, returned unrounded as t + tail:
# t = 2s and tail = 2 s_lo + s z P(z), where s_lo is what rounding 2 + f and the division lost
# (f - s d is exact from 26-bit halves, whose products are exact; 2 + f's error by Fast2Sum). The
# rounded part s z P(z) is < 1% of the result; its main term 2/3 s^3 is taken with s^2 = sh^2 (exact)
# + (s - sh)(s + sh) so that it rounds twice, not four times: about 0.03 ulp all told.
ops.helper("vm_log1p_poly_f64", _fill('''
def {name}(f):
    d = 2.0 + f
    d_err = (2.0 - d) + f
    s = f / d
    sh = _vm_bits_float(_vm_float_bits(s) & -134217728)
    dh = _vm_bits_float(_vm_float_bits(d) & -134217728)
    residual = ((f - sh * dh) - (sh * (d - dh) + (s - sh) * d)) - s * d_err
    z = s * s
    cube = s * (sh * sh) + s * ((s - sh) * (s + sh))
    return s + s, 2.0 * (residual / d) + (cube * 0.6666666666666666 + cube * z * <P1>)
''', P1=horner("z", LOG64_P[1:])), requires=("bitcast",), ieee=True)

# log x = e LN2_HI + t (Fast2Sum: |e LN2_HI| > |t| unless e = 0) + the small rest, rounded once.
ops.helper("vlog_f64", _fill('''
def {name}(x):
    dk, f = @vm_log_reduce_f64(x)
    t, tail = @vm_log1p_poly_f64(f)
    a = dk * <LN2_HI>
    r1 = a + t
    res = r1 + ((((a - r1) + t) + tail) + dk * <LN2_LO>)
    res = x if x == np.inf else res
    res = -np.inf if x == 0.0 else res
    res = np.nan if x < 0.0 else res
    return res if x == x else x
''', LN2_HI=LN2_HI, LN2_LO=LN2_LO), ieee=True)

# log(1 + x + x_lo) + k_extra ln2 as an unrounded pair hi + lo (lo up to 1% of hi: the polynomial's tail),
# for 1 + x > 0 finite: vecmath's log1p with the extra low part added to the correction it already carries
# (log(u + c) = log(u) + c/u; c/u < 2^-27 here, so the term dropped, (c/u)^2/2, is below 2^-54 of the
# result). The pair is for callers that subtract from it (atanh(x) - x). Callers select the special values.
# Below 1e-50 the result is x + x_lo (x^2/2 is below 2^-167 of it), and the polynomial runs on 0: its
# squares and cubes of x would be subnormal, and each subnormal operation costs a microcode assist
# (log1p(-1/(1 + x)) for x up to 1e300 ran 2.5x slower than log1p on numbers near 1).
ops.helper("vm_log1p_dd_parts_f64", _fill('''
def {name}(x, x_lo, k_extra):
    u = 1.0 + x
    back = u - x
    u_err = (1.0 - back) + (x - (u - back))
    dk, f = @vm_log_reduce_f64(u)
    near = (x >= -0.2928932188134524) & (x < 0.41421356237309503)
    tiny = abs(x) < 1e-50
    f = (0.0 if tiny else x) if near else f
    dk = (0.0 if near else dk) + k_extra
    correction = (x_lo if near else u_err + x_lo) / u
    t, tail = @vm_log1p_poly_f64(f)
    t = x if tiny else t
    a = dk * <LN2_HI>
    r1 = a + t
    return r1, (((a - r1) + t) + (tail + correction)) + dk * <LN2_LO>
''', LN2_HI=LN2_HI, LN2_LO=LN2_LO), ieee=True)

# the same rounded once
ops.helper("vm_log1p_dd_f64", '''
def {name}(x, x_lo, k_extra):
    hi, lo = @vm_log1p_dd_parts_f64(x, x_lo, k_extra)
    return hi + lo
''', ieee=True)

# log1p x: for x in [sqrt2/2 - 1, sqrt2 - 1) the polynomial takes f = x itself (no rounding of 1 + x
# at all); elsewhere u = 1 + x is reduced as in log and its exact rounding error u_err (TwoSum) adds
# u_err/u (the result is >= 0.34 there, so that term's own error is far below an ulp).
# |x| < 2^-56 gives x itself (so -0.0 stays -0.0).
ops.helper("vlog1p_f64", '''
def {name}(x):
    res = @vm_log1p_dd_f64(x, 0.0, 0.0)
    res = x if abs(x) < 1.3877787807814457e-17 else res
    res = x if x == np.inf else res
    res = -np.inf if x == -1.0 else res
    res = np.nan if x < -1.0 else res
    return res if x == x else x
''', ieee=True)

# float32: in float64 (float32 subnormals are normal there), e ln2 + s P(s^2), one rounding to float32.
ops.helper("vlog_f32", _fill('''
def {name}(x):
    xd = np.float64(x)
    ix = _vm_float_bits(xd) + <OFFSET>
    e = (ix >> 52) - 1023
    m = _vm_bits_float((ix & <MASK>) + <SQRT_HALF>)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    res = np.float32(np.float64(e) * <LN2> + s * <P>)
    res = x if x == np.inf else res
    res = np.float32(-np.inf) if x == 0.0 else res
    res = np.float32(np.nan) if x < 0.0 else res
    return res if x == x else x
''', OFFSET=ONE_BITS_MINUS_SQRT_HALF, MASK=MANTISSA_MASK, SQRT_HALF=SQRT_HALF_BITS, LN2=LN2,
                                   P=horner("z", LOG32_P)), requires=("bitcast",), ieee=True)


# ---------------------------------------------------------------- exp2, log2, expm1, log1p (float32)
# As exp/log float32: in float64 (relative error < 2^-34) and rounded once to float32.
ops.helper("vexp2_f32", _fill('''
def {name}(x):
    xd = np.float64(x)
    xd = xd if xd < 129.0 else 129.0
    xd = xd if xd > -151.0 else -151.0
    kf = np.rint(xd)
    r = (xd - kf) * <LN2>
    p = <P>
    res = np.float32(p * _vm_bits_float((np.int64(kf) + 1023) << 52))
    return res if x == x else x
''', LN2=LN2, P=horner("r", EXP32_P)), requires=("bitcast",), ieee=True)

ops.helper("vlog2_f32", _fill('''
def {name}(x):
    xd = np.float64(x)
    ix = _vm_float_bits(xd) + <OFFSET>
    m = _vm_bits_float((ix & <MASK>) + <SQRT_HALF>)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    res = np.float32(np.float64((ix >> 52) - 1023) + (s * <P>) * <INV_LN2>)
    res = x if x == np.inf else res
    res = np.float32(-np.inf) if x == 0.0 else res
    res = np.float32(np.nan) if x < 0.0 else res
    return res if x == x else x
''', OFFSET=ONE_BITS_MINUS_SQRT_HALF, MASK=MANTISSA_MASK, SQRT_HALF=SQRT_HALF_BITS, INV_LN2=INV_LN2,
                                    P=horner("z", LOG32_P)), requires=("bitcast",), ieee=True)

# e^r - 1 = r + r^2 Q(r) has no cancellation; for k != 0 (|x| > ln2/2, |result| > 0.29) 2^k (1 + p) - 1
# loses at most 2 of float64's 29 spare bits. Below -20 the result is -1 in float32.
ops.helper("vexpm1_f32", _fill('''
def {name}(x):
    xd = np.float64(x)
    xd = xd if xd < 89.0 else 89.0
    xd = xd if xd > -20.0 else -20.0
    kf = np.rint(xd * <INV_LN2>)
    r = xd - kf * <LN2>
    p = r + r * r * <Q>
    big = _vm_bits_float((np.int64(kf) + 1023) << 52) * (1.0 + p) - 1.0
    res = np.float32(p if kf == 0.0 else big)
    res = x if x == 0.0 else res
    return res if x == x else x
''', INV_LN2=INV_LN2, LN2=LN2, Q=horner("r", EXPM1_32_Q)), requires=("bitcast",), ieee=True)

# log1p: for x in [sqrt2/2 - 1, sqrt2 - 1) f = x exactly; elsewhere u = 1 + x in float64 (its rounding
# is 2^-53 relative, harmless where the result is > 0.34) is reduced as in log.
ops.helper("vlog1p_f32", _fill('''
def {name}(x):
    xd = np.float64(x)
    ix = _vm_float_bits(1.0 + xd) + <OFFSET>
    near = (xd >= -0.2928932188134524) & (xd < 0.41421356237309503)
    f = xd if near else _vm_bits_float((ix & <MASK>) + <SQRT_HALF>) - 1.0
    e = 0.0 if near else np.float64((ix >> 52) - 1023)
    s = f / (2.0 + f)
    z = s * s
    res = np.float32(e * <LN2> + s * <P>)
    res = x if x == 0.0 else res
    res = x if x == np.inf else res
    res = np.float32(-np.inf) if x == -1.0 else res
    res = np.float32(np.nan) if x < -1.0 else res
    return res if x == x else x
''', OFFSET=ONE_BITS_MINUS_SQRT_HALF, MASK=MANTISSA_MASK, SQRT_HALF=SQRT_HALF_BITS, LN2=LN2,
                                     P=horner("z", LOG32_P)), requires=("bitcast",), ieee=True)


def calls(name):
    """An emission calling the helper `name_f64` or `name_f32`, the kernel's real dtype."""
    def emit(ctx, node, *args):
        suffix = "f32" if ctx.variant == "float32" else "f64"
        return f"@{name}_{suffix}({', '.join(args)})"
    return emit


# op name -> helper family; ops.py emits these for real arguments
VECTORISED = {"exp": "vexp", "log": "vlog", "exp2": "vexp2", "log2": "vlog2", "expm1": "vexpm1",
              "log1p": "vlog1p"}
