"""Reverse-mode AD (symgraph/autodiff.py): every op's derivative fact against mpmath.diff, the sweep's
structure (symbolic zeros, sharing with the forward graph, no recursion), and kinks (select, abs, min/max).

Each op gets its own input domain (as in JAX's gradient test table). Compiled checks share one kernel:
the gradient of a sum of every op applied to its own symbols holds every op's partials at once.
"""
from __future__ import annotations

import sys

import mpmath
import numpy as np
import pytest
import sympy

import symgraph as sg
from symgraph import ops, reference
from symgraph.autodiff import backward, grad_graph
from symgraph.ir import BOOL, REAL, Graph, const, symbol

POSITIVE = [(0.3,), (1.7,), (4.2,)]
UNIT = [(-0.7,), (0.2,), (0.9,)]
NONINTEGER = [(0.3,), (-1.7,), (2.5,)]
NONZERO = [(-1.3,), (0.4,), (2.2,)]
PAIRS = [(1.5, 2.5), (-0.7, 1.3), (3.0, -0.5)]
TRIPLES = [(0.3, -1.2, 2.5), (1.1, 0.4, -0.6), (-2.0, -0.5, -1.0)]

# each op's points, inside its domain and away from kinks; ops not listed get DEFAULT_* (a test below
# checks that every differentiable op is covered one way or the other)
DOMAINS = {
    "log": POSITIVE, "sqrt": POSITIVE, "log2": POSITIVE, "log10": POSITIVE, "loggamma": POSITIVE,
    "digamma": POSITIVE, "gamma": [(0.3,), (1.7,), (-1.5,)], "asin": UNIT, "acos": UNIT, "atanh": UNIT,
    "logit": [(0.1,), (0.5,), (0.93,)], "acosh": [(1.2,), (3.0,), (10.0,)], "log1p": [(-0.5,), (0.3,), (5.0,)],
    "log1mexp": [(-3.0,), (-0.5,), (-0.01,)], "cbrt": [(-2.0,), (0.5,), (8.0,)],
    "pow": [(1.5, 2.5), (0.7, -1.3), (3.0, 0.5)], "div": PAIRS, "floor": NONINTEGER, "ceiling": NONINTEGER,
    "mod": [(5.3, 2.1), (-3.7, 1.3), (7.1, -2.3)], "max": TRIPLES, "min": TRIPLES, "add": TRIPLES,
    "mul": TRIPLES, "logaddexp": TRIPLES, "heaviside": [(-1.3, 0.5), (0.4, 0.5), (2.2, 0.0)],
    "sinc": [(0.7,), (2.0,), (-3.1,)], "xlogy": [(0.5, 1.5), (-2.0, 0.3), (3.0, 4.0)],
    "xlog1py": [(0.5, 1.5), (-2.0, -0.3), (3.0, 4.0)], "tan": [(0.3,), (1.1,), (-0.8,)],
    "cot": [(0.3,), (1.1,), (-0.8,)], "sec": [(0.3,), (1.1,), (-0.8,)], "csc": [(0.3,), (1.1,), (-0.8,)],
    "abs": NONZERO, "sign": NONZERO, "arg": NONZERO, "atan2": [(0.5, 1.2), (-1.0, -0.3), (2.0, 0.1)],
    "hypot": [(0.5, 1.2), (-1.0, -0.3), (2.0, 0.1)], "logaddexp2": PAIRS, "sub": PAIRS,
    # value + slope*lo (symgraph/compensated.py): three operands
    "corrected": [(0.5, 1.2, 0.25), (-1.0, -0.3, 2.0), (2.0, 0.1, -0.5)],
    "mul_add": [(0.5, 1.2, 0.25), (-1.0, -0.3, 2.0), (2.0, 0.1, -0.5)],
    "constant_mul_add": [(0.5, 1.2, 0.25), (-1.0, -0.3, 2.0), (2.0, 0.1, -0.5)],
    # c expm1(hi + lo), and its rounding error (0 in the reals) with the kernel's value first
    "scaled_expm1_pair": [(0.5, 1.2, 0.25), (-1.0, -0.3, 2.0), (2.0, 0.1, -0.5)],
    "scaled_expm1_error": [(0.5, 1.2, 0.25, 1e-3), (-1.0, -0.3, 2.0, 0.0), (2.0, 0.1, -0.5, -1e-3)],
    "log_ratio": [(0.5, 1.2), (-1.0, -0.3), (2.0, 0.1)],  # one sign: log(x/y) is real
    "log_minus_x_plus_one": POSITIVE,
    "stirlerr": POSITIVE,
}
DEFAULT_UNARY = [(0.3,), (0.55,), (-0.8,)]
DEFAULT_BINARY = [(0.3, 0.6), (0.7, 0.45), (-0.4, 0.9)]
SKIP = {"select"}  # its condition is boolean: tested through Piecewise below


