"""Stable primitives: softplus, log1mexp, n-ary logaddexp, sigmoid, log_sigmoid, xlogy, xlog1py, logit,
cosm1, sigmoid_diff, log_erfc, exprel, x_over_expm1, scaled_expm1, and the emission of hypot.

Each is one op with all its facts (Numba helpers per dtype, mpmath reference, derivative, SymPy meaning);
the references and the SymPy function classes users write (`sg.softplus(x)`) are in stable_functions.py.
Each helper exists per dtype (name_f64, name_f32) and calls symgraph.vecmath's exp/log of that dtype,
so float32 kernels compute in float32 and every loop stays vectorisable.
"""
from __future__ import annotations

import mpmath
import sympy
from sympy.codegen import cfunctions, numpy_nodes

from . import ops
from .ir import const
from .vecmath import INV_LN2, LN2_HI, LN2_LO
from .stable_functions import (  # noqa: F401  (re-exported: the references and the user functions)
    mp_softplus, mp_log1mexp, mp_logaddexp, mp_sigmoid, mp_log_sigmoid, mp_xlogy, mp_xlog1py, mp_log_ratio, mp_logit, mp_cosm1,
    mp_exprel, mp_x_over_expm1, mp_scaled_expm1,
    softplus, log1mexp, logaddexp, sigmoid, log_sigmoid, xlogy, xlog1py, logit, cosm1)

_SUFFIX = {"float64": "f64", "float32": "f32", "complex128": "f64"}  # complex128 kernels: real parts in f64
_MINUS_TWO_OVER_SQRT_PI = const(-2 / sympy.sqrt(sympy.pi))


def _per_dtype_helper(name, template, requires=()):
    """Register `name_f64` and `name_f32` (IEEE helpers: no fast-math, inlined); <sfx> in the template
    becomes the dtype's suffix, so that a helper calls the vecmath functions of its own dtype."""
    for sfx in ("f64", "f32"):
        ops.helper(f"{name}_{sfx}", template.replace("<sfx>", sfx), requires=requires, ieee=True)


def _calls(name):
    """An emission calling the helper of the kernel's dtype."""
    def emit(ctx, node, *args):
        return f"@{name}_{_SUFFIX[ctx.variant]}({', '.join(args)})"
    return emit


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

# log(1 - e^x) = log(-expm1(x)) with expm1 unrounded (vecmath's hi + lo pair), so one logarithm is
# accurate everywhere: near 0 (where Maechler (2012) takes log(-expm1(x))) and below -ln2 (where he takes
# log1p(-exp(x))) alike; two exp-family evaluations and two logs before. Below -25 (where expm1's low
# part would carry the whole result through a few roundings) it is -e^x (1 + e^x/2) (the dropped
# e^2x/3 is 2^-75 of it), from the same reduction and polynomial (LLVM merges the two) and scaled as in
# vecmath's exp, with one rounding. |x| < 2^-56: -expm1(x) = -x. x > 0 gives NaN, as the typed formula does.
# float32: in float64, rounded once.
ops.helper("log1mexp_f64", """
def {name}(x):
    xc = x if x < -1.3877787807814457e-17 else -1.3877787807814457e-17
    xc = xc if xc > -746.0 else -746.0
    hi, lo = @vm_expm1_parts_f64(xc)
    kf = np.rint(xc * INV_LN2)
    qh, ql = @vm_expm1_poly_f64(xc - kf * LN2_HI, kf * LN2_LO)
    u = 1.0 + qh
    small = ((1.0 - u) + qh) + ql
    half = 0.5 * @vm_exp_scale_f64(u, small, kf) if x > -300.0 else 0.0
    tail = -@vm_exp_scale_f64(u, small + (u + small) * half, kf)
    v = hi + lo
    v_lo = (hi - v) + lo
    tiny = x > -1.3877787807814457e-17
    near = @vm_log_dd_f64(-x if tiny else -v, 0.0 if tiny else -v_lo)
    res = tail if x < -25.0 else near
    res = -np.inf if x == 0.0 else res
    res = np.nan if x > 0.0 else res
    return res if x == x else x
""".replace("INV_LN2", repr(INV_LN2)).replace("LN2_HI", repr(LN2_HI)).replace("LN2_LO", repr(LN2_LO)), ieee=True)
ops.helper("log1mexp_f32", """
def {name}(x):
    return np.float32(@log1mexp_f64(np.float64(x)))
""", ieee=True)

