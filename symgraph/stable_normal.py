"""The stable primitives ndtr(x) = Phi(x), the standard normal CDF, and log_ndtr(x) = log Phi(x): one op
each with all its facts (Numba helpers per dtype, mpmath reference, derivative, SymPy meaning and the
SymPy function users write, `sg.ndtr`, `sg.log_ndtr`); ndtr's value range is in symgraph/domain.py, the
rules that rewrite the erf/erfc spellings (and GELU's, and log Phi) to them in symgraph/rules/normal.py.

Typed, Phi(x) is erfc(-x/sqrt(2))/2 (or (1 + erf(x/sqrt(2)))/2, which the erf complement rule turns into
that): z = x/sqrt(2) rounds (relative error up to 2^-53), and erfc multiplies the relative error of its
argument by z erfc'(z)/erfc(z) ~ 2 z^2: 7 bits at x = -10, 10 bits at x = -37. Here Phi(-|x|) =
e^(-x^2/2) erfcx(z)/2: x^2/2 is an exact pair, so e^(-x^2/2) is computed to ~2^-60 (vecmath's exp
reduction); erfcx(z) = e^(z^2) erfc(z) is well-conditioned in z, and the rounding error of z (exact by
FMA) enters its Taylor expansion (the erfcx op's table, symgraph/stable_erfcx.py); the product is rounded
once. Within 0.53 ulp of Phi below 0 (the subnormal tail included), 0.75 ulp above (1 - Phi(-x)), and
faster than the typed libm erf/erfc call (branch-free and inline). log_ndtr is -x^2/2 + log(erfcx(z)/2)
from the same parts (its asymptotic series beyond the table), log1p(-Phi(-x)) above 0: within 1 ulp,
finite where Phi underflows.
"""
from __future__ import annotations

import mpmath
import sympy

from . import ops, stable_erfcx  # noqa: F401  (registers erfcx_pair_f64)
from .ir import const
from .stable_functions import _StableFunction
from .vecmath import INV_LN2, LN2_HI, LN2_LO

NAN = mpmath.mpf("nan")
# 1/sqrt(2) as a double-double: INV_SQRT2 (correctly rounded) + INV_SQRT2_LO
INV_SQRT2 = 0.7071067811865476
INV_SQRT2_LO = -4.833646656726457e-17


def mp_ndtr(x):
    """Phi(x) = erfc(-x/sqrt(2))/2 at the working precision (no cancellation on either side)."""
    if mpmath.isnan(x):
        return NAN
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2


def mp_log_ndtr(x):
    """log Phi(x): log1p(-Phi(-x)) above 0, where Phi is near 1 (no cancellation at any precision)."""
    if mpmath.isnan(x):
        return NAN
    if x > 0:
        return mpmath.log1p(-mp_ndtr(-x))
    return mpmath.log(mp_ndtr(x))


class ndtr(_StableFunction):
    """The standard normal CDF Phi(x) = erfc(-x/sqrt(2))/2, to the last bits also where it is tiny
    (x = -37: 5.7e-300); GELU is x*ndtr(x)."""
    nargs = 1
    _reference = staticmethod(mp_ndtr)

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.Half
        if x is sympy.S.Infinity:
            return sympy.S.One
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sympy.exp(-x ** 2 / 2) / sympy.sqrt(2 * sympy.pi)

    def _eval_rewrite_as_erfc(self, x, **kwargs):
        return sympy.erfc(-x / sympy.sqrt(2)) / 2

    def _eval_rewrite_as_erf(self, x, **kwargs):
        return (1 + sympy.erf(x / sympy.sqrt(2))) / 2

    def _eval_is_positive(self):
        return True if self.args[0].is_finite and self.args[0].is_extended_real else None


class log_ndtr(_StableFunction):
    """log Phi(x), finite down to x = -1.9e154 (Phi underflows at -38.5): about -x^2/2 there."""
    nargs = 1
    _reference = staticmethod(mp_log_ndtr)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.Infinity:
            return sympy.S.Zero
        if x is sympy.S.NegativeInfinity:
            return sympy.S.NegativeInfinity
        if x.is_zero:
            return -sympy.log(2)

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sympy.exp(-x ** 2 / 2) / (sympy.sqrt(2 * sympy.pi) * ndtr(x))

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(ndtr(x))


