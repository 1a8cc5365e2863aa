"""symgraph.rules.fuse: a sum with one product among its terms becomes a fused multiply-add, rounded once
(correctly rounded for a product of two inputs plus an input, in float64 and float32); sums of two rounding
products, and whatever a compensated rule describes, stay as they are."""
import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symgraph as sg
from symgraph import ops
from symgraph.compensated import EXP_PAIR, MUL_ADD
from symgraph.ir import const, topological
from symgraph.lower import lower
from symgraph.passes import Options, optimize
from symgraph.rules import fuse

from rulecheck import Case, rule_tests

CASES = [
    Case("fused-multiply-add", lambda x, y, p, r: x * y + r, {}, 0.0),
    Case("fused-multiply-add", lambda x, y, p, r: x * y * r + 1, {}, 1.0),
    Case("fused-multiply-add", lambda x, y, p, r: const(3) * x * x + const(2) * x + 1, {}, 1.5),
    Case("fused-multiply-subtract", lambda x, y, p, r: x * y - r, {}, 0.0),
    Case("fused-multiply-subtract", lambda x, y, p, r: x * x - 2, {}, 0.0),
    Case("fused-subtract-multiply", lambda x, y, p, r: r - x * y, {}, 0.0),
    # a product by a constant the dtype cannot hold, plus a term: rounded once as if the constant were exact
    Case("fused-multiply-subtract", lambda x, y, p, r: const(sympy.Rational(2, 3)) * x - 3, {}, 0.0),
    Case("fused-subtract-multiply", lambda x, y, p, r: y - const(sympy.pi) * x, {}, 0.0),
    Case("fused-quotient-add", lambda x, y, p, r: x / 7 + y, {}, 0.0),
    Case("fused-quotient-add", lambda x, y, p, r: const(sympy.pi) * x / 180 + r, {}, 0.0),
    Case("fused-quotient-subtract", lambda x, y, p, r: x / 3 - y, {}, 0.0),
    Case("fused-subtract-quotient", lambda x, y, p, r: r - x / const(sympy.E), {}, 0.0),
    # the factored difference of squares of difference-of-squares and square-minus-one, correctly rounded
    Case("fused-square-minus-constant", lambda x, y, p, r: (x - 1) * (x + 1), {}, 0.0),
    Case("fused-constant-minus-square", lambda x, y, p, r: (const(2) - x) * (const(2) + x), {}, 0.0),
    # a product by a constant the dtype cannot hold, correctly rounded as if the constant were exact
    Case("constant-product", lambda x, y, p, r: const(sympy.pi) * x, {}, 0.0),
    Case("constant-product", lambda x, y, p, r: const(-sympy.cos(2)) * ops.TANH(x), {}, 1.0),
    Case("constant-product", lambda x, y, p, r: const(sympy.Rational(2, 3)) * x * y, {}, 1.0),
    Case("quotient-by-constant", lambda x, y, p, r: x / const(sympy.sqrt(2)), {}, 0.0),
    Case("quotient-of-constant-product", lambda x, y, p, r: const(sympy.pi) * x / 180, {}, 0.0),
    Case("constant-over-constant-product", lambda x, y, p, r: const(sympy.Rational(4, 3)) / (const(sympy.pi) * x),
         {}, 0.0),
    Case("constant-quotient", lambda x, y, p, r: const(sympy.Rational(2, 3)) / x, {}, 0.0),
    Case("constant-quotient", lambda x, y, p, r: const(-sympy.E) / ops.SIN(x), {}, 1.0),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in fuse.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))

x, y, z, w = sympy.symbols("x y z w")


def _ops(expr, options=True):
    graph, _ = optimize(lower(expr), options)
    return [n.op for n in graph.nodes]


def test_sums_of_two_rounding_products_are_not_fused():
    # fma(a, b, -(c*d)) is a*b - round(c*d): not 0 where a*b = c*d (a singular matrix), where the typed
    # difference is exactly 0
    for expr in (sympy.sin(x) * sympy.cos(y) - sympy.cos(x) * sympy.sin(y), x * y + z * w, x * y - z * w + 1):
        assert MUL_ADD not in _ops(expr), expr
    # a product by a power of two is exact: it is no second product
    assert MUL_ADD in _ops(3 * x * y + 2 * z)


def test_a_singular_difference_of_function_products_stays_exactly_zero():
    f = sg.compile([x, y], sympy.sin(x) * sympy.cos(y) - sympy.cos(x) * sympy.sin(y) + 0 * z)
    v = np.linspace(-3, 3, 101)
    assert np.all(f(v, v) == 0)


def test_what_a_compensated_rule_describes_is_left_as_typed():
    # exp(3x - y) carries the rounding error of 3x - y as the kernel evaluates it (two roundings); an fma
    # there would make the error term wrong
    graph, trace = optimize(lower(sympy.exp(3 * x - y)))
    pair = next(n for n in graph.nodes if n.op is EXP_PAIR)
    assert MUL_ADD not in [n.op for n in topological([pair])]
    assert not any(f.rule.startswith("fused") for f in trace)


