"""Stable primitives: each compiled kernel against mpmath at 50 digits over its domain, including the
extremes (+-800, 1e-20, the branch thresholds, +-inf, NaN), in float64 and in float32 (float32 results
against the correctly rounded float32 value of the exact result at the float32 input); plus their SymPy
side (evalf, derivatives, lowering) and their derivative rules."""
import math

import mpmath
import numpy as np
import pytest
import sympy
from sympy.codegen import numpy_nodes

import symgraph as sg
from symgraph import ops, stable
from symgraph.ir import const, symbol
from symgraph.lower import lower
from symgraph.reference import evaluate, round_to

x, y, z = sympy.symbols("x y z")
DTYPES = (np.float64, np.float32)


# ---------------------------------------------------------------- measuring
def _ordered(values):
    """Floats as integers in the same order, adjacent floats one apart, +0 and -0 both 0 (Python ints:
    exact, no overflow)."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.float32:
        bits, mask = values.view(np.int32).astype(np.int64), 0x7FFFFFFF
    else:
        bits, mask = values.view(np.int64), 0x7FFFFFFFFFFFFFFF
    return [int(b) for b in np.where(bits < 0, -(bits & mask), bits)]


def ulps_to_exact(computed, exact, dtype):
    """Distance in floats of `dtype` from each computed value to the correctly rounded exact value.
    NaN against NaN is 0; NaN against a number is 2**64."""
    computed = np.atleast_1d(np.asarray(computed, dtype))
    with np.errstate(over="ignore"):
        rounded = np.array([round_to(e, dtype) for e in exact], dtype)
    out = []
    for c, r, oc, orr in zip(computed, rounded, _ordered(computed), _ordered(rounded)):
        if np.isnan(c) or np.isnan(r):
            out.append(0.0 if np.isnan(c) and np.isnan(r) else float(2 ** 64))
        else:
            out.append(float(abs(oc - orr)))
    return np.array(out)


def exact_values(reference, columns):
    """The reference at each point (columns of equal length, as floats), with mpmath at 50 digits."""
    with mpmath.workdps(50):
        return [reference(*(mpmath.mpf(float(v)) for v in point)) for point in zip(*columns)]


def _log_uniform(rng, lo, hi, n):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


def _around(values, dtype):
    """Each value and its two neighbouring floats of `dtype` (the branch thresholds of the helpers)."""
    v = np.asarray(values, dtype)
    return np.concatenate([v, np.nextafter(v, dtype(np.inf)), np.nextafter(v, dtype(-np.inf))])


RNG = np.random.default_rng(20120)
MAGNITUDES = np.concatenate([_log_uniform(RNG, 1e-30, 1e3, 200),
                             [5e-324, 1e-300, 1e-20, 1e-8, 1e-4, 0.1, 0.5, 1, 2, 10, 100, 700, 710, 800, 1e10]])
SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan]
REALS = np.concatenate([MAGNITUDES, -MAGNITUDES, SPECIAL, np.linspace(-50, 50, 201)])
NONPOSITIVE = np.concatenate([-MAGNITUDES, [0.0, -0.0, -np.inf, np.nan], np.linspace(-5, 0, 101)])
UNIT = np.concatenate([_log_uniform(RNG, 1e-30, 1, 200), 1 - _log_uniform(RNG, 1e-16, 0.5, 200),
                       np.linspace(0, 1, 101), [0.25, 0.75, 0.5, 1.0, 0.0, np.nan, -0.5, 1.5]])
ABOVE_MINUS_ONE = np.concatenate([MAGNITUDES, -MAGNITUDES[MAGNITUDES < 1], -1 + _log_uniform(RNG, 1e-16, 1, 50),
                                  [-1.0, np.inf, np.nan]])

# name -> (SymPy expression a user writes, exact reference, points, thresholds to probe, max ulps f64, f32)
UNARY = {
    "log1p": (sg.log1p(x), mpmath.log1p, ABOVE_MINUS_ONE, [], 1, 1),
    "expm1": (sg.expm1(x), mpmath.expm1, REALS, [], 1, 1),
    "softplus": (sg.softplus(x), stable.mp_softplus, REALS, [-40, 18, 33.3, -20, 9, 16], 2, 2),
    "log1mexp": (sg.log1mexp(x), stable.mp_log1mexp, NONPOSITIVE, [-0.6931471805599453], 2, 2),
    "sigmoid": (sg.sigmoid(x), stable.mp_sigmoid, REALS, [0.0], 2, 2),
    "log_sigmoid": (sg.log_sigmoid(x), stable.mp_log_sigmoid, REALS, [40, -18, -33.3, 20, -9, -16], 2, 2),
    "logit": (sg.logit(x), stable.mp_logit, UNIT, [0.25, 0.75], 2, 2),
    "cosm1": (sg.cosm1(x), stable.mp_cosm1, REALS[np.abs(REALS) < 1e6], [], 2, 2),
    "sinc": (sympy.sinc(x), ops.SINC.mpmath, REALS, [1e-4, -1e-4], 2, 2),
}


@pytest.fixture(scope="module")
def unary_kernel():
    # every unary primitive in one kernel: one Numba compile serves all of their tests
    return sg.compile([x], [case[0] for case in UNARY.values()], rewrite=False)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_primitive_within_few_ulps_of_mpmath(unary_kernel, name, dtype):
    expr, reference, points, thresholds, tol64, tol32 = UNARY[name]
    index = list(UNARY).index(name)
    with np.errstate(over="ignore"):
        pts = np.concatenate([np.asarray(points, dtype), _around(thresholds, dtype)])
    with np.errstate(all="ignore"):
        got = unary_kernel(pts)[index]
    assert got.dtype == dtype
    err = ulps_to_exact(got, exact_values(reference, [pts]), dtype)
    worst = int(np.argmax(err))
    tol = tol64 if dtype is np.float64 else tol32
    assert err.max() <= tol, f"{name}({pts[worst]!r}) = {got[worst]!r}: {err[worst]} ulps"


BINARY = {
    "xlogy": (sg.xlogy(x, y), stable.mp_xlogy, 2),
    "xlog1py": (sg.xlog1py(x, y), stable.mp_xlog1py, 2),
    "hypot": (sg.hypot(x, y), mpmath.hypot, 1),
    # the rounding of a - b reaches the result through exp: up to ~3 ulps where exp(a - b) is not tiny
    "logaddexp": (sg.logaddexp(x, y), stable.mp_logaddexp, 3),
    "numpy logaddexp": (numpy_nodes.logaddexp(x, y), stable.mp_logaddexp, 3),
}


def _pairs(rng, dtype):
    """Pairs over the real line and the extremes, including equal arguments and +-inf."""
    base = np.concatenate([MAGNITUDES, -MAGNITUDES, SPECIAL, [-1.0, -1 + 1e-10]])
    a = rng.choice(base, 600)
    b = rng.choice(base, 600)
    a = np.concatenate([a, base, base, np.zeros_like(base)])
    b = np.concatenate([b, base, -base, base])
    with np.errstate(over="ignore"):
        return a.astype(dtype), b.astype(dtype)


@pytest.fixture(scope="module")
def binary_kernel():
    return sg.compile([x, y], [case[0] for case in BINARY.values()], rewrite=False)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_primitive_within_few_ulps_of_mpmath(binary_kernel, name, dtype):
    expr, reference, tol = BINARY[name]
    a, b = _pairs(np.random.default_rng(7), dtype)
    with np.errstate(all="ignore"):
        got = binary_kernel(a, b)[list(BINARY).index(name)]
    exact = exact_values(reference, [a, b])
    if name == "logaddexp" or name == "numpy logaddexp":
        # near a zero result (a, b ~ -log 2) logaddexp is ill-conditioned in its inputs: the absolute
        # error stays at an ulp of max(a, b), which the relative measure cannot show; checked apart below
        keep = np.array([not (abs(float(e)) < 1e-3 * max(abs(float(p)), abs(float(q)), 1e-300))
                         for e, p, q in zip(exact, a, b)])
        a, b, got, exact = a[keep], b[keep], got[keep], [e for e, k in zip(exact, keep) if k]
    err = ulps_to_exact(got, exact, dtype)
    worst = int(np.argmax(err))
    assert err.max() <= tol, f"{name}({a[worst]!r}, {b[worst]!r}) = {got[worst]!r}: {err[worst]} ulps"


@pytest.fixture(scope="module")
def log_ratio_kernel():
    from symgraph.compile import CompiledFunction
    from symgraph.ir import Graph
    return CompiledFunction([x, y], Graph([stable.LOG_RATIO(symbol(x), symbol(y))]))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_log_ratio_within_an_ulp_where_the_quotient_overflows_or_nearly_cancels(log_ratio_kernel, dtype):
    rng = np.random.default_rng(9)
    a, b = _pairs(rng, dtype)
    top = 300 if dtype is np.float64 else 37
    far = (rng.choice([-1, 1], 400) * 10.0 ** rng.uniform(-top, top, 400)).astype(dtype)
    other = (np.sign(far) * 10.0 ** rng.uniform(-top, top, 400)).astype(dtype)
    near = (other * (1 + rng.choice([-1, 1], 400) * 10.0 ** rng.uniform(-7, 0, 400))).astype(dtype)
    a, b = np.concatenate([a, far, near]), np.concatenate([b, other, other])
    keep = ~((b == 0) & np.signbit(b))  # mpmath has no -0 (checked below)
    a, b = a[keep], b[keep]
    with np.errstate(all="ignore"):
        got = log_ratio_kernel(a, b)
    err = ulps_to_exact(got, exact_values(stable.mp_log_ratio, [a, b]), dtype)
    worst = int(np.argmax(err))
    assert err.max() <= 1, f"log_ratio({a[worst]!r}, {b[worst]!r}) = {got[worst]!r}: {err[worst]} ulps"


def test_log_ratio_ieee_values_are_log_of_the_quotient(log_ratio_kernel):
    # where x/y is 0, +-inf or NaN (signed zeros included) log(x/y)'s own values; where it only underflows
    # or overflows, the finite logarithm (and NaN for a negative quotient, not log(-0) = -inf)
    special = np.array([0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan])
    a, b = (v.ravel() for v in np.meshgrid(special, special))
    keep = ~(np.isfinite(a) & np.isfinite(b) & (a != 0) & (b != 0))
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(log_ratio_kernel(a[keep], b[keep]), np.log(a[keep] / b[keep]))
    got = log_ratio_kernel(np.array([1e-300, 1e300, -1e-300, 4.0]), np.array([1e300, 1e-300, 1e300, -2.0]))
    assert got[0] == pytest.approx(-600 * math.log(10), rel=1e-15) and got[1] == -got[0]
    assert np.isnan(got[2]) and np.isnan(got[3])


def test_logaddexp_absolute_error_near_a_zero_result(binary_kernel):
    a = np.linspace(-0.7, -0.68, 101)
    b = -np.log(2.0) - (a + np.log(2.0)) + 1e-9
    got = binary_kernel(a, b)[list(BINARY).index("logaddexp")]
    exact = exact_values(stable.mp_logaddexp, [a, b])
    assert max(abs(float(g - e)) for g, e in zip(got, exact)) <= 2 * np.spacing(0.7)


@pytest.fixture(scope="module")
def ternary_kernel():
    return sg.compile([x, y, z], [sg.logaddexp(x, y, z), sg.logaddexp(x, y, z, x + y)], rewrite=False)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_nary_logaddexp_within_few_ulps(ternary_kernel, dtype):
    rng = np.random.default_rng(11)
    a, b = _pairs(rng, dtype)
    c = rng.permutation(a)
    with np.errstate(all="ignore"):
        three, four = ternary_kernel(a, b, c)
        four_args = (a, b, c, (a + b).astype(dtype))
    for got, columns in ((three, (a, b, c)), (four, four_args)):
        exact = exact_values(stable.mp_logaddexp, columns)
        keep = [abs(float(e)) >= 1e-3 * max(abs(float(v)) for v in p) or mpmath.isnan(e)
                for e, p in zip(exact, zip(*columns))]
        err = ulps_to_exact(got[keep], [e for e, k in zip(exact, keep) if k], dtype)
        assert err.max() <= 3, err.max()


@pytest.fixture(scope="module")
def graph_only_kernel():
    # ops with no SymPy spelling of their own (rules rewrite to them): compiled from the graph
    from symgraph.compile import CompiledFunction
    from symgraph.ir import Graph
    return CompiledFunction([x, y], Graph([stable.SIGMOID_DIFF(symbol(x), symbol(y)), stable.LOG_ERFC(symbol(x)),
                                           stable.EXPREL(symbol(x)), stable.X_OVER_EXPM1(symbol(x)),
                                           stable.SCALED_EXPM1(symbol(y), symbol(x))], "tuple"))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_log_erfc_within_few_ulps(graph_only_kernel, dtype):
    rng = np.random.default_rng(8)
    # the asymptotic series is an approximation: 1.5e-16 relative at x = 9, where it takes over
    pts = np.concatenate([MAGNITUDES, -MAGNITUDES, SPECIAL, np.linspace(-5, 30, 351), rng.uniform(8.5, 9.5, 100),
                          _around([0.5, 9.0], np.float64)]).astype(dtype)
    with np.errstate(all="ignore"):
        got = graph_only_kernel(pts, np.zeros_like(pts))[1]
    err = ulps_to_exact(got, exact_values(stable.LOG_ERFC.mpmath, [pts]), dtype)
    worst = int(np.argmax(err))
    assert err.max() <= 3, (pts[worst], got[worst], err[worst])


EXPM1_POINTS = np.concatenate([MAGNITUDES[MAGNITUDES < 800], -MAGNITUDES, SPECIAL, np.linspace(-50, 50, 201),
                               _around([1e-8, -1e-8, 1.3877787807814457e-17, -40.0, 700.0, 709.78], np.float64)])


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("index, reference", [(2, stable.mp_exprel), (3, stable.mp_x_over_expm1)],
                         ids=["exprel", "x_over_expm1"])
def test_expm1_quotients_round_once(graph_only_kernel, index, reference, dtype):
    # the unrounded expm1 divided with its remainder: correctly rounded but for rare points near a
    # midpoint; NumPy's expm1(x)/x (two roundings) is off by an ulp on about a fifth of these points
    pts = EXPM1_POINTS.astype(dtype)
    with np.errstate(all="ignore"):
        got = graph_only_kernel(pts, np.ones_like(pts))[index]
    err = ulps_to_exact(got, exact_values(reference, [pts]), dtype)
    worst = int(np.argmax(err))
    assert err.max() <= 1, (pts[worst], got[worst], err[worst])
    assert np.count_nonzero(err) <= len(pts) // 200, np.count_nonzero(err)
    with np.errstate(all="ignore"):
        twice = np.expm1(pts) / pts if index == 2 else pts / np.expm1(pts)
    finite = np.isfinite(pts) & (pts != 0)
    assert np.count_nonzero(ulps_to_exact(twice[finite], exact_values(reference, [pts[finite]]), dtype)) > \
        4 * np.count_nonzero(err)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_scaled_expm1_rounds_once(graph_only_kernel, dtype):
    # c = 3 makes c*x a tie one time in four for tiny x: the x^2/2 term must decide it
    scales = np.array([3.0, -3.0, 0.1, -2.5, 1e-300, 1e300, 7.0, 0.0, np.inf, np.nan])
    xs = np.repeat(EXPM1_POINTS, len(scales)).astype(dtype)
    with np.errstate(over="ignore"):
        cs = np.tile(scales, len(EXPM1_POINTS)).astype(dtype)
    with np.errstate(all="ignore"):
        got = graph_only_kernel(xs, cs)[4]
    # past x = 720 (where e^x overflows float64 by far) the result is the typed formula's, but for the
    # exact 0 = 0 (e^x - 1) where the typed form gives 0 * inf = NaN
    beyond = xs > 720
    with np.errstate(all="ignore"):
        typed = np.where((cs == 0) & np.isfinite(xs), cs, cs * np.expm1(xs))
    np.testing.assert_array_equal(got[beyond], typed[beyond])
    xs, cs, got = xs[~beyond], cs[~beyond], got[~beyond]
    err = ulps_to_exact(got, exact_values(stable.mp_scaled_expm1, [cs, xs]), dtype)
    worst = int(np.argmax(err))
    assert err.max() <= 1, (cs[worst], xs[worst], got[worst], err[worst])
    # float32 rounds the float64 result once more: 3x for a tiny float32 x is exact in float64 (the
    # x^2 term below its last bit) and often a float32 tie, which then goes to even (1.6% of these)
    assert np.count_nonzero(err) <= len(xs) // (200 if dtype == np.float64 else 50), np.count_nonzero(err)


def test_expm1_quotients_at_their_limits(graph_only_kernel):
    pts = np.array([0.0, -0.0, 5e-324, np.inf, -np.inf, np.nan, 800.0, -800.0])
    _, _, exprel, x_over, scaled = graph_only_kernel(pts, np.full(len(pts), 3.0))
    np.testing.assert_array_equal(exprel, [1.0, 1.0, 1.0, np.inf, 0.0, np.nan, np.inf, 1 / 800])
    np.testing.assert_array_equal(x_over, [1.0, 1.0, 1.0, 0.0, np.inf, np.nan, 0.0, 800.0])
    np.testing.assert_array_equal(scaled, [0.0, -0.0, 3 * 5e-324, np.inf, -3.0, np.nan, np.inf, -3.0])
    assert np.signbit(scaled[1])


@pytest.mark.parametrize("op, reference", [(stable.EXPREL, stable.mp_exprel),
                                           (stable.X_OVER_EXPM1, stable.mp_x_over_expm1)], ids=["exprel", "x_over_expm1"])
def test_expm1_quotients_sympy_meaning(op, reference):
    for point in (sympy.Rational(-7, 3), sympy.Rational(1, 10 ** 12), sympy.Integer(0), sympy.Integer(30)):
        value = op.to_sympy(point).evalf(40)
        with mpmath.workdps(60):
            exact = reference(mpmath.mpf(point.p) / point.q)
            assert abs(mpmath.mpf(str(value)) - exact) <= abs(exact) * mpmath.mpf(10) ** -35


def test_sigmoid_of_a_difference_within_few_ulps(graph_only_kernel):
    kernel = graph_only_kernel
    rng = np.random.default_rng(5)
    for dtype in DTYPES:
        a, b = _pairs(rng, dtype)
        a = np.concatenate([a, rng.uniform(-800, 800, 500).astype(dtype)])
        b = np.concatenate([b, rng.uniform(-800, 800, 500).astype(dtype)])
        with np.errstate(all="ignore"):
            got = kernel(a, b)[0]
        err = ulps_to_exact(got, exact_values(lambda p, q: stable.mp_sigmoid(p - q), [a, b]), dtype)
        assert err.max() <= 3, (dtype, err.max())


def test_named_extremes(unary_kernel, binary_kernel, ternary_kernel):
    # the headline cases of the issue, spelled out
    names = list(UNARY)
    out = unary_kernel(np.array([800.0, -800.0, -700.0, 1e-20, -1e-20]))
    softplus = out[names.index("softplus")]
    assert softplus[0] == 800.0 and softplus[2] == math.exp(-700.0) and softplus[3] == math.log(2.0)
    log1mexp = out[names.index("log1mexp")]
    assert log1mexp[4] == pytest.approx(math.log(1e-20), rel=1e-15) and log1mexp[2] == -math.exp(-700.0)
    log_sig = out[names.index("log_sigmoid")]
    assert log_sig[1] == -800.0 and log_sig[0] == -0.0
    sig = out[names.index("sigmoid")]
    assert sig[2] == math.exp(-700.0) and sig[0] == 1.0
    xl = binary_kernel(np.array([0.0, 0.0, 0.0, 2.0]), np.array([0.0, np.inf, np.nan, 0.0]))
    assert list(xl[0][:2]) == [0.0, 0.0] and np.isnan(xl[0][2]) and xl[0][3] == -np.inf
    lae = ternary_kernel(np.array([-np.inf, np.inf, 1000.0]), np.array([-np.inf, -np.inf, 1000.0]),
                         np.array([-np.inf, 5.0, 1000.0]))[0]
    assert lae[0] == -np.inf and lae[1] == np.inf and lae[2] == pytest.approx(1000 + math.log(3), rel=1e-16)


def test_float32_helpers_compute_in_float32(unary_kernel, binary_kernel, ternary_kernel):
    # a float32 kernel must not silently widen to float64 inside a helper (an int literal would)
    checked = 0
    for kernel in (unary_kernel, binary_kernel, ternary_kernel):
        kernel(np.ones(3, np.float32), *([np.ones(3, np.float32)] * (len(kernel.symbols) - 1)))
        for attr in dir(kernel._module):
            fn = getattr(kernel._module, attr)
            if attr.startswith("_h_") and attr.endswith("f32") and hasattr(fn, "nopython_signatures"):
                for sig in fn.nopython_signatures:
                    assert str(sig.return_type) == "float32", (attr, sig)
                    checked += 1
    assert checked >= 8


# ---------------------------------------------------------------- SymPy side
@pytest.mark.parametrize("expr, exact", [
    (sg.softplus(800), lambda: mpmath.mpf(800) + mpmath.log1p(mpmath.exp(-800))),
    (sg.softplus(-800), lambda: mpmath.log1p(mpmath.exp(-800))),
    (sg.log1mexp(sympy.Float("-1e-20", 30)), lambda: mpmath.log(-mpmath.expm1(mpmath.mpf("-1e-20")))),
    (sg.log1mexp(-200), lambda: mpmath.log1p(-mpmath.exp(-200))),
    (sg.logaddexp(1000, 1000, -sympy.oo), lambda: 1000 + mpmath.log(2)),
    (sg.sigmoid(-800), lambda: 1 / (1 + mpmath.exp(800))),
    (sg.log_sigmoid(-800), lambda: -800 - mpmath.log1p(mpmath.exp(-800))),
    (sg.xlogy(3, 2), lambda: 3 * mpmath.log(2)),
    (sg.xlog1py(3, sympy.Float("1e-30", 30)), lambda: 3 * mpmath.log1p(mpmath.mpf("1e-30"))),
    (sg.logit(sympy.Rational(1, 2) + sympy.Rational(1, 10 ** 30)),
     lambda: mpmath.log((mpmath.mpf(1) / 2 + mpmath.mpf(10) ** -30) / (mpmath.mpf(1) / 2 - mpmath.mpf(10) ** -30))),
    (sg.cosm1(sympy.Rational(1, 10 ** 20)), lambda: mpmath.cos(mpmath.mpf(10) ** -20) - 1),
])
def test_sympy_evalf_is_accurate(expr, exact):
    value = sympy.N(expr, 30)
    assert value.is_Float
    with mpmath.workdps(80):
        truth = exact()
        assert abs(mpmath.mpf(value._as_mpf_val(200)) - truth) <= abs(truth) * mpmath.mpf(10) ** -28


@pytest.mark.parametrize("fn, rewritten", [
    (sg.softplus, lambda a: sympy.log(1 + sympy.exp(a))),
    (sg.log1mexp, lambda a: sympy.log(1 - sympy.exp(a))),
    (sg.sigmoid, lambda a: 1 / (1 + sympy.exp(-a))),
    (sg.log_sigmoid, lambda a: -sympy.log(1 + sympy.exp(-a))),
    (sg.logit, lambda a: sympy.log(a / (1 - a))),
    (sg.cosm1, lambda a: sympy.cos(a) - 1),
])
def test_sympy_derivative_matches_the_elementary_form(fn, rewritten):
    point = sympy.Rational(-3, 10)
    ours = fn(x).diff(x).subs(x, point).evalf(30)
    theirs = rewritten(x).diff(x).subs(x, point).evalf(30)
    assert abs(ours - theirs) < 1e-25
    assert fn(x).rewrite(sympy.log if fn not in (sg.sigmoid, sg.cosm1) else
                         (sympy.exp if fn is sg.sigmoid else sympy.cos)) == rewritten(x)


def test_two_argument_derivatives():
    for fn, form in ((sg.xlogy, lambda a, b: a * sympy.log(b)), (sg.xlog1py, lambda a, b: a * sympy.log(1 + b)),
                     (sg.logaddexp, lambda a, b: sympy.log(sympy.exp(a) + sympy.exp(b)))):
        for var in (x, y):
            at = {x: sympy.Rational(3, 7), y: sympy.Rational(5, 4)}
            diff = fn(x, y).diff(var).subs(at).evalf(30) - form(x, y).diff(var).subs(at).evalf(30)
            assert abs(diff) < 1e-25, (fn, var)


def test_logaddexp_needs_two_arguments():
    with pytest.raises(TypeError, match="at least two"):
        sg.logaddexp(x)


@pytest.mark.parametrize("expr, op", [
    (sg.softplus(x), stable.SOFTPLUS), (sg.log1mexp(x), stable.LOG1MEXP), (sg.sigmoid(x), stable.SIGMOID),
    (sg.log_sigmoid(x), stable.LOG_SIGMOID), (sg.logit(x), stable.LOGIT), (sg.cosm1(x), stable.COSM1),
    (sg.xlogy(x, y), stable.XLOGY), (sg.xlog1py(x, y), stable.XLOG1PY), (sg.logaddexp(x, y, z), stable.LOGADDEXP),
    (numpy_nodes.logaddexp(x, y), stable.LOGADDEXP), (sg.log1p(x), ops.LOG1P), (sg.hypot(x, y), ops.HYPOT),
])
def test_user_functions_lower_to_their_op_and_back(expr, op):
    graph = lower(expr)
    assert graph.outputs[0].op is op
    back = graph.to_sympy()
    if expr.func is numpy_nodes.logaddexp:
        assert back == sg.logaddexp(y, x)
    elif expr.func is sg.hypot:  # commutative ops keep one argument order
        assert back.func is sg.hypot and set(back.args) == set(expr.args)
    else:
        assert back == expr


# ---------------------------------------------------------------- derivative rules (vjp) against mpmath.diff
VJP_POINTS = {
    stable.SOFTPLUS: [(-30.0,), (0.5,), (25.0,)],
    stable.LOG1MEXP: [(-30.0,), (-0.5,), (-1e-5,)],
    stable.SIGMOID: [(-30.0,), (0.5,), (25.0,)],
    stable.LOG_SIGMOID: [(-30.0,), (0.5,), (25.0,)],
    stable.LOGIT: [(1e-6,), (0.5,), (0.999,)],
    stable.COSM1: [(1e-3,), (2.0,)],
    stable.XLOGY: [(0.5, 3.0), (-2.0, 1e-3)],
    stable.XLOG1PY: [(0.5, 3.0), (-2.0, -0.5)],
    stable.LOGADDEXP: [(0.5, 3.0, -1.0), (-700.0, -702.0, -701.0)],
    stable.SIGMOID_DIFF: [(0.5, 3.0), (700.0, 690.0)],
    stable.LOG_ERFC: [(-2.0,), (0.3,), (5.0,), (30.0,)],
    # 1e-3 is on the Taylor side of exprel's slope (|x| < 1/32), exact there to 2^-100
    stable.EXPREL: [(-30.0,), (-1e-3,), (1e-3,), (0.5,), (25.0,)],
    stable.X_OVER_EXPM1: [(-30.0,), (1e-3,), (0.5,), (25.0,)],
    stable.SCALED_EXPM1: [(3.0, 0.5), (-2.0, -1e-3)],
}


@pytest.mark.parametrize("op", list(VJP_POINTS), ids=lambda op: op.name)
def test_vjp_agrees_with_mpmath_derivative(op):
    symbols = (x, y, z)
    for point in VJP_POINTS[op]:
        args = [symbol(s) for s in symbols[:len(point)]]
        node = op(*args)
        grads = op.vjp(const(1), node, *args)
        env = dict(zip(symbols, point))
        with mpmath.workdps(50):
            for i, g in enumerate(grads):
                numeric = mpmath.diff(lambda t: op.mpmath(*[t if j == i else mpmath.mpf(v)
                                                             for j, v in enumerate(point)]), mpmath.mpf(point[i]))
                exact = evaluate(g, env, dps=50)
                assert abs(exact - numeric) <= abs(numeric) * mpmath.mpf(10) ** -25, (op.name, point, i)