def differentiable_ops():
    names = []
    for name, op in ops.OPS.items():
        if op.arity == 0 or op.vjp is None or name in SKIP:
            continue
        if op.result([REAL] * (op.arity or 2)) == BOOL:
            continue
        names.append(name)
    return names


OP_NAMES = differentiable_ops()


def points_for(name):
    op = ops.OPS[name]
    if name in DOMAINS:
        return DOMAINS[name]
    return DEFAULT_UNARY if op.arity == 1 else DEFAULT_BINARY


def op_symbols(name):
    width = len(points_for(name)[0])
    return [sympy.Symbol(f"a_{name}_{i}") for i in range(width)]


def numeric_partials(name, point, dps=40):
    """d op / d arg_i at `point`, by mpmath's numerical differentiation at `dps` digits."""
    op = ops.OPS[name]
    result = []
    with mpmath.workdps(dps):
        base = [mpmath.mpf(v) for v in point]
        for i in range(len(point)):
            def along(t, i=i):
                args = list(base)
                args[i] = t
                return op.mpmath(*args)
            result.append(mpmath.diff(along, base[i]))
    return result


@pytest.mark.parametrize("name", OP_NAMES)
def test_vjp_fact_is_the_derivative_at_high_precision(name):
    syms = op_symbols(name)
    node = ops.OPS[name](*[symbol(s) for s in syms])
    grads, _ = backward([(node, const(1))], [symbol(s) for s in syms])
    for point in points_for(name):
        env = dict(zip(syms, point))
        exact = numeric_partials(name, point, dps=50)
        for i, (g, want) in enumerate(zip(grads, exact)):
            got = reference.evaluate(g, env, dps=50)
            assert abs(got - want) <= mpmath.mpf(10) ** -25 * (1 + abs(want)), (name, point, i, got, want)


@pytest.fixture(scope="module")
def all_ops_gradient():
    """One kernel: the gradient of sum(op(own symbols)) holds every op's partials."""
    terms, syms = [], []
    for name in OP_NAMES:
        s = op_symbols(name)
        syms.extend(s)
        terms.append(ops.OPS[name](*[symbol(v) for v in s]).to_sympy())
    f = sg.compile(syms, sympy.Add(*terms, evaluate=False), grad=True)
    return f, syms


def _call_all(all_ops_gradient, dtype):
    f, syms = all_ops_gradient
    columns = []
    for name in OP_NAMES:
        pts = np.array(points_for(name), dtype=np.float64)
        columns.extend(pts[:, i] for i in range(pts.shape[1]))
    _, grads = f(*[c.astype(dtype) for c in columns])
    return dict(zip(syms, grads))


@pytest.mark.parametrize("name", OP_NAMES)
def test_compiled_float64_gradient_matches_mpmath(name, all_ops_gradient):
    grads = _call_all(all_ops_gradient, np.float64)
    for k, point in enumerate(points_for(name)):
        exact = numeric_partials(name, point)
        for s, want in zip(op_symbols(name), exact):
            got = grads[s][k]
            assert got.dtype == np.float64
            assert abs(got - float(want)) <= 1e-13 * (1 + abs(float(want))), (name, point, s, got, want)


@pytest.mark.parametrize("name", OP_NAMES)
def test_compiled_float32_gradient_matches_mpmath(name, all_ops_gradient):
    grads = _call_all(all_ops_gradient, np.float32)
    for k, point in enumerate(points_for(name)):
        # the exact derivative at the float32-rounded point: float32 inputs are what the kernel sees
        point32 = tuple(float(np.float32(v)) for v in point)
        exact = numeric_partials(name, point32)
        for s, want in zip(op_symbols(name), exact):
            got = grads[s][k]
            assert got.dtype == np.float32
            assert abs(float(got) - float(want)) <= 2e-6 * (1 + abs(float(want))), (name, point, s, got, want)