def test_the_fuse_phase_and_its_rules_can_be_switched_off():
    assert MUL_ADD not in _ops(x * y + z, Options(disable_phases={"fuse"}))
    assert MUL_ADD not in _ops(x * y + z, Options(disable_rules={"fused-multiply-add"}))
    assert MUL_ADD in _ops(x * y + z)


def test_optimizing_twice_changes_nothing():
    exprs = [x * y + z, x * x - 2, 3 * x**2 + 2 * x + 1, z - x * y, sympy.exp(x * y + z) - 1, sympy.pi * x / 180,
             sympy.cos(2) * sympy.tanh(x + 1), x / sympy.pi]
    once, _ = optimize(lower(exprs))
    twice, trace = optimize(once)
    assert all(a is b for a, b in zip(once.outputs, twice.outputs)), [f.rule for f in trace]


@pytest.fixture(scope="module")
def kernels():
    exprs = [x * y + z, x * y - z, z - x * y]
    return exprs, sg.compile([x, y, z], exprs), sg.compile([x, y, z], exprs, rewrite=False)


_finite = st.floats(min_value=-1e150, max_value=1e150, allow_nan=False, width=64)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(_finite, _finite, _finite), min_size=1, max_size=16))
def test_fused_forms_are_correctly_rounded(kernels, triples):
    exprs, f, _ = kernels
    a, b, c = (np.array(col) for col in zip(*triples))
    got = f(a, b, c)
    for k, expr in enumerate(exprs):
        fn = sympy.lambdify([x, y, z], expr, "mpmath")
        with mpmath.workdps(700):
            want = [float(fn(mpmath.mpf(p), mpmath.mpf(q), mpmath.mpf(r))) for p, q, r in triples]
        assert list(got[k]) == want, expr


def test_where_the_sum_cancels_the_fused_form_keeps_every_digit(kernels):
    # x*y - z with z = round(x*y) + a few ulps: the typed difference is the ulps; the exact value also
    # holds x*y's rounding error, which only the fused form keeps
    exprs, f, typed = kernels
    rng = np.random.default_rng(3)
    a, b = rng.uniform(1, 2, 1000), rng.uniform(1, 2, 1000)
    c = a * b + rng.integers(-4, 5, 1000) * np.spacing(a * b)
    got, naive = f(a, b, c)[1], typed(a, b, c)[1]
    with mpmath.workdps(60):
        want = np.array([float(mpmath.mpf(p) * mpmath.mpf(q) - mpmath.mpf(r)) for p, q, r in zip(a, b, c)])
    assert np.array_equal(got, want)
    assert np.mean(naive != want) > 0.5


def test_constant_products_keep_zeros_infinities_and_nan_as_typed():
    # c = t + r with r of t's sign: t*x and r*x are the same zero, the same infinity
    exprs = [sympy.pi * x, -sympy.pi * x, x / sympy.pi, sympy.sqrt(2) * x, x * sympy.pi / 180, 4 / (3 * sympy.pi * x),
             sympy.Rational(-2, 3) / x]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -1e-310, 1e300])
    with np.errstate(all="ignore"):
        for dtype in (np.float64, np.float32):
            for got, want in zip(f(specials.astype(dtype)), typed(specials.astype(dtype))):
                special = np.isnan(want) | np.isinf(want) | (want == 0)
                assert np.array_equal(got[special], want[special], equal_nan=True)
                assert np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(np.isinf(got), np.isinf(want))
                np.testing.assert_allclose(got[~special], want[~special], rtol=4 * np.finfo(dtype).eps)
                number = ~np.isnan(want)
                assert np.array_equal(np.signbit(got[number]), np.signbit(want[number]))
    # (pi*x)/180 overflowed in its product where x*(pi/180) does not
    assert f(np.array([1e308]))[4][0] == float(mpmath.mpf(1e308) * mpmath.pi / 180)
    assert typed(np.array([1e308]))[4][0] == np.inf


def test_constant_products_are_correctly_rounded_where_the_typed_ones_are_not():
    exprs = [sympy.pi * x, x / sympy.pi, sympy.pi * x / 180, sympy.cos(2) * x, 4 / (3 * sympy.pi * x),
             sympy.Rational(2, 3) / x, sympy.pi / x]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    v = np.random.default_rng(5).uniform(-100, 100, 400)
    v[:3] = (1e-300, -3e305, 7e-320)
    got, naive = f(v), typed(v)
    for k, expr in enumerate(exprs):
        fn = sympy.lambdify([x], expr, "mpmath")
        with mpmath.workdps(50):
            want = np.array([float(fn(mpmath.mpf(p))) for p in v])
        assert np.array_equal(got[k], want), expr
        assert np.mean(naive[k] != want) > 0.05, expr


