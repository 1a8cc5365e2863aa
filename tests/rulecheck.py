"""Shared checks for rule modules: a rule fires on its example, the rewrite is an identity at 50 digits (or
the case's own count; hypothesis, plus boundary points 0, tiny, huge, inf, nan), and the compiled rewritten
form is within a few ulps of the exact value of the typed formula."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symgraph.compile import CompiledFunction
from symgraph.ir import Graph, symbol
from symgraph.passes import optimize
from symgraph.reference import bits_of_error, exact as evaluate

X_SYM, Y_SYM = sympy.symbols("x y")
P_SYM = sympy.Symbol("p", positive=True)
R_SYM = sympy.Symbol("r", real=True)
X, Y, P, R = (symbol(s) for s in (X_SYM, Y_SYM, P_SYM, R_SYM))
SYMBOLS = [X_SYM, Y_SYM, P_SYM, R_SYM]

BOUNDARY = [0.0, 5e-324, 1e-300, 1e-20, 1e-8, 0.5, 1.0, 2.0, 3.0, 1e8, 1e20, 1e300, 1.7976931348623157e308,
            math.inf, math.nan]
BOUNDARY = BOUNDARY + [-v for v in BOUNDARY if v == v and v != 0]


@dataclass
class Case:
    """A rule, a graph (built from X, Y, P, R) on which it fires, and the input box where it is checked."""

    rule: str
    build: object
    box: dict = field(default_factory=dict)  # symbol node -> (lo, hi); default all reals
    bits: float = 2.0                         # allowed bits of error of the compiled float64 result
    limits: bool = False                      # at infinite inputs the typed NaN (inf - inf) may become the limit
    dps: int = 50                             # digits of the exact evaluation (1 + u holds every float u from 330)

    def node(self):
        return self.build(X, Y, P, R)

    def inputs(self):
        return [n for n in (X, Y, P, R) if n in _reachable(self.node())]

    def bounds(self, n):
        if n is P:
            lo, hi = self.box.get(n, (0.0, math.inf))
            return max(lo, 5e-324), hi
        return self.box.get(n, (-math.inf, math.inf))


def _reachable(node):
    from symgraph.ir import topological
    return set(topological([node]))


def optimized(case):
    graph, trace = optimize(Graph([case.node()]))
    return graph.outputs[0], [f.rule for f in trace]


def optimized_once(case):
    """`optimized(case)`, computed once per case: the identity check compares it at hundreds of points."""
    if "_optimized" not in case.__dict__:
        case.__dict__["_optimized"] = optimized(case)
    return case.__dict__["_optimized"]


def points(case, draw_values):
    env = {}
    for n, v in zip(case.inputs(), draw_values):
        lo, hi = case.bounds(n)
        if n in (P, R) and not math.isfinite(v):
            v = 1.0  # positive=True and real=True promise finite values
        if v == v and not (lo <= v <= hi):
            v = min(max(v, lo), hi)
        env[n.attr] = v
    return env


def boundary_envs(case, limit=400):
    inputs = case.inputs()
    envs = []
    grid = [[v for v in BOUNDARY if (v != v or case.bounds(n)[0] <= v <= case.bounds(n)[1])
             and (n not in (P, R) or math.isfinite(v))] for n in inputs]
    if len(inputs) == 1:
        envs = [{inputs[0].attr: v} for v in grid[0]]
    elif len(inputs) == 2:
        for a in grid[0]:
            for b in grid[1]:
                envs.append({inputs[0].attr: a, inputs[1].attr: b})
    else:  # three or four values: every combination, evenly thinned to the limit
        combos = list(itertools.product(*grid))
        step = max(1, len(combos) // limit)
        envs = [{n.attr: v for n, v in zip(inputs, combo)} for combo in combos[::step]]
    return envs[:limit]


def same_exact(a, b) -> bool:
    """Two exact values agree: both NaN, equal infinities, or equal to ~30 digits."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if mpmath.isnan(a) or mpmath.isnan(b):
        return mpmath.isnan(a) and mpmath.isnan(b)
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= mpmath.mpf(10) ** -30 * max(abs(a), abs(b), mpmath.mpf(10) ** -280)


def _at_infinity(env):
    return any(isinstance(v, float) and math.isinf(v) for v in env.values())


def check_identity(case, env):
    typed = case.node()
    new, _ = optimized_once(case)
    a = evaluate(typed, env, dps=case.dps)
    b = evaluate(new, env, dps=case.dps)
    if case.limits and _at_infinity(env) and mpmath.isnan(a):
        return
    assert same_exact(a, b), f"{case.rule}: at {env} typed={a} rewritten={b}"


def soundness_test(case):
    """A hypothesis test that `case`'s rewrite is an identity at 50 digits inside its box."""
    n = len(case.inputs())
    values = st.floats(allow_nan=True, allow_infinity=True, width=64)

    @settings(max_examples=60, deadline=None, database=None)
    @given(st.tuples(*([values] * n)))
    def run(draw):
        check_identity(case, points(case, draw))

    return run


