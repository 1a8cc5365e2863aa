"""The stable primitives ndtr(x) = Phi(x), the standard normal CDF, and log_ndtr(x) = log Phi(x): one op
each with all its facts (Numba helpers per dtype, mpmath reference, derivative, SymPy meaning and the
SymPy function users write, `sg.ndtr`, `sg.log_ndtr`); ndtr's value range is in symgraph/domain.py, the
rules that rewrite the erf/erfc spellings (and GELU's, and log Phi) to them in symgraph/rules/normal.py.

Typed, Phi(x) is erfc(-x/sqrt(2))/2 (or (1 + erf(x/sqrt(2)))/2, which the erf complement rule turns into
that): z = x/sqrt(2) rounds (relative error up to 2^-53), and erfc multiplies the relative error of its
argument by z erfc'(z)/erfc(z) ~ 2 z^2: 7 bits at x = -10, 10 bits at x = -37. Here z is carried as an
exact pair zh + zl (|x| times 1/sqrt(2) as a double-double constant, the product's error by FMA), and
erfc(zh + zl) = erfc(zh) (1 - R(zh) zl) to first order (the second-order term is 2^-90 of it), with
R(z) = -d/dz log erfc(z) = (2/sqrt(pi)) e^(-z^2)/erfc(z), which is needed to about 13 bits only (R zl is
below 2^-42). So only libm's erfc error is left (glibc: below 2.3 ulps, mean 0.4) and one rounding
(for x >= 0, 1/2 + erf(x/sqrt(2))/2, where the rounding of z costs below 0.25 ulp).
"""
from __future__ import annotations

import mpmath
import sympy

from . import ops
from .ir import const
from .stable_functions import _StableFunction

NAN = mpmath.mpf("nan")
# 1/sqrt(2) as a double-double: INV_SQRT2 (correctly rounded) + INV_SQRT2_LO
INV_SQRT2 = 0.7071067811865476
INV_SQRT2_LO = -4.833646656726457e-17
TWO_OVER_SQRT_PI = 1.1283791670955126


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
# float64. For x >= 0 (and NaN), 1/2 + erf(x/sqrt(2))/2: erf's relative condition is at most 1 and the
# result is in [1/2, 1], so the rounding of x/sqrt(2) costs below 0.25 ulp there (and erf is cheaper than
# the path below). For x < 0: z = |x|/sqrt(2) = zh + zl exactly (to 2^-106; zl is 0 at x = -inf), and
# Phi(x) = erfc(z)/2 = erfc(zh) (1 - R zl)/2. R = (2/sqrt(pi)) e^(-zh^2)/erfc(zh) up to z = 26 (e^(-z^2)
# and erfc are normal there; zh^2 rounding costs R 2^-43 of itself, which is nothing); beyond, its
# asymptotic expansion 2z + 1/z - 1/z^3 (relative error 5/(4 z^6) < 2^-27), with z capped at 64 so that
# inf*0 cannot occur (erfc is 0 there anyway). The correction is applied by one FMA where erfc(zh)/2 is
# a normal number; in the subnormal tail (x < -37.5) h = erfc(zh) (1/2 - R zl/2), a single rounding of
# the subnormal result. Phi underflows to 0 below x = -38.485.
ops.helper("ndtr_f64", """
def {name}(x):
    if not x < 0.0:
        return 0.5 + 0.5 * math.erf(x * INV_SQRT2)
    ax = abs(x)
    zh = ax * INV_SQRT2
    zl = _vm_fma(ax, INV_SQRT2, -zh) + ax * INV_SQRT2_LO
    zl = zl if zl - zl == 0.0 else 0.0
    e = math.erfc(zh)
    near = zh < 26.0
    zn = zh if near else 0.0
    zb = zh if zh < 64.0 else 64.0
    r = TWO_OVER_SQRT_PI * math.exp(-zn * zn) / (e if near else 1.0)
    r = r if near else 2.0 * zb + (1.0 - 1.0 / (zb * zb)) / zb
    c = -r * zl
    half = 0.5 * e
    h = _vm_fma(half, c, half) if e >= 4.450147717014403e-308 else e * (0.5 + 0.5 * c)
    return h
""".replace("TWO_OVER_SQRT_PI", repr(TWO_OVER_SQRT_PI)).replace("INV_SQRT2_LO", repr(INV_SQRT2_LO))
           .replace("INV_SQRT2", repr(INV_SQRT2)), requires=("fma",), ieee=True)
# float32: erfc(-x/sqrt(2))/2 in float64 (the rounding of z costs 2^-45 of the result at most before
# float32 underflows, at x = -14.2), rounded once
ops.helper("ndtr_f32", """
def {name}(x):
    return np.float32(0.5 * math.erfc(np.float64(x) * -INV_SQRT2))
""".replace("INV_SQRT2", repr(INV_SQRT2)), ieee=True)


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
# log Phi(x). Above 0, log1p(-Phi(-x)) (Phi near 1: its log is -Phi(-x) to first order, no cancellation).
# At and below 0, log erfc(z) - log 2 with z = -x/sqrt(2) = zh + zl as above: symgraph/stable.py's
# log_erfc (finite where erfc underflows: -z^2 - log(z sqrt(pi)) + log(1 + t) by its asymptotic series)
# of zh, plus the first-order correction -R(zh) zl, which is about 2^-52 of the result (the rounding of z
# moves log erfc by 2 z zl ~ 2 z^2 2^-53, and the result is ~ -z^2): 1-2 ulps without it. R =
# (2/sqrt(pi)) e^(-zh^2 - log erfc(zh)) to z = 26 (the exponent is small: log(z sqrt(pi)) and below),
# 2z + 1/z - 1/z^3 beyond (z capped at 1e300 only, for inf*0: R zl matters as far as x^2 is finite). The
# two negative terms and -log 2 (a double plus its tail) add without
# cancellation. -inf at -inf and from x = -1.9e154, where x^2 overflows (R zl may be -inf there too: the
# select keeps l), -0 at +inf.
ops.helper("log_ndtr_f64", """
def {name}(x):
    if x > 0.0:
        return math.log1p(-@ndtr_f64(-x))
    ax = abs(x)
    zh = ax * INV_SQRT2
    zl = _vm_fma(ax, INV_SQRT2, -zh) + ax * INV_SQRT2_LO
    zl = zl if zl - zl == 0.0 else 0.0
    l = @log_erfc_f64(zh)
    near = zh < 26.0
    zn = zh if near else 0.0
    zb = zh if zh < 1e300 else 1e300
    r = TWO_OVER_SQRT_PI * math.exp(-zn * zn - (l if near else 0.0))
    r = r if near else 2.0 * zb + (1.0 - 1.0 / (zb * zb)) / zb
    res = l - (0.6931471805599453 + (r * zl + 2.3190468138462996e-17))
    return l if l == -np.inf else res
""".replace("TWO_OVER_SQRT_PI", repr(TWO_OVER_SQRT_PI)).replace("INV_SQRT2_LO", repr(INV_SQRT2_LO))
           .replace("INV_SQRT2", repr(INV_SQRT2)), requires=("fma",), ieee=True)
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
