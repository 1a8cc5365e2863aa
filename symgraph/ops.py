"""Every operation of the graph, each defined once with all its facts.

An op's record (`symgraph.ir.Op`) holds its SymPy meaning, its Numba emission for real and complex
arguments, its high-precision reference, and its reverse-mode derivative rule. Small Numba helper
functions that an emission needs are declared in `HELPERS`, beside the ops that use them.
"""
from __future__ import annotations


import mpmath
import sympy
from sympy.codegen import cfunctions
from sympy.codegen import numpy_nodes

from .errors import UnsupportedError
from .ir import BOOL, REAL, Op, _promote, const

OPS: dict = {}
HELPERS: dict = {}  # name -> source template; {name} is the function's name, {F} the float constructor


def defop(name, arity, to_sympy, **facts) -> Op:
    if name in OPS:
        raise ValueError(f"op {name} defined twice")
    op = Op(name, arity, to_sympy, **facts)
    OPS[name] = op
    return op


PREAMBLES: dict = {}  # name -> module-level source some helpers need (emitted once, after the header)
HELPER_NEEDS: dict = {}  # helper name -> names of the preambles it needs
IEEE_HELPERS: set = set()  # helpers compiled without fast-math flags (they rely on exact IEEE rounding)
#                            and always inlined (branch-free helpers: the kernel's loop then vectorises)


def helper(name, source, requires=(), ieee=False):
    if name in HELPERS:  # one name, one function: a second definition would replace the first everywhere
        raise ValueError(f"helper {name} defined twice")
    HELPERS[name] = source.strip("\n")
    HELPER_NEEDS[name] = tuple(requires)
    if ieee:
        IEEE_HELPERS.add(name)


def preamble(name, source):
    PREAMBLES[name] = source.strip("\n")


def _bool_result(kinds):
    return BOOL


def _real_result(kinds):
    return REAL


def _nary(sep):
    return lambda ctx, node, *a: "(" + f" {sep} ".join(a) + ")"


# ---------------------------------------------------------------- leaves
CONST = defop("const", 0, lambda: None, description="a SymPy number (exact where SymPy is exact)")
SYMBOL = defop("symbol", 0, lambda: None, description="an input symbol")

# ---------------------------------------------------------------- arithmetic
ADD = defop("add", None, lambda *a: sympy.Add(*a), commutative=True,
            emit=_nary("+"), emit_complex=_nary("+"), mpmath=lambda *a: mpmath.fsum(a),
            vjp=lambda g, out, *a: tuple(g for _ in a))
MUL = defop("mul", None, lambda *a: sympy.Mul(*a), commutative=True,
            emit=_nary("*"), emit_complex=_nary("*"), mpmath=lambda *a: mpmath.fprod(a),
            vjp=lambda g, out, *a: _mul_vjp(g, a))
SUB = defop("sub", 2, lambda a, b: a - b, emit="({0} - {1})", emit_complex="({0} - {1})",
            mpmath=lambda a, b: a - b, vjp=lambda g, out, a, b: (g, -g))
NEG = defop("neg", 1, lambda a: -a, emit="(-{0})", emit_complex="(-{0})", mpmath=lambda a: -a,
            vjp=lambda g, out, a: (-g,))
# x + 0: x, except that a zero of either sign is +0. A sum that cancels exactly is +0 in IEEE arithmetic,
# while the products, negations and primitives rules put in a sum's place can be -0 there ((x + 1)(x - 1)
# at x = -1, -expm1(0)), and 1/that the infinity of the other sign: the rewrite engine wraps such
# replacements in this op (symgraph.rewrite), which rule patterns see through.
PLUS_ZERO = defop("plus_zero", 1, lambda a: a, emit=lambda ctx, node, a: f"({a} + {ctx.const(0)})",
                  emit_complex="{0}", mpmath=lambda a: a, vjp=lambda g, out, a: (g,),
                  description="its argument, a zero of either sign made +0 (the zero of the sum it replaces)")
DIV = defop("div", 2, lambda a, b: a / b, emit="({0} / {1})", emit_complex="({0} / {1})",
            mpmath=lambda a, b: a / b, vjp=lambda g, out, a, b: (g / b, -(g * out) / b))


def _mul_vjp(g, factors):
    # each factor's adjoint is g times the product of the others, from prefix and suffix products:
    # O(k) nodes for k factors instead of O(k^2), and no division (exact at zero factors)
    k = len(factors)
    prefix, suffix = [None] * k, [None] * k
    for i in range(1, k):
        prefix[i] = factors[0] if i == 1 else MUL(prefix[i - 1], factors[i - 1])
    for i in range(k - 2, -1, -1):
        suffix[i] = factors[k - 1] if i == k - 2 else MUL(factors[i + 1], suffix[i + 1])
    others = [p if s is None else s if p is None else MUL(p, s) for p, s in zip(prefix, suffix)]
    return tuple(g * o for o in others)


def _emit_pow(ctx, node, base, exponent):
    e = node.args[1]
    if e.is_const and e.value.is_Integer:
        n = int(e.value)
        if n == 2:
            return f"({base} * {base})"
        if 0 <= n <= 3:
            return f"({base} ** {n})"
        if -3 <= n < 0:  # Numba raises ZeroDivisionError for 0.0 ** -n: keep IEEE semantics
            return f"({ctx.const(1)} / {base} ** {-n})"
    return f"({base} ** {exponent})"


