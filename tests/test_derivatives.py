"""compile(..., grad=/jacobian=/hessian=/hvp=) (symgraph/derivatives.py): results and their shapes,
against SymPy's own derivatives evaluated by mpmath; float32, complex, broadcasting, out=, errors, and
gradients that stay finite at extreme inputs. Compiled functions are shared through module fixtures."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy

import symgraph as sg
from symgraph.errors import ArgumentError, SymgraphError

x, y, z = sympy.symbols("x y z")
LOSS = sympy.sin(x) * y ** 2 + sympy.exp(x * y / 3) + sympy.log(1 + z ** 2) * x


def exact(expr, env, dps=30):
    """A SymPy expression's value at env, by mpmath at dps digits."""
    return complex(sympy.N(expr.subs(env), dps)) if not sympy.N(expr.subs(env), dps).is_real else \
        float(sympy.N(expr.subs(env), dps))


@pytest.fixture(scope="module")
def loss_grad():
    return sg.compile([x, y, z], LOSS, grad=True)


POINTS = np.array([[0.3, -1.2, 0.7], [1.5, 0.4, -2.0], [-0.8, 2.2, 0.1]])


def test_grad_returns_value_and_every_partial(loss_grad):
    value, grads = loss_grad(POINTS[:, 0], POINTS[:, 1], POINTS[:, 2])
    assert isinstance(grads, tuple) and len(grads) == 3
    for k, (a, b, c) in enumerate(POINTS):
        env = {x: a, y: b, z: c}
        assert value[k] == pytest.approx(exact(LOSS, env), rel=1e-14)
        for g, var in zip(grads, (x, y, z)):
            assert g[k] == pytest.approx(exact(sympy.diff(LOSS, var), env), rel=1e-13, abs=1e-15)


def test_scalar_call_gives_numpy_scalars(loss_grad):
    value, (gx, gy, gz) = loss_grad(0.3, -1.2, 0.7)
    assert np.ndim(value) == 0 and np.ndim(gx) == 0
    assert gz == pytest.approx(exact(sympy.diff(LOSS, z), {x: 0.3, y: -1.2, z: 0.7}), rel=1e-13)


def test_broadcasting_shapes(loss_grad):
    a = np.linspace(-1, 1, 3).reshape(3, 1)
    b = np.linspace(0.5, 2, 4)
    value, (gx, gy, gz) = loss_grad(a, b, 0.25)
    assert value.shape == gx.shape == gy.shape == gz.shape == (3, 4)
    assert gy[2, 1] == pytest.approx(exact(sympy.diff(LOSS, y), {x: a[2, 0], y: b[1], z: 0.25}), rel=1e-13)


def test_float32_in_float32_out(loss_grad):
    a, b, c = (POINTS[:, i].astype(np.float32) for i in range(3))
    value, grads = loss_grad(a, b, c)
    assert value.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    for k in range(3):
        env = {x: float(a[k]), y: float(b[k]), z: float(c[k])}
        for g, var in zip(grads, (x, y, z)):
            assert float(g[k]) == pytest.approx(exact(sympy.diff(LOSS, var), env), rel=2e-6, abs=1e-6)


def test_out_takes_the_nesting_of_the_result(loss_grad):
    n = 5
    a, b, c = np.linspace(-1, 1, n), np.linspace(0.5, 1, n), np.full(n, 0.3)
    value, grads = np.empty(n), tuple(np.empty(n) for _ in range(3))
    result = loss_grad(a, b, c, out=(value, grads))
    assert result[0] is value and all(r is g for r, g in zip(result[1], grads))
    expected = loss_grad(a, b, c)
    np.testing.assert_array_equal(value, expected[0])
    for got, want in zip(grads, expected[1]):
        np.testing.assert_array_equal(got, want)
    strided = np.empty(2 * n)[::2]  # a non-contiguous target is filled through a temporary
    loss_grad(a, b, c, out=(value, (strided, grads[1], grads[2])))
    np.testing.assert_array_equal(strided, expected[1][0])
    with pytest.raises(ArgumentError, match="nested like the result"):
        loss_grad(a, b, c, out=(value, grads[0]))
    with pytest.raises(ArgumentError, match="shape"):
        loss_grad(a, b, c, out=(np.empty(n + 1), grads))