def test_every_differentiable_op_is_in_the_table():
    # the op table is the source of truth: a new op with a vjp is tested here automatically
    assert {"exp", "log", "mul", "pow", "max", "select"} - SKIP <= set(OP_NAMES) | SKIP
    for name in OP_NAMES:
        op = ops.OPS[name]
        width = len(points_for(name)[0])
        assert op.arity in (None, width), f"{name}: its domain has {width} arguments, the op takes {op.arity}"


# ------------------------------------------------------------------ the sweep's structure
x, y, z = sympy.symbols("x y z")


def test_gradient_graph_is_hash_consed_into_the_forward_graph():
    forward = sg.lower(sympy.exp(x) * y)
    g = forward.grad([x, y])
    exp_node = ops.EXP(symbol(x))
    assert exp_node in g.outputs[1].args or g.outputs[1] is exp_node  # d/dy = exp(x), the forward node itself
    assert g.outputs[1] is exp_node
    shared = {n.key for n in forward.nodes} & {n.key for n in g.nodes}
    assert exp_node.key in shared


def test_grad_graph_forms_and_to_sympy():
    loss = sympy.sin(x) * y ** 2 + sympy.exp(x * y)
    g = sg.lower(loss).grad([x, y])
    assert isinstance(g, Graph) and g.form == "tuple" and len(g.outputs) == 2
    for got, var in zip(g.to_sympy(), (x, y)):
        assert sympy.simplify(got - sympy.diff(loss, var)) == 0
    single = sg.lower(loss).grad(x)
    assert single.form == "single"
    assert sympy.simplify(single.to_sympy() - sympy.diff(loss, x)) == 0


def test_symbolic_zeros_are_never_materialised():
    g = sg.lower(x ** 2 + sympy.sin(x)).grad([x, y])
    assert g.outputs[1] is const(0)  # f does not depend on y
    names = [n.op.name for n in g.nodes]
    # no multiplication by 1 or by 0 survives: the seed 1 and the zero adjoints are symbolic
    for n in g.nodes:
        if n.op is ops.MUL:
            assert not any(a.is_const and a.value in (0, 1) for a in n.args), names
    assert "pow" not in names  # d/dx x**2 = 2*x, not 2*x**1


def test_repeated_contributions_are_scaled_not_repeated():
    # x*x: both factors send x; the adjoint is 2*x, one product
    g = grad_graph(Graph([ops.MUL(symbol(x), symbol(x))]), [x])
    assert g.outputs[0] is ops.MUL(const(2), symbol(x))


def test_cheap_gradient_node_counts():
    n = 60
    xs = sympy.symbols(f"q0:{n}")
    rosen = sum(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1))
    forward = sg.lower(rosen)
    both = Graph(list(forward.outputs) + list(forward.grad(list(xs)).outputs), "tuple")
    assert len(both) <= 4 * len(forward)


def test_deep_graph_of_100k_nodes_without_recursion():
    depth = 100_000
    node = symbol(x)
    for _ in range(depth):
        node = ops.SIN(node)  # sin(sin(...sin(x)))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # anything recursive over the graph would fail at once
    try:
        grads, _ = backward([(node, const(1))], [symbol(x)])
        g = Graph([grads[0]])
        count = len(g)
    finally:
        sys.setrecursionlimit(limit)
    assert count <= 3 * depth + 5
    # the chain rule by hand in floats: prod cos(x_k) along the chain
    value, slope = 0.3, 1.0
    for _ in range(depth):
        slope *= np.cos(value)
        value = np.sin(value)
    got = float(reference.evaluate(grads[0], {x: 0.3}, dps=20))
    assert abs(got - slope) <= 1e-9 * abs(slope)


def test_deep_chain_compiles_and_is_correct():
    depth = 100  # sin(...sin(sin(x + 1/2) + 1/3)...): no Add for SymPy to distribute into; SymPy
    # itself recurses (assumptions) when building much deeper ones: test_deep_graph... covers 100k nodes
    e = x
    for k in range(depth):
        e = sympy.sin(e + sympy.Rational(1, k + 2))
    f = sg.compile([x], e, grad=True)
    value, slope = 0.3, 1.0
    for k in range(depth):
        slope = slope * np.cos(value + 1 / (k + 2))
        value = np.sin(value + 1 / (k + 2))
    v, (d,) = f(0.3)
    assert abs(v - value) <= 1e-12 * abs(value)
    assert abs(d - slope) <= 1e-10 * abs(slope)


# ------------------------------------------------------------------ random expressions (hypothesis)
import operator  # noqa: E402
import random  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

