"""Rounding errors as values, and exp / expm1 of an argument carried with its rounding error.

exp turns an absolute error of its argument into a relative error of its result: where u = -x^2/2 is
computed as fl(u) = u - e (|e| up to ulp(u)/2), exp(fl(u)) = exp(u) e^-e, and at |u| = 700 that is 350
ulps; the Gaussian exp(-(x - m)^2/(2 s^2)) loses 2 bits on average, exp(x/y) 1.3, as typed and as
sympy.lambdify computes them. The error of one +, -, * or / is itself a float, found exactly by an
error-free transformation: TwoSum for a sum, an FMA for a product, the remainder of a quotient by FMA. So
the argument is carried as the pair (hi, lo) = (the kernel's own fl(u), the first-order sum of the
errors of its operations, propagated like a derivative), and exp(hi + lo) = exp(hi) (1 + lo) to within
lo^2/2 (below 2^-100 of it).

The error ops mean 0 in real arithmetic (their SymPy functions evaluate to 0, their mpmath reference is
0): a graph with them means what it meant without them, and rewrite rules see them as opaque values,
so no algebra can cancel the TwoSum it would see in x - (x + y - y). In the kernel they are IEEE helpers
(no fast-math: reassociation would turn a TwoSum into 0). The rule that builds the pairs is in
symgraph/rules/compensate.py; the value ranges are in symgraph/domain.py.
"""
from __future__ import annotations

import mpmath
import sympy
from sympy.codegen import cfunctions

from . import ops
from .ir import const
from .stable import _SUFFIX, SCALED_EXPM1_PARTS, _calls, _per_dtype_helper, emit_scaled_expm1, split_scale
from .vecmath import LN2_HI, LN2_LO, _fill


class _RoundingError(sympy.Function):
    """The rounding error of one floating-point operation: 0 in real arithmetic."""
    nargs = 2

    def _eval_evalf(self, prec):
        return sympy.Float(0, precision=prec)

    def _eval_is_extended_real(self):
        return True

    def fdiff(self, argindex=1):
        return sympy.S.Zero


class sum_error(_RoundingError):
    """(a + b) - fl(a + b), exact by TwoSum."""


class product_error(_RoundingError):
    """a*b - fl(a*b), exact by FMA."""


class quotient_error(_RoundingError):
    """a/b - fl(a/b) to first order: the remainder a - fl(a/b) b (exact by FMA) over b."""


class log_error(_RoundingError):
    """log(x) - v for the kernel's value v of log(x): what rounding the logarithm lost."""


class sqrt_error(_RoundingError):
    """sqrt(u) - s for the kernel's s = fl(sqrt(u)), to first order: the residual u - s^2 (exact by FMA) over 2s."""


class scaled_expm1_error(_RoundingError):
    """c expm1(x + e) - w for the kernel's w = scaled_expm1(c, x) (e = 0) or scaled_expm1_pair(c, x, e): what
    its one rounding lost."""
    nargs = 4


class representation_error(_RoundingError):
    """c - fl(c) for a constant c: what rounding it to the kernel's dtype lost (0 in real arithmetic)."""
    nargs = 1


def _zero(*args):
    return mpmath.mpf(0)


def _no_gradient(g, out, *args):
    return tuple(const(0) for _ in args)


_per_dtype_helper("sum_error", """
def {name}(a, b):
    s = a + b
    t = s - a
    return (a - (s - t)) + (b - t)
""")
_per_dtype_helper("product_error", """
def {name}(a, b):
    return _vm_fma(a, b, -(a * b))
""", requires=("fma",))
_per_dtype_helper("quotient_error", """
def {name}(a, b):
    q = a / b
    return _vm_fma(-q, b, a) / b
""", requires=("fma",))
# a number over b (1/x, 3/(2x): the common case): the remainder times 1/b = q/a, a product instead of a
# second division (1/x + 1/y - 1 compensated: 3.7x -> 2.3x the typed time); the same NaN at b = 0 or inf
_per_dtype_helper("quotient_error_of_number", """
def {name}(a, inverse_a, b):
    q = a / b
    return _vm_fma(-q, b, a) * (q * inverse_a)
""", requires=("fma",))


