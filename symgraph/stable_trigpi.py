"""The stable primitives sinpi(x) = sin(pi x) and cospi(x) = cos(pi x) (C23's sinpi/cospi, IEEE 754-2019's
sinPi/cosPi): one op each with all its facts (Numba helpers per dtype, mpmath reference, derivative, SymPy
meaning and the SymPy functions users write, `sg.sinpi`, `sg.cospi`); their value range is in
symgraph/domain.py, the rule that rewrites sin(c*pi*u), cos(c*pi*u), tan(c*pi*u) to them in
symgraph/rules/trig.py.

Typed, sin(pi*x) rounds pi*x (pi itself, then the product), an absolute error of about ulp(pi x) in the
angle: near an integer x, where sin(pi x) is small, that is most of the result (a mean 8 bits of error
on [-1000, 1000]). Here the argument is reduced exactly: with n = rint(2|x|), r = |x| - n/2 is exact and
in [-1/4, 1/4]; by n mod 4 the result is +-sin(pi r) or +-cos(pi r), two polynomials in r (Taylor, 9 terms:
truncated below 2^-62) whose leading terms carry pi r and -(pi r)^2/2 as unrounded pairs (FMA), so that
only the final addition rounds noticeably: within an ulp everywhere, and exact (+-0, +-1) at the integers
and half-integers. Branch-free, no libm call: the kernel vectorises. From 2^53 every float is an even
integer (sinpi +0, cospi 1), as at 0: |x| is taken as 0 there, which also keeps 2|x| finite.
Signs follow IEEE 754-2019: sinpi is odd (sinpi(-0) = -0, sinpi(n) = +0 and sinpi(-n) = -0 for n > 0
integer), cospi(n + 1/2) = +0; +-inf and NaN give NaN. float32: in float64, rounded once.
Complex arguments: no emission (as cosm1): a complex kernel runs the formula as typed.
"""
from __future__ import annotations

import mpmath
import sympy

from . import ops
from .ir import const
from .stable import _calls
from .stable_functions import _StableFunction

TERMS = 9  # sin: r (pi - ... + S8 r^16); cos: 1 - ... + C8 r^16; the next terms are below 2^-62 at r = 1/4


def _split(v):
    """A float64 head and tail of an mpmath number."""
    head = float(v)
    return head, float(v - head)


def _coefficients():
    """pi, S1 = -pi^3/6 and C1 = -pi^2/2 as (head, tail) pairs; S1..S8 and C2..C8 rounded, where
    S_k = (-1)^k pi^(2k+1)/(2k+1)! and C_k = (-1)^k pi^(2k)/(2k)! are the Taylor coefficients of sin(pi r)
    and cos(pi r) in r."""
    with mpmath.workdps(60):
        pi = mpmath.pi
        sin_c = [float((-1) ** k * pi ** (2 * k + 1) / mpmath.factorial(2 * k + 1)) for k in range(1, TERMS)]
        cos_c = [float((-1) ** k * pi ** (2 * k) / mpmath.factorial(2 * k)) for k in range(2, TERMS)]
        return _split(pi), _split(-pi ** 3 / 6), _split(-pi ** 2 / 2), sin_c, cos_c


(PI_HI, PI_LO), (SIN_C1_HI, SIN_C1_LO), (COS_C1_HI, COS_C1_LO), SIN_C, COS_C = _coefficients()


def _horner(name, coefficients, var):
    """Source lines evaluating sum coefficients[k] var^k into `name` (highest degree first)."""
    lines = [f"    {name} = {coefficients[-1]!r}"]
    lines += [f"    {name} = {name} * {var} + {c!r}" for c in reversed(coefficients[:-1])]
    return lines


