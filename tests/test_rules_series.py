"""symgraph.rules.series: the differences that cancel to their series' second term fire, hold at 50 digits,
and are accurate compiled in float64 and float32 (the typed forms lose every digit near 0)."""
import numpy as np
import sympy

import symgraph as sg

from rulecheck import Case, P, X, Y, compile_cases, optimized, rule_tests
from symgraph import ops
from symgraph.ir import const, symbol
from symgraph.lower import lower
from symgraph.passes import optimize
from symgraph.reference import bits_of_error, exact
from symgraph.rules import series

# |x| < 1e6: sin of larger arguments is libm's business; 1 bit: the primitives are within an ulp
SMALL = {X: (-1e6, 1e6)}
CASES = [
    Case("x-minus-sin", lambda x, y, p, r: x - ops.SIN(x), SMALL, 1.0, limits=True),
    Case("sin-minus-x", lambda x, y, p, r: ops.SIN(x) - x, SMALL, 1.0, limits=True),
    Case("sinh-minus-x", lambda x, y, p, r: ops.SINH(x) - x, {}, 1.0, limits=True),
    Case("x-minus-sinh", lambda x, y, p, r: x - ops.SINH(x), {}, 1.0, limits=True),
    Case("expm1-minus-x", lambda x, y, p, r: ops.EXPM1(x) - x, {}, 1.0, limits=True),
    Case("exp-minus-one-plus-x", lambda x, y, p, r: ops.EXP(x) - (1 + x), {}, 1.0, limits=True),
    Case("one-plus-x-minus-exp", lambda x, y, p, r: (1 + x) - ops.EXP(x), {}, 1.0, limits=True),
    Case("x-minus-expm1", lambda x, y, p, r: x - ops.EXPM1(x), {}, 1.0, limits=True),
    # log1p(x) - x is within 2 ulps: on (-1, -2/3] it is the typed difference, which loses up to 1.8x there
    Case("expm1-neg-plus-x", lambda x, y, p, r: ops.EXPM1(-x) + x, {}, 1.0, limits=True),
    Case("log1p-neg-plus-x", lambda x, y, p, r: ops.LOG1P(-x) + x, {}, 1.6, limits=True),
    Case("one-plus-x-log1p-minus-x", lambda x, y, p, r: (1 + x) * ops.LOG1P(x) - x, {}, 2.0, limits=True),
    Case("log-minus-x-plus-one", lambda x, y, p, r: (1 + ops.LOG(x)) - x, {}, 1.6, limits=True),
    Case("xlogx-minus-x-plus-one", lambda x, y, p, r: (1 + ops.XLOGY(x, x)) - x, {}, 2.0, limits=True),
    Case("log1p-minus-x", lambda x, y, p, r: ops.LOG1P(x) - x, {}, 1.6, limits=True),
    Case("x-minus-log1p", lambda x, y, p, r: x - ops.LOG1P(x), {}, 1.6, limits=True),
    # tan and cot: |x| < 1.5, inside the first poles (the roots of tan(x) = x beyond are ill-conditioned)
    Case("tan-minus-x", lambda x, y, p, r: ops.TAN(x) - x, {X: (-1.5, 1.5)}, 1.6),
    Case("x-minus-tan", lambda x, y, p, r: x - ops.TAN(x), {X: (-1.5, 1.5)}, 1.6),
    Case("tanh-minus-x", lambda x, y, p, r: ops.TANH(x) - x, {}, 1.6),
    Case("x-minus-tanh", lambda x, y, p, r: x - ops.TANH(x), {}, 1.6),
    Case("atan-minus-x", lambda x, y, p, r: ops.ATAN(x) - x, {}, 1.6),
    Case("x-minus-atan", lambda x, y, p, r: x - ops.ATAN(x), {}, 1.6),
    Case("asinh-minus-x", lambda x, y, p, r: ops.ASINH(x) - x, {}, 1.6, limits=True),
    Case("x-minus-asinh", lambda x, y, p, r: x - ops.ASINH(x), {}, 1.6, limits=True),
    # asin and atanh on all reals: NaN beyond |x| = 1 and atanh's +-inf at +-1, as typed
    Case("asin-minus-x", lambda x, y, p, r: ops.ASIN(x) - x, {}, 1.0),
    Case("x-minus-asin", lambda x, y, p, r: x - ops.ASIN(x), {}, 1.0),
    Case("atanh-minus-x", lambda x, y, p, r: ops.ATANH(x) - x, {}, 1.0),
    Case("x-minus-atanh", lambda x, y, p, r: x - ops.ATANH(x), {}, 1.0),
    # sin(x) - x cos(x): |x| < 4, inside its first roots (tan(x) = x at 4.49, ill-conditioned for every form)
    Case("sin-minus-x-cos", lambda x, y, p, r: ops.SIN(x) - x * ops.COS(x), {X: (-4, 4)}, 1.6),
    Case("x-cos-minus-sin", lambda x, y, p, r: x * ops.COS(x) - ops.SIN(x), {X: (-4, 4)}, 1.6),
    Case("x-cosh-minus-sinh", lambda x, y, p, r: x * ops.COSH(x) - ops.SINH(x), {}, 1.6, limits=True),
    Case("sinh-minus-x-cosh", lambda x, y, p, r: ops.SINH(x) - x * ops.COSH(x), {}, 1.6, limits=True),
    Case("exp-minus-taylor2", lambda x, y, p, r: ops.EXP(x) - ops.ADD(const(1), x, x * x / 2), {}, 1.0, limits=True),
    Case("taylor2-minus-exp", lambda x, y, p, r: ops.ADD(const(1), x, x * x / 2) - ops.EXP(x), {}, 1.0, limits=True),
    Case("cos-minus-taylor2", lambda x, y, p, r: (ops.COS(x) + x * x / 2) - 1, SMALL, 1.0, limits=True),
    Case("taylor2-minus-cos", lambda x, y, p, r: 1 - (ops.COS(x) + x * x / 2), SMALL, 1.0, limits=True),
    # 1/x - cot(x) at 0 is the limit 0 where the typed inf - inf is NaN (as exprel's 1): checked on p > 0
    # here, on both signs in test_stable_series
    Case("inv-minus-cot", lambda x, y, p, r: 1 / p - ops.COT(p), {P: (0, 1.5)}, 1.6),
    Case("inv-minus-inv-tan", lambda x, y, p, r: 1 / p - 1 / ops.TAN(p), {P: (0, 1.5)}, 1.6),
    Case("cot-minus-inv", lambda x, y, p, r: ops.COT(p) - 1 / p, {P: (0, 1.5)}, 1.6),
    Case("inv-tan-minus-inv", lambda x, y, p, r: 1 / ops.TAN(p) - 1 / p, {P: (0, 1.5)}, 1.6),
    # Taylor differences among more terms, at any scale: the VAE's KL term, Itakura-Saito, a Gaussian KL
    # x - y f(x) for y in [1/2, 2]: (x - f(x)) + (1 - y) f(x) (Kepler's x - e sin(x))
    Case("x-minus-scaled-function", lambda x, y, p, r: x - y * ops.SIN(x), SMALL, 2.0, limits=True),
    Case("x-minus-scaled-function", lambda x, y, p, r: x - const(sympy.Rational(99, 100)) * ops.TAN(x), SMALL, 2.0,
         limits=True),
    Case("scaled-function-minus-x", lambda x, y, p, r: y * ops.SINH(x) - x, {X: (-700, 700)}, 2.0, limits=True),
    Case("series-in-sum", lambda x, y, p, r: ops.ADD(ops.EXP(x) / 2, y * y, const(sympy.Rational(-1, 2)), -(x / 2)),
         {X: (-700, 700)}, 2.0, limits=True),
    Case("series-in-sum", lambda x, y, p, r: (x - 1) - ops.LOG(x) + y, {}, 2.0, limits=True),
    Case("series-in-sum", lambda x, y, p, r: ops.ADD(p * p / 2, y, const(sympy.Rational(-1, 2)), -ops.LOG(p)),
         {}, 2.0, limits=True),
    # log(y/x) + x/y - 1: the log of one quotient, its reciprocal among the terms
    Case("series-in-sum", lambda x, y, p, r: (ops.LOG(y / x) + x / y) - 1, {X: (0, 1e300), Y: (0, 1e300)}, 2.0),
    # ... scaled, with the numbers inside the quotients (SymPy's 3*y/x is (3 y)/x, x/(2 y) is x/(2 y))
    Case("series-in-sum", lambda x, y, p, r: (3 * ops.LOG(y / x) + (3 * x) / y) - 3, {X: (0, 1e300), Y: (0, 1e300)},
         2.0),
    Case("series-in-sum", lambda x, y, p, r: (x / (2 * y) - ops.LOG(x / y) / 2) - const(sympy.Rational(1, 2)),
         {X: (0, 1e300), Y: (0, 1e300)}, 2.0),
    # ... and spelled with two logs, log(x) - log(y) read as log(x/y) where x, y > 0 (typed elsewhere)
    Case("series-in-sum", lambda x, y, p, r: ops.ADD(ops.LOG(x), -ops.LOG(y), y / x, const(-1)), {}, 2.0,
         limits=True),
    # two functions with the same leading term: a sum or difference of two primitives within an ulp each
    Case("shared-leading-term", lambda x, y, p, r: ops.SINH(x) - ops.SIN(x), SMALL, 1.6, limits=True),
    Case("shared-leading-term", lambda x, y, p, r: ops.COSH(x) - ops.COS(x), SMALL, 1.6, limits=True),
    Case("shared-leading-term", lambda x, y, p, r: ops.ATANH(x) - ops.ASIN(x), {}, 2.0),
    Case("shared-leading-term", lambda x, y, p, r: ops.EXP(x) - ops.COS(x), SMALL, 1.6, limits=True),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in series.RULES} <= {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_typed_differences_lose_every_digit_near_zero_and_the_primitives_none():
    cases = [c for c in CASES if c.rule in ("x-minus-sin", "sinh-minus-x", "exp-minus-one-plus-x", "log1p-minus-x",
                                            "tan-minus-x", "tanh-minus-x", "atan-minus-x",
                                            "asinh-minus-x", "asin-minus-x", "atanh-minus-x",
                                            "sin-minus-x-cos", "x-cosh-minus-sinh",
                                            "exp-minus-taylor2", "cos-minus-taylor2")]
    f = compile_cases(cases)
    xs = np.array([1e-9, -3e-6, 2e-3, 0.3, -0.45, 1.1])
    values = f(xs, *(np.ones_like(xs),) * 3)
    for i, case in enumerate(cases):
        typed_worst = 0.0
        for v, got, typed in zip(xs, values[i], values[len(cases) + i]):
            want = exact(case.node(), {X.attr: float(v)})
            assert bits_of_error(got, want) <= 1.6, (case.rule, v, got)
            typed_worst = max(typed_worst, bits_of_error(typed, want))
        assert typed_worst > 20, case.rule


def test_sums_in_sympy_order_reach_the_primitive():
    # e^x - 1 - x lowers as exp(x) - (1 + x); log(1 + x) - x via log1p first
    node, _ = optimized(Case("exp-minus-one-plus-x", lambda x, y, p, r: ops.EXP(x) - (const(1) + x)))
    assert node is ops.EXPM1_MINUS_X(X)
    node, _ = optimized(Case("log1p-minus-x", lambda x, y, p, r: ops.LOG(1 + x) - x))
    assert node is ops.LOG1P_MINUS_X(X)
    # asinh typed as its definition becomes asinh first
    node, _ = optimized(Case("asinh-minus-x", lambda x, y, p, r: ops.LOG(x + ops.SQRT(x * x + 1)) - x))
    assert node is ops.ASINH_MINUS_X(X)
    # the product's factors in either order, the difference in either order of its terms (AC matching)
    node, _ = optimized(Case("x-cos-minus-sin", lambda x, y, p, r: -ops.SIN(x) + ops.COS(x) * x))
    assert node is -ops.SIN_MINUS_X_COS(X)
    node, _ = optimized(Case("x-cosh-minus-sinh", lambda x, y, p, r: -ops.SINH(x) + ops.COSH(x) * x))
    assert node is ops.X_COSH_MINUS_SINH(X)


def test_taylor_remainders_as_sympy_lowers_them_reach_the_primitives():
    t = sympy.Symbol("x")
    T = symbol(t)
    for expr, want in ((sympy.exp(t) - 1 - t - t**2 / 2, ops.EXP_MINUS_TAYLOR2(T)),
                       (1 + t + t**2 / 2 - sympy.exp(t), -ops.EXP_MINUS_TAYLOR2(T)),
                       (sympy.cos(t) - 1 + t**2 / 2, ops.COS_MINUS_TAYLOR2(T)),
                       (sympy.cos(t) - (1 - t**2 / 2), ops.COS_MINUS_TAYLOR2(T)),
                       (1 - t**2 / 2 - sympy.cos(t), -ops.COS_MINUS_TAYLOR2(T))):
        graph, _ = optimize(lower(expr))
        assert graph.outputs[0] is want, expr


def test_inverse_sine_and_tanh_differences_are_accurate_across_their_domain():
    # the rules' cases run on all reals, where most draws are NaN: here the points of (-1, 1) where the
    # primitives switch from the series to the reduction (1/2) and near +-1, in float64 and float32
    cases = [c for c in CASES if c.rule in ("asin-minus-x", "x-minus-asin", "atanh-minus-x", "x-minus-atanh")]
    f = compile_cases(cases)
    rng = np.random.default_rng(5)
    half = np.concatenate([rng.uniform(0.45, 0.55, 40), 1 - np.exp(rng.uniform(np.log(1e-15), np.log(0.3), 40)),
                           np.exp(rng.uniform(np.log(1e-8), np.log(0.45), 40)), [0.5, 1.0]])
    for dtype in (np.float64, np.float32):
        xs = np.concatenate([half, -half]).astype(dtype)
        values = f(xs, *(np.ones_like(xs),) * 3)
        for i, case in enumerate(cases):
            for v, got in zip(xs, values[i]):
                want = exact(case.node(), {X.attr: float(v)})
                assert bits_of_error(got, want, dtype) <= 1.0, (case.rule, dtype, v, got)


def test_shared_leading_terms_no_longer_cancel():
    # sinh(x) - sin(x) = x^3/3 + ..., cosh(x) - cos(x) = x^2 + ...: typed, the leading x (1) is subtracted
    points = [1e-6, -2e-4, 0.03]
    for case in [c for c in CASES if c.rule == "shared-leading-term"][:2]:
        f = compile_cases([case])
        xs = np.array(points)
        got = f(xs, *(np.ones_like(xs),) * 3)
        for v, rewritten, typed in zip(xs, got[0], got[1]):
            want = exact(case.node(), {X.attr: float(v)})
            assert bits_of_error(rewritten, want) <= 1.0
            assert bits_of_error(typed, want) > 8


def test_functions_without_a_shared_leading_term_are_left_alone():
    # sin(x) - cos(x) (x against 1), sin(x) - sin(y) (two arguments)
    for build in (lambda x: ops.SIN(x) - ops.COS(x), lambda x: ops.SIN(x) - ops.SIN(x + 1)):
        _, fired = optimized(Case("shared-leading-term", lambda x, y, p, r, b=build: b(x)))
        assert "shared-leading-term" not in fired


def test_taylor_differences_inside_longer_sums_keep_their_digits():
    # the VAE's KL term -(1 + lv - m**2 - exp(lv))/2, a Gaussian KL (s**2 + m**2 - 1 - log(s**2))/2, x - 1 -
    # log(x) and Itakura-Saito's x/y - log(x/y) - 1 (also as log(x) - log(y) + y/x - 1) near their minimum:
    # typed, the terms cancel to second
    # order (20+ bits lost); with the primitive (its argument u - 1 exact) within 2 bits
    m, v, s = sympy.symbols("m v s")
    cases = [(-(1 + v - m**2 - sympy.exp(v)) / 2, [(1e-6, 1e-5, 0.0), (-3e-5, -2e-4, 0.0), (0.0, 3e-6, 0.0)]),
             ((s**2 + m**2 - 1 - sympy.log(s**2)) / 2, [(1e-6, 0.0, 1 + 1e-5), (0.0, 0.0, 1 - 3e-6), (2e-5, 0.0, -1 - 1e-4)]),
             (s - 1 - sympy.log(s), [(0.0, 0.0, 1 + 1e-5), (0.0, 0.0, 1 - 3e-6), (0.0, 0.0, 1 + 1e-4)]),
             (s / v - sympy.log(s / v) - 1, [(0.0, 3.0, 3 * (1 + 1e-5)), (0.0, 0.5, 0.5 - 3e-6), (0.0, 7.0, 7.0001)]),
             (sympy.log(s) - sympy.log(v) + v / s - 1, [(0.0, 3.0, 3 * (1 + 1e-5)), (0.0, 0.5, 0.5 - 3e-6),
                                                        (0.0, 7.0, 7.0001)]),
             (3 * sympy.log(s) - 3 * sympy.log(v) + 3 * v / s - 3, [(0.0, 3.0, 3 * (1 + 1e-5)), (0.0, 0.5, 0.5 - 3e-6)]),
             ((s / v - sympy.log(s / v) - 1) / 2, [(0.0, 3.0, 3 * (1 + 1e-5)), (0.0, 0.5, 0.5 - 3e-6)])]
    exprs = [e for e, _ in cases]
    f, typed = sg.compile([m, v, s], exprs), sg.compile([m, v, s], exprs, rewrite=False)
    for k, (expr, points) in enumerate(cases):
        ms, vs, ss = (np.array(c) for c in zip(*points))
        want = [exact_of(expr, {m: float(a), v: float(b), s: float(c)}) for a, b, c in points]
        got, naive = f(ms, vs, ss)[k], typed(ms, vs, ss)[k]
        assert max(bits_of_error(g, w) for g, w in zip(got, want)) <= 2.0, expr
        assert min(bits_of_error(t, w) for t, w in zip(naive, want)) > 12, expr


def exact_of(expr, env):
    import mpmath
    fn = sympy.lambdify(list(env), expr, "mpmath")
    with mpmath.workdps(60):
        return fn(*[mpmath.mpf(x) for x in env.values()])


def test_kepler_near_parabolic_keeps_its_digits():
    # x - e sin(x) - m for e near 1 and small x (Kepler's equation near a parabolic orbit), x - e tan(x),
    # e sinh(x) - x: typed, e sin(x) rounds away x^3/6 + (1 - e) x (6-20 bits lost here)
    x, e, m = sympy.symbols("x e m")
    exprs = [x - e * sympy.sin(x) - m, x - e * sympy.tan(x), e * sympy.sinh(x) - x]
    f, typed = sg.compile([x, e, m], exprs), sg.compile([x, e, m], exprs, rewrite=False)
    xs = np.array([1e-5, -3e-4, 2e-3, 0.05, -0.01])
    es = 1 - np.array([1e-12, 3e-9, 1e-7, 2e-6, 5e-10])
    ms = np.zeros_like(xs)  # (the sum is then the rewritten pair itself, wherever SymPy ordered m)
    for k, expr in enumerate(exprs):
        want = [exact(lower(expr).outputs[0], {x: float(a), e: float(b), m: float(c)}) for a, b, c in zip(xs, es, ms)]
        got, naive = f(xs, es, ms)[k], typed(xs, es, ms)[k]
        assert max(bits_of_error(g, w) for g, w in zip(got, want)) <= 2.0, expr
        assert max(bits_of_error(t, w) for t, w in zip(naive, want)) > 5, expr
    # away from 0 x and e sin(x) do not cancel (|e sin(x)| < |x|/2 from x = 2 on): the typed form, one fused
    # rounding, is kept (the split form rounded more: 0.26 mean bits against 0.05 on [2, 6])
    rng = np.random.default_rng(5)
    xs, es = rng.uniform(2, 6, 200) * rng.choice([-1, 1], 200), rng.uniform(0.5, 1, 200)
    ms = np.zeros_like(xs)
    want = [exact(lower(exprs[0]).outputs[0], {x: float(a), e: float(b), m: 0.0}) for a, b in zip(xs, es)]
    ours = np.mean([bits_of_error(g, w) for g, w in zip(f(xs, es, ms)[0], want)])
    theirs = np.mean([bits_of_error(t, w) for t, w in zip(typed(xs, es, ms)[0], want)])
    assert ours <= theirs + 0.02, (ours, theirs)
