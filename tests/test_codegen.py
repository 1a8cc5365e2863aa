"""Generated source: standalone, sanitized names, one SSA statement per node, safe fastmath flags; and a
differential test of whole compiled expressions against sympy.lambdify (hypothesis)."""
import math
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import symgraph as sg
from symgraph.codegen import Namer, SAFE_FASTMATH

x, y = sympy.symbols("x y")


@pytest.fixture(scope="module")
def piecewise_function():
    expr = sympy.Piecewise((sympy.cot(x) + sympy.Max(x, y), x > 0), (sympy.erf(y), True)) + sympy.Min(x, y, 2)
    return sg.compile([x, y], expr, rewrite=False)


def test_source_is_a_standalone_module(piecewise_function, tmp_path):
    f = piecewise_function
    a = np.array([0.5, -1.0, 2.0])
    expected = f(a, 0.25)
    script = f.source + textwrap.dedent(f"""

        if __name__ == "__main__":
            import numpy as np
            out = np.empty(3)
            kernel_float64(3, np.array({a.tolist()!r}), 0.25, out)
            print(repr(out.tolist()))
        """)
    path = tmp_path / "standalone_kernel.py"
    path.write_text(script, encoding="utf-8")
    # a fresh interpreter that can import numpy and numba but not symgraph
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True, cwd=tmp_path,
                          env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "symgraph" not in re.sub(r'""".*?"""', "", f.source, flags=re.S)  # no import of symgraph
    assert eval(done.stdout.strip().splitlines()[-1]) == expected.tolist()


def test_one_statement_per_operation_node(piecewise_function):
    f = piecewise_function
    operations = sum(1 for n in f.graph.nodes if not (n.is_const or n.is_symbol))
    kernel = f.source[f.source.index("def kernel_float64"):]
    kernel = kernel[:kernel.index("\n\n")]
    # a select computed lazily assigns its name once in each branch of its `if`
    statements = {m.group(1) for line in kernel.splitlines() for m in [re.match(r"\s+(t\d*) = ", line)] if m}
    assert len(statements) == operations


def _kernel_lines(f):
    kernel = f.source[f.source.index("def kernel_float64"):]
    return kernel[:kernel.index("\n\n")].splitlines()


def test_select_branches_that_call_functions_are_computed_only_when_taken():
    # the fallback of a select that calls libm (erf, cot here) is computed inside an `if` on the condition;
    # a value both branches need, and the condition, are computed before it; the results are those of
    # the formula at points taking each branch, NaN included (a NaN condition takes the else branch)
    expr = sympy.Piecewise((sympy.sin(x) * sympy.exp(y), x > 0), (sympy.erf(y) + sympy.sin(x), True))
    f = sg.compile([x, y], expr, rewrite=False)
    lines = _kernel_lines(f)
    branch = next(k for k, line in enumerate(lines) if line.strip().startswith("if "))
    indent = len(lines[branch]) - len(lines[branch].lstrip())
    inside = [line for line in lines[branch + 1:] if len(line) - len(line.lstrip()) > indent]
    before = lines[:branch]
    assert any("erf" in line for line in inside) and not any("erf" in line for line in before)
    assert any("sin" in line for line in before) and not any("sin" in line for line in inside)
    xs = np.array([0.5, -0.5, 0.0, np.nan, 2.0, -3.0])
    ys = np.array([0.25, 0.25, -1.0, 0.5, np.nan, 1.0])
    want = sympy.lambdify([x, y], expr, "numpy")
    with np.errstate(invalid="ignore"):
        expected = np.array([want(a, b) for a, b in zip(xs, ys)], dtype=float)
    np.testing.assert_allclose(f(xs, ys), expected, rtol=1e-15, equal_nan=True)
    assert [f(a, b) for a, b in zip(xs[:3], ys[:3])] == pytest.approx(expected[:3], rel=1e-15)


