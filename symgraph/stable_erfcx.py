"""The stable primitive erfcx(x) = e^(x^2) erfc(x), the scaled complementary error function (SciPy's
special.erfcx; Mills' ratio of the normal distribution is sqrt(pi/2) erfcx(x/sqrt(2))): one op with all its
facts (Numba helpers per dtype, mpmath reference, derivative, SymPy meaning and the SymPy function users
write, `sg.erfcx`); its value range is in symgraph/domain.py, the rule that rewrites exp(x**2)*erfc(x) to
it in symgraph/rules/stability.py.

Typed, exp(x**2)*erfc(x) is inf*0 = NaN from x = 26.6 (erfc underflows from 26.5, exp overflows), where
erfcx is still 0.02; below, x*x rounds and exp turns that into x^2 ulps of error (a mean 1.6 bits on
[0, 26]). Here x^2 = s + sl exactly (FMA) and e^(x^2) = e^s (1 + sl) for x < 26, times libm's erfc (glibc:
below 2.3 ulps); from 26 the asymptotic series 1/(x sqrt(pi)) sum_k (-1)^k (2k - 1)!!/(2x^2)^k, whose
terms past the eighth are below 2^-62 of the sum there. Below -26.6 the result overflows, as it should.
"""
from __future__ import annotations

import mpmath
import sympy

from . import ops
from .ir import const
from .stable import _calls
from .stable_functions import _StableFunction

NAN = mpmath.mpf("nan")
INV_SQRT_PI = 0.5641895835477563
ASYMPTOTIC_FROM = 26.0


def mp_erfcx(x):
    """e^(x^2) erfc(x) at the working precision; the limits at +-inf."""
    if mpmath.isnan(x):
        return NAN
    if mpmath.isinf(x):
        return mpmath.mpf(0) if x > 0 else mpmath.inf
    if x > 1e6:  # mpmath's erfc fails for huge x; the asymptotic series' k-th term is below (k/x^2)^k there
        u, term, total, k = 1 / (2 * x * x), mpmath.mpf(1), mpmath.mpf(0), 0
        while abs(term) > mpmath.eps * abs(total) or k == 0:
            total += term
            k += 1
            term *= -(2 * k - 1) * u
        return total / (x * mpmath.sqrt(mpmath.pi))
    return mpmath.exp(x * x) * mpmath.erfc(x)


class erfcx(_StableFunction):
    """e^(x^2) erfc(x): 0.0217 at x = 26, where the typed product is inf*0."""
    nargs = 1
    _reference = staticmethod(mp_erfcx)

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.One
        if x is sympy.S.Infinity:
            return sympy.S.Zero
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Infinity

    def fdiff(self, argindex=1):
        x = self.args[0]
        return 2 * x * erfcx(x) - 2 / sympy.sqrt(sympy.pi)

    def _eval_rewrite_as_erfc(self, x, **kwargs):
        return sympy.exp(x ** 2) * sympy.erfc(x)

    def _eval_is_positive(self):
        return True if self.args[0].is_extended_real else None


# float64; the asymptotic branch takes max(x, 26) so that it is finite on the other branch's points, and
# u = 1/(2x^2) is 0 beyond x = 1.3e154 (the series is 1 there). Where the correction e*sl is not finite
# (x = +-inf, e = inf) it is left out: e^inf erfc(-inf) = inf.
ops.helper("erfcx_f64", """
def {name}(x):
    s = x * x
    sl = _vm_fma(x, x, -s)
    e = @vexp_f64(s)
    c = e * sl
    near = (e + c if c - c == 0.0 else e) * math.erfc(x)
    xa = x if x > ASYMPTOTIC_FROM else ASYMPTOTIC_FROM
    u = 0.5 / (xa * xa)
    series = 1.0 - u * (1.0 - 3.0 * u * (1.0 - 5.0 * u * (1.0 - 7.0 * u * (1.0 - 9.0 * u * (
        1.0 - 11.0 * u * (1.0 - 13.0 * u * (1.0 - 15.0 * u)))))))
    far = INV_SQRT_PI / xa * series
    return far if x >= ASYMPTOTIC_FROM else near
""".replace("ASYMPTOTIC_FROM", repr(ASYMPTOTIC_FROM)).replace("INV_SQRT_PI", repr(INV_SQRT_PI)),
           requires=("fma",), ieee=True)
# float32: the float64 helper rounded once
ops.helper("erfcx_f32", """
def {name}(x):
    return np.float32(@erfcx_f64(np.float64(x)))
""", ieee=True)


def _vjp(g, out, x):
    # d/dx erfcx(x) = 2x erfcx(x) - 2/sqrt(pi)
    return (g * (2 * x * out - const(2 / sympy.sqrt(sympy.pi))),)


ERFCX = ops.defop("erfcx", 1, erfcx, sympy_types=(erfcx,), emit=_calls("erfcx"), mpmath=mp_erfcx, vjp=_vjp,
                  description="e^(x^2) erfc(x), finite where the typed product is inf*0")