def _exponent_rounding(ctx, exponent):
    """(rounded, lost) constant names for a non-integer constant exponent whose value the variant's
    float type cannot hold exactly (1/3, 2/5, pi, ...); None when it is exact (1.5, a float64 Float)."""
    from .codegen import REAL_DTYPE, round_real
    if not (exponent.is_number and exponent.is_extended_real and exponent.is_finite) or exponent.is_Integer:
        return None
    rounded = round_real(exponent, REAL_DTYPE[ctx.variant])
    exact = exponent if exponent.is_Rational else sympy.Float(exponent, 50)
    lost = exact - sympy.Rational(rounded)
    if lost == 0:
        return None
    return ctx.const(sympy.Rational(rounded)), ctx.const(lost)


def _emit_real_pow(ctx, node, base, exponent):
    # pow(x, fl(1/3)) is off by |log x| * 2e-17 relative (~100 ulp at 1e300): correct for the lost part
    e = node.args[1]
    if e.is_const:
        parts = _exponent_rounding(ctx, e.value)
        if parts is not None:
            return f"@powc({base}, {parts[0]}, {parts[1]})"
    return _emit_pow(ctx, node, base, exponent)


def _emit_cbrt(ctx, node, x):
    rounded, lost = _exponent_rounding(ctx, sympy.Rational(1, 3))
    return f"@cbrt({x}, {rounded}, {lost})"


helper("powc", """
def {name}(x, e, d):
    # x ** (e + d), with e the exponent rounded to the float type and d what rounding lost:
    # x**e * x**d = x**e * (1 + d*log(x)) to far below an ulp, as |d*log(x)| < 1e-13
    y = x ** e
    if y == 0 or y - y != 0:
        return y  # zero, inf or nan: nothing to correct (and log(x) would give 0 * inf)
    return y + y * (d * math.log(x))
""")
# Numba's np.cbrt is pow(x, fl(1/3)) under fastmath, up to 2 ulp off; the corrected pow is within 1
helper("cbrt", """
def {name}(x, e, d):
    return math.copysign(@powc(abs(x), e, d), x)
""")


def _pow_vjp(g, out, a, b):
    if b.is_const:
        if b.value == 0:
            return (const(0), const(0))
        lowered = a if b.value == 2 else POW(a, const(b.value - 1))
        return (g * b * lowered, const(0))
    # d/db a**b = a**b log(a), taken as 0 where a == 0 (the limit for b > 0; JAX's convention), not 0 * -inf
    safe_base = SELECT(EQ(a, const(0)), const(1), a)
    return (g * b * POW(a, b - 1), g * out * LOG(safe_base))


POW = defop("pow", 2, lambda a, b: sympy.Pow(a, b), emit=_emit_real_pow, emit_complex=_emit_pow,
            mpmath=lambda a, b: mpmath.power(a, b), vjp=_pow_vjp)


# ---------------------------------------------------------------- elementary functions
def _unary(name, sympy_fn, real, cplx, mp, vjp, types=None, **facts):
    return defop(name, 1, lambda a: sympy_fn(a), sympy_types=types or (sympy_fn,),
                 emit=real, emit_complex=cplx, mpmath=mp, vjp=vjp, **facts)


def _real_suffix(ctx):
    return 'f32' if ctx.variant == 'float32' else 'f64'


def _vectorised(family, libm):
    """Emission calling symgraph.vecmath's (or vecmath_hyp's) branch-free helper of the kernel's real
    dtype: unlike a math.* call it vectorises (no SVML in Numba 0.62+), at <= 0.56 ulp
    (tests/test_vecmath.py, tests/test_vecmath_hyp.py)."""
    def emit(ctx, node, a):
        if getattr(ctx, "compact", False):  # a very large kernel: libm calls compile in linear time (codegen.INLINE_CALL_LIMIT)
            return libm.format(a)
        return f"@{family}_{_real_suffix(ctx)}({a})"
    return emit


EXP = _unary("exp", sympy.exp, _vectorised("vexp", "math.exp({0})"), "cmath.exp({0})", mpmath.exp,
             lambda g, out, a: (g * out,))
LOG = _unary("log", sympy.log, _vectorised("vlog", "math.log({0})"), "cmath.log({0})", mpmath.log,
             lambda g, out, a: (g / a,))
SQRT = defop("sqrt", 1, lambda a: sympy.sqrt(a), sympy_types=(cfunctions.Sqrt,),
             emit="math.sqrt({0})", emit_complex="cmath.sqrt({0})", mpmath=mpmath.sqrt,
             vjp=lambda g, out, a: (g / (2 * out),))
CBRT = defop("cbrt", 1, lambda a: sympy.real_root(a, 3), sympy_types=(cfunctions.Cbrt,),
             emit=_emit_cbrt, mpmath=lambda a: mpmath.cbrt(a) if a >= 0 else -mpmath.cbrt(-a),
             vjp=lambda g, out, a: (g / (3 * out * out),), description="real cube root")
SIN = _unary("sin", sympy.sin, "math.sin({0})", "cmath.sin({0})", mpmath.sin,
             lambda g, out, a: (g * COS(a),))
COS = _unary("cos", sympy.cos, "math.cos({0})", "cmath.cos({0})", mpmath.cos,
             lambda g, out, a: (-(g * SIN(a)),))
