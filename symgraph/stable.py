"""Stable primitives: softplus, log1mexp, n-ary logaddexp, sigmoid, log_sigmoid, xlogy, xlog1py, logit, cosm1.

Each is one op with all its facts (Numba helpers per dtype, mpmath reference, derivative, SymPy meaning)
and a SymPy function class, so users can write `sg.softplus(x)` and rewrite rules can target the op.
Each helper exists per dtype (name_f64, name_f32) and calls symgraph.vecmath's exp/log of that dtype,
so float32 kernels compute in float32 and every loop stays vectorisable.
"""
from __future__ import annotations

import mpmath
import sympy
from sympy.codegen import numpy_nodes

from . import ops

_SUFFIX = {"float64": "f64", "float32": "f32", "complex128": "f64"}  # complex128 kernels: real parts in f64


def _per_dtype_helper(name, template):
    """Register `name_f64` and `name_f32` (IEEE helpers: no fast-math, inlined); <sfx> in the template
    becomes the dtype's suffix, so that a helper calls the vecmath functions of its own dtype."""
    for sfx in ("f64", "f32"):
        ops.helper(f"{name}_{sfx}", template.replace("<sfx>", sfx), ieee=True)


def _calls(name):
    """An emission calling the helper of the kernel's dtype."""
    def emit(ctx, node, *args):
        return f"@{name}_{_SUFFIX[ctx.variant]}({', '.join(args)})"
    return emit


# ---------------------------------------------------------------- mpmath references (exact meaning)
NAN = mpmath.mpf("nan")
_is_nan = mpmath.isnan


def mp_softplus(x):
    return mpmath.log1p(mpmath.exp(x))


def mp_log1mexp(x):
    if _is_nan(x) or x > 0:
        return NAN
    # each form loses digits where the other is exact, even at 50 digits (x = -125: 1 - e^x rounds to 1)
    if x < -1:
        return mpmath.log1p(-mpmath.exp(x))
    return mpmath.log(-mpmath.expm1(x))


def mp_logaddexp(*xs):
    if any(_is_nan(x) for x in xs):
        return NAN
    return mpmath.log(mpmath.fsum(mpmath.exp(x) for x in xs))


def mp_sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def mp_log_sigmoid(x):
    return -mpmath.log1p(mpmath.exp(-x))


def mp_xlogy(x, y):
    if _is_nan(y) or _is_nan(x):
        return NAN
    if x == 0:
        return mpmath.mpf(0)
    if y < 0:
        return NAN
    return x * mpmath.log(y)


def mp_xlog1py(x, y):
    if _is_nan(y) or _is_nan(x):
        return NAN
    if x == 0:
        return mpmath.mpf(0)
    if y < -1:
        return NAN
    return x * mpmath.log1p(y)


def mp_logit(p):
    if _is_nan(p) or p < 0 or p > 1:
        return NAN
    if p == 1:
        return mpmath.inf
    if p < 0.25:
        return mpmath.log(p) - mpmath.log1p(-p)
    # near 1/2 the difference of logs cancels, even at 50 digits; 2p - 1 is exact in mpmath
    return mpmath.log1p((2 * p - 1) / (1 - p))


def mp_cosm1(x):
    # -2 sin(x/2)^2 has no cancellation, so working precision is kept even for tiny x
    return -2 * mpmath.sin(x / 2) ** 2