# log(x) - v for the kernel's v = fl(log x) (vecmath's, or libm's in a very large kernel): log x = e ln2 +
# hi + lo, vecmath's double-double of log(m) (2^-64 of itself), with e LN2_HI exact; e LN2_HI - v and its
# sum with hi are exact (Sterbenz: |hi| <= ln(2)/2 <= |e LN2_HI|/2 for e != 0), the rest is below an ulp
# of v. Where x is 0, negative, infinite or NaN the error is not finite, and the consumers (exp_pair, the
# first-order corrections) leave it out. float32: the float64 log less v, rounded to float32.
ops.helper("log_error_f64", _fill('''
def {name}(v, x):
    dk, hi, lo = @vm_log_mantissa_dd_f64(x)
    a = dk * <LN2_HI>
    return ((a - v) + hi) + (lo + dk * <LN2_LO>)
''', LN2_HI=LN2_HI, LN2_LO=LN2_LO), ieee=True)
ops.helper("log_error_f32", """
def {name}(v, x):
    return np.float32(@vlog_f64(np.float64(x)) - np.float64(v))
""", ieee=True)


_per_dtype_helper("sqrt_error", """
def {name}(s, u):
    return _vm_fma(-s, s, u) / (s + s)
""", requires=("fma",))


# c expm1(x + e) - w for the kernel's w = scaled_expm1(c, x) (e = 0) or scaled_expm1_pair(c, x, e): the
# helper's unrounded p + p_lo again (LLVM computes the operations once), less w; 0 where the helper takes
# another branch (|x| < 2^-56, x < -40, above 700). float32: the float64 value less w, rounded to float32
ops.helper("scaled_expm1_error_f64", """
def {name}(w, c, c_lo, x, e):""" + SCALED_EXPM1_PARTS + """
    error = (p - w) + p_lo
    inside = (x >= -40.0) & (x <= 700.0) & (abs(x) >= 1.3877787807814457e-17) & (error - error == 0.0)
    return error if inside else 0.0
""", requires=("fma",), ieee=True)
ops.helper("scaled_expm1_error_f32", """
def {name}(w, c, c_lo, x, e):
    wide = @scaled_expm1_f64(np.float64(c), np.float64(c_lo), np.float64(x), np.float64(e))
    return np.float32(wide - np.float64(w))
""", ieee=True)


def _emit_scaled_expm1_error(ctx, node, w, c, x, e):
    sfx = _SUFFIX[ctx.variant]
    return f"@scaled_expm1_error_{sfx}({w}, {', '.join(split_scale(ctx, node.args[1], c))}, {x}, {e})"


def _rounded_normal(ctx, value):
    """A real constant rounded to the kernel's dtype, or None where that is subnormal, zero or not finite."""
    from .codegen import REAL_DTYPE, round_real
    if not (value.is_extended_real and value.is_finite):
        return None
    dtype = REAL_DTYPE[ctx.variant]
    rounded = round_real(value, dtype)
    smallest_normal = 2.0 ** (-1022 if dtype == "float64" else -126)
    return rounded if smallest_normal <= abs(rounded) < float("inf") else None


def _emit_quotient_error(ctx, node, a, b):
    sfx = _SUFFIX[ctx.variant]
    numerator = node.args[0]
    rounded = _rounded_normal(ctx, numerator.value) if numerator.is_const else None
    if rounded is not None and abs(rounded) < 2.0 ** (1022 if sfx == "f64" else 126):  # (1/a normal too)
        return f"@quotient_error_of_number_{sfx}({a}, {ctx.const(1 / sympy.Rational(rounded))}, {b})"
    return f"@quotient_error_{sfx}({a}, {b})"