TAN = _unary("tan", sympy.tan, "math.tan({0})", "cmath.tan({0})", mpmath.tan,
             lambda g, out, a: (g * (1 + out * out),))
COT = _unary("cot", sympy.cot, "@cot({0})", "(1 / cmath.tan({0}))", mpmath.cot,
             lambda g, out, a: (-(g * (1 + out * out)),))
SEC = _unary("sec", sympy.sec, "@sec({0})", "(1 / cmath.cos({0}))", mpmath.sec,
             lambda g, out, a: (g * out * TAN(a),))
CSC = _unary("csc", sympy.csc, "@csc({0})", "(1 / cmath.sin({0}))", mpmath.csc,
             lambda g, out, a: (-(g * out * COT(a)),))
ASIN = _unary("asin", sympy.asin, "math.asin({0})", "cmath.asin({0})", mpmath.asin,
              lambda g, out, a: (g / SQRT((1 - a) * (1 + a)),))  # (1-a)(1+a): no cancellation near |a| = 1
ACOS = _unary("acos", sympy.acos, "math.acos({0})", "cmath.acos({0})", mpmath.acos,
              lambda g, out, a: (-(g / SQRT((1 - a) * (1 + a))),))
ATAN = _unary("atan", sympy.atan, "math.atan({0})", "cmath.atan({0})", mpmath.atan,
              lambda g, out, a: (g / (1 + a * a),))
SINH = _unary("sinh", sympy.sinh, _vectorised("vsinh", "math.sinh({0})"), "cmath.sinh({0})", mpmath.sinh,
              lambda g, out, a: (g * COSH(a),))
COSH = _unary("cosh", sympy.cosh, _vectorised("vcosh", "math.cosh({0})"), "cmath.cosh({0})", mpmath.cosh,
              lambda g, out, a: (g * SINH(a),))
# tanh' = 1 - tanh^2 = 1/cosh^2: one vectorised cosh and accurate for every x (1 - t^2 loses all its
# digits as t -> 1, and its stable form through two sigmoids costs two exponentials)
TANH = _unary("tanh", sympy.tanh, _vectorised("vtanh", "math.tanh({0})"), "cmath.tanh({0})", mpmath.tanh,
              lambda g, out, a: (g / (COSH(a) * COSH(a)),))
ASINH = _unary("asinh", sympy.asinh, _vectorised("vasinh", "math.asinh({0})"), "cmath.asinh({0})", mpmath.asinh,
               lambda g, out, a: (g / SQRT(a * a + 1),))
ACOSH = _unary("acosh", sympy.acosh, _vectorised("vacosh", "math.acosh({0})"), "cmath.acosh({0})", mpmath.acosh,
               lambda g, out, a: (g / (SQRT(a - 1) * SQRT(a + 1)),))
ATANH = _unary("atanh", sympy.atanh, _vectorised("vatanh", "math.atanh({0})"), "cmath.atanh({0})", mpmath.atanh,
               lambda g, out, a: (g / ((1 - a) * (1 + a)),))
ATAN2 = defop("atan2", 2, lambda y, x: sympy.atan2(y, x), sympy_types=(sympy.atan2,),
              emit="math.atan2({0}, {1})", mpmath=mpmath.atan2,
              vjp=lambda g, out, y, x: (g * x / (x * x + y * y), -(g * y) / (x * x + y * y)))

helper("cot", "def {name}(x):\n    return {F}(1.0) / math.tan(x)")
helper("sec", "def {name}(x):\n    return {F}(1.0) / math.cos(x)")
helper("csc", "def {name}(x):\n    return {F}(1.0) / math.sin(x)")

# ---------------------------------------------------------------- sympy.codegen's C99/NumPy functions
LOG1P = defop("log1p", 1, lambda a: cfunctions.log1p(a), sympy_types=(cfunctions.log1p,),
              emit=_vectorised("vlog1p", "math.log1p({0})"), mpmath=mpmath.log1p, vjp=lambda g, out, a: (g / (1 + a),))
EXPM1 = defop("expm1", 1, lambda a: cfunctions.expm1(a), sympy_types=(cfunctions.expm1,),
              emit=_vectorised("vexpm1", "math.expm1({0})"), mpmath=mpmath.expm1, vjp=lambda g, out, a: (g * EXP(a),))
EXP2 = defop("exp2", 1, lambda a: cfunctions.exp2(a), sympy_types=(cfunctions.exp2,),
             emit=_vectorised("vexp2", "@exp2({0})"), emit_complex="(2.0 ** {0})", mpmath=lambda a: mpmath.power(2, a),
             vjp=lambda g, out, a: (g * out * const(sympy.log(2)),))
LOG2 = defop("log2", 1, lambda a: cfunctions.log2(a), sympy_types=(cfunctions.log2,),
             emit=_vectorised("vlog2", "math.log2({0})"), emit_complex="(cmath.log({0}) * 1.4426950408889634)",
             mpmath=lambda a: mpmath.log(a, 2),
             vjp=lambda g, out, a: (g / (a * const(sympy.log(2))),))
LOG10 = defop("log10", 1, lambda a: cfunctions.log10(a), sympy_types=(cfunctions.log10,),
              emit=_vectorised("vlog10", "math.log10({0})"), emit_complex="cmath.log10({0})", mpmath=mpmath.log10,
              vjp=lambda g, out, a: (g / (a * const(sympy.log(10))),))
