"""compile() and calling: broadcasting, layouts, scalars, dtypes, out=, tuple and Matrix outputs,
Piecewise, floating-point semantics, every error, parallel/fastmath, and the on-disk cache.

Compiled functions are module-level fixtures shared by many tests (each compile costs Numba time)."""
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import sympy

import symgraph as sg

x, y, z = sympy.symbols("x y z")


def reference(a, b):
    return np.exp(-a**2) * np.sin(b) + np.log(1 + a**2)


@pytest.fixture(scope="module")
def f():
    return sg.compile([x, y], sympy.exp(-x**2) * sympy.sin(y) + sympy.log(1 + x**2))


@pytest.fixture(scope="module")
def pair():
    return sg.compile([x, y], (x + y, x * y))


@pytest.fixture(scope="module")
def matrix():
    return sg.compile([x, y], sympy.Matrix([[x, y, 1], [x * y, x - y, sympy.sin(x)]]))


@pytest.fixture(scope="module")
def ratio():
    return sg.compile([x, y], x / y)


# ------------------------------------------------------------------ broadcasting and layouts
def test_issue_example(f):
    a = np.linspace(0, 1, 10**4)
    np.testing.assert_allclose(f(a, 0.5), reference(a, 0.5), rtol=1e-14)
    value = f(0.3, 0.5)
    assert isinstance(value, np.float64) and value == pytest.approx(reference(0.3, 0.5), rel=1e-15)


@pytest.mark.parametrize("make", [
    lambda: (np.linspace(-1, 1, 7), 0.25),                                    # array + scalar
    lambda: (0.25, np.linspace(-1, 1, 7)),                                    # scalar + array
    lambda: (np.linspace(-1, 1, 5)[:, None], np.linspace(0, 2, 4)[None, :]),  # outer 2-D
    lambda: (np.arange(24.0).reshape(4, 6)[:, ::2], 1.5),                    # non-contiguous 2-D
    lambda: (np.arange(20.0)[::3], np.arange(7.0)[::-1]),                    # strided and reversed 1-D
    lambda: (np.asfortranarray(np.arange(12.0).reshape(3, 4)), np.arange(4.0)),  # Fortran order
    lambda: (np.arange(12.0).reshape(3, 4).T, np.ones((4, 1))),              # transposed
    lambda: (np.array(0.5), np.array([1.0, 2.0])),                            # 0-d with 1-D
    lambda: (np.array([0.5]), np.arange(6.0).reshape(2, 3)),                 # size-1 with 2-D
    lambda: (np.ones((2, 1, 3)), np.ones((4, 1))),                           # 3-D broadcast
    lambda: (np.empty((0, 3)), 1.0),                                          # empty
    lambda: ([0.1, 0.2, 0.3], (1.0, 2.0, 3.0)),                               # lists and tuples
])
def test_broadcasting_matches_numpy(f, make):
    a, b = make()
    expected = reference(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    got = f(a, b)
    assert isinstance(got, np.ndarray) and got.shape == expected.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_inputs_are_not_modified(f):
    a = np.arange(12.0).reshape(3, 4)[:, ::2]
    before = a.copy()
    f(a, 2.0)
    np.testing.assert_array_equal(a, before)


def test_zero_dimensional_inputs_give_a_numpy_scalar(f):
    got = f(np.array(0.3), np.array(0.5))
    assert np.ndim(got) == 0 and isinstance(got, np.generic)
    assert got == pytest.approx(reference(0.3, 0.5), rel=1e-15)


def test_numpy_scalars_in_give_a_numpy_scalar_out(f):
    got = f(np.float64(0.3), np.int32(1))
    assert isinstance(got, np.float64) and got == pytest.approx(reference(0.3, 1.0), rel=1e-15)


# ------------------------------------------------------------------ dtypes
def test_float32_in_gives_float32_out(f):
    a = np.linspace(0, 1, 11, dtype=np.float32)
    got = f(a, np.float32(0.5))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, reference(a.astype(np.float64), 0.5), rtol=1e-6)
    assert isinstance(f(np.float32(0.3), np.float32(0.5)), np.float32)
    assert f(a, 0.5).dtype == np.float32  # a Python float does not upcast (NumPy 2 rules)


def test_float64_wins_over_float32(f):
    assert f(np.ones(3, np.float32), np.ones(3)).dtype == np.float64