# exp(hi + lo) = e + e*lo for e = exp(hi); where lo is not finite (an infinite or NaN operand made the
# error NaN) or the correction is (e = inf), e is the answer: exp(hi) with all of exp's IEEE values
_per_dtype_helper("exp_correction", """
def {name}(e, lo):
    c = e * lo
    return e + c if c - c == 0 else e
""")
# expm1(hi + lo) = m + (m + 1) lo for m = expm1(hi), the slope e^hi as m + 1 (its rounding is lo's second order)
_per_dtype_helper("expm1_correction", """
def {name}(m, lo):
    c = (m + {F}(1.0)) * lo
    return m + c if c - c == 0 else m
""")


# a*b + c rounded once: a polynomial's Horner steps (symgraph/rules/taylor.py) and the fuse phase's sums
# (symgraph/rules/fuse.py) in one instruction each, which halves their chain of dependent operations (the
# kernels are compiled without fast-math, which would otherwise contract a*b + c) and rounds each step
# once. The kernel calls the intrinsic itself: through a jitted helper, each call site cost Numba's type
# inference a dispatcher resolution (a rule test's kernel of a few hundred fused sums: 13 s to compile)
def _emit_mul_add(ctx, node, a, b, c):
    return ctx.require("fma") + f"_vm_fma({a}, {b}, {c})"


def _corrected(family, libm):
    """exp or expm1 of hi as the kernel computes it elsewhere (the vectorised helper, or libm in a very
    large kernel: codegen.INLINE_CALL_LIMIT), then the first-order correction by lo."""
    def emit(ctx, node, hi, lo):
        sfx = _SUFFIX[ctx.variant]
        value = libm.format(hi) if getattr(ctx, "compact", False) else f"@v{family}_{sfx}({hi})"
        return f"@{family}_correction_{sfx}({value}, {lo})"
    return emit


def _mp_carried(hi, lo):
    # as the helpers: an error that is not finite (0 times an infinite operand) is left out
    return hi + lo if mpmath.isfinite(lo) else hi


SUM_ERROR = ops.defop("sum_error", 2, sum_error, sympy_types=(sum_error,), emit=_calls("sum_error"),
                      mpmath=_zero, vjp=_no_gradient, description="the rounding error of a + b (0 in the reals)")
PRODUCT_ERROR = ops.defop("product_error", 2, product_error, sympy_types=(product_error,),
                          emit=_calls("product_error"), mpmath=_zero, vjp=_no_gradient,
                          description="the rounding error of a*b (0 in the reals)")
QUOTIENT_ERROR = ops.defop("quotient_error", 2, quotient_error, sympy_types=(quotient_error,),
                           emit=_emit_quotient_error, mpmath=_zero, vjp=_no_gradient,
                           description="the rounding error of a/b to first order (0 in the reals)")


def _emit_representation_error(ctx, node, c):
    # the residual of the constant's rounding to this variant's dtype, itself a constant of the kernel
    from .codegen import REAL_DTYPE, round_real
    if not node.args[0].is_const:
        return ctx.const(sympy.Integer(0))  # a runtime value is a float already: nothing lost
    value = node.args[0].value
    rounded = round_real(value, REAL_DTYPE[ctx.variant])
    exact = value if value.is_Rational else sympy.Float(sympy.N(value, 60), 60)  # (log(2): N first)
    return ctx.const(exact - sympy.Rational(rounded))


def is_represented_exactly(value) -> bool:
    """Whether a real constant is a float32 (hence also a float64) value: a dyadic rational with a
    24-bit significand in float32's exponent range, or a float64 Float with a 24-bit significand."""
    if value is sympy.nan or value.is_finite is False:
        return True  # inf and nan have nothing lost (erfinv(1/2).is_finite is None: irrational, below)
    if not value.is_Number:
        return False  # pi, sqrt(2), log(2): irrational
    r = sympy.Rational(value)
    p, q = abs(int(r.p)), int(r.q)
    if q & (q - 1):
        return False
    while p and not p & 1:
        p >>= 1
    return p < 2**24 and (r == 0 or -126 <= sympy.floor(sympy.log(abs(r), 2)) < 128)