# sigmoid: with e = exp(-|x|) <= 1, 1/(1 + e) for x >= 0 and e/(1 + e) below: nothing overflows. 1 + e
# and the quotient round (0.48 / 0.39 mean bits over x in [0.2, 20] / [-30, -0.2]); d = 1 + e with its
# error d_lo (Fast2Sum: 1 >= e) and inv = 1/d with its remainder r = 1 - inv d (FMA, exact) make
# 1/(1 + e) = inv + inv (r - inv d_lo) to 2^-100, and e times it a product with its error (FMA): one
# rounding, and exp's own (scaled by e/(1 + e) <= 1/2 above 0). Below 2^-60 (float32: 2^-30) e/(1 + e)
# is e, correctly rounded (1 + e is 1, and e^2 is below its ulp); its corrections there would only be
# subnormal products (e^2 below 1e-154), each a microcode assist (2.1x on x in [-600, -20]): the numerator
# is 0 in them (branch-free: the loop vectorises).
for _sfx, _tiny in (("f64", "2.0 ** -60"), ("f32", "2.0 ** -30")):
    ops.helper(f"sigmoid_{_sfx}", """
def {name}(x):
    e = @vexp_<sfx>(-abs(x))
    d = {F}(1.0) + e
    d_lo = ({F}(1.0) - d) + e
    inverse = {F}(1.0) / d
    correction = inverse * (_vm_fma(-inverse, d, {F}(1.0)) - inverse * d_lo)
    tiny = e < {F}(<TINY>)
    n = {F}(1.0) if x >= {F}(0.0) else ({F}(0.0) if tiny else e)
    p = n * inverse
    r = p + (_vm_fma(n, inverse, -p) + n * correction)
    return e * inverse if (x < {F}(0.0)) & tiny else r
""".replace("<sfx>", _sfx).replace("<TINY>", _tiny), requires=("fma",), ieee=True)

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