# ---------------------------------------------------------------- SymPy functions users can write
def _evalf_with(reference, args, prec):
    """Evaluate a reference to `prec` bits; None when an argument is not a real number.

    Arguments are rounded to a working precision first, and some functions cancel (logit near 1/2 of
    an exact rational): the working precision doubles until two evaluations agree to `prec` bits.
    """
    work = prec + 30
    previous = r = None
    for _ in range(8):
        with mpmath.workprec(work):  # mpf() rounds to the context's precision: build every value inside it
            values = []
            for a in args:
                v = a.evalf(mpmath.libmp.prec_to_dps(work))
                if not v.is_Number:
                    return None
                values.append(mpmath.mpf(v._as_mpf_val(work)))
            r = reference(*values)
            if isinstance(r, mpmath.mpc):
                return None
            r = mpmath.mpf(r)
            if all(a.is_Float for a in args):  # float arguments are exact at any precision: one pass
                break
            if previous is not None and (r == previous or not mpmath.isfinite(r)
                                         or abs(r - previous) <= abs(r) * mpmath.ldexp(1, -prec - 2)):
                break
            previous = r
        work *= 2
    return sympy.Float._new(r._mpf_, prec)


class _StableFunction(sympy.Function):
    """Shared behaviour: numeric evaluation through the mpmath reference, real when the arguments are."""
    _reference = None

    def _eval_evalf(self, prec):
        return _evalf_with(type(self)._reference, self.args, prec)

    def _eval_is_extended_real(self):
        if all(a.is_extended_real for a in self.args) and type(self)._real_everywhere:
            return True
        return None

    _real_everywhere = True


class softplus(_StableFunction):
    """log(1 + exp(x)) (log1pexp), exact at x = 800 (800) and x = -800 (exp(-800))."""
    nargs = 1
    _reference = staticmethod(mp_softplus)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        if x is sympy.S.Infinity:
            return sympy.S.Infinity
        if x.is_zero:
            return sympy.log(2)

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(1 + sympy.exp(x))

    def _eval_is_positive(self):
        return True if self.args[0].is_extended_real else None


class log1mexp(_StableFunction):
    """log(1 - exp(x)) for x <= 0 (NaN for x > 0)."""
    nargs = 1
    _reference = staticmethod(mp_log1mexp)
    _real_everywhere = False

    @classmethod
    def eval(cls, x):
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        if x.is_zero:
            return sympy.S.NegativeInfinity

    def fdiff(self, argindex=1):
        return -1 / sympy.codegen.cfunctions.expm1(-self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(1 - sympy.exp(x))


class logaddexp(_StableFunction):
    """log(exp(x1) + ... + exp(xn)), max-shifted so that nothing overflows; -inf arguments are fine."""
    _reference = staticmethod(mp_logaddexp)

    @classmethod
    def eval(cls, *args):
        if len(args) < 2:
            raise TypeError("logaddexp takes at least two arguments")
        ordered = sorted(args, key=sympy.default_sort_key)
        if list(args) != ordered:  # symmetric: one canonical order, so logaddexp(y, x) == logaddexp(x, y)
            return cls(*ordered)

    def fdiff(self, argindex=1):
        return sympy.exp(self.args[argindex - 1] - self)

    def _eval_rewrite_as_log(self, *args, **kwargs):
        return sympy.log(sympy.Add(*[sympy.exp(a) for a in args]))


class sigmoid(_StableFunction):
    """1/(1 + exp(-x)) (expit), accurate in both tails."""
    nargs = 1
    _reference = staticmethod(mp_sigmoid)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.Infinity:
            return sympy.S.One
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        if x.is_zero:
            return sympy.S.Half

    def fdiff(self, argindex=1):
        return self * sigmoid(-self.args[0])

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))