LOG_ERROR = ops.defop("log_error", 2, log_error, sympy_types=(log_error,), emit=_calls("log_error"), mpmath=_zero,
                      vjp=_no_gradient, extra={"nan_arguments": True},
                      description="log(x) - fl(log(x)) for the kernel's log(x) (0 in the reals)")
SQRT_ERROR = ops.defop("sqrt_error", 2, sqrt_error, sympy_types=(sqrt_error,), emit=_calls("sqrt_error"),
                       mpmath=_zero, vjp=_no_gradient, extra={"nan_arguments": True},
                       description="sqrt(u) - fl(sqrt(u)) for the kernel's sqrt(u), to first order (0 in the reals)")
SCALED_EXPM1_ERROR = ops.defop("scaled_expm1_error", 4, scaled_expm1_error, sympy_types=(scaled_expm1_error,),
                               emit=_emit_scaled_expm1_error, mpmath=_zero, vjp=_no_gradient,
                               extra={"nan_arguments": True},
                               description="c expm1(x) - fl(c expm1(x)) for the kernel's scaled_expm1 (0 in the reals)")
# the ops of one operation's rounding error: 0 in the reals, computed from the operation's own operands
ROUNDING_ERRORS = (SUM_ERROR, PRODUCT_ERROR, QUOTIENT_ERROR, LOG_ERROR, SQRT_ERROR, SCALED_EXPM1_ERROR)
REPRESENTATION_ERROR = ops.defop("representation_error", 1, representation_error,
                                 sympy_types=(representation_error,), emit=_emit_representation_error,
                                 mpmath=_zero, vjp=lambda g, out, a: (const(0),),
                                 extra={"per_dtype": True},  # not folded: its value depends on the dtype
                                 description="c - fl(c) for a constant c (0 in the reals)")
MUL_ADD = ops.defop("mul_add", 3, lambda a, b, c: a * b + c, emit=_emit_mul_add, emit_complex="({0} * {1} + {2})",
                    mpmath=lambda a, b, c: a * b + c, vjp=lambda g, out, a, b, c: (g * b, g * a, g),
                    description="a*b + c rounded once (a fused multiply-add)")


def _split_constant(ctx, value, toward_zero=False):
    """(t, r): the constant rounded to the kernel's dtype (toward zero if asked) and the rest c - t, as SymPy
    rationals; None where the dtype holds c, or t would be subnormal or overflow there (the typed
    operation is then as good)."""
    from .codegen import REAL_DTYPE
    dtype = REAL_DTYPE[ctx.variant]
    exact = value if value.is_Rational else sympy.Rational(sympy.Float(sympy.N(value, 60), 60))
    rounded = _rounded_normal(ctx, value)
    if rounded is None or sympy.Rational(rounded) == exact:
        return None
    if toward_zero and abs(sympy.Rational(rounded)) > abs(exact):
        import numpy as np
        rounded = float(np.nextafter(getattr(np, dtype)(rounded), getattr(np, dtype)(0)))
    return sympy.Rational(rounded), exact - sympy.Rational(rounded)


def _emit_constant_product(ctx, node, c, x):
    # c x for a constant the dtype cannot hold (pi, cos(2), 1/pi): fl(c) x rounds the constant and then the
    # product, twice. With c = t + r, t the constant rounded toward zero and r = c - t (of t's sign), the
    # product fma(t, x, r x) rounds once, about c x + r x 2^-53: correctly rounded but for a tie within
    # ~2^-52 ulp. r of t's sign keeps the sign of a zero x and the infinity of an infinite one (t x and
    # r x are the same zero or the same infinity), as the typed product does.
    split = _split_constant(ctx, node.args[0].value, toward_zero=True)
    if split is None:
        return f"({c} * {x})"
    t, r = split
    return ctx.require("fma") + f"_vm_fma({ctx.const(t)}, {x}, {ctx.const(r)} * {x})"


