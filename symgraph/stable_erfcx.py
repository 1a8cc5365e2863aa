"""The stable primitive erfcx(x) = e^(x^2) erfc(x), the scaled complementary error function (SciPy's
special.erfcx; Mills' ratio of the normal distribution is sqrt(pi/2) erfcx(x/sqrt(2))): one op with all its
facts (Numba helpers per dtype, mpmath reference, derivative, SymPy meaning and the SymPy function users
write, `sg.erfcx`); its value range is in symgraph/domain.py, the rule that rewrites exp(x**2)*erfc(x) to
it in symgraph/rules/stability.py.

Typed, exp(x**2)*erfc(x) is inf*0 = NaN from x = 26.6 (erfc underflows from 26.5, exp overflows), where
erfcx is still 0.02; below, x*x rounds and exp turns that into x^2 ulps of error (a mean 1.6 bits on
[0, 26]). Here, on [0, 26), a table of Taylor expansions gives erfcx as an unrounded pair (the same helper,
erfcx_pair_f64, serves ndtr and log_ndtr in symgraph/stable_normal.py at z = |x|/sqrt(2)); below 0,
erfcx(x) = 2 e^(x^2) - erfcx(-x) with x^2 an exact pair (FMA) and e^(x^2) unrounded from vecmath's
reduction (no cancellation: 2 e^(x^2) >= 2, erfcx(-x) <= 1), rounded once; from 26 the asymptotic series
1/(x sqrt(pi)) sum_k (-1)^k (2k - 1)!!/(2x^2)^k, whose terms past the eighth are below 2^-62 of the sum
there. Below -26.6 the result overflows, as it should. No libm call: the kernel vectorises.
"""
from __future__ import annotations

import mpmath
import sympy

from . import ops
from .ir import const
from .stable import _calls
from .stable_functions import _StableFunction
from .vecmath import INV_LN2, LN2_HI, LN2_LO

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


# ---------------------------------------------------------------- the Numba helpers
TABLE_STEP, TABLE_SIZE, TABLE_DEGREE = 0.25, 110, 15


def _erfcx_table():
    """Rows (c0, c0_lo, a1, ..., a15) of erfcx(z) = sum a_k (z - z0)^k at z0 = (i + 1/2)/4, i < 110,
    c0 + c0_lo the value at z0 as a double-double (erfcx: Taylor coefficients by its derivatives'
    recurrence at 50 digits)."""
    rows = []
    with mpmath.workdps(50):
        for i in range(TABLE_SIZE):
            z0 = mpmath.mpf(i + 0.5) * TABLE_STEP
            a = [mpmath.erfc(z0) * mpmath.exp(z0 * z0), None]
            a[1] = 2 * z0 * a[0] - 2 / mpmath.sqrt(mpmath.pi)
            for k in range(1, TABLE_DEGREE):
                a.append((2 * z0 * a[k] + 2 * a[k - 1]) / (k + 1))
            head = float(a[0])
            rows.append([head, float(a[0] - head)] + [float(v) for v in a[1:]])
    return rows


def _horner_lines():
    """s = a1 + h (a2 + h (... a15)), unrolled over the table row c."""
    last = 1 + TABLE_DEGREE
    lines = [f"    s = c[{last}]"] + [f"    s = c[{k}] + h * s" for k in range(last - 1, 1, -1)]
    return "\n".join(lines)


# erfcx(z + z_lo) for 0 <= z < 27.5 as an unrounded pair q + q_lo, the one evaluation of erfcx on that
# range (this op's and ndtr's/log_ndtr's, at z = |x|/sqrt(2) with its rounding error as z_lo). erfcx is
# smooth and well-conditioned (relative condition below 1), so Taylor expansions of degree 15 on intervals
# of width 1/4 suffice (the first term left out is below 2^-62 of the value); their coefficients come from
# the recurrence erfcx' = 2z erfcx - 2/sqrt(pi), erfcx^(k+1) = 2z erfcx^(k) + 2k erfcx^(k-1) at 50 digits,
# the value at the centre as a double-double. z_lo goes into h = z - z0, so that only h P(h) (at most 0.13
# of the value, near z = 0) is rounded in double. Callers clamp z into the table (no bounds check here:
# the loop stays vectorisable).
ops.preamble("erfcx_table", "ERFCX_TABLE = np.array(" + repr(_erfcx_table()) + ")")
ops.helper("erfcx_pair_f64", """
def {name}(z, z_lo):
    i = np.int64(z * 4.0)
    c = ERFCX_TABLE[i]
    h = (z - (0.25 * i + 0.125)) + z_lo
HORNER
    hs = h * s
    q = c[0] + hs
    return q, ((c[0] - q) + hs) + c[1]
""".replace("HORNER", _horner_lines()), requires=("erfcx_table",), ieee=True)
# float64, branch-free (selects): the table's pair rounded once on [0, 26); below 0, 2 e^(x^2) - erfcx(-x)
# as 2^k (2w - 2^-k q) with e^(x^2) = 2^k w unrounded (x^2 = s + sl exact; s clamped to 710, where
# the result overflows anyway) and 2w >= 1.4 > 2^-k q, so one Fast2Sum and one rounding (vm_exp_scale);
# 2^-k is clamped at 2^-200, beyond which q no longer reaches the result's last bit. The asymptotic branch
# takes max(x, 26) so that it is finite on the other branches' points, and u = 1/(2x^2) is 0 beyond
# x = 1.3e154 (the series is 1 there). Where s is clamped, sl (huge, or NaN at -inf) is left out with it.
ops.helper("erfcx_f64", """
def {name}(x):
    ax = abs(x)
    q, q_lo = @erfcx_pair_f64(ax if ax < 27.0 else 0.0, 0.0)
    s = x * x
    inside = s < 710.0
    sc = s if inside else 710.0
    sl = _vm_fma(x, x, -s) if inside else 0.0
    kf = np.rint(sc * INV_LN2)
    w, w_lo = @vm_exp_poly_f64(sc - kf * LN2_HI, kf * LN2_LO - sl)
    down = _vm_bits_float((1023 - np.int64(kf if kf < 200.0 else 200.0)) << 52)
    qd = q * down
    p = 2.0 * w - qd
    p_lo = ((2.0 * w - p) - qd) + (2.0 * w_lo - q_lo * down)
    negative = @vm_exp_scale_f64(p, p_lo, kf)
    xa = x if x > ASYMPTOTIC_FROM else ASYMPTOTIC_FROM
    u = 0.5 / (xa * xa)
    series = 1.0 - u * (1.0 - 3.0 * u * (1.0 - 5.0 * u * (1.0 - 7.0 * u * (1.0 - 9.0 * u * (
        1.0 - 11.0 * u * (1.0 - 13.0 * u * (1.0 - 15.0 * u)))))))
    far = INV_SQRT_PI / xa * series
    res = negative if x < 0.0 else ((q + q_lo) if x < ASYMPTOTIC_FROM else far)
    return res if x == x else x
""".replace("ASYMPTOTIC_FROM", repr(ASYMPTOTIC_FROM)).replace("INV_SQRT_PI", repr(INV_SQRT_PI))
           .replace("INV_LN2", repr(INV_LN2)).replace("LN2_HI", repr(LN2_HI)).replace("LN2_LO", repr(LN2_LO)),
           requires=("fma", "bitcast"), ieee=True)
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
