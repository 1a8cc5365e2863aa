"""The stable primitive pow1p(u, v) = (1 + u)^v (C23's compoundn for integer v): one op with all its facts
(Numba helpers per dtype, mpmath reference, derivative, SymPy meaning and the SymPy function users write,
`sg.pow1p`); its value range is in symgraph/domain.py, the rule that rewrites (1 + u)**v to it in
symgraph/rules/powers.py.

(1 + u)**v as typed rounds 1 + u first, and pow multiplies that relative error (up to 2^-53) by v:
(1 + 1/x)**x at x = 1e15 is off by 24 bits. Here the rounding is carried exactly: 1 + u = b + d (TwoSum),
so (1 + u)^v = b^v (1 + d/b)^v = pow(b, v) e^t with t = v log1p(d/b), |d/b| <= 2^-53; t is taken as an
unrounded pair and e^t unrounded from vecmath's exp reduction, so that only pow's own error (libm, about
half an ulp) and one final rounding remain: within 1 ulp of the exact value where pow(b, v) is a normal
number (about 2 ulps where it over- or underflows and the result does not; there pow(|b|, v/2) is squared).
"""
from __future__ import annotations

import mpmath
import sympy
from sympy.codegen import cfunctions

from . import ops
from .ir import const
from .stable_functions import _StableFunction
from .vecmath import INV_LN2, LN2_HI, LN2_LO

NAN = mpmath.mpf("nan")


def mp_pow1p(u, v):
    """(1 + u)^v with 1 + u exact (mpmath's fadd(exact=True)), with IEEE pow's values where C99 defines
    them as the typed formula's (pow(x, 0) = pow(1, y) = 1 even for NaN; pow(-inf, y); pow(0, y < 0) = inf)
    and NaN where the power is not real (a negative base and a non-integer v; a negative base and an
    infinite v, which has no limit). The same semantics as symgraph.reference gives POW(1 + u, v)."""
    if v == 0 or u == 0:
        return mpmath.mpf(1)
    if mpmath.isnan(u) or mpmath.isnan(v):
        return NAN
    base = mpmath.fadd(1, u, exact=True)
    if base == mpmath.ninf:
        odd = mpmath.isfinite(v) and v == mpmath.floor(v) and int(v) % 2 == 1
        magnitude = mpmath.inf if v > 0 else mpmath.mpf(0)
        return -magnitude if odd else magnitude
    if base == 0:
        return mpmath.inf if v < 0 else mpmath.mpf(0)
    value = mpmath.power(base, v)
    if isinstance(value, mpmath.mpc):
        return value.real if value.imag == 0 else NAN
    return value


class pow1p(_StableFunction):
    """(1 + u)**v without the rounding of 1 + u: (1 + 1/x)**x at x = 1e15 to the last bit."""
    nargs = 2
    _reference = staticmethod(mp_pow1p)
    _real_everywhere = False  # a negative base to a non-integer power

    @classmethod
    def eval(cls, u, v):
        if u.is_zero or v.is_zero:
            return sympy.S.One
        if u.is_Rational and v.is_Rational:  # exact numbers: SymPy's own power (floats go through evalf)
            return sympy.Pow(1 + u, v)

    def fdiff(self, argindex=1):
        u, v = self.args
        return v * pow1p(u, v - 1) if argindex == 1 else self * cfunctions.log1p(u)

    def _eval_rewrite_as_Pow(self, u, v, **kwargs):
        return (1 + u) ** v