# logit: one log of p/(1 - p) carried unrounded (symgraph/vecmath_hyp.py), so that near p = 1/2 the
# rounding of the quotient does not show; as fast as the typed log(p/(1 - p)), where log(p) - log1p(-p)
# with a log1p branch took three logarithms.
_per_dtype_helper("logit", """
def {name}(p):
    return @vlogit_<sfx>(p)
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

# log(x/y) for x, y of one sign, one logarithm, from the exponents and mantissas: x = 2^ex mx and
# y = 2^ey my (vecmath's reduction, mx, my in [sqrt2/2, sqrt2)), one of them doubled where mx/my is
# outside [sqrt2/2, sqrt2] (k = ex - ey moved by one), then log1p((mx - my)/my) + k ln2 with ln2 as a
# pair, so that x/y never over- or underflows (a likelihood ratio of 1e-200 and 1e200). mx - my is exact
# (Sterbenz) and the quotient rounds once: near x = y, where k = 0, it is (x - y)/y scaled by a power of
# two. The other points are log(x/y)'s IEEE values: -inf where x/y is 0, inf where it is inf, NaN where
# it is negative or NaN (also where it only underflows to -0). float32: log(x/y) in float64, where no
# float32 quotient over- or underflows and x/y's rounding is 2^-29 below float32's.
ops.helper("log_ratio_f64", f"""
def {{name}}(x, y):
    ax = abs(x)
    ay = abs(y)
    ex, fx = @vm_log_reduce_f64(ax)
    ey, fy = @vm_log_reduce_f64(ay)
    mx = 1.0 + fx
    my = 1.0 + fy
    up = mx < my * 0.7071067811865476
    down = mx > my * 1.4142135623730951
    mx = mx + mx if up else mx
    my = my + my if down else my
    k = ex - ey + (1.0 if down else 0.0) - (1.0 if up else 0.0)
    t, tail = @vm_log1p_poly_f64((mx - my) / my)
    a = k * {LN2_HI!r}
    r1 = a + t
    res = r1 + ((((a - r1) + t) + tail) + k * {LN2_LO!r})
    same_sign = (_vm_float_bits(x) < 0) == (_vm_float_bits(y) < 0)
    ok = (ax > 0.0) & (ax < np.inf) & (ay > 0.0) & (ay < np.inf) & same_sign
    zero = ((ax == 0.0) & (ay > 0.0)) | ((ay == np.inf) & (ax < np.inf))
    infinite = (((ay == 0.0) & (ax > 0.0)) | ((ax == np.inf) & (ay < np.inf))) & same_sign
    special = -np.inf if zero else (np.inf if infinite else np.nan)
    return res if ok else special
""", requires=("bitcast",), ieee=True)
ops.helper("log_ratio_f32", """
def {name}(x, y):
    return np.float32(@vlog_f64(np.float64(x) / np.float64(y)))
""", ieee=True)

_per_dtype_helper("xlog1py", """
def {name}(x, y):
    r = x * @vlog1p_<sfx>(y)
    return {F}(0.0) if x == {F}(0.0) and y == y else r
""")

# log(erfc(x)): erfc underflows above 26.5 (float32: 9.2) while its log is only about -x^2, and near
# x = 0 erfc is near 1, so its log cancels. Below 1/2: log1p(-erf(x)); to 9: log(erfc(x)); above 9 the
# asymptotic series erfc(x) = exp(-x^2)/(x sqrt(pi)) (1 + t), t = sum_n (-1)^n (2n-1)!!/(2x^2)^n, whose
# twelfth term leaves a relative error of 1.5e-16 at x = 9 (1% of an ulp of the result, -85):
# -x^2 - log(sqrt(pi)) + log((1 + t)/x), x^2 + log(sqrt(pi)) exact as a pair, so only the last
# subtraction rounds. One libm call per element (erf or erfc, a real branch: the
# call keeps the loop scalar anyway) and one logarithm, of 1 - erf (as an exact TwoSum pair), of erfc
# or of (1 + t)/x. float32: in float64, rounded once.
def _log_erfc_template():
    horner = ["    t = 23.0 * r"]
    horner += [f"    t = {k}.0 * r * (1.0 + t)" for k in range(21, 1, -2)]
    horner += ["    t = r * (1.0 + t)"]
    return "\n".join([
        "def {name}(x):",
        "    e = math.erf(x) if x < 0.5 else math.erfc(x)",
        "    r = -0.5 / (x * x)",
        *horner,
        "    one_minus = 1.0 - e",
        "    back = one_minus - 1.0",
        "    one_minus_lo = (1.0 - (one_minus - back)) + (-e - back)",
        "    small = x < 0.5",
        "    v = one_minus if small else (e if x < 9.0 else (1.0 + t) / x)",
        "    res = @vm_log_dd_f64(v, one_minus_lo if small else 0.0)",
        "    res = -np.inf if v == 0.0 else res",
        "    sq, sq_lo = @vm_mul_dd_f64(x, x)",
        "    head = sq + 0.5723649429247001",
        "    head_lo = ((sq - head) + 0.5723649429247001) + sq_lo if sq < np.inf else 0.0",
        "    return (res - head_lo) - head if x >= 9.0 else res",
    ])


ops.helper("log_erfc_f64", _log_erfc_template(), ieee=True)
ops.helper("log_erfc_f32", """
def {name}(x):
    return np.float32(@log_erfc_f64(np.float64(x)))
""", ieee=True)

# (e^x - 1)/x, x/(e^x - 1) and c (e^x - 1): vecmath's expm1 pair (hi + lo, unrounded) divided by x
# with the quotient's remainder (vm_div_dd), or multiplied by c with the product's error (FMA), and
# rounded once. Rounding expm1 first and then dividing or multiplying rounds twice: 0.2 bits of error
# on average (what NumPy's correctly rounded expm1 gives too); once, the result is correctly rounded
# on nearly every point. Below -40, e^x - 1 is -1 to 2^-57; for |x| < 1e-8 the Taylor series
# 1 + x/2 + x^2/6 (1 - x/2 + x^2/12) is exact to 2^-77, and spares the division 0/0 at x = 0 (the
# limit 1 there); c*expm1(x) for |x| < 2^-56 is c x + c x^2/2 with one rounding (c x alone is often a
# tie, c = 3 makes one of four: the x^2 term decides it). Above x = 700, where e^x - 1 is e^x and
# would overflow (or its reciprocal be subnormal) before the quotient does, expm1 is taken at
# x - n LN2_HI (exact) and the quotient scaled by 2^n and by e^(n LN2_HI)/2^n (its tail), so that
# exprel is finite up to 716, x/expm1(x) nonzero up to 751 and c expm1(x) computed up to 720, as their
# exact values are (the typed formulas give inf and 0 from 709.8). An infinite c expm1(x) (c = inf or
# overflow) skips the error terms, which would be inf - inf. float32: in float64, rounded once more
# (c x for small integers c and tiny x is a float32 tie that the float64 result no longer breaks).
ops.helper("exprel_f64", """
def {name}(x):
    xc = x if x < 720.0 else 720.0
    xc = xc if xc > -40.0 else -40.0
    small = abs(xc) < 1e-8
    big = xc > 700.0
    xs = 1.0 if small else (xc - 11.090354885905981 if big else xc)
    hi, lo = @vm_expm1_parts_f64(xs)
    q, q_lo = @vm_div_dd_f64(hi, lo, xc if big else xs, 0.0)
    q_lo = q_lo + (q + q_lo) * -3.053143882172097e-09 if big else q_lo
    res = (q + q_lo) * (65536.0 if big else 1.0)
    res = 1.0 + x * (0.5 + x * 0.16666666666666666) if small else res
    res = -1.0 / x if x < -40.0 else res
    res = np.inf if x > 720.0 else res
    return res if x == x else x
""", ieee=True)
ops.helper("x_over_expm1_f64", """
def {name}(x):
    xc = x if x < 755.0 else 755.0
    xc = xc if xc > -40.0 else -40.0
    small = abs(xc) < 1e-8
    big = xc > 700.0
    xs = 1.0 if small else (xc - 44.361419543623924 if big else xc)
    hi, lo = @vm_expm1_parts_f64(xs)
    q, q_lo = @vm_div_dd_f64(xc if big else xs, 0.0, hi, lo)
    q_lo = q_lo + (q + q_lo) * 1.2212575621905263e-08 if big else q_lo
    res = (q + q_lo) * (5.421010862427522e-20 if big else 1.0)
    res = 1.0 - x * (0.5 - x * 0.08333333333333333) if small else res
    res = -x if x < -40.0 else res
    res = 0.0 if x > 755.0 else res
    return res if x == x else x
""", ieee=True)
# c expm1(x + e) for c = c_hi + c_lo (a constant the dtype cannot hold, split when the kernel is emitted)
# and an argument x carried with its rounding error e (symgraph/compensated.py's scaled_expm1_pair; e = 0
# for scaled_expm1 itself), rounded once: the product of c and expm1's unrounded hi + lo as p + p_lo (FMA),
# with c_lo hi and the first-order correction (p + c) e (c e^x, scaled as p is above 700) added before the
# one rounding. A correction that is not finite (e is NaN where x is infinite) is left out.
SCALED_EXPM1_PARTS = """
    xc = x if x < 720.0 else 720.0
    xc = xc if xc > -40.0 else -40.0
    big = xc > 700.0
    hi, lo = @vm_expm1_parts_f64(xc - 11.090354885905981 if big else xc)
    p = c * hi
    p_lo = _vm_fma(c, hi, -p) + (c * lo + c_lo * hi)
    p_lo = p_lo + (p + p_lo) * -3.053143882172097e-09 if big else p_lo
    slope = (p + c) * e
    p_lo = p_lo + slope if slope - slope == 0.0 else p_lo
"""
ops.helper("scaled_expm1_f64", """
def {name}(c, c_lo, x, e):""" + SCALED_EXPM1_PARTS + """
    res = (p + p_lo) * (65536.0 if big else 1.0)
    res = res if p - p == 0.0 else p
    t = c * x
    small = t * (x * 0.5) + (c_lo * x + (c * e if e - e == 0.0 else 0.0))
    t = _vm_fma(c, x, small) if (t - t == 0.0) & ((x != 0.0) | (e != 0.0)) else t
    res = t if abs(x) < 1.3877787807814457e-17 else res
    res = -(c + c_lo) if x < -40.0 else res
    res = (c * np.inf if (c != 0.0) | (x == np.inf) else c) if x > 720.0 else res
    return res if x == x else x
""", requires=("fma",), ieee=True)
ops.helper("scaled_expm1_f32", """
def {name}(c, c_lo, x, e):
    return np.float32(@scaled_expm1_f64(np.float64(c), np.float64(c_lo), np.float64(x), np.float64(e)))
""", ieee=True)


def split_scale(ctx, c_node, c):
    """(c_hi, c_lo) for the helper: a constant c the dtype cannot hold split into its rounding and the rest;
    c itself and 0 otherwise."""
    from .compensated import _split_constant
    split = _split_constant(ctx, c_node.value) if c_node.is_const else None
    return (c, "0.0") if split is None else (ctx.const(split[0]), ctx.const(split[1]))


def emit_scaled_expm1(ctx, node, c, x, e="0.0"):
    sfx = _SUFFIX[ctx.variant]
    return f"@scaled_expm1_{sfx}({', '.join(split_scale(ctx, node.args[0], c))}, {x}, {e})"


for _name, _args, _wide in (("exprel", "x", "np.float64(x)"), ("x_over_expm1", "x", "np.float64(x)")):
    ops.helper(f"{_name}_f32", f"""
def {{name}}({_args}):
    return np.float32(@{_name}_f64({_wide}))
""", ieee=True)


# hypot (ops.HYPOT's emission): libm's hypot is a call per element that stops the loop vectorising.
# float64: the larger magnitude m is scaled into [1, 4) by a power of two taken from its exponent bits
# (exact, no division), sqrt(ms^2 + ns^2) (within ~1 ulp: no over/underflow is possible there) is
# scaled back; one sqrt and no division, as cheap as the typed sqrt(x*x + y*y). An n below 2^-500 m
# counts as 0 (its square is below m's last bit), so no subnormal intermediate costs a microcode
# assist. float32: x*x + y*y in float64 is exact but for one rounding and cannot overflow.
# IEEE: hypot(+-inf, NaN) = inf; a NaN argument otherwise gives NaN.
ops.helper("hypot2_f64", """
def {name}(x, y):
    ax = abs(x)
    ay = abs(y)
    m = ax if ax > ay else ay
    n = ay if ax > ay else ax
    e = _vm_float_bits(m) >> 52
    n = n if (_vm_float_bits(n) >> 52) > e - 500 else 0.0
    eb = e if e > 1 else 1
    eb = eb if eb < 2045 else 2045
    down = _vm_bits_float((2046 - eb) << 52)
    ms = m * down
    ns = n * down
    out = math.sqrt(ms * ms + ns * ns) * _vm_bits_float(eb << 52)
    return np.inf if (ax == np.inf) | (ay == np.inf) else out
""", requires=("bitcast",), ieee=True)
ops.helper("hypot2_f32", """
def {name}(x, y):
    xd = np.float64(x)
    yd = np.float64(y)
    out = np.float32(math.sqrt(xd * xd + yd * yd))
    return np.float32(np.inf) if (abs(x) == np.inf) | (abs(y) == np.inf) else out
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


LOG_ERFC = ops.defop("log_erfc", 1, lambda x: sympy.log(sympy.erfc(x)), emit=_calls("log_erfc"),
                     mpmath=lambda x: mpmath.log1p(-mpmath.erf(x)) if x < 0.5 else mpmath.log(mpmath.erfc(x)),
                     vjp=lambda g, out, x: (g * _MINUS_TWO_OVER_SQRT_PI * ops.EXP(-(x * x) - out),),
                     description="log(erfc(x)) without underflow (asymptotic series above x = 9)")
def _exprel_slope(x):
    """d/dx (e^x - 1)/x = (e^x - exprel(x))/x, which cancels near 0; there, its Taylor series (the
    first term left out, x^8/403200, is 2^-68 of it at |x| = 1/32)."""
    series = const(sympy.Rational(1, 45360))
    for k in (5760, 840, 144, 30, 8, 3, 2):
        series = const(sympy.Rational(1, k)) + x * series
    return ops.SELECT(ops.LT(ops.ABS(x), const(sympy.Rational(1, 32))), series, (ops.EXP(x) - EXPREL(x)) / x)


EXPREL = ops.defop("exprel", 1, lambda x: sympy.Piecewise((1, sympy.Eq(x, 0)), (cfunctions.expm1(x) / x, True)),
                   emit=_calls("exprel"), mpmath=mp_exprel, vjp=lambda g, out, x: (g * _exprel_slope(x),),
                   description="(exp(x) - 1)/x rounded once, 1 at x = 0")
X_OVER_EXPM1 = ops.defop("x_over_expm1", 1,
                         lambda x: sympy.Piecewise((1, sympy.Eq(x, 0)), (x / cfunctions.expm1(x), True)),
                         emit=_calls("x_over_expm1"), mpmath=mp_x_over_expm1,
                         vjp=lambda g, out, x: (-(g * out * out * _exprel_slope(x)),),
                         description="x/(exp(x) - 1) rounded once, 1 at x = 0")
SCALED_EXPM1 = ops.defop("scaled_expm1", 2, lambda c, x: c * cfunctions.expm1(x), emit=emit_scaled_expm1,
                         mpmath=mp_scaled_expm1, vjp=lambda g, out, c, x: (g * ops.EXPM1(x), g * c * ops.EXP(x)),
                         description="c*(exp(x) - 1) rounded once")

LOG_SIGMOID = ops.defop("log_sigmoid", 1, log_sigmoid, sympy_types=(log_sigmoid,), emit=_calls("log_sigmoid"),
                        mpmath=mp_log_sigmoid, vjp=lambda g, out, x: (g * SIGMOID(-x),),
                        description="log(sigmoid(x)) = -softplus(-x)")
XLOGY = ops.defop("xlogy", 2, xlogy, sympy_types=(xlogy,), emit=_calls("xlogy"), mpmath=mp_xlogy,
                  vjp=lambda g, out, x, y: (g * ops.LOG(y), g * x / y),
                  description="x*log(y), 0 where x == 0")
LOG_RATIO = ops.defop("log_ratio", 2, lambda x, y: sympy.log(x / y), emit=_calls("log_ratio"), mpmath=mp_log_ratio,
                      vjp=lambda g, out, x, y: (g / x, -(g / y)),
                      description="log(x/y) without the quotient's over- or underflow, as log1p near x = y")
XLOG1PY = ops.defop("xlog1py", 2, xlog1py, sympy_types=(xlog1py,), emit=_calls("xlog1py"), mpmath=mp_xlog1py,
                    vjp=lambda g, out, x, y: (g * ops.LOG1P(y), g * x / (1 + y)),
                    description="x*log1p(y), 0 where x == 0")
LOGIT = ops.defop("logit", 1, logit, sympy_types=(logit,), emit=_calls("logit"), mpmath=mp_logit,
                  vjp=lambda g, out, p: (g / (p * (1 - p)),), description="log(p/(1 - p))")
COSM1 = ops.defop("cosm1", 1, cosm1, sympy_types=(cosm1,), emit=_calls("cosm1"), mpmath=mp_cosm1,
                  vjp=lambda g, out, x: (-(g * ops.SIN(x)),), description="cos(x) - 1 without cancellation")