def test_integer_and_bool_inputs_compute_as_float64(ratio):
    got = ratio(np.array([1, 2, 3]), 2)
    assert got.dtype == np.float64 and got.tolist() == [0.5, 1.0, 1.5]
    assert isinstance(ratio(1, 3), np.float64) and ratio(1, 3) == 1 / 3
    assert ratio(np.array([True, False]), 2.0).tolist() == [0.5, 0.0]


def test_complex_inputs_compute_in_complex128(ratio):
    got = ratio(np.array([1 + 2j, 3j]), 2.0)
    assert got.dtype == np.complex128 and got.tolist() == [0.5 + 1j, 1.5j]
    assert ratio(1 + 1j, 1j) == pytest.approx(1 - 1j)


def test_an_expression_with_I_computes_in_complex128():
    g = sg.compile([x], sympy.exp(sympy.I * x) + x)
    got = g(np.array([0.0, np.pi / 2]))
    assert got.dtype == np.complex128
    np.testing.assert_allclose(got, np.exp(1j * np.array([0.0, np.pi / 2])) + [0.0, np.pi / 2], atol=1e-15)
    assert isinstance(g(1.0), np.complex128)


def test_real_valued_functions_of_complex_inputs_are_float64():
    g = sg.compile([z], (sympy.Abs(z), sympy.re(z), sympy.im(z), sympy.arg(z), sympy.conjugate(z)))
    got = g(np.array([3 + 4j, -1j]))
    assert [r.dtype for r in got] == [np.float64] * 4 + [np.complex128]
    np.testing.assert_allclose(got[0], [5.0, 1.0])
    np.testing.assert_allclose(got[3], np.angle([3 + 4j, -1j]))
    np.testing.assert_array_equal(got[4], [3 - 4j, 1j])


def test_relational_and_boolean_outputs_are_bool():
    g = sg.compile([x, y], (x < y, sympy.And(x < y, sympy.Not(sympy.Eq(x, 0))), sympy.Or(x > 1, y > 1)))
    lt, both, either = g(np.array([0.0, 1.0, 3.0]), 2.0)
    assert lt.dtype == both.dtype == either.dtype == np.bool_
    assert lt.tolist() == [True, True, False] and both.tolist() == [False, True, False]
    assert either.tolist() == [True, True, True]
    assert isinstance(g(1.0, 2.0)[0], np.bool_)


# ------------------------------------------------------------------ outputs: tuple, Matrix, out=
def test_tuple_outputs(pair):
    s, p = pair(np.arange(3.0), 2.0)
    assert s.tolist() == [2.0, 3.0, 4.0] and p.tolist() == [0.0, 2.0, 4.0]
    s, p = pair(1.0, 2.0)
    assert isinstance(s, np.float64) and (s, p) == (3.0, 2.0)


def test_constant_outputs_broadcast_to_the_input_shape():
    g = sg.compile([x], [sympy.Integer(1), x, sympy.pi])
    one, same, pi = g(np.arange(3.0))
    assert one.tolist() == [1.0] * 3 and pi.tolist() == [np.pi] * 3
    assert isinstance(g(2.0)[0], np.float64)


def test_matrix_output_shape_is_batch_then_rows_cols(matrix):
    a, b = np.arange(4.0).reshape(2, 2), 3.0
    got = matrix(a, b)
    assert got.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(got[1, 0], [[2.0, 3.0, 1.0], [6.0, -1.0, np.sin(2.0)]])
    scalar = matrix(2.0, 3.0)
    assert scalar.shape == (2, 3) and scalar[1, 2] == np.sin(2.0)


def test_out_array_is_written_and_returned(f):
    a = np.linspace(0, 1, 5)
    out = np.empty(5)
    assert f(a, 0.5, out=out) is out
    np.testing.assert_allclose(out, reference(a, 0.5), rtol=1e-14)


def test_out_non_contiguous_and_other_float_dtype(f):
    a = np.linspace(0, 1, 5)
    out = np.zeros(10)[::2]
    assert f(a, 0.5, out=out) is out
    np.testing.assert_allclose(out, reference(a, 0.5), rtol=1e-14)
    out32 = np.empty(5, np.float32)
    f(a, 0.5, out=out32)
    np.testing.assert_allclose(out32, reference(a, 0.5), rtol=1e-6)