HYPOT = defop("hypot", 2, lambda a, b: cfunctions.hypot(a, b), sympy_types=(cfunctions.hypot,),
              commutative=True, emit=lambda ctx, node, a, b: f"@hypot2_{_real_suffix(ctx)}({a}, {b})",
              mpmath=mpmath.hypot,  # helper: symgraph/stable.py
              vjp=lambda g, out, a, b: (g * a / out, g * b / out))
LOGADDEXP2 = defop("logaddexp2", 2, lambda a, b: numpy_nodes.logaddexp2(a, b),
                   sympy_types=(numpy_nodes.logaddexp2,), commutative=True, emit="@logaddexp2({0}, {1})",
                   mpmath=lambda a, b: mpmath.log(mpmath.power(2, a) + mpmath.power(2, b), 2),
                   vjp=lambda g, out, a, b: (g * EXP2(a - out), g * EXP2(b - out)))

helper("exp2", "def {name}(x):\n    return {F}(2.0) ** x")
helper("logaddexp2", """
def {name}(a, b):
    if a == b:
        return a + {F}(1.0)
    m = a if a > b else b
    d = -abs(a - b)
    if d != d:
        return a + b
    return m + math.log1p({F}(2.0) ** d) * {F}(1.4426950408889634)
""")

# ---------------------------------------------------------------- piecewise-smooth real functions
ABS = defop("abs", 1, lambda a: sympy.Abs(a), sympy_types=(sympy.Abs,), emit="abs({0})",
            emit_complex="abs({0})", result=_real_result, mpmath=mpmath.fabs,
            vjp=lambda g, out, a: (g * SIGN(a),), description="derivative sign(x): 0 at x = 0")
SIGN = defop("sign", 1, lambda a: sympy.sign(a), sympy_types=(sympy.sign,), emit="np.sign({0})",
             emit_complex="@csign({0})", mpmath=lambda a: mpmath.sign(a),
             vjp=lambda g, out, a: (const(0),), description="derivative 0 everywhere")
# the smallest normal number of the kernel's dtype: a result below it is subnormal (fewer digits) or has
# underflowed to 0, where a rule's guard keeps its typed form. One node, one value per dtype variant (a
# constant would have one value for all of them: float32's 2^-126 sent float64 inputs below 1e-19 to the
# fallbacks)
def power_of_two_per_dtype(name, exponent, float32_exponent):
    """A nullary op whose value is 2^exponent in float64 and complex128 kernels and 2^float32_exponent in
    float32 ones (its SymPy and mpmath value: the float64 one)."""
    return defop(name, 0, lambda: sympy.Integer(2) ** exponent, result=_real_result,
                 emit=lambda ctx, node: ctx.const(sympy.Integer(2) ** (float32_exponent if ctx.variant == "float32"
                                                                        else exponent)),
                 mpmath=lambda: mpmath.mpf(2) ** exponent, vjp=lambda g, out: (),
                 description=f"2^{exponent} in float64 and complex128 kernels, 2^{float32_exponent} in float32 ones")


MIN_NORMAL = power_of_two_per_dtype("min_normal", -1022, -126)
# the unit in the first place (Rump): the power of 2 at or below |x|, 2^max(floor(log2|x|), -1022), read
# off x's exponent bits (no libm, so a loop using it still vectorises): dividing by it is exact, which
# makes it the scale of a quotient whose squares would overflow (rules/scaling.py)
class ufp(sympy.Function):
    """2**max(floor(log2|x|), -1022): the power of 2 at or below |x| (0 and subnormals: 2**-1022)."""

    @classmethod
    def eval(cls, x):
        if x.is_Number and x.is_finite:
            return sympy.Integer(2) ** _ufp_exponent(mpmath.mpf(sympy.Float(x, 60)))
        return None

    def fdiff(self, argindex=1):
        return sympy.S.Zero


def _ufp_exponent(a) -> int:
    # floor(log2|a|) exactly, from the binary exponent (a = m 2^e, m in [1/2, 1)); -1022 at most below
    return max(int(mpmath.frexp(a)[1]) - 1, -1022) if a != 0 else -1022


UFP = defop("ufp", 1, ufp, sympy_types=(ufp,), result=_real_result, emit="@ufp({0})",
            mpmath=lambda a: a if mpmath.isnan(a) or mpmath.isinf(a) else mpmath.mpf(2) ** _ufp_exponent(a),
            vjp=lambda g, out, a: (const(0),), description="derivative 0 (a step function)")