def test_nested_lazy_selects_and_arithmetic_selects():
    # a select inside another's fallback nests its `if`; a select of arithmetic alone stays an expression
    # (a vectorisable loop stays vectorisable), and so does one whose libm call is in the then branch
    inner = sympy.Piecewise((sympy.log(y), y > 1), (sympy.atan(y), True))
    expr = sympy.Piecewise((x * y, x > y), (inner + sympy.cos(x), True))
    f = sg.compile([x, y], expr, rewrite=False)
    ifs = [line for line in _kernel_lines(f) if line.strip().startswith("if ")]
    assert len(ifs) == 2 and len(ifs[1]) - len(ifs[1].lstrip()) > len(ifs[0]) - len(ifs[0].lstrip())
    xs, ys = np.array([3.0, 0.5, -2.0, 1.0]), np.array([2.0, 3.0, -1.0, 1.0])
    want = sympy.lambdify([x, y], expr, "numpy")
    with np.errstate(invalid="ignore"):  # NumPy's Piecewise computes log(y) at y < 0 too
        expected = [want(a, b) for a, b in zip(xs, ys)]
    np.testing.assert_allclose(f(xs, ys), expected, rtol=1e-15)
    cheap = sg.compile([x, y], sympy.Piecewise((x * y, x > y), (x - y, True)), rewrite=False)
    assert not any(line.strip().startswith("if ") for line in _kernel_lines(cheap))
    # libm in the then branch only (a rule's new form, the usual branch): a select, no mispredicted if
    usual = sg.compile([x, y], sympy.Piecewise((sympy.erf(x), x > y), (x - y, True)), rewrite=False)
    assert not any(line.strip().startswith("if ") for line in _kernel_lines(usual))


def test_fastmath_uses_only_value_safe_flags():
    f = sg.compile([x], sympy.sin(x) + 1, fastmath=True, rewrite=False)
    assert "nnan" not in f.source and "ninf" not in f.source and "'fast'" not in f.source
    assert all(repr(flag) in f.source for flag in SAFE_FASTMATH)
    assert "error_model='numpy'" in f.source


def test_namer_sanitizes_user_text_and_avoids_collisions():
    namer = Namer()
    names = [namer.fresh(s) for s in ["x y", "__import__('os')", "é", "lambda", "np", "i", "n", "1x", "x_y"]]
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in names)
    assert len(set(names)) == len(names)
    assert not {"lambda", "np", "i", "n"} & set(names)


def test_constants_are_typed_module_globals():
    f = sg.compile([x], (x + sympy.Rational(1, 3), x + sympy.pi), rewrite=False)
    assert re.search(r"^_k\d+_f64 = np\.float64\(0\.3333333333333333\)$", f.source, flags=re.M)
    assert re.search(r"^_k\d+_f32 = np\.float32\(0\.3333333432674408\)$", f.source, flags=re.M)
    assert re.search(r"^_k\d+_f64 = np\.float64\(3\.141592653589793\)$", f.source, flags=re.M)


# ------------------------------------------------------------------ differential test against lambdify
LEAVES = st.sampled_from([x, y, sympy.Integer(2), sympy.Rational(1, 3), sympy.pi, sympy.Float(0.75)])
UNARY = [sympy.sin, sympy.cos, sympy.atan, sympy.tanh, sympy.Abs, sympy.asinh,
         lambda e: sympy.exp(sympy.sin(e)), lambda e: sympy.log(1 + e**2), lambda e: sympy.sqrt(e**2 + 1),
         lambda e: e**2, lambda e: e**3, lambda e: -e]  # no erf: lambdify needs SciPy for it on arrays
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (1 + b**2),
          lambda a, b: sympy.Max(a, b), lambda a, b: sympy.Min(a, b), lambda a, b: sympy.atan2(a, b),
          lambda a, b: sympy.Piecewise((a, a > b), (b, True)), lambda a, b: sympy.sqrt(a**2 + b**2)]


def expressions():
    return st.recursive(
        LEAVES,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(UNARY), inner).map(lambda t: t[0](t[1])),
            st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda t: t[0](t[1], t[2]))),
        max_leaves=8)


POINTS_X = np.array([-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 1.7, 3.0])
POINTS_Y = np.array([0.5, -2.0, 1.1, -0.7, 0.0, 2.2, -1.3, 0.9])


def _agrees(got, expected, exact):
    """symgraph agrees with lambdify, or where they differ symgraph is no farther from the exact value."""
    if math.isnan(got) or math.isnan(expected):
        return math.isnan(got) and math.isnan(expected)
    if got == expected or abs(got - expected) <= 1e-12 * max(1.0, abs(expected)):
        return True
    return exact is not None and abs(got - exact) <= abs(expected - exact)