class log_sigmoid(_StableFunction):
    """log(sigmoid(x)) = -softplus(-x): -800 at x = -800."""
    nargs = 1
    _reference = staticmethod(mp_log_sigmoid)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.Infinity:
            return sympy.S.Zero
        if x.is_zero:
            return -sympy.log(2)

    def fdiff(self, argindex=1):
        return sigmoid(-self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return -sympy.log(1 + sympy.exp(-x))


class xlogy(_StableFunction):
    """x*log(y), defined as 0 where x == 0 (unless y is NaN), as scipy.special.xlogy."""
    nargs = 2
    _reference = staticmethod(mp_xlogy)
    _real_everywhere = False

    @classmethod
    def eval(cls, x, y):
        if x.is_zero:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        x, y = self.args
        return sympy.log(y) if argindex == 1 else x / y

    def _eval_rewrite_as_log(self, x, y, **kwargs):
        return sympy.Piecewise((0, sympy.Eq(x, 0)), (x * sympy.log(y), True))


class xlog1py(_StableFunction):
    """x*log1p(y), defined as 0 where x == 0 (unless y is NaN), as scipy.special.xlog1py."""
    nargs = 2
    _reference = staticmethod(mp_xlog1py)
    _real_everywhere = False

    @classmethod
    def eval(cls, x, y):
        if x.is_zero:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        x, y = self.args
        return sympy.log(1 + y) if argindex == 1 else x / (1 + y)

    def _eval_rewrite_as_log(self, x, y, **kwargs):
        return sympy.Piecewise((0, sympy.Eq(x, 0)), (x * sympy.log(1 + y), True))


class logit(_StableFunction):
    """log(p/(1 - p)), accurate near p = 0, 1/2 and 1."""
    nargs = 1
    _reference = staticmethod(mp_logit)
    _real_everywhere = False

    @classmethod
    def eval(cls, p):
        if p == sympy.S.Half:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        p = self.args[0]
        return 1 / (p * (1 - p))

    def _eval_rewrite_as_log(self, p, **kwargs):
        return sympy.log(p / (1 - p))


class cosm1(_StableFunction):
    """cos(x) - 1, accurate near x = 0 (where the subtraction loses every digit)."""
    nargs = 1
    _reference = staticmethod(mp_cosm1)

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        return -sympy.sin(self.args[0])

    def _eval_rewrite_as_cos(self, x, **kwargs):
        return sympy.cos(x) - 1


# ---------------------------------------------------------------- the ops and their Numba helpers
# The helpers are branch-free (both sides computed, then a select) and call symgraph.vecmath's
# vectorisable exp/log family, so that a kernel's loop stays one body LLVM can vectorise; they are
# compiled as IEEE helpers (no fast-math: reassociation would undo the forms chosen for accuracy).

# softplus = max(x, 0) + log1p(exp(-|x|)): both terms >= 0, so no cancellation, and exp never
# overflows. Maechler (2012) gets the same accuracy with branches at -37, 18 and 33.3.
_per_dtype_helper("softplus", """
def {name}(x):
    e = @vexp_<sfx>(-abs(x))
    m = x if x > {F}(0.0) else {F}(0.0)
    return m + @vlog1p_<sfx>(e)
""")

# log_sigmoid = -softplus(-x) = min(x, 0) - log1p(exp(-|x|))
_per_dtype_helper("log_sigmoid", """
def {name}(x):
    e = @vexp_<sfx>(-abs(x))
    m = x if x < {F}(0.0) else {F}(0.0)
    return m - @vlog1p_<sfx>(e)
""")

# Maechler (2012): log1p(-exp(x)) is accurate when exp(x) < 1/2, log(-expm1(x)) when x is near 0.
# x > 0 gives log of a negative number: NaN, as the typed formula does.
_per_dtype_helper("log1mexp", """
def {name}(x):
    far = @vlog1p_<sfx>(-@vexp_<sfx>(x))
    near = @vlog_<sfx>(-@vexpm1_<sfx>(x))
    return far if x < {F}(-0.6931471805599453) else near
""")

# sigmoid: with e = exp(-|x|) <= 1, 1/(1 + e) for x >= 0 and e/(1 + e) below: nothing overflows, and
# one division either way (e * (1/(1 + e)) would round once more)
_per_dtype_helper("sigmoid", """
def {name}(x):
    e = @vexp_<sfx>(-abs(x))
    numerator = {F}(1.0) if x >= {F}(0.0) else e
    return numerator / ({F}(1.0) + e)
""")

# sigmoid(x - y) for softmax of two logits: x - y is rounded, and sigmoid would carry that rounding
# (up to ulp(745)/2) into its result; TwoSum gives the rounding error err exactly, and
# sigmoid(d + err) = s + s*(1 - s)*err to first order. Where x - y is +-inf, err is NaN: s is exact.
_per_dtype_helper("sigmoid_diff", """
def {name}(x, y):
    d = x - y
    t = d - x
    err = (x - (d - t)) - (y + t)
    e = @vexp_<sfx>(-abs(d))
    inv = {F}(1.0) / ({F}(1.0) + e)
    s = inv if d >= {F}(0.0) else e * inv
    c = e * inv if d >= {F}(0.0) else inv
    r = s + s * c * err
    return r if err == err else s
""")

# logit: log(p) - log1p(-p) has no cancellation for p < 1/4; above, 2p - 1 is exact (Sterbenz), 1 - p
# nearly so, and log1p keeps the small result near p = 1/2 accurate (p = 1 gives log1p(inf) = inf).
_per_dtype_helper("logit", """
def {name}(p):
    low = @vlog_<sfx>(p) - @vlog1p_<sfx>(-p)
    high = @vlog1p_<sfx>(({F}(2.0) * p - {F}(1.0)) / ({F}(1.0) - p))
    return low if p < {F}(0.25) else high
""")

# cos(x) - 1 = -2 sin(x/2)^2: no subtraction, so about 1.5 ulps everywhere sin is accurate.
_per_dtype_helper("cosm1", """
def {name}(x):
    s = math.sin(x * {F}(0.5))
    return {F}(-2.0) * s * s
""")

_per_dtype_helper("xlogy", """
def {name}(x, y):
    r = x * @vlog_<sfx>(y)
    return {F}(0.0) if x == {F}(0.0) and y == y else r
""")

_per_dtype_helper("xlog1py", """
def {name}(x, y):
    r = x * @vlog1p_<sfx>(y)
    return {F}(0.0) if x == {F}(0.0) and y == y else r
""")

# hypot (ops.HYPOT's emission): libm's hypot is a call per element that stops the loop vectorising.
# Where x*x + y*y is safely normal in both dtypes (2^-120 .. 2^120) its square root is within ~1 ulp;
# elsewhere m*sqrt(1 + (n/m)^2) with m = max(|x|, |y|) has no spurious over/underflow. Branch-free.
# IEEE: hypot(+-inf, NaN) = inf; hypot(0, 0) = 0 (n/m would be 0/0).
ops.helper("hypot2", """
def {name}(x, y):
    ax = abs(x)
    ay = abs(y)
    m = ax if ax > ay else ay
    n = ay if ax > ay else ax
    s = ax * ax + ay * ay
    r = n / m
    scaled = m * math.sqrt({F}(1.0) + r * r)
    safe = (s > {F}(7.52316384526264e-37)) & (s < {F}(1.329227995784916e+36))
    out = math.sqrt(s) if safe else scaled
    out = {F}(0.0) if m == {F}(0.0) else out
    out = out if s == s else s  # a NaN argument (m may have picked the other one)
    return {F}(np.inf) if (ax == {F}(np.inf)) | (ay == {F}(np.inf)) else out
""", ieee=True)

# logaddexp: the largest argument is taken out (m + log1p(sum of the others' exp(x - m))), so that
# nothing overflows and a small sum keeps its digits. a == b == +-inf makes a - b NaN: the answer is a.
_per_dtype_helper("logaddexp", """
def {name}(a, b):
    m = a if a > b else b
    d = -abs(a - b)
    r = m + @vlog1p_<sfx>(@vexp_<sfx>(d))
    return r if d == d else (m if a == b else a + b)
""")
_per_dtype_helper("logaddexpn", """
def {name}(*xs):
    m = xs[0]
    for x in xs:
        if x != x:
            return x
        if x > m:
            m = x
    if m == {F}(np.inf) or m == {F}(-np.inf):
        return m
    s = {F}(0.0)
    skipped = False
    for x in xs:
        if x == m and not skipped:
            skipped = True
        else:
            s += @vexp_<sfx>(x - m)
    return m + @vlog1p_<sfx>(s)
""")


def _emit_logaddexp(ctx, node, *args):
    name = "logaddexp" if len(args) == 2 else "logaddexpn"
    return f"@{name}_{_SUFFIX[ctx.variant]}({', '.join(args)})"


SOFTPLUS = ops.defop("softplus", 1, softplus, sympy_types=(softplus,), emit=_calls("softplus"),
                     mpmath=mp_softplus, vjp=lambda g, out, x: (g * SIGMOID(x),),
                     description="log(1 + exp(x)) without overflow (Maechler 2012 thresholds)")
LOG1MEXP = ops.defop("log1mexp", 1, log1mexp, sympy_types=(log1mexp,), emit=_calls("log1mexp"),
                     mpmath=mp_log1mexp, vjp=lambda g, out, x: (-(g / ops.EXPM1(-x)),),
                     description="log(1 - exp(x)) for x <= 0, NaN above")
LOGADDEXP = ops.defop("logaddexp", None, lambda *a: logaddexp(*a),
                      sympy_types=(logaddexp, numpy_nodes.logaddexp), commutative=True, emit=_emit_logaddexp,
                      mpmath=mp_logaddexp, vjp=lambda g, out, *a: tuple(g * ops.EXP(x - out) for x in a),
                      description="log(sum of exp(x_i)), n-ary, max-shifted; -inf arguments contribute 0")
SIGMOID = ops.defop("sigmoid", 1, sigmoid, sympy_types=(sigmoid,), emit=_calls("sigmoid"),
                    mpmath=mp_sigmoid, vjp=lambda g, out, x: (g * out * SIGMOID(-x),),
                    description="1/(1 + exp(-x))")
SIGMOID_DIFF = ops.defop("sigmoid_diff", 2, lambda x, y: sigmoid(x - y), emit=_calls("sigmoid_diff"),
                         mpmath=lambda x, y: mp_sigmoid(x - y),
                         vjp=lambda g, out, x, y: _sigmoid_diff_vjp(g, out, x, y),
                         description="sigmoid(x - y), with the rounding of x - y compensated (softmax of two)")


def _sigmoid_diff_vjp(g, out, x, y):
    slope = g * out * SIGMOID_DIFF(y, x)
    return slope, -slope


LOG_SIGMOID = ops.defop("log_sigmoid", 1, log_sigmoid, sympy_types=(log_sigmoid,), emit=_calls("log_sigmoid"),
                        mpmath=mp_log_sigmoid, vjp=lambda g, out, x: (g * SIGMOID(-x),),
                        description="log(sigmoid(x)) = -softplus(-x)")
XLOGY = ops.defop("xlogy", 2, xlogy, sympy_types=(xlogy,), emit=_calls("xlogy"), mpmath=mp_xlogy,
                  vjp=lambda g, out, x, y: (g * ops.LOG(y), g * x / y),
                  description="x*log(y), 0 where x == 0")
XLOG1PY = ops.defop("xlog1py", 2, xlog1py, sympy_types=(xlog1py,), emit=_calls("xlog1py"), mpmath=mp_xlog1py,
                    vjp=lambda g, out, x, y: (g * ops.LOG1P(y), g * x / (1 + y)),
                    description="x*log1p(y), 0 where x == 0")
LOGIT = ops.defop("logit", 1, logit, sympy_types=(logit,), emit=_calls("logit"), mpmath=mp_logit,
                  vjp=lambda g, out, p: (g / (p * (1 - p)),), description="log(p/(1 - p))")
COSM1 = ops.defop("cosm1", 1, cosm1, sympy_types=(cosm1,), emit=_calls("cosm1"), mpmath=mp_cosm1,
                  vjp=lambda g, out, x: (-(g * ops.SIN(x)),), description="cos(x) - 1 without cancellation")
