"""symgraph.compile as a drop-in for sympy.lambdify(args, expr) with the NumPy backend.

Differential tests: the same args, expression and call go to sympy.lambdify and to symgraph.compile,
and the results must agree (nested lists from lambdify are compared with symgraph's nested tuples).
Compiled functions are shared through module-level caches to keep Numba compiles few.
"""
import fractions

import mpmath
import numpy as np
import pytest
import sympy as sp
from sympy.codegen.cfunctions import isinf, isnan
from sympy.codegen.numpy_nodes import maximum, minimum
from sympy.matrices.expressions.dotproduct import DotProduct
from sympy.tensor.array.expressions import ArraySymbol
from sympy.utilities.lambdify import implemented_function

import symgraph as sg

x, y, z, w = sp.symbols("x y z w")
t = sp.symbols("t")
F = sp.Function("F")(t)
G = sp.Function("G")(t)

_COMPILED: dict = {}


def both(args, expr, key):
    """(symgraph function, sympy.lambdify function), compiled once per key."""
    if key not in _COMPILED:
        _COMPILED[key] = (sg.compile(args, expr), sp.lambdify(args, expr, "numpy"))
    return _COMPILED[key]


def assert_same(got, want, rtol=1e-13, atol=0.0, label="result"):
    """Nested results agree: containers by length and order, leaves as arrays (NaN equal to NaN)."""
    stack = [(got, want, label)]
    while stack:
        g, e, where = stack.pop()
        if isinstance(e, (list, tuple)):
            assert isinstance(g, tuple), f"{where}: expected a tuple, got {type(g).__name__}"
            assert len(g) == len(e), f"{where}: {len(g)} items, lambdify gives {len(e)}"
            stack.extend((gi, ei, f"{where}[{i}]") for i, (gi, ei) in enumerate(zip(g, e)))
            continue
        g_arr, e_arr = np.asarray(g), np.asarray(e)
        if e_arr.shape != () and e_arr.shape != g_arr.shape:
            raise AssertionError(f"{where}: shape {g_arr.shape}, lambdify gives {e_arr.shape}")
        if e_arr.dtype == bool:
            assert g_arr.dtype == bool, f"{where}: dtype {g_arr.dtype}, expected bool"
            np.testing.assert_array_equal(g_arr, np.broadcast_to(e_arr, g_arr.shape), err_msg=where)
        else:
            np.testing.assert_allclose(g_arr, np.broadcast_to(e_arr.astype(complex if e_arr.dtype.kind == "c"
                                                                            else float), g_arr.shape),
                                       rtol=rtol, atol=atol, equal_nan=True, err_msg=where)


# ------------------------------------------------------------------ elementwise functions, one kernel
ELEMENTWISE = [
    x + y, x - 2 * y, x * y / 3, x ** 3, y ** -2, sp.sqrt(y), sp.cbrt(x), sp.exp(-x ** 2), sp.log(y),
    sp.log(y, 3), sp.sin(x) * sp.cos(y), sp.tan(x / 4), sp.atan2(y, x), sp.sinh(x / 3), sp.tanh(x),
    sp.asinh(x), sp.atan(x), sp.Abs(x), sp.sign(x), sp.floor(x), sp.ceiling(x), sp.Mod(y, 0.75),
    sp.Max(x, y, 0.5, -x), sp.Min(x, y, 1), maximum(x, y), minimum(x, 2 * y, 0), sp.Heaviside(x),
    sp.Heaviside(x, 1), sp.sinc(x), sp.pi * x + sp.E,
    sp.Rational(2, 3) * x + sp.EulerGamma, sp.Integer(5),
    sp.Piecewise((x, x < 0), (y ** 2, x < 1), (0, True)),
    sp.Piecewise((1 / x, x > 0)),  # no default: nan where no condition holds
    sp.Piecewise((7.0, isinf(x)), (3.0, isnan(y)), (1.0, True)),
    sp.UnevaluatedExpr(x + y) - y,
]
# lambdify (without SciPy) prints these as math.* calls, which take scalars only
SCALAR_ONLY = [sp.erf(x), sp.erfc(x), sp.gamma(y), sp.loggamma(y)]
CONDITIONS = [sp.Eq(x, 0), sp.Ne(x, y), x < y, x >= 1, sp.And(x > 0, y > 1), sp.Or(x < -1, sp.Not(y < 2)),
              sp.Xor(x > 0, y > 1), sp.ITE(x > 0, y > 1, x < -1)]
