"""Vectorisable exp and log for the generated loops.

Numba 0.62+ has no SVML, so a loop calling math.exp / math.log calls libm once per element and LLVM
cannot vectorise it (4x slower than NumPy). The helpers here are branch-free arithmetic: range reduction,
a polynomial, a scale by 2**k built from bits, special cases as selects. LLVM inlines them into the
kernel's loop and vectorises the whole loop body (<8 x double> with AVX-512).

Accuracy (measured against mpmath by tests/test_vecmath.py and benchmarks/vecmath.py):
- float64 exp/log: about 0.5 ulp; the value before the last rounding is carried as hi + lo so only the
  final addition rounds noticeably. Subnormal results of exp round twice (at most 1 ulp).
- float32 exp/log: computed in float64 with a shorter polynomial (relative error < 2**-34) and rounded
  once to float32: at most 0.5 + 2**-10 ulp.

The helpers are compiled without fast-math flags (`ieee=True`): their error-free transformations
(Fast2Sum, Cody-Waite) rely on each operation rounding as IEEE says, which `reassoc` would undo.
Coefficients: minimax fits by benchmarks/vecmath_coefficients.py.
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

# ---------------------------------------------------------------- coefficients (lowest degree first)
# (e^r - 1 - r - r^2/2) / r^3 on |r| <= ln2/2: relative error 2^-53.8 after rounding to float64
EXP64_C = (0.16666666666666666, 0.04166666666666667, 0.008333333333333331, 0.0013888888888883763,
           0.00019841269841283532, 2.48015873255018e-05, 2.755731920003182e-06, 2.755727369638004e-07,
           2.505211600647098e-08, 2.091466641847979e-09, 1.607166742803361e-10)
# e^r on |r| <= ln2/2: relative error 2^-34.5
EXP32_P = (0.9999999999616817, 1.000000000243098, 0.5000000104536807, 0.16666665126131977,
           0.041666225423761735, 0.008333561090481554, 0.0013948183445988275, 0.00019775171765039036)
# (2 atanh(s) - 2s) / s^3 in z = s^2, |s| <= (sqrt2 - 1)/(sqrt2 + 1): relative error 2^-54
LOG64_P = (0.6666666666666666, 0.4000000000000088, 0.2857142857080192, 0.22222222392059543,
           0.18181795606536608, 0.15386241378901996, 0.1326873168072437, 0.1308702896405809)
# 2 atanh(s) / s in z = s^2: relative error 2^-37.8
LOG32_P = (2.000000000008424, 0.666666652404421, 0.40000385871287464, 0.2853498578596811, 0.23617468581886927)

# ln2 split so that k * LN2_HI is exact for |k| < 2^20 (its low 21 bits are zero; fdlibm's constants)
LN2_HI = 0.6931471803691238
LN2_LO = 1.9082149292705877e-10
LN2 = 0.6931471805599453
INV_LN2 = 1.4426950408889634
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


# ---------------------------------------------------------------- exp
# x = k ln2 + r, |r| <= ln2/2, k = rint(x/ln2); hi = x - k LN2_HI is exact, lo = k LN2_LO, r = hi - lo
# rounds (its error r_err is recovered exactly). e^r = 1 + hi + r^2/2 + (-lo + r^3 C(r)): the two big
# additions are error-free (Fast2Sum), r^2/2 is exact for the top 26 bits of r (rh), so only the last
# addition rounds noticeably; the terms that do round are < 0.007 (about 0.03 ulp all told).
# 2^k is applied as two factors 2^(k>>1) and 2^(k - k>>1): k spans [-1076, 1024] and a single
# factor would not be a normal float64 at either end; the first product is exact.
# Subnormal results would round twice that way (0.75 ulp): there (z = p 2^(k+1022) < 1), 1 + z is
# rounded at the position of the subnormal's last bit, the 1 taken off exactly and the rest scaled by
# 2^-1022 exactly. Only that last product may be subnormal: subnormal intermediates on the common path
# would cost a microcode assist per element (27 ns).
# Inputs are clamped to [-746, 710] first: outside, the result is 0 or inf anyway, and the clamp keeps
# k in range. The clamp maps NaN to 710; the last select gives NaN back.
ops.helper("vexp_f64", _fill('''
def {name}(x):
    xc = x if x < 710.0 else 710.0
    xc = xc if xc > -746.0 else -746.0
    kf = np.rint(xc * <INV_LN2>)
    hi = xc - kf * <LN2_HI>
    lo = kf * <LN2_LO>
    r = hi - lo
    r_err = (hi - r) - lo
    rh = _vm_bits_float(_vm_float_bits(r) & -134217728)
    rl = r - rh
    half_sq_hi = 0.5 * rh * rh
    half_sq_lo = 0.5 * rl * (r + rh) + r * r_err
    cubic = r * r * r * <C>
    t = 1.0 + hi
    t_err = (1.0 - t) + hi
    u = t + half_sq_hi
    u_err = (t - u) + half_sq_hi
    small = ((t_err + u_err) + half_sq_lo) + (cubic - lo)
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
    res = base * (2.2250738585072014e-308 if subnormal else scale2)
    return res if x == x else x
''', INV_LN2=INV_LN2, LN2_HI=LN2_HI, LN2_LO=LN2_LO, C=horner("r", EXP64_C)), requires=("bitcast",), ieee=True)

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


# ---------------------------------------------------------------- log
# x = 2^e m, m in [sqrt2/2, sqrt2) (bit trick: adding 1.0's bits minus sqrt2/2's bits carries into the
# exponent exactly when the mantissa is >= sqrt2's). f = m - 1 is exact, s = f / (2 + f) and
# log(m) = 2 atanh(s) = f - f^2/2 + s (f^2/2 + s^2 P(s^2)).
# float64: e LN2_HI + f - fh^2/2 is summed with two Fast2Sums (fh = f with 32 low bits cleared, so
# fh^2/2 is exact); the rounding errors and the small terms are added before the one last rounding.
# Subnormal x are scaled by 2^54 first. Special values by selects: log(+-0) = -inf, log(x<0) = NaN,
# log(inf) = inf, log(NaN) = NaN.
ops.helper("vlog_f64", _fill('''
def {name}(x):
    tiny = x < 2.2250738585072014e-308
    xs = x * 18014398509481984.0 if tiny else x
    ix = _vm_float_bits(xs) + <OFFSET>
    e = (ix >> 52) - (1077 if tiny else 1023)
    m = _vm_bits_float((ix & <MASK>) + <SQRT_HALF>)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    fh = _vm_bits_float(_vm_float_bits(f) & -4294967296)
    fl = f - fh
    hh = 0.5 * fh * fh
    hl = 0.5 * fl * (f + fh)
    dk = np.float64(e)
    a = dk * <LN2_HI>
    t1 = a + f
    e1 = (a - t1) + f
    t2 = t1 - hh
    e2 = (t1 - t2) - hh
    small = ((e1 + e2) - hl) + (s * ((hh + hl) + z * <P>) + dk * <LN2_LO>)
    res = t2 + small
    res = x if x == np.inf else res
    res = -np.inf if x == 0.0 else res
    res = np.nan if x < 0.0 else res
    return res if x == x else x
''', OFFSET=ONE_BITS_MINUS_SQRT_HALF, MASK=MANTISSA_MASK, SQRT_HALF=SQRT_HALF_BITS, LN2_HI=LN2_HI,
                                   LN2_LO=LN2_LO, P=horner("z", LOG64_P)), requires=("bitcast",), ieee=True)

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


def calls(name):
    """An emission calling the helper `name_f64` or `name_f32`, the kernel's real dtype."""
    def emit(ctx, node, *args):
        suffix = "f32" if ctx.variant == "float32" else "f64"
        return f"@{name}_{suffix}({', '.join(args)})"
    return emit


VECTORISED = {"exp": "vexp", "log": "vlog"}  # op name -> helper family, for the ops switched over