CONSTANT_PRODUCT = ops.defop("constant_product", 2, lambda c, x: c * x, emit=_emit_constant_product,
                             emit_complex="({0} * {1})", mpmath=lambda c, x: c * x,
                             vjp=lambda g, out, c, x: (g * x, g * c),
                             description="c*x for a constant c, rounded once (as if c were exact)")

# c x + z for a constant the dtype cannot hold (2/3 x - 3, pi x - 1, x/7 - y): fma(fl(c), x, z) computes
# with fl(c), and where the sum cancels, c's rounding (2^-54 |c x|) is all that is left (2x/3 - 3 near
# 4.5: 3.3 bits). With c = t + r as for a constant product, t x = p + pl exactly (FMA) and p + z = s + e
# exactly (TwoSum): c x + z = s + (e + pl + r x), the small terms summed before the one rounding that
# matters (Ogita-Rump-Oishi's Dot2 for one product). A correction that is not finite (an infinite x or z
# made it NaN) is left out, as is a zero one (which would turn s = -0 into +0): s is then the typed value
_per_dtype_helper("constant_mul_add", """
def {name}(t, r, x, z):
    p = t * x
    pl = _vm_fma(t, x, -p)
    s = p + z
    shifted = s - z
    e = (p - shifted) + (z - (s - shifted))
    c = e + _vm_fma(r, x, pl)
    return s + c if c != {F}(0.0) and c - c == {F}(0.0) else s
""", requires=("fma",))


def _emit_constant_mul_add(ctx, node, c, x, addend):
    split = _split_constant(ctx, node.args[0].value, toward_zero=True)
    if split is None:
        return ctx.require("fma") + f"_vm_fma({c}, {x}, {addend})"
    t, r = split
    sfx = _SUFFIX[ctx.variant]
    return f"@constant_mul_add_{sfx}({ctx.const(t)}, {ctx.const(r)}, {x}, {addend})"


CONSTANT_MUL_ADD = ops.defop("constant_mul_add", 3, lambda c, x, z: c * x + z, emit=_emit_constant_mul_add,
                             emit_complex="({0} * {1} + {2})", mpmath=lambda c, x, z: c * x + z,
                             vjp=lambda g, out, c, x, z: (g * x, g * c, g),
                             description="c*x + z for a constant c, rounded once (as if c were exact)")


# c/x for c = t + r (t = fl(c)): t/x = q + rem/x with rem = t - q x exact (FMA), so c/x = q + (rem + r)/x,
# and 1/x is q/t to the precision a correction needs (a product, not a second division). An infinite,
# zero or NaN x makes the correction NaN (0 * inf in the FMA): q is then the typed quotient's value; at a
# quotient that underflows to a zero the correction is a zero of q's sign, which the sum keeps
_per_dtype_helper("constant_quotient", """
def {name}(t, r, inverse_t, x):
    q = t / x
    e = (_vm_fma(-q, x, t) + r) * (q * inverse_t)
    return q + e if e - e == 0 else q
""", requires=("fma",))


def _emit_constant_quotient(ctx, node, c, x):
    # c/x rounded once for a constant the dtype cannot hold (4/(3 pi u) is (4/(3 pi))/u): the typed
    # quotient rounds the constant, then the quotient, and its error is their sum; the constant's rounding
    # is a fixed relative bias (0.2-0.45 ulp for 4/pi, 4/3): 0.41 mean bits over u in [0.5, 2], 0.00 this way
    split = _split_constant(ctx, node.args[0].value)
    if split is None:
        return f"({c} / {x})"
    t, r = split
    sfx = _SUFFIX[ctx.variant]
    return f"@constant_quotient_{sfx}({ctx.const(t)}, {ctx.const(r)}, {ctx.const(1 / t)}, {x})"