# ---------------------------------------------------------------- the Numba helpers
# float64: Phi(-|x|) = e^(-x^2/2) erfcx(z)/2, z = |x|/sqrt(2), erfcx(z) = e^(z^2) erfc(z) (smooth and
# well-conditioned: its relative condition is below 1), and Phi(x) = 1 - Phi(-x) for x >= 0 (Phi(-x) <= 1/2:
# no cancellation). x^2/2 is an exact pair (FMA), e^-(x^2/2) unrounded from vecmath's exp reduction
# (vm_exp_poly, relative error ~2^-60). erfcx(z) is the erfcx op's own table evaluation
# (symgraph/stable_erfcx.py, erfcx_pair_f64: an unrounded pair up to z = 27.5, x = -38.9; Phi is 0 below
# -38.485), given z's rounding error (zl, by FMA with 1/sqrt(2) as a double-double) as the low part of its
# argument; halving the pair is exact. The product of the two unrounded pairs is rounded once, with the
# scaling by 2^k (exact, or one rounding of a subnormal: vm_exp_scale). Branch-free (a select for x >= 0 and
# for |x| >= 38.6, where Phi(-|x|) is 0).
# erfcx(z)/2 for z = ax/sqrt(2) as an unrounded pair q + q_lo; ax < 38.6 (z < 27.3), 0 where not inside
ops.helper("ndtr_erfcx_half_f64", """
def {name}(ax, inside):
    zh = ax * INV_SQRT2
    zl = _vm_fma(ax, INV_SQRT2, -zh) + ax * INV_SQRT2_LO
    q, q_lo = @erfcx_pair_f64(zh if inside else 0.0, zl if inside else 0.0)
    return 0.5 * q, 0.5 * q_lo
""".replace("INV_SQRT2_LO", repr(INV_SQRT2_LO)).replace("INV_SQRT2", repr(INV_SQRT2)), requires=("fma",),
           ieee=True)
ops.helper("ndtr_half_erfc_f64", """
def {name}(ax):
    sq = ax * ax
    sq_lo = _vm_fma(ax, ax, -sq)
    inside = sq < 1490.0
    t = 0.5 * sq if inside else 745.0
    t_lo = 0.5 * sq_lo if inside else 0.0
    kf = np.rint(-t * INV_LN2)
    w, w_lo = @vm_exp_poly_f64(-t - kf * LN2_HI, kf * LN2_LO + t_lo)
    q, q_lo = @ndtr_erfcx_half_f64(ax, inside)
    p = w * q
    p_lo = _vm_fma(w, q, -p) + (w * q_lo + w_lo * q)
    res = @vm_exp_scale_f64(p, p_lo, kf)
    return res if inside else 0.0
""".replace("INV_LN2", repr(INV_LN2)).replace("LN2_HI", repr(LN2_HI)).replace("LN2_LO", repr(LN2_LO)),
           requires=("fma",), ieee=True)
ops.helper("ndtr_f64", """
def {name}(x):
    h = @ndtr_half_erfc_f64(abs(x))
    res = h if x < 0.0 else 1.0 - h
    return res if x == x else x
""", ieee=True)
# float32: the float64 helper (within 0.53 ulp of float64), rounded once
ops.helper("ndtr_f32", """
def {name}(x):
    return np.float32(@ndtr_f64(np.float64(x)))
""", ieee=True)


def _emit(ctx, node, x):
    return f"@ndtr_{'f32' if ctx.variant == 'float32' else 'f64'}({x})"


_INV_SQRT_2PI = const(1 / sympy.sqrt(2 * sympy.pi))
_MINUS_HALF = const(-sympy.S.Half)


def _vjp(g, out, x):
    # the normal density e^(-x^2/2)/sqrt(2 pi); x*x overflows to inf only where the density is 0
    return (g * (_INV_SQRT_2PI * ops.EXP(_MINUS_HALF * (x * x))),)


NDTR = ops.defop("ndtr", 1, ndtr, sympy_types=(ndtr,), emit=_emit, mpmath=mp_ndtr, vjp=_vjp,
                 description="the standard normal CDF Phi(x) = erfc(-x/sqrt(2))/2, without the rounding of "
                             "x/sqrt(2) that erfc magnifies by 2 z^2")