# ---------------------------------------------------------------- the Numba helpers
# float64. b = 1 + u and its error d by TwoSum (exact for every finite u); r = pow(b, v) (libm). Where
# d = 0 (the base is exact; also b = +-inf and NaN u, where d is NaN and is zeroed) r is the answer, with
# all of pow's IEEE values. Otherwise q + q_lo = d/b (the division's remainder by FMA) and
# t + t_lo = v log1p(q) = v (q + q_lo - q^2/2) (the next term, q^3/3, is below 2^-159 of it) as an exact
# product pair. e^(t + t_lo) = (w + w_lo) 2^k by vecmath's reduction (vm_exp_poly: relative error about
# 2^-60, unrounded). r is split into its mantissa m in [1/2, 1) (with its sign) and exponent e, so that
# m (w + w_lo), in [0.35, 1.42), is rounded once and scaled by 2^(e + k) exactly in three factors (each
# a normal float; e + k is clamped to +-3000, beyond which the result is 0 or inf), however far r e^t is
# from r. Where r is 0, inf or subnormal but d is not 0 (which matters for |v| beyond about 2^50, near
# b = 1, where e^t can bring the result back into range),
# the mantissa is that of a = pow(|b|, v/2) (scaled by 2^64 first where it is subnormal), squared as an
# exact pair (v/2 is exact), with r's sign; where a is 0 or inf, so is the result (t is at most half of
# v log(b) there), and r stays.
# t is clamped to +-1460: beyond, r e^t over- or underflows for every normal r. NaN v with b = 1 (u
# tiny) is NaN, not pow(1, NaN) = 1: 1 + u is not 1.
ops.helper("pow1p_f64", """
def {name}(u, v):
    b = 1.0 + u
    back = b - u
    d = (1.0 - back) + (u - (b - back))
    d = d if d - d == 0.0 else 0.0
    r = b ** v
    q = d / (b if d != 0.0 else 1.0)
    q_lo = _vm_fma(-q, b, d) / b
    t = v * q
    t_lo = _vm_fma(v, q, -t) + v * (q_lo - 0.5 * q * q)
    inside = abs(t) < 1460.0
    tc = t if inside else (1460.0 if t > 0.0 else -1460.0)
    t_lo = t_lo if inside else 0.0
    kf = np.rint(tc * INV_LN2)
    w, w_lo = @vm_exp_poly_f64(tc - kf * LN2_HI, kf * LN2_LO - t_lo)
    squared = (abs(r) < 2.2250738585072014e-308) | (abs(r) == np.inf)
    a = r
    if squared and d != 0.0:
        a = abs(b) ** (0.5 * v)
    squared = squared and d != 0.0
    tiny = abs(a) < 2.2250738585072014e-308
    bits = _vm_float_bits(a * 18446744073709551616.0 if tiny else a)
    e = ((bits >> 52) & 2047) - (1086 if tiny else 1022)
    m = _vm_bits_float((bits & -9218868437227405313) | 4602678819172646912)
    s = m * m if squared else m
    s_lo = _vm_fma(m, m, -s) if squared else 0.0
    p = s * w
    p_lo = _vm_fma(s, w, -p) + (s * w_lo + s_lo * w)
    k = (e + e if squared else e) + np.int64(kf)
    k = k if k < 3000 else 3000
    k = k if k > -3000 else -3000
    k1 = k // 3
    k2 = (k - k1) // 2
    res = (((p + p_lo) * _vm_bits_float((k1 + 1023) << 52)) * _vm_bits_float((k2 + 1023) << 52)) \\
        * _vm_bits_float((k - k1 - k2 + 1023) << 52)
    res = math.copysign(res, r) if squared else res
    res = res if (a != 0.0) & (abs(a) < np.inf) else r
    res = v if v != v else res
    return r if d == 0.0 else res
""".replace("INV_LN2", repr(INV_LN2)).replace("LN2_HI", repr(LN2_HI)).replace("LN2_LO", repr(LN2_LO)),
           requires=("fma", "bitcast"), ieee=True)
# float32: in float64 (1 + u is then exact for nearly every float32 u), rounded once
ops.helper("pow1p_f32", """
def {name}(u, v):
    return np.float32(@pow1p_f64(np.float64(u), np.float64(v)))
""", ieee=True)


def _emit(ctx, node, u, v):
    return f"@pow1p_{'f32' if ctx.variant == 'float32' else 'f64'}({u}, {v})"


def _vjp(g, out, u, v):
    # d/du = v (1 + u)^(v - 1); d/dv = (1 + u)^v log1p(u), taken as 0 at u = -1 (the limit for v > 0, as
    # pow's derivative takes it at a zero base) instead of 0 * -inf
    safe_u = ops.SELECT(ops.EQ(u, -1), const(0), u)
    return g * v * POW1P(u, v - 1), g * out * ops.LOG1P(safe_u)


POW1P = ops.defop("pow1p", 2, pow1p, sympy_types=(pow1p,), emit=_emit, mpmath=mp_pow1p, vjp=_vjp,
                  description="(1 + u)**v without the rounding of 1 + u (C23 compoundn)",
                  extra={"nan_arguments": True})  # mp_pow1p gives pow's 1 at (0, NaN) and (NaN, 0)