CONSTANT_QUOTIENT = ops.defop("constant_quotient", 2, lambda c, x: c / x, emit=_emit_constant_quotient,
                              emit_complex="({0} / {1})", mpmath=lambda c, x: c / x,
                              vjp=lambda g, out, c, x: (g / x, -(g * out) / x),
                              description="c/x for a constant c, rounded once (as if c were exact)")


EXP_PAIR = ops.defop("exp_pair", 2, lambda hi, lo: sympy.exp(hi + lo), emit=_corrected("exp", "math.exp({0})"),
                     mpmath=lambda hi, lo: mpmath.exp(_mp_carried(hi, lo)),
                     vjp=lambda g, out, hi, lo: (g * out, g * out),
                     extra={"nan_arguments": True},  # a NaN lo (0 times inf) is left out, as in the helper
                     description="exp(hi + lo) for an argument hi carried with its rounding error lo")
SCALED_EXPM1_PAIR = ops.defop("scaled_expm1_pair", 3, lambda c, hi, lo: c * cfunctions.expm1(hi + lo),
                              emit=emit_scaled_expm1,
                              mpmath=lambda c, hi, lo: c * mpmath.expm1(_mp_carried(hi, lo)),
                              vjp=lambda g, out, c, hi, lo: (g * ops.EXPM1(hi + lo), g * (out + c), g * (out + c)),
                              extra={"nan_arguments": True},
                              description="c*expm1(hi + lo) for an argument hi carried with its rounding error lo, "
                              "rounded once")
EXPM1_PAIR = ops.defop("expm1_pair", 2, lambda hi, lo: cfunctions.expm1(hi + lo),
                       emit=_corrected("expm1", "math.expm1({0})"),
                       mpmath=lambda hi, lo: mpmath.expm1(_mp_carried(hi, lo)),
                       vjp=lambda g, out, hi, lo: (g * (out + 1), g * (out + 1)),
                       extra={"nan_arguments": True},
                       description="expm1(hi + lo) for an argument hi carried with its rounding error lo")

# the functions of an argument carried with its rounding error
PAIRS = (EXP_PAIR, EXPM1_PAIR, SCALED_EXPM1_PAIR)

# ---------------------------------------------------------------- other functions of a rounded argument
# f(hi + lo) = f(hi) + f'(hi) lo for the functions whose result carries their argument's absolute error
# as a relative one (sigmoid and softplus in their exponential tails, sinh, cosh, erfc, c**u), with the
# slope f'(hi) from cheap forms of f's value: it needs ~10 correct bits (the correction is ~2^-43 of f).
# carried(u) is u itself, marking an argument whose error is already carried: f(carried(u)) is not
# corrected again (optimizing twice changes nothing), and emits nothing.
CARRIED = ops.defop("carried", 1, lambda a: a, emit="{0}", mpmath=lambda a: a, vjp=lambda g, out, a: (g,),
                    description="its argument, whose rounding error a correction already carries")

# the largest argument error a periodic function's first-order correction takes (sin(u + lo) = sin(u) +
# cos(u) lo to within lo^2/2, below the result's ulp near 1): 2^-30 in float64 kernels, 2^-13 in float32
# ones; one value per dtype variant, as MIN_NORMAL
FIRST_ORDER_LIMIT = ops.power_of_two_per_dtype("first_order_limit", -30, -13)

# (a zero correction leaves the value as it is: -0 + 0 would be +0, where sin(x*y) at x = -0 is -0)
_per_dtype_helper("first_order", """
def {name}(value, slope, lo):
    c = slope * lo
    return value + c if (c - c == 0) & (c != 0) else value
""")


def _mp_first_order(v, s, lo):
    c = s * lo
    return v + c if mpmath.isfinite(c) else v  # as the helper: no correction where it is not finite


CORRECTED = ops.defop("corrected", 3, lambda v, s, lo: v + s * lo, emit=_calls("first_order"),
                      mpmath=_mp_first_order, vjp=lambda g, out, v, s, lo: (g, g * lo, g * s),
                      extra={"nan_arguments": True},
                      description="value + slope*lo: a function of an argument hi carried with its error lo")
