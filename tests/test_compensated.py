"""symgraph.compensated: the rounding-error ops are exact (TwoSum, FMA, the quotient's remainder) in
float64 and float32, mean 0 in the reals, and exp/expm1 (and sigmoid, softplus, sinh, c**u: first-order
corrections) of a rounded argument carried with its error are within 2 ulps where the typed formula is off
by hundreds; IEEE values at inf and NaN are the typed ones."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

import symgraph as sg
from symgraph import ops
from symgraph.compensated import LOG_ERROR, PRODUCT_ERROR, QUOTIENT_ERROR, SQRT_ERROR, SUM_ERROR, product_error
from symgraph.compile import CompiledFunction
from symgraph.ir import Graph, const, symbol
from symgraph.passes import optimize
from symgraph.reference import evaluate, exact as exact_value, ulps

a, b = sympy.symbols("a b")
A, B = symbol(a), symbol(b)
x, y, m, s = sympy.symbols("x y m s")
DTYPES = (np.float64, np.float32)


@pytest.fixture(scope="module")
def error_kernel():
    return CompiledFunction([a, b], Graph([SUM_ERROR(A, B), PRODUCT_ERROR(A, B), QUOTIENT_ERROR(A, B)], "tuple"))


def _operands(dtype, n=400, seed=1):
    rng = np.random.default_rng(seed)
    top = 12 if dtype is np.float32 else 100  # products, quotients and their errors stay normal
    first = rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-top, top, n)
    second = rng.choice([-1, 1], n) * 10.0 ** rng.uniform(-top, top, n)
    second[: n // 4] = -first[: n // 4] * (1 + rng.uniform(-1e-6, 1e-6, n // 4))  # sums that cancel
    return first.astype(dtype), second.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_the_rounding_errors_are_exact(error_kernel, dtype):
    first, second = _operands(dtype)
    sums, products, quotients = error_kernel(first, second)
    for p, q, e_sum, e_prod, e_quot in zip(first, second, sums, products, quotients):
        fp, fq = Fraction(float(p)), Fraction(float(q))
        assert Fraction(float(e_sum)) == fp + fq - Fraction(float(p + q))
        assert Fraction(float(e_prod)) == fp * fq - Fraction(float(p * q))
        exact = fp / fq - Fraction(float(p / q))   # the first-order error: within one rounding of it
        assert abs(Fraction(float(e_quot)) - exact) <= abs(exact) * Fraction(2) ** -(23 if dtype is np.float32 else 52)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_the_errors_of_a_number_over_a_value_of_log_and_of_sqrt_are_accurate(dtype):
    # 3/b's error as the remainder times q/3 (no second division); log(a)'s error from vecmath's
    # double-double of log(m) (float32: the float64 log), against the kernel's own log(a); sqrt(a)'s as its
    # exact residual a - s^2 over 2s
    f = CompiledFunction([a, b], Graph([QUOTIENT_ERROR(const(3), B), LOG_ERROR(ops.LOG(A), A), ops.LOG(A),
                                        SQRT_ERROR(ops.SQRT(A), A), ops.SQRT(A)], "tuple"))
    rng = np.random.default_rng(4)
    top = 37 if dtype is np.float32 else 307
    xs = np.concatenate([10.0 ** rng.uniform(-top, top, 300), 1 + rng.uniform(-1e-3, 1e-3, 100),
                         [5e-324 if dtype is np.float64 else 1e-45, 1.0, 2.0]]).astype(dtype)
    quotient_errors, log_errors, logs, root_errors, roots = f(xs, xs)
    digits = 24 if dtype is np.float32 else 53
    with mpmath.workdps(80):
        for v, e_q, e_log, log_v, e_root, root in zip(xs, quotient_errors, log_errors, logs, root_errors, roots):
            if 10.0 ** (-top / 2) < v:  # (the root's residual normal)
                exact_root = mpmath.sqrt(mpmath.mpf(float(v))) - mpmath.mpf(float(root))
                assert abs(mpmath.mpf(float(e_root)) - exact_root) <= mpmath.sqrt(mpmath.mpf(float(v))) * \
                    mpmath.mpf(2) ** -(2 * digits - 2), (v, e_root, exact_root)
            if 10.0 ** (-top / 2) < abs(v) < 10.0 ** (top / 2):  # (the quotient and its error normal)
                exact_q = Fraction(3) / Fraction(float(v)) - Fraction(float(dtype(3) / v))
                assert abs(Fraction(float(e_q)) - exact_q) <= abs(exact_q) * Fraction(2) ** -(digits - 2)
            exact_log = mpmath.log(mpmath.mpf(float(v))) - mpmath.mpf(float(log_v))
            assert abs(mpmath.mpf(float(e_log)) - exact_log) <= abs(mpmath.log(mpmath.mpf(float(v)))) * \
                mpmath.mpf(2) ** -(digits + 6), (v, e_log, exact_log)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_mul_add_rounds_once(dtype):
    c = sympy.Symbol("c")
    f = CompiledFunction([a, b, c], Graph([ops.MUL_ADD(A, B, symbol(c))]))
    first, second = _operands(dtype)
    half = len(first) // 2
    # c = -fl(a*b): the result is exactly the product's rounding error, which two roundings make 0
    third = np.concatenate([-(first[:half] * second[:half]), second[half:]])
    got = f(first, second, third)
    unit = Fraction(2) ** -(24 if dtype is np.float32 else 53)
    for p, q, r, g in zip(first, second, third, got):
        exact = Fraction(float(p)) * Fraction(float(q)) + Fraction(float(r))
        assert abs(Fraction(float(g)) - exact) <= abs(exact) * unit, (p, q, r, g)  # correctly rounded
    assert np.count_nonzero(got[:half]) > half // 2


def test_the_errors_mean_zero_in_the_reals():
    assert evaluate(SUM_ERROR(A, B), {a: 0.1, b: 0.2}) == 0
    assert product_error(a, b).evalf() == 0 and sympy.diff(product_error(a, b), a) == 0


# formulas whose argument rounds: the Gaussian, its normalised density, exp(-x^2), exp of a quotient,
# a decay exp(-x*y), expm1 of a product
# (formula, range of x in float64, in float32: where |u| reaches tens to hundreds and the result is normal)
FORMULAS = [
    (sympy.exp(-x**2), (20.0, 26.5), (7.0, 9.2)),
    (sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi), (20.0, 37.0), (9.0, 13.0)),
    (sympy.exp(-(x - m)**2 / (2 * s**2)), (10.0, 30.0), (5.0, 12.0)),
    (sympy.exp(x / s), (300.0, 700.0), (40.0, 42.0)),
    (sympy.exp(-x * s), (1e2, 3e2), (20.0, 40.0)),
    (sg.expm1(x * s), (1e2, 3e2), (20.0, 40.0)),
    # the logistic function of a linear predictor, softplus and a power of ten of rounded arguments
    (1 / (1 + sympy.exp(-(x * s + m))), (-400.0, -100.0), (-40.0, -25.0)),
    (sympy.log(1 + sympy.exp(x * s)), (-400.0, -100.0), (-40.0, -25.0)),
    (10 ** (x / 10), (1e3, 3e3), (200.0, 380.0)),
    (sympy.sinh(x / s), (300.0, 700.0), (40.0, 42.0)),
    # a viscosity's exp(a/T - b/T^2): b/T^2 is itself compensated (reciprocal-compensated), its one rounding left
    (sympy.exp(365 / x - 39537 / x**2), (8.0, 30.0), (22.0, 30.0)),
    # a power of a rounded base to a rounded exponent: |y| and |y log(b)| ulps
    ((x * s) ** (x / 3), (100.0, 300.0), (40.0, 50.0)),
    # sin and cos of a rounded product near their zeros: |u cot(u)| ulps
    (sympy.sin(x * s), (100.0, 300.0), (20.0, 40.0)),
    (sympy.cos(x / s), (100.0, 300.0), (20.0, 40.0)),
    # a two-dimensional Gaussian: eight roundings in the argument
    (sympy.exp(-((x - m)**2 + (x - 2 * m)**2) / (2 * s**2)), (7.0, 13.0), (3.0, 4.5)),
]


@pytest.fixture(scope="module")
def formula_kernels():
    exprs = [f for f, _, _ in FORMULAS]
    return sg.compile([x, m, s], exprs, rewrite=False), sg.compile([x, m, s], exprs)


def _formula_points(index, dtype, n=200):
    rng = np.random.default_rng(index)
    lo, hi = FORMULAS[index][1 if dtype is np.float64 else 2]
    xs = rng.uniform(lo, hi, n) * (1 + rng.uniform(-1e-3, 1e-3, n))
    ms = rng.uniform(-1, 1, n)
    ss = rng.uniform(0.5, 2.0, n)
    return [c.astype(dtype) for c in (xs, ms, ss)]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("index", range(len(FORMULAS)), ids=[str(f) for f, _, _ in FORMULAS])
def test_exp_of_a_rounded_argument_is_accurate(formula_kernels, index, dtype):
    typed_kernel, kernel = formula_kernels
    columns = _formula_points(index, dtype)
    with np.errstate(all="ignore"):
        got, typed = kernel(*columns)[index], typed_kernel(*columns)[index]
    graph = Graph([sg.compile([x, m, s], FORMULAS[index][0], rewrite=False).graph.outputs[0]])
    node = graph.outputs[0]  # exact: adaptive precision (log(1 + e^-390) needs more than 40 digits)
    exact = [exact_value(node, {x: float(p), m: float(q), s: float(r)}) for p, q, r in zip(*columns)]
    err, typed_err = ulps(got, exact, dtype), ulps(typed, exact, dtype)
    assert err.max() <= 2, (FORMULAS[index][0], err.max())
    assert typed_err.max() >= 16, (FORMULAS[index][0], typed_err.max())  # the typed formula did lose


def test_ieee_values_are_the_typed_ones():
    f = sg.compile([x, s], [sympy.exp(-x**2), sympy.exp(x / s)])
    inf, nan = np.inf, np.nan
    xs, ss = np.array([inf, -inf, nan, 0.0, 1.0, 1.0]), np.array([1.0, 1.0, 1.0, 0.0, 0.0, inf])
    with np.errstate(all="ignore"):
        gauss, quotient = f(xs, ss)
    np.testing.assert_array_equal(gauss[:2], [0.0, 0.0])
    assert np.isnan(gauss[2]) and gauss[3] == 1.0
    np.testing.assert_array_equal(quotient[[0, 1, 4, 5]], [inf, 0.0, inf, 1.0])
    assert np.isnan(quotient[2]) and np.isnan(quotient[3])


def test_compensation_is_shown_and_optimizing_twice_changes_nothing():
    f = sg.compile([x, m, s], sympy.exp(-(x - m)**2 / (2 * s**2)))
    assert "sum_error" in f.explain() and "product_error" in f.explain()
    once, _ = optimize(f.graph)
    twice, trace = optimize(once)
    assert twice.outputs == once.outputs and not trace


def test_exact_arguments_are_left_alone():
    for expr in (sympy.exp(x), sympy.exp(-x), sympy.exp(x / 2), sympy.exp(sympy.sin(x)), 10**x,
                 1 / (1 + sympy.exp(-x)), sympy.cosh(2 * x)):
        graph = sg.compile([x], expr).graph
        assert not any(n.op in (ops.EXP_PAIR, ops.EXPM1_PAIR, ops.CORRECTED) for n in graph.nodes), expr


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_the_error_of_a_scaled_expm1_is_accurate(dtype):
    # c expm1(x) - w for the kernel's w, from the helper's unrounded product (float32: the float64 value),
    # for a constant the dtype holds (3) and one it does not (log 3: split into two, as the helper takes it)
    from symgraph.compensated import SCALED_EXPM1_ERROR
    from symgraph.stable import SCALED_EXPM1
    exprs = []
    for c in (const(3), const(sympy.log(3))):
        w = SCALED_EXPM1(c, A)
        exprs += [w, SCALED_EXPM1_ERROR(w, c, A, const(0))]
    f = CompiledFunction([a, b], Graph(exprs, "tuple"))
    rng = np.random.default_rng(23)
    top = 80 if dtype is np.float32 else 700
    xs = np.concatenate([rng.uniform(-40, top, 400), rng.choice([-1, 1], 100) * 10.0 ** rng.uniform(-16, 0, 100)])
    xs = xs.astype(dtype)
    values = f(xs, xs)
    digits = 24 if dtype is np.float32 else 53
    with mpmath.workdps(80):
        for k, c in enumerate((mpmath.mpf(3), mpmath.log(3))):
            for v, w, e in zip(xs, values[2 * k], values[2 * k + 1]):
                exact = c * mpmath.expm1(mpmath.mpf(float(v))) - mpmath.mpf(float(w))
                assert abs(mpmath.mpf(float(e)) - exact) <= abs(mpmath.mpf(float(w))) * mpmath.mpf(2) ** -(digits + 8), \
                    (v, w, e, exact)