# ---------------------------------------------------------------- log Phi
def _asymptotic_series(terms=10):
    """(S - 1)/y = -1 + y (3 + y (-15 + ...)), S = sum_n (-1)^n (2n - 1)!! y^n, by Horner in y."""
    coeffs, double_factorial = [], 1
    for n in range(1, terms + 1):
        double_factorial *= 2 * n - 1
        coeffs.append(float((-1) ** n * double_factorial))
    text = repr(coeffs[-1])
    for c in reversed(coeffs[:-1]):
        text = f"({c!r} + y * {text})"
    return text


# log Phi(x), branch-free (selects), every part vectorisable. Above 0, log1p(-Phi(-x)) (Phi near 1: its
# log is -Phi(-x) to first order, no cancellation), Phi(-x) from the helper above. At and below 0, to
# x = -38.6: -x^2/2 + log(erfcx(z)/2), the first an exact pair (FMA), the second the table's unrounded
# pair through vecmath's log reduction (vm_log_reduce, vm_log1p_poly: unrounded), the parts summed with
# TwoSums and rounded once (no cancellation: both terms are negative). Below -38.6 (z > 27.29), erfcx(z)/2
# = S/(sqrt(2 pi) |x|) with S = 1 - y + 3y^2 - 15y^3 + ... (y = 1/x^2, the asymptotic series to its 10th
# term: the first left out is below 2^-70 of it): -x^2/2 - (log|x| + log(2 pi)/2 - log1p(S - 1)), where
# x^2/2 (at least 745) carries the result and the logarithms (below 1/100 of it) need no pairs. -inf at
# -inf and from x = -1.9e154 (x^2 overflows), -0 at +inf.
ops.helper("log_ndtr_f64", """
def {name}(x):
    ax = abs(x)
    positive = @vlog1p_f64(-@ndtr_half_erfc_f64(ax))
    inside = ax < 38.6
    sq = ax * ax
    t = 0.5 * sq
    t_lo = 0.5 * _vm_fma(ax, ax, -sq)
    t_lo = t_lo if t_lo - t_lo == 0.0 else 0.0
    q, q_lo = @ndtr_erfcx_half_f64(ax, inside)
    dk, f = @vm_log_reduce_f64(q)
    lt, tail = @vm_log1p_poly_f64(f)
    a = dk * LN2_HI
    r1 = a - t
    e1 = ((a - r1) - t) if abs(a) >= t else ((-t - r1) + a)
    r2 = r1 + lt
    e2 = ((r1 - r2) + lt) if abs(r1) >= abs(lt) else ((lt - r2) + r1)
    near = r2 + ((e1 + e2) + ((tail + q_lo / q) + (dk * LN2_LO - t_lo)))
    y = 1.0 / (sq if sq > 1.0 else 1.0)
    s_minus_one = y * SERIES
    far = -t - ((t_lo + 0.9189385332046728) + (@vlog_f64(ax) - @vlog1p_f64(s_minus_one)))
    res = positive if x > 0.0 else (near if inside else far)
    return res if x == x else x
""".replace("SERIES", _asymptotic_series()).replace("LN2_HI", repr(LN2_HI)).replace("LN2_LO", repr(LN2_LO)),
           requires=("fma",), ieee=True)
ops.helper("log_ndtr_f32", """
def {name}(x):
    return np.float32(@log_ndtr_f64(np.float64(x)))
""", ieee=True)


def _emit_log(ctx, node, x):
    return f"@log_ndtr_{'f32' if ctx.variant == 'float32' else 'f64'}({x})"


def _log_vjp(g, out, x):
    # phi(x)/Phi(x) = e^(-x^2/2 - log Phi(x))/sqrt(2 pi): finite where Phi and phi underflow (about -x)
    return (g * (_INV_SQRT_2PI * ops.EXP(_MINUS_HALF * (x * x) - out)),)


LOG_NDTR = ops.defop("log_ndtr", 1, log_ndtr, sympy_types=(log_ndtr,), emit=_emit_log, mpmath=mp_log_ndtr,
                     vjp=_log_vjp, description="log Phi(x): finite where Phi underflows (x < -38.5), "
                                               "log1p(-Phi(-x)) near 0")