XS = np.array([-2.5, -1.0, -0.0, 0.0, 0.25, 1.0, 1.5, 3.0, np.inf, -np.inf, np.nan])
YS = np.array([0.5, 1.0, 2.0, 3.5, 0.1, 7.0, 1.0, 2.0, 3.0, np.nan, 4.0])


def test_elementwise_functions_agree_with_lambdify_on_arrays():
    f, _ = both([x, y], ELEMENTWISE + SCALAR_ONLY, "elementwise")
    ref = sp.lambdify([x, y], ELEMENTWISE, "numpy")
    with np.errstate(all="ignore"):
        want = ref(XS, YS)
    got = f(XS, YS)[:len(ELEMENTWISE)]
    for k, (g, e) in enumerate(zip(got, want)):
        e = np.broadcast_to(np.asarray(e, dtype=float), XS.shape)
        assert g.shape == XS.shape, ELEMENTWISE[k]
        if isinstance(ELEMENTWISE[k], sp.Heaviside):
            # lambdify's select() falls through to its True branch at nan; symgraph (like numpy.heaviside)
            # propagates the nan: compare elsewhere, and check the nan
            assert np.isnan(g[np.isnan(XS)]).all()
            g, e = g[~np.isnan(XS)], e[~np.isnan(XS)]
        if isinstance(ELEMENTWISE[k], sp.sinc):
            # lambdify's sin(x)/x is nan at +-inf; symgraph gives SymPy's own value there, the limit 0
            infinite = np.isinf(XS)
            assert (g[infinite] == [float(sp.sinc(sp.oo)), float(sp.sinc(-sp.oo))]).all()
            g, e = g[~infinite], e[~infinite]
        assert_same(g, e, rtol=1e-12, atol=1e-300, label=str(ELEMENTWISE[k]))


def test_elementwise_functions_agree_with_lambdify_on_scalars():
    f, ref = both([x, y], ELEMENTWISE + SCALAR_ONLY, "elementwise")
    for a, b in [(0.3, 2.0), (-1.25, 0.5), (2, 3)]:  # Python ints compute as float64
        with np.errstate(all="ignore"):
            # NumPy scalars: lambdify then follows NumPy's semantics, as symgraph always does (with Python
            # floats lambdify would give (-1.25)**(1/3) as a complex number)
            want = ref(np.float64(a), np.float64(b))
        got = f(a, b)
        assert all(np.ndim(g) == 0 for g in got)
        assert_same(got, tuple(want), rtol=1e-12)


def test_conditions_are_bool_outputs_like_lambdify():
    f, ref = both([x, y], CONDITIONS, "conditions")
    assert_same(f(XS[:8], YS[:8]), tuple(ref(XS[:8], YS[:8])))
    assert_same(f(0.0, 3.0), tuple(ref(0.0, 3.0)))


def test_python_lists_bools_and_ints_are_accepted_as_arrays():
    f, ref = both([x, y], [x + y, x * y], "lists")
    assert_same(f([1, 2, 3], [4, 5, 6]), tuple(ref(np.array([1, 2, 3]), np.array([4, 5, 6]))))
    assert_same(f(True, 2), tuple(ref(True, 2)))
    assert_same(f(np.int64(3), [[1], [2]]), tuple(ref(np.int64(3), np.array([[1], [2]]))))


def test_sympy_and_mpmath_numbers_as_call_arguments():
    f, ref = both([x, y], sp.sin(x) + y ** 2, "sin_plus_square")
    assert f(sp.pi, sp.Rational(1, 2)) == pytest.approx(float(sp.sin(sp.pi) + sp.Rational(1, 4)), abs=1e-15)
    assert f(mpmath.mpf("0.5"), sp.Integer(2)) == pytest.approx(ref(0.5, 2.0), rel=1e-15)
    assert f(sp.pi / 2, 1.0) == pytest.approx(2.0, rel=1e-15)


def test_symbolic_call_argument_is_a_clear_error():
    f, _ = both([x, y], sp.sin(x) + y ** 2, "sin_plus_square")
    with pytest.raises(sg.ArgumentError, match="symbolic"):
        f(z, 1.0)
    with pytest.raises(TypeError):  # lambdify users catch TypeError for bad calls
        f(z, 1.0)