def test_grad_of_some_arguments_and_of_a_bare_symbol():
    f = sg.compile([x, y, z], LOSS, grad=[z, x])
    value, (gz, gx) = f(0.3, -1.2, 0.7)
    env = {x: 0.3, y: -1.2, z: 0.7}
    assert gz == pytest.approx(exact(sympy.diff(LOSS, z), env), rel=1e-13)
    assert gx == pytest.approx(exact(sympy.diff(LOSS, x), env), rel=1e-13)
    g = sg.compile([x, y, z], LOSS, grad=y)
    value, gy = g(0.3, -1.2, 0.7)
    assert gy == pytest.approx(exact(sympy.diff(LOSS, y), env), rel=1e-13)


def test_gradient_and_value_share_one_graph(loss_grad):
    # exp(x*y/3) appears once (as exp of the argument with its rounding error, exp_pair): the derivative
    # reuses the forward node instead of recomputing it
    exps = [n for n in loss_grad.graph.nodes if n.op.name in ("exp", "exp_pair")]
    assert len(exps) == 1


# ------------------------------------------------------------------ Jacobians
def test_jacobian_of_a_list_has_shape_batch_m_n():
    exprs = [x * y * z, sympy.exp(x) + sympy.sin(y)]
    f = sg.compile([x, y, z], exprs, jacobian=True)
    values, jac = f(np.array([0.1, 0.2, 0.3, 0.4]), 1.5, -0.5)
    assert isinstance(values, tuple) and len(values) == 2
    assert jac.shape == (4, 2, 3)
    want = sympy.Matrix(exprs).jacobian([x, y, z])
    env = {x: 0.3, y: 1.5, z: -0.5}
    for i in range(2):
        for j in range(3):
            assert jac[2, i, j] == pytest.approx(exact(want[i, j], env), rel=1e-14, abs=1e-15)
    values, jac1 = f(0.3, 1.5, -0.5)
    assert jac1.shape == (2, 3)
    np.testing.assert_allclose(jac1, jac[2], rtol=1e-15)


def test_jacobian_of_matrices_and_single_expressions():
    column = sympy.Matrix([x ** 2, x * y, sympy.cos(y)])
    f = sg.compile([x, y], column, jacobian=True)
    values, jac = f(np.ones(5), np.zeros(5))
    assert values.shape == (5, 3, 1) and jac.shape == (5, 3, 2)
    np.testing.assert_allclose(jac[0], np.array(column.jacobian([x, y]).subs({x: 1, y: 0}), float))
    square = sympy.Matrix([[x, y], [x * y, x ** 3]])
    g = sg.compile([x, y], square, jacobian=[y])
    values, jac = g(np.full(2, 2.0), np.full(2, 3.0))
    assert jac.shape == (2, 2, 2, 1)
    np.testing.assert_allclose(jac[1, :, :, 0], [[0.0, 1.0], [2.0, 0.0]])
    h = sg.compile([x, y], x * sympy.sin(y), jacobian=True)
    value, jac = h(np.ones(3), np.ones(3))
    assert value.shape == (3,) and jac.shape == (3, 1, 2)


# ------------------------------------------------------------------ second order
HESS_F = x ** 3 * y + sympy.sin(x * z) + sympy.exp(y) * z ** 2


@pytest.fixture(scope="module")
def hvp_function():
    return sg.compile([x, y, z], HESS_F, hvp=True)


def test_hvp_matches_sympy_hessian(hvp_function):
    assert [s.name for s in hvp_function.symbols] == ["x", "y", "z", "v_x", "v_y", "v_z"]
    H = sympy.hessian(HESS_F, [x, y, z])
    point, v = (0.7, -0.4, 1.3), (0.5, -2.0, 0.25)
    value, grads, hv = hvp_function(*point, *v)
    env = dict(zip((x, y, z), point))
    want = H.subs(env) * sympy.Matrix(v)
    for got, w in zip(hv, want):
        assert got == pytest.approx(float(sympy.N(w, 30)), rel=1e-13)
    assert grads[1] == pytest.approx(exact(sympy.diff(HESS_F, y), env), rel=1e-14)


def test_hvp_batch_and_float32(hvp_function):
    pts = np.random.default_rng(1).uniform(-1, 1, size=(6, 4)).astype(np.float32)
    value, grads, hv = hvp_function(pts[:, 0], pts[:, 1], pts[:, 2], pts[:, 3], np.float32(0), np.float32(1))
    assert hv[0].shape == (6,) and hv[0].dtype == np.float32
    H = sympy.hessian(HESS_F, [x, y, z])
    for k in range(6):
        env = {x: float(pts[k, 0]), y: float(pts[k, 1]), z: float(pts[k, 2])}
        want = H.subs(env) * sympy.Matrix([float(pts[k, 3]), 0, 1])
        for got, w in zip(hv, want):
            assert float(got[k]) == pytest.approx(float(w), rel=1e-5, abs=1e-5)