def test_out_tuple_for_several_outputs(pair):
    o1, o2 = np.empty(3), np.empty(3)
    result = pair(np.arange(3.0), 2.0, out=(o1, o2))
    assert result[0] is o1 and result[1] is o2 and o2.tolist() == [0.0, 2.0, 4.0]


def test_out_for_a_matrix(matrix):
    out = np.empty((3, 2, 3))
    assert matrix(np.arange(3.0), 1.0, out=out) is out
    assert out[2, 1, 0] == 2.0


@pytest.mark.parametrize("out, message", [
    (np.empty(4), "shape"),
    (np.empty((5, 1)), "shape"),
    (np.empty(5, dtype=np.int64), "dtype"),
    ([0.0] * 5, "NumPy array"),
])
def test_wrong_out_raises_argument_error(f, out, message):
    with pytest.raises(sg.ArgumentError, match=message):
        f(np.linspace(0, 1, 5), 0.5, out=out)


def test_wrong_number_of_out_arrays(pair):
    with pytest.raises(sg.ArgumentError, match="2"):
        pair(np.arange(3.0), 2.0, out=(np.empty(3),))


# ------------------------------------------------------------------ Piecewise
def test_piecewise_never_leaks_the_unselected_branch_and_prints_no_warning(capfd):
    g = sg.compile([x], sympy.Piecewise((sympy.log(x), x > 0), (sympy.sqrt(-x) + 1 / x, x < 0), (7, True)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            got = g(np.array([-4.0, 0.0, np.e]))
            assert g(0.0) == 7.0
    assert got.tolist() == [2.0 - 0.25, 7.0, 1.0]
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_piecewise_without_default_is_nan_outside():
    g = sg.compile([x], sympy.Piecewise((x, x > 0), (-2 * x, x < -1)))
    got = g(np.array([-2.0, -0.5, 3.0]))
    assert got[0] == 4.0 and np.isnan(got[1]) and got[2] == 3.0


def test_piecewise_with_logical_conditions():
    pw = sympy.Piecewise((1, sympy.And(x > 0, y > 0)), (2, sympy.Or(x < -1, sympy.Eq(y, 2))),
                         (3, sympy.Not(x > 0.5)), (4, True))
    g = sg.compile([x, y], pw)
    xs = np.array([1.0, -2.0, 0.0, 1.0, 0.2])
    ys = np.array([1.0, 0.0, 2.0, -1.0, -1.0])
    expected = [float(pw.subs({x: a, y: b})) for a, b in zip(xs, ys)]
    assert g(xs, ys).tolist() == expected


# ------------------------------------------------------------------ floating-point semantics
@pytest.fixture(scope="module")
def semantics():
    return sg.compile([x, y], (sympy.log(x), x / y, x**-2, sympy.Mod(x, y), sympy.sqrt(x), x**y, 1 / x))


def test_floating_point_semantics_are_numpy_s(semantics):
    log, div, inv_square, mod, sqrt, power, reciprocal = semantics(
        np.array([-1.0, 0.0, 1.0, 0.0]), np.array([0.0, 0.0, 0.0, -1.0]))
    assert np.isnan(log[0]) and log[1] == -np.inf
    assert np.isnan(div[1]) and div[2] == np.inf and div[0] == -np.inf
    assert inv_square[1] == np.inf and inv_square[0] == 1.0
    assert np.isnan(mod[2]) and np.isnan(sqrt[0])
    assert power[3] == np.inf and reciprocal[1] == np.inf
    # the same at a single point (the scalar path), never ZeroDivisionError
    assert semantics(0.0, 0.0)[2] == np.inf and np.isnan(semantics(0.0, 0.0)[1])
    assert np.isnan(semantics(-1.0, 1.0)[0])


def test_mod_follows_the_sign_of_the_divisor_like_sympy(semantics):
    mod = semantics(np.array([-1.5, 1.5, 7.0]), np.array([1.0, -1.0, 3.0]))[3]
    assert mod.tolist() == [float(sympy.Mod(-1.5, 1)), float(sympy.Mod(1.5, -1)), 1.0]


# ------------------------------------------------------------------ compile-time errors
def test_free_symbol_not_in_args_is_named():
    with pytest.raises(sg.SymgraphError, match="y"):
        sg.compile([x], x + y)


def test_unsupported_function_fails_at_compile_time():
    with pytest.raises(sg.UnsupportedError, match="besselj"):
        sg.compile([x], sympy.besselj(0, x) + x)
    with pytest.raises(sg.UnsupportedError, match="Integral"):
        sg.compile([x], sympy.Integral(sympy.exp(x * y), (y, 0, 1)))


def test_args_must_be_symbols():
    with pytest.raises(sg.SymgraphError):
        sg.compile([x + 1], x)


# ------------------------------------------------------------------ call-time errors
@pytest.mark.parametrize("args, name", [
    ((1.0,), None),
    ((1.0, 2.0, 3.0), None),
    ((np.ones(3), np.ones(4)), "x"),
    (("a", 1.0), "x"),
    ((1.0, None), "y"),
    ((np.array([1.0, None], dtype=object), 1.0), "x"),
    ((1.0, np.array(["a", "b"])), "y"),
])
def test_bad_arguments_raise_argument_error_naming_the_argument(f, args, name):
    with pytest.raises(sg.ArgumentError) as info:
        f(*args)
    assert issubclass(sg.ArgumentError, sg.SymgraphError)
    if name is not None:
        assert name in str(info.value)
    else:
        assert "2 arguments" in str(info.value)


def test_real_only_function_with_complex_input_is_a_clear_error():
    g = sg.compile([x], sympy.erf(x))
    with pytest.raises(sg.SymgraphError, match="erf"):
        g(np.array([1j]))


# ------------------------------------------------------------------ options
def test_parallel_gives_the_same_result(f):
    g = sg.compile([x, y], sympy.exp(-x**2) * sympy.sin(y) + sympy.log(1 + x**2), parallel=True)
    a = np.linspace(-3, 3, 20001)
    np.testing.assert_array_equal(g(a, 0.5), f(a, 0.5))


def test_fastmath_keeps_nan_checks():
    expr = (sympy.Max(x, y), sympy.Min(x, y), sympy.Piecewise((x, x > y), (y, True)) + x * y)
    g = sg.compile([x, y], expr, fastmath=True)
    big, small, pw = g(np.array([np.nan, 1.0, 2.0]), np.array([0.0, np.nan, 1.0]))
    assert np.isnan(big[:2]).all() and np.isnan(small[:2]).all() and big[2] == 2.0 and small[2] == 1.0
    assert np.isnan(pw[:2]).all() and pw[2] == 4.0


def test_hostile_symbol_names_compile_and_compute():
    names = ["lambda", "np", "x y", "__import__('os')", "é", "in0_x", "t1", "_k0_f64", "out0", "v0",
             "i", "n", "math", "kernel_float64", "numba", "_ld", "t", "in1_lambda"]
    symbols = [sympy.Symbol(s) for s in names]
    expr = sum((k + 1) * s for k, s in enumerate(symbols)) + sympy.sin(symbols[0] * symbols[3])
    g = sg.compile(symbols, [expr, symbols[7] / symbols[8]])
    values = [0.1 * (k + 1) for k in range(len(names))]
    exact = float(expr.subs(dict(zip(symbols, values))))
    total, quotient = g(*values)
    assert total == pytest.approx(exact, rel=1e-14) and quotient == pytest.approx(values[7] / values[8])
    columns = g(*[np.full(2, v) for v in values])
    np.testing.assert_allclose(columns[0], exact, rtol=1e-14)
    assert "__import__(" not in g.source and "x y" not in g.source and "é" not in g.source


def test_symbols_with_one_name_but_different_assumptions_are_different_arguments():
    plain, positive = sympy.Symbol("a"), sympy.Symbol("a", positive=True)
    g = sg.compile([plain, positive], plain - 2 * positive)
    assert g(1.0, 3.0) == -5.0


def test_repr_and_graph(f):
    text = repr(f)
    assert "f(x, y)" in text and f"{len(f.graph)} nodes" in text
    assert isinstance(f.graph, sg.Graph) and f.graph.inputs == [x, y]


def test_matrix_args_and_a_single_symbol_arg():
    g = sg.compile(x, 2 * x)
    assert g(3.0) == 6.0


# ------------------------------------------------------------------ deep expressions
def test_deep_expression_compiles_and_runs():
    # 1,200 nested operations, one SSA statement each. Numba's compile time grows faster than linearly
    # with the statement count (measured: 1,000 nested sin ~1.4 s, 5,000 ~9 s, 20,000 ~41 s, all correct)
    expr = x
    for k in range(600):
        expr = sympy.Add(sympy.sin(expr, evaluate=False), sympy.Integer(k % 3), evaluate=False)
    g = sg.compile([x], expr, rewrite=False)
    value = 0.5
    for k in range(600):
        value = np.sin(value) + k % 3
    np.testing.assert_allclose(g(np.array([0.5, 0.5])), value, rtol=1e-12)


# ------------------------------------------------------------------ the on-disk cache
CACHE_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np, sympy, symgraph as sg
    x, y = sympy.symbols("x y")
    f = sg.compile([x, y], sympy.atan2(y, x) * sympy.cosh(x) - sympy.Rational(3, 7))
    value = float(f(np.linspace(0, 1, 5), 0.5)[3])
    kernel = f._kernels["float64"]
    print(json.dumps({"value": value, "hits": sum(kernel.stats.cache_hits.values()),
                      "misses": sum(kernel.stats.cache_misses.values())}))
""")


def test_same_compile_in_a_new_process_loads_from_the_disk_cache(tmp_path):
    import json
    env = dict(os.environ, SYMGRAPH_CACHE_DIR=str(tmp_path))
    root = os.path.dirname(os.path.dirname(os.path.abspath(sg.__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    runs = [json.loads(subprocess.run([sys.executable, "-c", CACHE_SCRIPT], env=env, capture_output=True,
                                      text=True, check=True).stdout.strip().splitlines()[-1])
            for _ in range(2)]
    assert runs[0]["misses"] == 1 and runs[0]["hits"] == 0
    assert runs[1]["hits"] == 1 and runs[1]["misses"] == 0
    assert runs[0]["value"] == runs[1]["value"]


def test_out_may_overlap_the_inputs_even_though_kernels_promise_noalias():
    # kernels are compiled with LLVM's noalias promise; overlapping out= goes through a temporary
    t, u = sympy.symbols("t u")
    f = sg.compile([t, u], [t + 1, t * u])
    a, b = np.arange(8.0), np.arange(8.0)
    f(a, b, out=(a, b))
    np.testing.assert_array_equal(a, np.arange(8.0) + 1)
    np.testing.assert_array_equal(b, np.arange(8.0) ** 2)
    g = sg.compile(t, 2 * t + 1)
    c = np.arange(10.0)
    g(c[1:], out=c[:-1])  # shifted views of one buffer, as NumPy's ufuncs allow
    np.testing.assert_array_equal(c, np.append(2 * np.arange(1.0, 10.0) + 1, 9.0))
    assert "@_noalias" in f.source


def test_overlap_sweep_agrees_with_pairwise_checks():
    from symgraph.compile import _separate_overlaps
    rng = np.random.default_rng(3)
    buffer = np.zeros(400)
    for _ in range(50):
        starts = rng.integers(0, 380, 8)
        views = [buffer[s:s + rng.integers(1, 20)] for s in starts]
        inputs, outputs = views[:3] + [2.0], views[3:]
        separated, copies = _separate_overlaps(inputs, list(outputs), [])
        for k, o in enumerate(outputs):
            clash = any(np.may_share_memory(o, a) for a in views[:3]) or \
                any(np.may_share_memory(o, p) for j, p in enumerate(outputs) if j != k)
            if clash and any(np.may_share_memory(o, a) for a in views[:3]):
                assert separated[k] is not o  # an output over an input is always written elsewhere
            if not clash:
                assert separated[k] is o  # and one that touches nothing is written in place
        # after the separation no array the kernel writes overlaps an input or another written array
        for k, o in enumerate(separated):
            assert not any(np.may_share_memory(o, a) for a in views[:3])
            assert not any(np.may_share_memory(o, p) for j, p in enumerate(separated) if j != k)


def test_an_unusable_cache_directory_falls_back_to_a_temporary_one(monkeypatch):
    from symgraph.compile import cache_dir
    monkeypatch.setenv("SYMGRAPH_CACHE_DIR", os.path.join(os.devnull, "cannot-be-a-directory"))
    path = cache_dir()
    assert os.path.isdir(path) and os.access(path, os.W_OK)
    assert not path.startswith(os.devnull)