# deterministic, and no shrinking: every example is a Numba compile (a failure reports the full batch)
@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])
@given(st.lists(expressions(), min_size=12, max_size=12))
def test_random_expressions_agree_with_lambdify(exprs):
    exprs = [sympy.sympify(e) for e in exprs]
    compiled = sg.compile([x, y], exprs)
    reference = sympy.lambdify([x, y], exprs, "numpy")
    with np.errstate(all="ignore"):
        expected = [np.broadcast_to(np.asarray(r, dtype=float), POINTS_X.shape)
                    for r in reference(POINTS_X, POINTS_Y)]
    got = compiled(POINTS_X, POINTS_Y)
    for expr, g_row, e_row in zip(exprs, got, expected):
        for k, (g, e) in enumerate(zip(g_row, e_row)):
            exact = None
            if not (g == e or abs(g - e) <= 1e-12 * max(1.0, abs(e))):
                value = expr.evalf(40, subs={x: POINTS_X[k], y: POINTS_Y[k]})
                exact = float(value) if value.is_real and value.is_finite else None
            assert _agrees(float(g), float(e), exact), (expr, POINTS_X[k], POINTS_Y[k], g, e, exact)


def test_a_kernel_with_many_elementary_functions_calls_libm_and_stays_correct():
    # past codegen.INLINE_CALL_LIMIT inlined vector helpers, exp is a libm call (compile time stays linear)
    from symgraph.codegen import INLINE_CALL_LIMIT
    t = sympy.Symbol("t")
    terms = INLINE_CALL_LIMIT + 12
    expr = sum(sympy.exp(t / (k + 1)) for k in range(terms))
    f = sg.compile(t, expr)
    kernel = f.source[f.source.index("def kernel_float64"):f.source.index("def scalar_float64")]
    libm_exp = re.compile(r"(?<![c\w])math\.exp\(")  # not cmath.exp: the complex kernel's
    assert len(libm_exp.findall(kernel)) == terms
    small = sg.compile(t, sympy.exp(t / 3))
    assert not libm_exp.search(small.source[small.source.index("def kernel_float64"):])
    points = np.linspace(-3, 3, 7)
    expected = sympy.lambdify(t, expr, "numpy")(points)
    np.testing.assert_allclose(f(points), expected, rtol=1e-14)


# ------------------------------------------------------------------ blocked kernels
# Big kernels (codegen._blocked_kernel) take address tables and run in blocks through segment functions.
# The limits are lowered here so that small expressions take that path (the compiles stay fast); the
# same expression compiled the ordinary way is the reference: the operations are the same, in the same
# order, so the numbers must be identical, bit for bit.
BLOCKED_SYMBOLS = sympy.symbols("b0:12")


def _blocked_expressions():
    b = BLOCKED_SYMBOLS
    long_sum = sum(sympy.exp(v) * (v - k) for k, v in enumerate(b))  # plain exps: small kernels, fast compiles
    return [long_sum,
            sympy.log(1 + b[0] ** 2) * sympy.sin(b[1]) - b[2] / (1 + b[3] ** 2),
            b[4],  # an output that is an input
            sympy.Integer(3),  # and one that is a constant
            sympy.Piecewise((b[5], b[5] > b[6]), (b[6] * long_sum, True)),
            sympy.And(b[9] > b[10], b[11] < 1)]  # a boolean output


@pytest.fixture(scope="module")
def blocked_and_plain():
    from symgraph import codegen
    exprs = _blocked_expressions()
    plain = sg.compile(list(BLOCKED_SYMBOLS), exprs)
    saved = codegen.SEGMENT_STATEMENTS, codegen.BLOCKED_STATEMENTS, codegen.WIDE_ARGUMENTS, codegen.CHAIN_LINK
    try:
        # CHAIN_LINK stays: it shapes both kernels' operations the same way
        codegen.SEGMENT_STATEMENTS, codegen.BLOCKED_STATEMENTS, codegen.WIDE_ARGUMENTS = 7, 7, 4
        blocked = sg.compile(list(BLOCKED_SYMBOLS), exprs)
        blocked_parallel = sg.compile(list(BLOCKED_SYMBOLS), exprs, parallel=True)
    finally:
        (codegen.SEGMENT_STATEMENTS, codegen.BLOCKED_STATEMENTS, codegen.WIDE_ARGUMENTS,
         codegen.CHAIN_LINK) = saved
    return plain, blocked, blocked_parallel