# ------------------------------------------------------------------ argument forms
def test_nested_args_are_unpacked_like_lambdify():
    args = [w, [[[x]], y], (z,)]
    f, ref = both(args, w + 10 * x + 100 * y - z, "nested_args")
    assert_same(f(1.0, [[[2.0]], 3.0], (4.0,)), ref(1.0, [[[2.0]], 3.0], (4.0,)))
    a = np.linspace(0, 1, 5)
    assert_same(f(a, [[[a + 1]], 2 * a], [a]), ref(a, [[[a + 1]], 2 * a], [a]))


def test_nested_arg_takes_array_rows():
    f, ref = both([[x, y]], x * x + y, "array_rows")
    pts = np.array([[2.0, 1.0, 3.0], [1.0, 0.5, -1.0]])
    assert_same(f(pts), ref(pts))
    assert_same(f(np.array([2.0, 1.0])), ref(np.array([2.0, 1.0])))


def test_nested_arg_with_wrong_length_is_a_type_error():
    f, _ = both([[x, y]], x * x + y, "array_rows")
    with pytest.raises(sg.ArgumentError, match="pass 2 values, got 3"):
        f([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="takes 1 argument"):
        f(1.0, 2.0)
    with pytest.raises(TypeError, match="sequence"):
        f(1.0)


def test_string_args_and_string_expression():
    f = sg.compile("x, y, z", "z, y, x*y")
    ref = sp.lambdify("x, y, z", "z, y, x*y")
    assert_same(f(3.0, 2.0, 1.0), ref(3.0, 2.0, 1.0))
    assert isinstance(f(3.0, 2.0, 1.0), tuple)


def test_dummy_args_and_name_clashes():
    d = sp.Dummy("x")
    same_name = sp.Symbol(str(d))
    f, ref = both([d, same_name, x], d - 2 * same_name + 10 * x, "dummies")
    assert_same(f(4.0, 1.0, 0.5), ref(4.0, 1.0, 0.5))


def test_function_applications_and_derivatives_as_args():
    args = (F.diff(t, 2), F.diff(t), F, G, t)
    expr = 2 * F.diff(t, 2) + 3 * F.diff(t) + F * G + sp.sin(t)
    f, ref = both(args, expr, "function_args")
    values = (2.0, 3.0, np.array([4.0, 5.0]), 0.5, 1.0)
    assert_same(f(*values), ref(*values))


def test_matrix_symbol_args_take_arrays_with_trailing_matrix_shape():
    A = sp.MatrixSymbol("A", 2, 2)
    v = sp.MatrixSymbol("v", 2, 1)
    u = sp.MatrixSymbol("u", 2, 1)
    f = sg.compile([A, v, u], [A * v, (v.T * A * v)[0, 0], A[0, 1] - A[1, 0], DotProduct(u, v)])
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[0.5], [-1.0]])
    mv, quad, skew, dot = f(a, b, [[2.0], [3.0]])
    assert dot == -2.0
    np.testing.assert_allclose(mv, a @ b, rtol=1e-15)
    assert quad == pytest.approx((b.T @ a @ b).item(), rel=1e-15)
    assert skew == -1.0
    # a batch of matrices: the leading axes broadcast, as NumPy's gufuncs do
    batch = np.stack([a, 2 * a, -a])
    mv3, quad3, _, _ = f(batch, b, b)
    np.testing.assert_allclose(mv3, batch @ b, rtol=1e-15)
    assert quad3.shape == (3,)
    # a plain vector stands for a column matrix symbol
    np.testing.assert_allclose(f(a, b[:, 0], b)[0], a @ b, rtol=1e-15)


def test_matrix_symbol_expression_is_evaluated_explicitly():
    A = sp.MatrixSymbol("A", 2, 2)
    f = sg.compile(A, A ** -1)
    ref = sp.lambdify(A, A ** -1, "numpy")
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(f(a), ref(a), rtol=1e-14)
    with pytest.raises(sg.ArgumentError, match=r"shape \(2, 2\)"):
        f(np.ones((3, 3)))


def test_array_symbol_arg_and_array_output():
    a = ArraySymbol("a", (3,))
    f = sg.compile(a, sp.Array([a[0] + a[1], a[2] ** 2]))
    got = f(np.array([1.0, 2.0, 3.0]))
    assert isinstance(got, np.ndarray) and got.shape == (2,)
    np.testing.assert_array_equal(got, [3.0, 9.0])
    np.testing.assert_array_equal(sg.compile(a, a)(np.array([1.0, 2.0, 3.0])), [1.0, 2.0, 3.0])


def test_base_scalars_are_args():
    from sympy.vector import CoordSys3D
    N = CoordSys3D("N")
    f = sg.compile([N.x, N.y], N.x * N.y + 1)
    assert f(0.5, 4.0) == 3.0