def test_constant_products_leave_sums_fused_and_compensated_arguments_typed():
    from symgraph.compensated import CONSTANT_MUL_ADD, CONSTANT_PRODUCT
    # pi*x + y is one fma (pi rounded once, with the sum); exp(pi*x) carries pi's representation error
    assert CONSTANT_PRODUCT not in _ops(sympy.pi * x + y) and CONSTANT_MUL_ADD in _ops(sympy.pi * x + y)
    graph, _ = optimize(lower(sympy.exp(sympy.pi * x)))
    assert EXP_PAIR in [n.op for n in graph.nodes] and CONSTANT_PRODUCT not in [n.op for n in graph.nodes]
    assert CONSTANT_PRODUCT in _ops(sympy.pi * x)
    assert CONSTANT_PRODUCT not in _ops(sympy.pi * x, Options(disable_phases={"constant_products"}))
    assert CONSTANT_PRODUCT not in _ops(x / 3) and "constant_quotient" not in [o.name for o in _ops(3 / x)]
    # (correctly rounded as typed)


_CONSTANT_SUMS = [sympy.Rational(2, 3) * x - 3, sympy.pi * x - 1, x / 7 - z, z - sympy.pi * x / 180,
                  sympy.sqrt(2) * x + z, -x / 3 + z]


@pytest.fixture(scope="module")
def constant_sums():
    return sg.compile([x, z], _CONSTANT_SUMS), sg.compile([x, z], _CONSTANT_SUMS, rewrite=False)


def _exact(expr, a, b):
    fn = sympy.lambdify([x, z], expr, "mpmath")
    with mpmath.workdps(80):
        return np.array([float(fn(mpmath.mpf(float(p)), mpmath.mpf(float(q)))) for p, q in zip(a, b)])


def test_a_sum_with_a_constant_product_is_correctly_rounded_where_it_cancels(constant_sums):
    # c x + z near c x = -z: fma(fl(c), x, z) leaves c's rounding, 2^-54 |c x|, which the cancellation
    # makes many ulps; the constant multiply-add keeps it (Dot2 for one product)
    f, typed = constant_sums
    rng = np.random.default_rng(11)
    x0 = rng.uniform(0.5, 200, 400)
    roots = [4.5 + 0 * x0, 1 / np.pi + 0 * x0, x0 / 7, x0 * np.pi / 180, -np.sqrt(2) * x0, x0 / 3]
    for k, expr in enumerate(_CONSTANT_SUMS):
        a = x0 if k in (2, 3, 4, 5) else roots[k] * (1 + rng.uniform(-1e-6, 1e-6, 400))
        b = roots[k] * (1 + rng.uniform(-1e-9, 1e-9, 400)) if k in (2, 3, 4, 5) else x0
        want = _exact(expr, a, b)
        got, naive = f(a, b)[k], typed(a, b)[k]
        ulps = np.abs(got - want) / np.spacing(np.abs(want))
        assert np.max(ulps) <= 1.0, expr
        assert np.mean(np.abs(naive - want) / np.spacing(np.abs(want)) > 4) > 0.5, expr


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.tuples(_finite, _finite), min_size=1, max_size=16))
def test_constant_multiply_adds_are_within_an_ulp_anywhere(constant_sums, pairs):
    f, _ = constant_sums
    a, b = (np.array(col) for col in zip(*pairs))
    for k, expr in enumerate(_CONSTANT_SUMS):
        want = _exact(expr, a, b)
        got = f(a, b)[k]
        finite = np.isfinite(want) & (np.abs(want) > 1e-290)
        assert np.all(np.abs(got - want)[finite] <= np.spacing(np.abs(want))[finite]), expr


def test_constant_multiply_adds_keep_zeros_infinities_and_nan_as_typed(constant_sums):
    f, typed = constant_sums
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1e300])
    a, b = (g.ravel() for g in np.meshgrid(specials, specials))
    with np.errstate(all="ignore"):
        for dtype in (np.float64, np.float32):
            for got, want in zip(f(a.astype(dtype), b.astype(dtype)), typed(a.astype(dtype), b.astype(dtype))):
                assert got.dtype == dtype
                special = np.isnan(want) | np.isinf(want) | (want == 0)
                assert np.array_equal(got[special], want[special], equal_nan=True)
                assert np.array_equal(np.signbit(got[special]), np.signbit(want[special]))
                np.testing.assert_allclose(got[~special], want[~special], rtol=4 * np.finfo(dtype).eps)


def test_constant_multiply_adds_in_float32_are_correctly_rounded_where_they_cancel(constant_sums):
    f, typed = constant_sums
    rng = np.random.default_rng(12)
    a = (4.5 * (1 + rng.uniform(-1e-3, 1e-3, 300))).astype(np.float32)
    b = rng.uniform(1, 2, 300).astype(np.float32)
    got, naive = f(a, b)[0], typed(a, b)[0]
    want = _exact(_CONSTANT_SUMS[0], a, b).astype(np.float32)
    assert np.max(np.abs(got - want) / np.spacing(np.abs(want))) <= 1.0
    assert np.mean(naive != want) > 0.3
