"""The stable primitive stirlerr(n) = loggamma(n + 1) - (n + 1/2) log(n) + n - log(2 pi)/2, the error of
Stirling's formula for n! (Binet's mu(n): loggamma(n) = (n - 1/2) log(n) - n + log(2 pi)/2 + stirlerr(n)),
one op with all its facts (Numba helpers per dtype, mpmath reference, derivative, SymPy meaning,
`sg.stirlerr`); its range is in symgraph/domain.py, the rules that use it in symgraph/rules/gamma.py.

Typed, the difference cancels: its terms are of order n log(n), its value 1/(12 n) (all 53 bits lost
from n ~ 1e7). Here, from n = 10: Stirling's series 1/(12 n) - 1/(360 n^3) + ..., ten terms (the next one is
below 2^-55 of the sum there), Horner in 1/n^2; below, the recurrence stirlerr(n) = stirlerr(n + 1) +
d(n), d(n) = (n + 1/2) log1p(1/n) - 1 = atanh(t)/t - 1 = atanh_minus_x(t)/t with t = 1/(2n + 1) (a sum
of positive terms, each from symgraph/stable_series.py's atanh_minus_x, accurate for every t < 1), up to
ten steps to n >= 10; the half-integers up to 10 from a table (correctly rounded). Below 1, where t
would approach 1 and the roundings of 2n + 1 and t would dominate 1 - t, the definition itself, whose
terms cancel by up to 4 bits there: (n + 1/2) log(n) as an unrounded pair (vecmath's log as a pair, an
FMA), summed with n - log(2 pi)/2 by TwoSums, loggamma(1 + n) (at most 0.12) corrected for the rounding
of 1 + n to first order (digamma(1 + n) ~ log(n + 1/2) + 1/(24 (n + 1/2)^2), within 0.05).
Within 3 ulps everywhere (mostly correctly rounded); stirlerr(0) = +inf, stirlerr(inf) = 0, NaN below 0
and at NaN. float32: in float64, rounded once. Loader (2000), "Fast and accurate computation of binomial
probabilities" (R's dpois_raw and stirlerr: a table of half-integers and this series).
"""
from __future__ import annotations

import math

import mpmath
import sympy

from . import ops
from .ir import const
from .stable import _calls
from .stable_functions import _StableFunction

SERIES_FROM = 10.0   # the series from here; the recurrence below
# B_2k/(2k (2k - 1)), k = 1..10: 1/12, -1/360, 1/1260, -1/1680, 1/1188, -691/360360, 1/156, ...
SERIES = [sympy.bernoulli(2 * k) / (2 * k * (2 * k - 1)) for k in range(1, 11)]
with mpmath.workdps(40):
    C_HI = float(mpmath.log(2 * mpmath.pi) / 2)                      # log(2 pi)/2 as a pair
    C_LO = float(mpmath.log(2 * mpmath.pi) / 2 - mpmath.mpf(C_HI))


def _half_integer_table():
    """stirlerr(j/2) for j = 0 .. 2 SERIES_FROM, correctly rounded (j = 0: +inf, not read)."""
    values = ["np.inf"]
    with mpmath.workdps(40):
        for j in range(1, int(2 * SERIES_FROM) + 1):
            values.append(repr(float(mp_stirlerr(mpmath.mpf(j) / 2))))
    return "(" + ", ".join(values) + ")"


S0_HI = float(SERIES[0])                      # 1/12 as a pair: the series' leading term
S0_LO = float(SERIES[0] - sympy.Rational(S0_HI))


def _series_source():
    """SERIES[1:] as a polynomial in v = 1/n^2 (Horner)."""
    c = [repr(float(v)) for v in SERIES[1:]]
    poly = c[-1]
    for v in reversed(c[:-1]):
        poly = f"({v} + v * {poly})"
    return poly