def test_blocked_kernels_have_segments_and_address_tables(blocked_and_plain):
    plain, blocked, _ = blocked_and_plain
    assert "_segment3_float64" in blocked.source and "_gather_float64" in blocked.source
    assert "_segment" not in plain.source
    segments = re.findall(r"def (_segment\d+_float64)\(m, ([^)]*)\)", blocked.source)
    assert len(segments) >= 4
    for _, params in segments:  # a segment touches buffers only, never the callers' arrays
        assert set(params.split(", ")) <= {"_inputs", "_scratch", "_scratch_c", "_out_float64", "_out_bool"}


def test_blocked_kernel_equals_the_plain_one_bit_for_bit(blocked_and_plain):
    plain, blocked, blocked_parallel = blocked_and_plain
    rng = np.random.default_rng(5)
    n = 1000  # not a multiple of the block: the last block is partial
    columns = [rng.normal(size=n) for _ in BLOCKED_SYMBOLS]
    columns[3] = columns[3][::-1]  # a negative stride
    columns[7] = 0.75  # a scalar among arrays
    columns[8] = np.asarray(rng.normal(size=2 * n))[::2]  # a strided view
    want = plain(*columns)
    for f in (blocked, blocked_parallel):
        got = f(*columns)
        for w, g in zip(want, got):
            np.testing.assert_array_equal(g, w)
    # float32 and complex run their own blocked kernels
    for dtype in (np.float32, np.complex128):
        cast = [np.asarray(c, dtype) for c in columns]
        for w, g in zip(plain(*cast), blocked(*cast)):
            assert g.dtype == w.dtype
            np.testing.assert_array_equal(g, w)


def test_blocked_kernel_at_one_point_and_into_out_arrays(blocked_and_plain):
    plain, blocked, _ = blocked_and_plain
    point = [0.1 * k - 0.3 for k in range(len(BLOCKED_SYMBOLS))]
    assert blocked(*point) == plain(*point)  # no one-point function: the kernel runs on one point
    assert [type(v) for v in blocked(*point)] == [np.float64] * 5 + [np.bool_]
    shape = (4, 5)
    columns = [np.full(shape, v) + np.arange(20).reshape(shape) * 0.01 for v in point]
    outs = tuple(np.empty((5, 4), dtype=bool if k == 5 else float).T for k in range(6))  # Fortran order
    result = blocked(*columns, out=outs)
    assert all(r is o for r, o in zip(result, outs))
    for w, g in zip(plain(*columns), outs):
        np.testing.assert_array_equal(g, w)


def test_long_sums_are_chains_of_short_links():
    xs = sympy.symbols("s0:100")
    f = sg.compile(list(xs), sum(v ** 2 for v in xs))
    longest = max(line.count(" + ") for line in f.source.splitlines())
    assert longest <= 16
    values = np.linspace(-3, 3, 100)
    want = float(sum(mpmath_value ** 2 for mpmath_value in map(float, values)))
    assert f(*values) == pytest.approx(want, rel=1e-14)


def test_segments_keep_within_their_statement_and_memory_budgets():
    from symgraph import codegen
    rng = np.random.default_rng(11)
    statements, names = [], [f"v{k}" for k in range(40)]  # 40 inputs
    for k in range(3000):
        reads = list(rng.choice(names, size=2))  # reads of random earlier values: many live across cuts
        statements.append((f"t{k}", "...", reads, "real"))
        names.append(f"t{k}")
    results = [f"t{k}" for k in range(0, 3000, 7)]
    segments = codegen._segments(statements, results)
    assert [s for segment in segments for s in segment] == statements
    last_read = {}
    for position, (_, _, reads, _) in enumerate(statements):
        for r in reads:
            last_read[r] = position
    start = 0
    for segment in segments:
        end = start + len(segment)
        defined = {s[0] for s in segment}
        read_in = {r for s in segment for r in s[2] if r not in defined}
        written = {s[0] for s in segment if last_read.get(s[0], -1) >= end}
        stored = {s[0] for s in segment} & set(results)
        assert len(segment) <= codegen.SEGMENT_STATEMENTS
        assert len(read_in) + len(written) + len(stored) <= codegen.SEGMENT_ACCESSES
        start = end
    assert len(segments) > 3000 // codegen.SEGMENT_STATEMENTS  # the memory budget cut more often