def test_hessian_matches_sympy():
    f = sg.compile([x, y, z], HESS_F, hessian=True)
    value, grads, H = f(np.array([0.7, 0.1]), -0.4, 1.3)
    assert H.shape == (2, 3, 3)
    want = sympy.hessian(HESS_F, [x, y, z]).subs({x: 0.7, y: -0.4, z: 1.3})
    np.testing.assert_allclose(H[0], np.array(want.evalf(30), dtype=float), rtol=1e-13)
    np.testing.assert_allclose(H[0], H[0].T, rtol=1e-15)


def test_derivatives_of_every_order_of_the_gamma_family():
    # loggamma -> digamma -> polygamma(1) -> polygamma(2) -> ...: a Hessian of digamma needs psi'',
    # a gradient of polygamma(3, x) needs psi^(4)
    hess = sg.compile([x], sympy.digamma(x), hessian=True)
    grad = sg.compile([x], sympy.polygamma(3, x), grad=True)
    points = np.array([0.3, 2.5, 17.0, -1.5])
    value, (d1,), H = hess(points)
    value3, (d4,) = grad(points)
    for k, p in enumerate(points):
        with mpmath.workdps(40):
            want = [mpmath.psi(m, mpmath.mpf(float(p))) for m in (1, 2, 4)]
        assert d1[k] == pytest.approx(float(want[0]), rel=1e-14)
        assert H[k, 0, 0] == pytest.approx(float(want[1]), rel=1e-14)
        assert d4[k] == pytest.approx(float(want[2]), rel=1e-14)


# ------------------------------------------------------------------ complex
def test_complex_gradient_is_the_complex_derivative():
    f = sg.compile([z], z ** 3 + sympy.sin(z) * sympy.exp(2 * z), grad=True)
    w = np.array([0.3 + 0.4j, -1.0 + 2.0j])
    value, (d,) = f(w)
    assert d.dtype == np.complex128
    want = 3 * w ** 2 + np.cos(w) * np.exp(2 * w) + 2 * np.sin(w) * np.exp(2 * w)
    np.testing.assert_allclose(d, want, rtol=1e-14)
    value, (dr,) = f(np.array([0.5]))  # real arguments run the real kernel
    assert dr.dtype == np.float64 and dr[0] == pytest.approx(want.real[0] * 0 + 3 * 0.25 + np.cos(.5) * np.exp(1)
                                                              + 2 * np.sin(.5) * np.exp(1), rel=1e-14)


def test_complex_arguments_through_non_holomorphic_ops_raise():
    f = sg.compile([z], sympy.Abs(z) * 3 + z, grad=True)
    value, (d,) = f(np.array([-1.5, 2.0]))
    np.testing.assert_allclose(d, [-2.0, 4.0])
    with pytest.raises(ArgumentError, match="not holomorphic"):
        f(np.array([1 + 1j]))


# ------------------------------------------------------------------ errors
def test_errors_name_the_problem():
    with pytest.raises(SymgraphError, match="single scalar expression"):
        sg.compile([x, y], [x, y], grad=True)
    with pytest.raises(SymgraphError, match="not in args"):
        sg.compile([x, y], x * y, grad=[z])
    with pytest.raises(SymgraphError, match="cannot be combined"):
        sg.compile([x, y], [x * y], jacobian=True, grad=True)
    with pytest.raises(SymgraphError, match="not both"):
        sg.compile([x, y], x * y, hvp=True, hessian=True)


# ------------------------------------------------------------------ stability at extreme inputs
def _sigmoid(v):
    with mpmath.workdps(40):
        return float(1 / (1 + mpmath.exp(-mpmath.mpf(v))))


def _sigmoid_slope(v):
    with mpmath.workdps(40):
        e = mpmath.exp(-abs(mpmath.mpf(v)))
        return float(e / (1 + e) ** 2)


EXTREME = np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0])