helper("ufp", """
def {name}(x):
    e = _vm_float_bits(np.float64(x)) & 0x7FF0000000000000
    r = _vm_bits_float(e if e != 0 else 0x0010000000000000)
    return {F}(r) if x == x else x
""", requires=("bitcast",))
# the power of 2 within a factor 2 of sqrt|x y|, 2^floor((e_x + e_y)/2) for e = floor(log2|.|) (subnormals and 0:
# -1022), read off the exponent bits: the scale of a discriminant b^2 - 4 a c whose product a c over- or
# underflows, without the square roots that would dominate the kernel's time (rules/quadratic.py)
class root_scale(sympy.Function):
    """2**floor((e_x + e_y)/2), e = max(floor(log2|.|), -1022): a power of 2 within a factor 2 of sqrt|x*y|."""

    @classmethod
    def eval(cls, x, y):
        if x.is_Number and x.is_finite and y.is_Number and y.is_finite:
            ex, ey = (_ufp_exponent(mpmath.mpf(sympy.Float(v, 60))) for v in (x, y))
            return sympy.Integer(2) ** ((ex + ey) // 2)
        return None

    def fdiff(self, argindex=1):
        return sympy.S.Zero


def _mp_root_scale(a, b):
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
        return a + b if mpmath.isnan(a + b) else mpmath.inf
    return mpmath.mpf(2) ** ((_ufp_exponent(a) + _ufp_exponent(b)) // 2)


ROOT_SCALE = defop("root_scale", 2, root_scale, sympy_types=(root_scale,), result=_real_result,
                   emit="@root_scale({0}, {1})", mpmath=_mp_root_scale,
                   vjp=lambda g, out, a, b: (const(0), const(0)), description="derivative 0 (a step function)")
helper("root_scale", """
def {name}(x, y):
    ex = (_vm_float_bits(np.float64(x)) >> 52) & 0x7FF
    ey = (_vm_float_bits(np.float64(y)) >> 52) & 0x7FF
    s = ((ex if ex != 0 else 1) + (ey if ey != 0 else 1) - 2046) >> 1
    s = 1024 if ex == 0x7FF or ey == 0x7FF else s  # (an infinity: inf, as its mpmath value)
    r = _vm_bits_float((s + 1023) << 52)
    return {F}(r) if x == x and y == y else x + y
""", requires=("bitcast",))
FLOOR = defop("floor", 1, lambda a: sympy.floor(a), sympy_types=(sympy.floor,), emit="np.floor({0})",
              mpmath=mpmath.floor, vjp=lambda g, out, a: (const(0),))
CEIL = defop("ceiling", 1, lambda a: sympy.ceiling(a), sympy_types=(sympy.ceiling,), emit="np.ceil({0})",
             mpmath=mpmath.ceil, vjp=lambda g, out, a: (const(0),))
MOD = defop("mod", 2, lambda a, b: sympy.Mod(a, b), sympy_types=(sympy.Mod,), emit="({0} % {1})",
            mpmath=lambda a, b: a - b * mpmath.floor(a / b),
            vjp=lambda g, out, a, b: (g, -(g * FLOOR(a / b))))
MAX = defop("max", None, lambda *a: sympy.Max(*a), sympy_types=(sympy.Max,), commutative=True,
            emit=lambda ctx, node, *a: _fold_binary(ctx, "@max2", a), mpmath=lambda *a: max(a),
            vjp=lambda g, out, *a: _minmax_vjp(g, out, a),
            description="NaN-propagating; at ties the gradient is shared evenly by the tied arguments")
MIN = defop("min", None, lambda *a: sympy.Min(*a), sympy_types=(sympy.Min,), commutative=True,
            emit=lambda ctx, node, *a: _fold_binary(ctx, "@min2", a), mpmath=lambda *a: min(a),
            vjp=lambda g, out, *a: _minmax_vjp(g, out, a))
HEAVISIDE = defop("heaviside", 2, lambda a, h0: sympy.Heaviside(a, h0), sympy_types=(sympy.Heaviside,),
                  emit="@heaviside({0}, {1})",
                  mpmath=lambda a, h0: mpmath.mpf(1) if a > 0 else (mpmath.mpf(0) if a < 0 else h0),
                  vjp=lambda g, out, a, h0: (const(0), const(0)))


def _fold_binary(ctx, fn, names):
    expr = names[0]
    for n in names[1:]:
        expr = f"{fn}({expr}, {n})"
    return expr


def _minmax_vjp(g, out, args):
    # as JAX and PyTorch: the arguments equal to the result share the adjoint evenly (half each at a tie
    # of two); selected, not multiplied, so an argument that lost contributes nothing, not 0 * inf
    hits = [EQ(a, out) for a in args]
    if len(args) == 2:
        share = SELECT(hits[0], SELECT(hits[1], g * const(sympy.Rational(1, 2)), g), g)
    else:
        ties = ADD(*(SELECT(h, const(1), const(0)) for h in hits))
        share = g / ties
    return tuple(SELECT(h, share, const(0)) for h in hits)


helper("max2", "def {name}(a, b):\n    return a if (a >= b or a != a) else b")
helper("min2", "def {name}(a, b):\n    return a if (a <= b or a != a) else b")
helper("heaviside", """
def {name}(x, h0):
    if x > 0:
        return {F}(1.0)
    if x < 0:
        return {F}(0.0)
    if x == 0:
        return h0
    return x
""")
helper("csign", "def {name}(z):\n    return z / abs(z) if z != 0 else z")

# ---------------------------------------------------------------- special functions
ERF = _unary("erf", sympy.erf, "math.erf({0})", None, mpmath.erf,
             lambda g, out, a: (g * const(2 / sympy.sqrt(sympy.pi)) * EXP(-(a * a)),))
def _mp_erfc(x):
    # mpmath's erfc fails past ~1e150 (an OverflowError in its series check): there the asymptotic series
    # e^-x^2/(x sqrt(pi)) (1 - 1/(2x^2) + 3/(2x^2)^2 - 15/(2x^2)^3), whose next term is below 1e-1200
    if mpmath.isfinite(x) and abs(x) > 1e100:
        if x < 0:
            return 2 - _mp_erfc(-x)
        t = 1 / (2 * x * x)
        return mpmath.exp(-x * x) / (x * mpmath.sqrt(mpmath.pi)) * (1 - t + 3 * t * t - 15 * t ** 3)
    return mpmath.erfc(x)


ERFC = _unary("erfc", sympy.erfc, "math.erfc({0})", None, _mp_erfc,
              lambda g, out, a: (-(g * const(2 / sympy.sqrt(sympy.pi)) * EXP(-(a * a))),))
GAMMA = _unary("gamma", sympy.gamma, "math.gamma({0})", None, mpmath.gamma,
               lambda g, out, a: (g * out * DIGAMMA(a),))
LOGGAMMA = _unary("loggamma", sympy.loggamma, "math.lgamma({0})", None,
                  lambda a: mpmath.log(abs(mpmath.gamma(a))), lambda g, out, a: (g * DIGAMMA(a),),
                  description="log|gamma(x)| for real x, as math.lgamma")
DIGAMMA = _unary("digamma", sympy.digamma, "@digamma({0})", None, mpmath.digamma,
                 lambda g, out, a: (g * polygamma(1)(a),))

POLYGAMMA_MAX_ORDER = 60  # (-1)^(m+1) m! zeta(m+1, x): m! and the series' coefficients stay in float64


def polygamma(order: int) -> Op:
    """The op psi^(order)(x), order >= 1 (made on first use: each order has its own specialised helper,
    and its derivative is the op of the next order)."""
    name = f"polygamma{order}"
    if name not in OPS:
        if not 1 <= order <= POLYGAMMA_MAX_ORDER:
            raise UnsupportedError(f"polygamma of order {order} is not supported: orders 0 (digamma) to "
                                   f"{POLYGAMMA_MAX_ORDER} are")
        helper(name, _polygamma_source(order))
        defop(name, 1, lambda a, m=order: sympy.polygamma(m, a), emit=f"@{name}({{0}})",
              mpmath=lambda a, m=order: mpmath.psi(m, a),
              vjp=lambda g, out, a, m=order: (g * polygamma(m + 1)(a),),
              description=f"polygamma({order}, x)")
    return OPS[name]


def _polygamma_source(m: int) -> str:
    """A float64 helper for psi^(m)(x) = (-1)^(m+1) m! zeta(m+1, x), its constants computed here exactly.

    x > 0: the recurrence zeta(s, x) = x^-s + zeta(s, x + 1) up to x >= shift, then the Euler-Maclaurin
    tail zeta(s, x) = x^(1-s)/(s-1) + x^-s/2 + sum_j B_2j/(2j)! (s)_(2j-1) x^(1-s-2j) to B_20 (DLMF 25.11.43);
    shift = 10 + m makes its first omitted term < 1e-17 relative. x < 0: the reflection formula
    psi^(m)(x) = (-1)^m psi^(m)(1 - x) - pi d^m/dx^m cot(pi x) (DLMF 5.15.6), with
    d^m/dx^m cot(pi x) = pi^m Q_m(cot(pi x)), Q_0 = c, Q_(k+1) = -(1 + c^2) Q_k'(c); cot is taken of
    the reduced argument x - round(x) (exact), so large |x| keeps its accuracy.
    """
    q = [0, 1]
    for _ in range(m):
        d = [(j + 1) * q[j + 1] for j in range(len(q) - 1)]
        q = [0] * (len(d) + 2)
        for j, a in enumerate(d):
            q[j] -= a
            q[j + 2] -= a
    pi_power = sympy.pi ** (m + 1)
    cot_terms = [float(sympy.N(-pi_power * c, 30)) for c in q]  # -pi^(m+1) Q_m, lowest degree first
    horner_c = "0.0"
    for c in reversed(cot_terms):
        horner_c = f"({horner_c}) * c + {c!r}" if horner_c != "0.0" else repr(c)
    tail = []  # B_2j/(2j)! * (m+1)(m+2)...(m+2j-1), multiplying x^(-m-2j)
    for j in range(1, 11):
        rising = sympy.prod([m + i for i in range(1, 2 * j)])
        tail.append(float(sympy.bernoulli(2 * j) / sympy.factorial(2 * j) * rising))
    horner_t = repr(tail[-1])
    for c in reversed(tail[:-1]):
        horner_t = f"({horner_t}) * r2 + {c!r}"
    scale = float((-1) ** (m + 1) * sympy.factorial(m))
    pole = "np.inf" if m % 2 else "np.nan"  # odd orders: +inf from both sides; even: the sides differ
    return f"""
def {{name}}(x0):
    x = np.float64(x0)
    if x != x:
        return {{F}}(x)
    if x == np.inf:
        return {{F}}(0.0)
    if x == -np.inf:
        return {{F}}(np.nan)
    if x <= 0.0 and math.floor(x) == x:
        return {{F}}({pole})
    acc = 0.0
    sign = 1.0
    if x < 0.0:
        red = x - math.floor(x + 0.5)
        c = math.cos(3.141592653589793 * red) / math.sin(3.141592653589793 * red)
        acc = {horner_c}
        x = 1.0 - x
        sign = {float((-1) ** m)!r}
    s = 0.0
    while x < {10.0 + m!r}:
        s += x ** -{m + 1}
        x += 1.0
    r = 1.0 / x
    r2 = r * r
    s += x ** -{m} * ({1.0 / m!r} + 0.5 * r + r2 * ({horner_t}))  # pow, not r**m: one rounding
    return {{F}}(acc + sign * {scale!r} * s)
"""


polygamma(1)
polygamma(2)


def _sinc_vjp(g, out, a):
    # (cos a - sinc a) / a cancels for small |a| (all digits below 1e-8); there its Taylor series,
    # sum_k (-1)^k 2k a^(2k-1) / (2k+1)!, to k = 8 is exact to float64 for |a| < 0.5
    t = a * a
    series = const(sympy.Rational(16, sympy.factorial(17)))
    for k in range(7, 0, -1):
        series = series * t + const(sympy.Rational((-1) ** k * 2 * k, sympy.factorial(2 * k + 1)))
    return (g * SELECT(LT(ABS(a), const(sympy.Rational(1, 2))), a * series, (COS(a) - out) / a),)


SINC = _unary("sinc", sympy.sinc, "@sinc({0})", None, mpmath.sinc, _sinc_vjp,
              description="unnormalised sin(x)/x, with sinc(0) = 1 (SymPy's convention)")

helper("sinc", """
def {name}(x):
    if abs(x) < {F}(1e-4):
        return {F}(1.0) - x * x / {F}(6.0)
    if x == {F}(np.inf) or x == {F}(-np.inf):
        return {F}(0.0)  # the limit; sin(inf)/inf would be nan
    return math.sin(x) / x
""")
# digamma: reflection for x < 0.5 (so negative arguments work), recurrence up to x >= 10, then the
# asymptotic series (Abramowitz & Stegun 6.3.18) to the x**-12 term (stopping at x >= 6 left 1e-11);
# about 1e-15 relative away from the poles and the root near 1.4616.
helper("digamma", """
def {name}(x):
    if x != x or x == -np.inf:
        return x - x
    if x <= 0.0 and math.floor(x) == x:
        return {F}(np.nan)
    acc = {F}(0.0)
    if x < 0.5:
        acc = -{F}(3.141592653589793) / math.tan({F}(3.141592653589793) * x)
        x = {F}(1.0) - x
    while x < 10.0:
        acc -= {F}(1.0) / x
        x += {F}(1.0)
    r = {F}(1.0) / (x * x)
    s = r * ({F}(1.0 / 12) - r * ({F}(1.0 / 120) - r * ({F}(1.0 / 252) - r * ({F}(1.0 / 240) - r * (
        {F}(1.0 / 132) - r * {F}(691.0 / 32760))))))
    return acc + math.log(x) - {F}(0.5) / x - s
""")
# ---------------------------------------------------------------- complex parts
RE = defop("re", 1, lambda a: sympy.re(a), sympy_types=(sympy.re,), emit="{0}", emit_complex="{0}.real",
           result=_real_result, mpmath=mpmath.re, vjp=lambda g, out, a: (g,))
IM = defop("im", 1, lambda a: sympy.im(a), sympy_types=(sympy.im,), emit="@zero({0})",
           emit_complex="{0}.imag", result=_real_result, mpmath=mpmath.im, vjp=lambda g, out, a: (const(0),))
CONJ = defop("conjugate", 1, lambda a: sympy.conjugate(a), sympy_types=(sympy.conjugate,), emit="{0}",
             emit_complex="{0}.conjugate()", mpmath=mpmath.conj, vjp=lambda g, out, a: (g,))
ARG = defop("arg", 1, lambda a: sympy.arg(a), sympy_types=(sympy.arg,), emit="@rarg({0})",
            emit_complex="cmath.phase({0})", result=_real_result, mpmath=mpmath.arg,
            vjp=lambda g, out, a: (const(0),))
helper("zero", "def {name}(x):\n    return {F}(0.0)")
helper("rarg", """
def {name}(x):
    if x < 0:
        return {F}(3.141592653589793)
    if x >= 0:
        return {F}(0.0)
    return x
""")

# ---------------------------------------------------------------- relations, logic, selection
def _rel(name, sympy_cls, symbol, mp):
    # complex kernels (an expression with I) still compare real values; a non-real operand compares
    # False, as NaN does, since an order between complex numbers is undefined
    return defop(name, 2, lambda a, b: sympy_cls(a, b), sympy_types=(sympy_cls,),
                 emit=f"({{0}} {symbol} {{1}})",
                 emit_complex=f"({{0}}.imag == 0 and {{1}}.imag == 0 and {{0}}.real {symbol} {{1}}.real)",
                 result=_bool_result, mpmath=mp, vjp=lambda g, out, a, b: (const(0), const(0)))


LT = _rel("lt", sympy.StrictLessThan, "<", lambda a, b: a < b)
LE = _rel("le", sympy.LessThan, "<=", lambda a, b: a <= b)
GT = _rel("gt", sympy.StrictGreaterThan, ">", lambda a, b: a > b)
GE = _rel("ge", sympy.GreaterThan, ">=", lambda a, b: a >= b)
EQ = defop("eq", 2, lambda a, b: sympy.Eq(a, b), sympy_types=(sympy.Equality,), emit="({0} == {1})",
           emit_complex="({0} == {1})", result=_bool_result, mpmath=lambda a, b: a == b)
NE = defop("ne", 2, lambda a, b: sympy.Ne(a, b), sympy_types=(sympy.Unequality,), emit="({0} != {1})",
           emit_complex="({0} != {1})", result=_bool_result, mpmath=lambda a, b: a != b)
AND = defop("and", None, lambda *a: sympy.And(*a), sympy_types=(sympy.And,), commutative=True,
            emit=_nary("and"), result=_bool_result, mpmath=lambda *a: all(a))
OR = defop("or", None, lambda *a: sympy.Or(*a), sympy_types=(sympy.Or,), commutative=True,
           emit=_nary("or"), result=_bool_result, mpmath=lambda *a: any(a))
NOT = defop("not", 1, lambda a: sympy.Not(a), sympy_types=(sympy.Not,), emit="(not {0})",
            result=_bool_result, mpmath=lambda a: not a)
XOR = defop("xor", 2, lambda a, b: sympy.Xor(a, b), commutative=True, emit="({0} != {1})",
            result=_bool_result, mpmath=lambda a, b: bool(a) != bool(b))
# sympy.codegen's C99 classification functions (lambdify users write them in Piecewise conditions)
ISNAN = defop("isnan", 1, lambda a: cfunctions.isnan(a), sympy_types=(cfunctions.isnan,), emit="({0} != {0})",
              emit_complex="cmath.isnan({0})", result=_bool_result, mpmath=mpmath.isnan,
              vjp=lambda g, out, a: (const(0),))
ISINF = defop("isinf", 1, lambda a: cfunctions.isinf(a), sympy_types=(cfunctions.isinf,),
              emit="math.isinf({0})", emit_complex="cmath.isinf({0})", result=_bool_result,
              mpmath=mpmath.isinf, vjp=lambda g, out, a: (const(0),))


def _select_result(kinds):
    return _promote(kinds[1:]) if BOOL not in kinds[1:] else BOOL


SELECT = defop("select", 3, lambda c, a, b: sympy.Piecewise((a, c), (b, True)),
               emit="({1} if {0} else {2})", emit_complex="({1} if {0} else {2})", result=_select_result,
               mpmath=lambda c, a, b: a if c else b,
               vjp=lambda g, out, c, a, b: _select_vjp(g, c, a, b),
               description="the value of the branch not taken never reaches the result")


def _select_vjp(g, c, a, b):
    # the branch not taken gets 0 (as JAX/PyTorch's where); but where the result is the NaN of a
    # Piecewise without an otherwise (undefined there) the derivative is undefined too, NaN, as
    # sympy.diff's Piecewise says, not a 0 that would pretend the function were flat there
    return const(0), SELECT(c, g, _undefined_where(b)), SELECT(c, _undefined_where(a), g)


def _undefined_where(node):
    """0 where `node` is defined, NaN where it is a Piecewise's missing otherwise (constant 0 when it has
    none). Iterative over nested selects: a Piecewise of thousands of pieces is one chain of them."""
    def is_nan(n):
        return n.is_const and n.value is sympy.nan
    done = {}
    stack = [node]
    while stack:
        n = stack[-1]
        if n.key in done:
            stack.pop()
            continue
        if is_nan(n):
            done[n.key] = const(sympy.nan)
        elif n.op is not SELECT:
            done[n.key] = const(0)
        else:
            pending = [arm for arm in n.args[1:] if arm.key not in done]
            if pending:
                stack.extend(pending)
                continue
            then, other = (done[arm.key] for arm in n.args[1:])
            done[n.key] = then if then is other else SELECT(n.args[0], then, other)
        stack.pop()
    return done[node.key]


# the stable primitives register themselves into OPS/HELPERS; importing them here keeps the table complete
# LOGADDEXP (n-ary) is defined there with the other stable primitives
from . import stable  # noqa: E402,F401
from . import vecmath  # noqa: E402,F401  (vectorisable exp/log helpers)
from . import vecmath_hyp  # noqa: E402,F401  (vectorisable tanh, sinh, cosh, asinh, acosh, atanh)
from . import vecmath_log  # noqa: E402,F401  (vectorisable log2 and log10)
from .stable import (COSM1, EXPREL, LOG1MEXP, LOG_ERFC, LOG_RATIO, LOG_SIGMOID, LOGADDEXP, LOGIT,  # noqa: E402,F401
                     SCALED_EXPM1, SIGMOID, SIGMOID_DIFF, SOFTPLUS, X_OVER_EXPM1, XLOG1PY, XLOGY)
from .stable_pow import POW1P  # noqa: E402,F401
from .compensated import (CARRIED, CORRECTED, EXP_PAIR, EXPM1_PAIR, MUL_ADD, PRODUCT_ERROR,  # noqa: E402,F401
                          QUOTIENT_ERROR, SUM_ERROR)
from .stable_normal import NDTR  # noqa: E402,F401
from .stable_erfcx import ERFCX  # noqa: E402,F401
from .stable_trigpi import COSPI, SINPI  # noqa: E402,F401
from .stable_gamma import STIRLERR  # noqa: E402,F401
from .stable_series import (ASIN_MINUS_X, ASINH_MINUS_X, ATAN_MINUS_X, ATANH_MINUS_X,  # noqa: E402,F401
                            COS_MINUS_TAYLOR2, EXP_MINUS_TAYLOR2, EXPM1_MINUS_X, INV_MINUS_COT,
                            LOG1P_MINUS_X, SIN_MINUS_X_COS, SINH_MINUS_X, TAN_MINUS_X, TANH_MINUS_X,
                            X_COSH_MINUS_SINH, X_MINUS_SIN)