def compile_cases(cases):
    """One kernel for every case's rewritten output and, after them, every typed output (a tuple over
    the four test symbols; the typed graph is compiled as it is, without rewriting)."""
    outputs = [optimized(c)[0] for c in cases] + [c.node() for c in cases]
    return CompiledFunction(SYMBOLS, Graph(outputs, "tuple"))


def sample_envs(case, count=64, seed=0):
    rng = np.random.default_rng(seed)
    envs = boundary_envs(case, limit=200)
    for _ in range(count):
        env = {}
        for n in case.inputs():
            lo, hi = case.bounds(n)
            lo, hi = max(lo, -1e6), min(hi, 1e6)
            env[n.attr] = float(rng.uniform(lo, hi)) if rng.random() < 0.5 else \
                float(np.clip(rng.choice([-1, 1]) * 10.0 ** rng.uniform(-12, 3), lo, hi))
        envs.append(env)
    return envs


def check_compiled(case, compiled, index, count, dtype=np.float64):
    """Compiled results (float64 or float32) against the exact value of the typed formula at the same
    inputs: within `case.bits` bits, or (where the rule keeps the typed form, or no float form can be
    right) no worse than typed (by more than a bit, where typed is off by more than `case.bits` too)."""
    envs = sample_envs(case)
    if dtype is np.float32:  # the inputs the float32 kernel sees (1e300 is inf there)
        with np.errstate(over="ignore"):
            envs = [{k: float(np.float32(v)) for k, v in e.items()} for e in envs]
        # p and r promise finite values, p a positive one: points where float32 breaks that promise
        # (1e300 -> inf, 5e-324 -> 0) are not theirs
        envs = [e for e in envs if all(math.isfinite(e[s]) for s in (P_SYM, R_SYM) if s in e)
                and e.get(P_SYM, 1.0) > 0]
    args = {s: np.array([e.get(s, 1.0) for e in envs], dtype) for s in SYMBOLS}
    with np.errstate(all="ignore"):
        values = compiled(*(args[s] for s in SYMBOLS))
    results, typed_results = values[index], values[count + index]
    worst = 0.0
    for env, got, typed in zip(envs, results, typed_results):
        exact = evaluate(case.node(), env, dps=case.dps)
        if case.limits and _at_infinity(env) and mpmath.isnan(exact):
            continue
        bits = bits_of_error(got, exact, dtype)
        worst = max(worst, bits)
        # where the typed form is off by more than the case allows too (an ill-conditioned point: cos(y)*
        # sinh(x)/x - 1 at (2, 1) in float32 carries libm's half ulps of sinh and cos 49-fold), two forms that
        # round differently (one fused multiply-add fewer) land an ulp either side of each other
        typed_bits = bits_of_error(typed, exact, dtype)
        assert bits <= case.bits or bits <= typed_bits + (1.0 if typed_bits > case.bits else 0.0), \
            f"{case.rule}: at {env} got {got!r}, typed {typed!r}, exact {mpmath.nstr(exact, 20)} ({bits:.1f} bits)"
    return worst


def rule_tests(cases, ids, dtypes=(np.float64,)):
    """The three tests every rule gets, for a test module to bind at module level:

        test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \\
            rule_tests(CASES, IDS)

    it fires on its case; it is an identity at 50 digits at the boundary points and on hypothesis' draws;
    its compiled results are accurate in each of `dtypes` (all cases share one compiled kernel, the
    `compiled` fixture).
    """
    import pytest

    @pytest.mark.parametrize("case", cases, ids=ids)
    def test_rule_fires(case):
        assert case.rule in optimized(case)[1]

    @pytest.mark.parametrize("case", cases, ids=ids)
    def test_rule_is_an_identity_at_50_digits(case):
        for env in boundary_envs(case):
            check_identity(case, env)
        soundness_test(case)()

    @pytest.fixture(scope="module")
    def compiled():
        return compile_cases(cases)

    @pytest.mark.parametrize("dtype", dtypes, ids=[np.dtype(d).name for d in dtypes])
    @pytest.mark.parametrize("index", range(len(cases)), ids=ids)
    def test_compiled_rewrite_is_accurate(compiled, index, dtype):
        check_compiled(cases[index], compiled, index, len(cases), dtype)

    return test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate


def accuracy_benchmark():
    """benchmarks/accuracy.py as a module (it is no package module: loaded from its path)."""
    import importlib.util
    import os
    import sys
    path = os.path.join(os.path.dirname(__file__), "..", "benchmarks", "accuracy.py")
    spec = importlib.util.spec_from_file_location("accuracy_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def bits_against_mpmath(expr, symbols, columns, *functions, dtype=np.float64, dps=60):
    """For each compiled function, the bits of error of its results at the points `columns` (one array per
    symbol) against SymPy's `expr` evaluated by mpmath at `dps` digits."""
    fn = sympy.lambdify(symbols, expr, "mpmath")
    with mpmath.workdps(dps):
        want = [fn(*(mpmath.mpf(float(v)) for v in point)) for point in zip(*columns)]
    name = np.dtype(dtype).name
    return [[bits_of_error(g, w, name) for g, w in zip(f(*columns), want)] for f in functions]