# ------------------------------------------------------------------ output forms
def test_nested_outputs_with_matrices_and_empty_tuples():
    expr = [x + y, (x * y, [sp.sin(x)]), sp.Matrix([[x, y], [1, x * y]]), (), sp.Tuple(y, 2 * y)]
    f, ref = both([x, y], expr, "nested_outputs")
    assert_same(f(0.5, 2.0), ref(0.5, 2.0))
    a, b = np.linspace(0, 1, 4), np.linspace(1, 2, 4)
    got = f(a, b)
    assert got[2].shape == (4, 2, 2)
    np.testing.assert_allclose(got[2][:, 1, 1], a * b, rtol=1e-15)
    assert got[3] == ()


def test_empty_outputs():
    f = sg.compile([x], [(), [[]]])
    assert f(1.0) == ((), ((),))
    assert f(np.zeros(3)) == ((), ((),))
    assert sg.compile([x], [])(2.0) == ()
    with pytest.raises(TypeError):
        f(1.0, 2.0)


def test_sympy_array_output_is_an_array():
    expr = sp.derive_by_array(sp.Max(0, sp.Min(x, y)) + x * y ** 2, (x, y))
    f, ref = both([x, y], expr, "derive_by_array")
    got = f(1.0, 2.0)
    assert isinstance(got, np.ndarray) and got.shape == (2,)
    np.testing.assert_allclose(got, np.asarray(ref(1.0, 2.0), dtype=float), rtol=1e-15)
    assert f(np.zeros(5), np.ones(5)).shape == (5, 2)


@pytest.mark.parametrize("number, value", [
    (3, 3.0), (2.5, 2.5), (sp.Integer(7), 7.0), (sp.Rational(1, 3), 1 / 3), (np.float64(0.25), 0.25),
    (fractions.Fraction(1, 4), 0.25), (mpmath.mpf("0.125"), 0.125)])
def test_number_expressions(number, value):
    f = sg.compile(x, number)
    assert f(1.0) == value
    np.testing.assert_array_equal(f(np.zeros(3)), np.full(3, value))  # constants take the call's shape


def test_no_args():
    f = sg.compile([], sp.pi + 1)
    assert f() == pytest.approx(float(sp.pi) + 1, rel=1e-16)
    with pytest.raises(TypeError):
        f(1.0)


# ------------------------------------------------------------------ lambdify's keywords
def test_lambdify_keywords_are_accepted_where_they_mean_what_symgraph_does():
    for modules in ("numpy", "math", ["numpy"], np, ["math", "numpy"]):
        f = sg.compile([x], x + 1, modules=modules, cse=True, dummify=True, docstring_limit=10)
        assert f(1.0) == 2.0


def test_modules_is_the_third_positional_parameter_as_in_lambdify():
    _, ref = both([x, y], [x + y, x * y], "lists")
    g = sg.compile([x, y], [x + y, x * y], "numpy", use_imps=True)
    assert_same(g(2.0, 3.0), tuple(ref(2.0, 3.0)))
    with pytest.raises(sg.SymgraphError, match="printer"):
        sg.compile([x], x, "numpy", printer=lambda e: str(e))


@pytest.mark.parametrize("modules", ["mpmath", "sympy", "tensorflow", "cmath", {"sin": lambda v: 1}])
def test_other_backends_are_refused_by_name(modules):
    with pytest.raises(sg.SymgraphError, match="sympy.lambdify"):
        sg.compile([x], sp.sin(x), modules=modules)


# ------------------------------------------------------------------ clear errors where lambdify guesses
def test_set_args_are_refused():
    with pytest.raises(sg.SymgraphError, match="set"):
        sg.compile({x, y}, x + y)


def test_compound_arg_is_refused():
    with pytest.raises(sg.SymgraphError, match="not a Symbol"):
        sg.compile([x * y], x * y + 1)


def test_dict_output_is_refused():
    with pytest.raises(sg.SymgraphError, match="dict"):
        sg.compile([x], {x: x + 1})


def test_implemented_function_is_named():
    f = implemented_function("myfun", lambda v: v + 1)
    with pytest.raises(sg.UnsupportedError, match="myfun is an implemented_function"):
        sg.compile([x], f(x))


def test_derivatives_with_nested_args_are_refused():
    with pytest.raises(sg.SymgraphError, match="plain Symbols"):
        sg.compile([[x, y]], x * y, grad=True)