# sin(pi r) and cos(pi r) for |r| <= 1/4, and the quadrant (n mod 4) of |x| = n/2 + r; shared by both ops
# (LLVM merges the two evaluations where a kernel calls both on one argument)
ops.helper("trigpi_parts_f64", "\n".join([
    "def {name}(x):",
    "    a = abs(x)",
    "    a = a if a < 9007199254740992.0 else 0.0",   # from 2^53 (and NaN, inf): an even integer, as 0
    "    n = np.rint(a + a)",
    "    r = a - 0.5 * n",                                 # exact: a multiple of ulp(a), |r| <= 1/4
    "    q = np.int64(n) & 3",
    "    r2 = r * r",
    "    r2_lo = _vm_fma(r, r, -r2)",
    # sin: pi r + S1 r^3 (both as pairs: up to 10% of the result) + r^5 (S2 + ...), Fast2Sum of the heads
    *_horner("ps", SIN_C[1:], "r2"),
    f"    hi = {PI_HI!r} * r",
    f"    lo = _vm_fma({PI_HI!r}, r, -hi) + {PI_LO!r} * r",
    "    r3 = r * r2",
    "    r3_lo = _vm_fma(r, r2, -r3) + r * r2_lo",
    f"    t = {SIN_C1_HI!r} * r3",
    f"    t_lo = _vm_fma({SIN_C1_HI!r}, r3, -t) + ({SIN_C1_HI!r} * r3_lo + {SIN_C1_LO!r} * r3)",
    "    head = hi + t",
    "    s = head + ((((hi - head) + t) + (lo + t_lo)) + r3 * r2 * ps)",
    # cos: 1 - (pi r)^2/2 (a pair) + r^4 (C2 + ...)
    *_horner("pc", COS_C, "r2"),
    f"    w = {COS_C1_HI!r} * r2",
    f"    w_lo = _vm_fma({COS_C1_HI!r}, r2, -w) + ({COS_C1_HI!r} * r2_lo + {COS_C1_LO!r} * r2)",
    "    h = 1.0 + w",
    "    c = h + (((1.0 - h) + w) + (w_lo + r2 * r2 * pc))",
    "    return s, c, q",
]), requires=("fma",), ieee=True)

# + 0.0 turns the -0 of -sin(pi 0) (n = 2 mod 4) into +0: sinpi(n) = +0 for every integer n >= 0 (and
# cospi(n + 1/2) = +0), then sinpi(x) = sign(x) sinpi(|x|) gives -0 at the negative integers and at -0
ops.helper("sinpi_f64", """
def {name}(x):
    s, c, q = @trigpi_parts_f64(x)
    v = c if (q & 1) != 0 else s
    v = (-v if (q & 2) != 0 else v) + 0.0
    v = v * math.copysign(1.0, x)
    return v if x - x == 0.0 else x - x
""", ieee=True)
ops.helper("cospi_f64", """
def {name}(x):
    s, c, q = @trigpi_parts_f64(x)
    v = s if (q & 1) != 0 else c
    v = (-v if ((q + 1) & 2) != 0 else v) + 0.0
    return v if x - x == 0.0 else x - x
""", ieee=True)
for _name in ("sinpi", "cospi"):
    ops.helper(f"{_name}_f32", f"""
def {{name}}(x):
    return np.float32(@{_name}_f64(np.float64(x)))
""", ieee=True)


# ---------------------------------------------------------------- exact meaning
def mp_sinpi(x):
    return mpmath.sinpi(x)


def mp_cospi(x):
    return mpmath.cospi(x)


class sinpi(_StableFunction):
    """sin(pi*x), with exact argument reduction: sinpi(1e15 + 0.5) = 1, sinpi(n) = 0 for integers n."""
    nargs = 1
    _reference = staticmethod(mp_sinpi)

    @classmethod
    def eval(cls, x):
        if x.is_Rational or x.is_integer:
            return sympy.sin(sympy.pi * x)  # SymPy's exact values: sinpi(1/6) = 1/2, sinpi(n) = 0
        if x.could_extract_minus_sign():
            return -cls(-x)

    def fdiff(self, argindex=1):
        return sympy.pi * cospi(self.args[0])

    def _eval_rewrite_as_sin(self, x, **kwargs):
        return sympy.sin(sympy.pi * x)


class cospi(_StableFunction):
    """cos(pi*x), with exact argument reduction: cospi(n + 1/2) = 0, cospi(n) = +-1 for integers n."""
    nargs = 1
    _reference = staticmethod(mp_cospi)

    @classmethod
    def eval(cls, x):
        if x.is_Rational:
            return sympy.cos(sympy.pi * x)
        if x.could_extract_minus_sign():
            return cls(-x)

    def fdiff(self, argindex=1):
        return -sympy.pi * sinpi(self.args[0])

    def _eval_rewrite_as_cos(self, x, **kwargs):
        return sympy.cos(sympy.pi * x)


_PI = const(sympy.pi)
SINPI = ops.defop("sinpi", 1, sinpi, sympy_types=(sinpi,), emit=_calls("sinpi"), mpmath=mp_sinpi,
                  vjp=lambda g, out, x: (g * (_PI * COSPI(x)),),
                  description="sin(pi*x) with exact argument reduction (IEEE 754-2019 sinPi)")
COSPI = ops.defop("cospi", 1, cospi, sympy_types=(cospi,), emit=_calls("cospi"), mpmath=mp_cospi,
                  vjp=lambda g, out, x: (-(g * (_PI * SINPI(x))),),
                  description="cos(pi*x) with exact argument reduction (IEEE 754-2019 cosPi)")