def test_softplus_gradient_is_a_stable_sigmoid():
    f = sg.compile([x], sympy.log(1 + sympy.exp(x)), grad=True)
    value, (d,) = f(EXTREME)
    assert np.all(np.isfinite(d)), d
    for got, v in zip(d, EXTREME):
        assert got == pytest.approx(_sigmoid(v), rel=1e-15, abs=0)


def test_logistic_gradient_is_finite_at_both_ends():
    f = sg.compile([x], 1 / (1 + sympy.exp(-x)), grad=True)
    value, (d,) = f(EXTREME)
    assert np.all(np.isfinite(d)), d
    for got, v in zip(d, EXTREME):
        assert got == pytest.approx(_sigmoid_slope(v), rel=1e-14, abs=0)


def test_smooth_functions_at_extreme_inputs_stay_finite():
    exprs = {x: sympy.tanh(x), y: sympy.atan(y), z: sympy.exp(-z ** 2)}
    f = sg.compile([x, y, z], sum(exprs.values()), grad=True)
    big = np.array([1e3, 1e150, 1e300, -1e300])
    value, grads = f(big, big, big)
    for g in grads:
        assert np.all(np.isfinite(g)), g


def test_piecewise_branch_not_taken_never_leaks_nan():
    e = sympy.Piecewise((sympy.sqrt(x) * sympy.log(x), x > 0), (x ** 2, True))
    f = sg.compile([x], e, grad=True)
    value, (d,) = f(np.array([-2.0, 0.0, 4.0]))
    assert np.all(np.isfinite(d)), d
    np.testing.assert_allclose(d, [-4.0, 0.0, (np.log(4.0) + 2) / (2 * 2.0)], rtol=1e-15)


def test_piecewise_without_otherwise_has_no_derivative_where_it_is_undefined():
    # NaN outside every condition, value and derivative alike (sympy.diff keeps the Piecewise's
    # conditions, so its lambdified derivative is NaN there too); inside, the branch's derivative
    e = sympy.Piecewise((x ** 2 * y, x > 0), (x ** 3, x < -1))
    f = sg.compile([x, y], e, grad=True)
    xs = np.array([-2.0, -0.5, 0.0, 3.0])
    value, (dx, dy) = f(xs, 5.0)
    np.testing.assert_array_equal(np.isnan(value), [False, True, True, False])
    np.testing.assert_array_equal(dx, [12.0, np.nan, np.nan, 30.0])
    np.testing.assert_array_equal(dy, [0.0, np.nan, np.nan, 9.0])
    reference = sympy.lambdify([x, y], [sympy.diff(e, x), sympy.diff(e, y)])
    np.testing.assert_array_equal(np.isnan(dx), np.isnan(reference(xs, 5.0)[0]))


def test_kinks_follow_jax_and_pytorch():
    f = sg.compile([x, y], sympy.Abs(x) + sympy.Max(x, y) + 2 * sympy.Min(x, y) + sympy.floor(x)
                   + sympy.sign(y) * 7, grad=True)
    _, (dx, dy) = f(np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, -1.0]))
    # abs'(0) = 0; max/min split the adjoint evenly at ties; floor' = sign' = 0
    np.testing.assert_array_equal(dx, [0.0 + 0.5 + 1.0, 1.0 + 0.5 + 1.0, 1.0 + 1.0 + 0.0])
    np.testing.assert_array_equal(dy, [0.5 + 1.0, 0.5 + 1.0, 0.0 + 2.0])


def test_power_with_variable_exponent_at_zero_base():
    f = sg.compile([x, y], x ** y, grad=True)
    _, (dx, dy) = f(np.array([0.0, 2.0]), np.array([2.0, 3.0]))
    np.testing.assert_allclose(dx, [0.0, 12.0])
    np.testing.assert_allclose(dy, [0.0, 8 * np.log(2.0)], rtol=1e-15)


def test_sinc_derivative_is_accurate_near_zero():
    f = sg.compile([x], sympy.sinc(x), grad=True)
    pts = np.array([1e-300, 1e-8, 1e-3, 0.1, -0.3, 0.4999, 0.5, 0.7, 3.0])
    _, (d,) = f(pts)
    with mpmath.workdps(700):  # x cos x - sin x cancels to x**3/3: 1e-300 needs 600 digits
        for got, p in zip(d, pts):
            t = mpmath.mpf(p)
            want = float((t * mpmath.cos(t) - mpmath.sin(t)) / t ** 2)
            assert got == pytest.approx(want, rel=5e-16, abs=0), p
    _, (d0,) = f(0.0)
    assert d0 == 0.0