# ---------------------------------------------------------------- exact meaning
def mp_stirlerr(n):
    if mpmath.isnan(n) or n < 0:
        return mpmath.mpf("nan")
    if n == 0:
        return mpmath.inf
    if mpmath.isinf(n):
        return mpmath.mpf(0)
    # the terms are ~n log(n), the value ~1/(12 n): twice n's binary exponent of extra bits, and more
    # (in steps of 64 bits: mpmath's loggamma caches its coefficients per precision)
    extra = 64 * ((2 * max(int(mpmath.mag(n)), 0) + 30) // 64 + 1)
    with mpmath.workprec(mpmath.mp.prec + extra):
        n = mpmath.mpf(n)
        r = mpmath.loggamma(n + 1) - (n + mpmath.mpf(1) / 2) * mpmath.log(n) + n - mpmath.log(2 * mpmath.pi) / 2
    return +r


ops.helper("stirlerr_f64", f"""
def {{name}}(n):
    if not (n >= 0.0):
        return np.nan
    if n == 0.0:
        return np.inf
    if n < 1.0:
        m, e = math.frexp(n)
        hi, lo = @vm_log1p_dd_parts_f64(m - 1.0, 0.0, np.float64(e))
        s = n + 0.5
        b = s - n
        s_lo = (n - (s - b)) + (0.5 - b)
        p = s * hi
        p_lo = _vm_fma(s, hi, -p) + (s * lo + s_lo * hi)
        u = n - p
        b = u - n
        u_lo = (n - (u - b)) - (p + b)
        v = u - {C_HI!r}
        v_lo = (u - v) - {C_HI!r}
        one = 1.0 + n
        psi = math.log(s) + 1.0 / (24.0 * s * s)
        lg = math.lgamma(one) + (n - (one - 1.0)) * psi
        return v + (lg + ((u_lo + v_lo) - (p_lo + {C_LO!r})))
    h = n + n
    if n <= {SERIES_FROM!r} and h == math.floor(h):
        return {_half_integer_table()}[np.int64(h)]
    s = 0.0
    m = n
    while m < {SERIES_FROM!r}:
        t = 1.0 / (m + m + 1.0)
        s += @atanh_minus_x_f64(t) / t
        m += 1.0
    u = 1.0 / m
    v = u * u
    return s + ({S0_HI!r} + ({S0_LO!r} + v * {_series_source()})) / m
""", requires=("fma",), ieee=True)
ops.helper("stirlerr_f32", """
def {name}(n):
    return np.float32(@stirlerr_f64(np.float64(n)))
""", ieee=True)


def stirlerr_value(v: float) -> float:
    """stirlerr at a float (bounds of symgraph/domain.py)."""
    if v != v or v < 0:
        return math.nan
    with mpmath.workdps(20):
        return float(mp_stirlerr(mpmath.mpf(v)))


class stirlerr(_StableFunction):
    """loggamma(n + 1) - (n + 1/2) log(n) + n - log(2 pi)/2: the error of Stirling's formula for log(n!)
    (about 1/(12 n)), without the cancellation of its terms; +inf at 0, NaN below."""
    nargs = 1
    _reference = staticmethod(mp_stirlerr)
    _real_everywhere = False

    @classmethod
    def eval(cls, n):
        if n is sympy.S.Infinity:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        n = self.args[0]
        return sympy.digamma(n + 1) - sympy.log(n) - 1 / (2 * n)

    def _eval_rewrite_as_loggamma(self, n, **kwargs):
        return sympy.loggamma(n + 1) - (n + sympy.S.Half) * sympy.log(n) + n - sympy.log(2 * sympy.pi) / 2

    def _eval_is_extended_real(self):
        return True if self.args[0].is_extended_positive else None


_HALF = const(sympy.S.Half)
STIRLERR = ops.defop("stirlerr", 1, stirlerr, sympy_types=(stirlerr,), emit=_calls("stirlerr"), mpmath=mp_stirlerr,
                     vjp=lambda g, out, n: (g * (ops.DIGAMMA(n + 1) - ops.LOG(n) - _HALF / n),),
                     description="loggamma(n + 1) - (n + 1/2) log(n) + n - log(2 pi)/2 (Stirling's error)")