XR, YR = sympy.symbols("xr yr", real=True)
UNARY = [sympy.sin, sympy.cos, sympy.tanh, sympy.atan, sympy.exp, sympy.erf,
         lambda e: sympy.sqrt(e ** 2 + 1), lambda e: sympy.log(e ** 2 + 1), lambda e: 1 / (e ** 2 + 1)]
BINARY = [operator.add, operator.sub, operator.mul, lambda a, b: a / (b ** 2 + 1), lambda a, b: a ** 2 * b,
          lambda a, b: sympy.Max(a, b)]
LEAVES = [XR, YR, sympy.Integer(2), sympy.Rational(1, 3), sympy.Integer(-1)]



def expression_strategy(binary):
    return st.recursive(
        st.sampled_from(LEAVES),
        lambda kids: st.one_of(
            st.tuples(st.sampled_from(UNARY), kids).map(lambda t: t[0](t[1])),
            st.tuples(st.sampled_from(binary), kids, kids).map(lambda t: t[0](t[1], t[2]))),
        max_leaves=10)


expressions = expression_strategy(BINARY)
smooth_expressions = expression_strategy(BINARY[:-1])  # without max()


def sympy_partials(expr, env, dps=30):
    exact_env = {k: sympy.Rational(v) for k, v in env.items()}  # the binary floats exactly, not to 15 digits
    return [sympy.N(sympy.diff(expr, v).subs(exact_env), dps) for v in (XR, YR)]


@settings(max_examples=60, deadline=None)
@given(expressions, st.floats(-2, 2), st.floats(-2, 2))
def test_gradient_equals_sympy_diff(expr, a, b):
    forward = sg.lower(expr)
    grads = forward.grad([XR, YR])
    env = {XR: a, YR: b}
    with mpmath.workdps(30):
        for got, want in zip(reference.evaluate(grads, env, dps=30), sympy_partials(expr, env)):
            if not want.is_real:
                continue  # SymPy's form is undefined here (a tie of max() gives Heaviside(0))
            want = mpmath.mpf(str(want))
            assert abs(got - want) <= mpmath.mpf(10) ** -20 * (1 + abs(want)), (expr, a, b, got, want)


@settings(max_examples=60, deadline=None)
@given(smooth_expressions)
def test_value_and_gradient_cost_at_most_a_few_times_the_value(expr):
    forward = sg.lower(expr)
    both = Graph(list(forward.outputs) + list(forward.grad([XR, YR]).outputs), "tuple")
    assert len(both) <= 4 * len(forward) + 3


def test_max_gradient_costs_a_fixed_number_of_selects():
    # the even split at ties (JAX/PyTorch) costs two comparisons and a few selects per max, whatever g is
    a, b = symbol(XR), symbol(YR)
    forward = Graph([ops.MAX(ops.SIN(a), ops.COS(b))])
    both = Graph(list(forward.outputs) + list(forward.grad([XR, YR]).outputs), "tuple")
    assert len(both) - len(forward) <= 14


def _random_expression(rng, symbols, size):
    """A random expression over `symbols` with about `size` operations (seeded: reproducible)."""
    pool = list(symbols) + [sympy.Integer(2), sympy.Rational(1, 3)]
    for _ in range(size):
        if rng.random() < 0.4:
            pool.append(rng.choice(UNARY)(rng.choice(pool)))
        else:
            pool.append(rng.choice(BINARY)(rng.choice(pool), rng.choice(pool)))
    return pool[-1]


def test_compiled_gradients_of_random_expressions_match_sympy():
    # 24 random expressions, each over its own two symbols, in one kernel: the gradient of their sum
    rng = random.Random(20240601)
    pairs = [sympy.symbols(f"r{k}a r{k}b", real=True) for k in range(24)]
    exprs = [_random_expression(rng, pair, 7) for pair in pairs]
    args = [s for pair in pairs for s in pair]
    f = sg.compile(args, sympy.Add(*exprs, evaluate=False), grad=True)
    point = [rng.uniform(-2, 2) for _ in args]
    _, grads = f(*point)
    env = {s: sympy.Rational(v) for s, v in zip(args, point)}
    for k, (expr, pair) in enumerate(zip(exprs, pairs)):
        for j, v in enumerate(pair):
            want = float(sympy.N(sympy.diff(expr, v).subs(env), 30))
            got = grads[2 * k + j]
            assert got == pytest.approx(want, rel=1e-12, abs=1e-13), (expr, v)
