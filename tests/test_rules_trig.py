"""symgraph.rules.trig: every rule fires on its example, is an identity at 50 digits (hypothesis and boundary
points), its compiled form is within a few ulps of the exact typed formula, and near the special angles
where the typed sums cancel (with offsets down to 1e-9, and some periods away) the typed forms lose more
than 8 bits while the rewritten ones stay within 2 (float64 and float32); sin, cos, tan, cosm1 of c*pi*x become
sinpi, cospi of c*x in any spelling of c*pi*x, idempotently, and keep their digits near the integers where the
typed forms lose more than 8 bits."""
import math

import mpmath
import numpy as np
import pytest
import sympy
from sympy import acos, asin, atan, cos, cot, csc, log, pi, sec, sin, tan

import symgraph as sg
from rulecheck import Case, X, Y, rule_tests
from symgraph import ops
from symgraph.ir import const
from symgraph.reference import bits_of_error
from symgraph.rules import trig

PI_NODE, HALF_PI, QUARTER_PI = const(sympy.pi), const(sympy.pi / 2), const(sympy.pi / 4)
# the reference evaluates atan2(+-inf, +-inf) as NaN, IEEE (and the kernel) as +-pi/4, +-3pi/4: the
# atan2 forms are checked at infinities against the compiled typed formula instead (below)
FINITE = {X: (-1e300, 1e300)}
# |x| <= 1e4 for the tangent differences: tan(x) -+ tan(y) at huge x is exercised by the boundary points
CASES = [
    Case("times-cot", lambda x, y, p, r: y * ops.COT(x)),
    Case("times-csc", lambda x, y, p, r: y * ops.CSC(x)),
    Case("times-sec", lambda x, y, p, r: y * ops.SEC(x)),
    Case("one-minus-sin-square", lambda x, y, p, r: 1 - ops.SIN(x) * ops.SIN(x)),
    Case("sin-square-minus-one", lambda x, y, p, r: ops.SIN(x) * ops.SIN(x) - 1),
    Case("one-minus-cos-square", lambda x, y, p, r: 1 - ops.COS(x) * ops.COS(x)),
    Case("cos-square-minus-one", lambda x, y, p, r: ops.COS(x) * ops.COS(x) - 1),
    Case("sin-squares-difference", lambda x, y, p, r: ops.SIN(x) * ops.SIN(x) - ops.COS(x) * ops.COS(x)),
    Case("twice-sin-square-minus-one", lambda x, y, p, r: 2 * (ops.SIN(x) * ops.SIN(x)) - 1),
    Case("one-minus-twice-cos-square", lambda x, y, p, r: 1 - 2 * (ops.COS(x) * ops.COS(x))),
    Case("sin-square-plus-cos-minus-one", lambda x, y, p, r: (ops.SIN(x) * ops.SIN(x) + ops.COS(x)) - 1),
    Case("log-cos-square", lambda x, y, p, r: ops.LOG(ops.COS(x) * ops.COS(x))),
    Case("log-sin-square", lambda x, y, p, r: ops.LOG(ops.SIN(x) * ops.SIN(x))),
    Case("log-sin", lambda x, y, p, r: ops.LOG(ops.SIN(x))),
    Case("log-tan", lambda x, y, p, r: ops.LOG(ops.TAN(x))),
    Case("log-cot", lambda x, y, p, r: ops.LOG(ops.COT(x))),
    Case("one-minus-sin", lambda x, y, p, r: 1 - ops.SIN(x)),
    Case("sin-minus-one", lambda x, y, p, r: ops.SIN(x) - 1),
    Case("one-plus-sin", lambda x, y, p, r: 1 + ops.SIN(x)),
    Case("sin-minus-cos", lambda x, y, p, r: ops.SIN(x) - ops.COS(x)),
    Case("cos-minus-sin", lambda x, y, p, r: ops.COS(x) - ops.SIN(x)),
    Case("sin-plus-cos", lambda x, y, p, r: ops.SIN(x) + ops.COS(x)),
    Case("tan-minus-one", lambda x, y, p, r: ops.TAN(x) - 1, {}, 2.5),
    Case("one-minus-tan", lambda x, y, p, r: 1 - ops.TAN(x), {}, 2.5),
    Case("tan-plus-one", lambda x, y, p, r: 1 + ops.TAN(x), {}, 2.5),
    Case("cot-minus-one", lambda x, y, p, r: ops.COT(x) - 1, {}, 2.5),
    Case("one-minus-cot", lambda x, y, p, r: 1 - ops.COT(x), {}, 2.5),
    Case("cot-plus-one", lambda x, y, p, r: 1 + ops.COT(x), {}, 2.5),
    Case("sec-minus-one", lambda x, y, p, r: ops.SEC(x) - 1),
    Case("one-minus-sec", lambda x, y, p, r: 1 - ops.SEC(x)),
    Case("sec-plus-one", lambda x, y, p, r: 1 + ops.SEC(x)),
    # x > 0: the reference's csc(0) is NaN (mpmath), the compiled typed 1/sin(0) and the rewrite's are inf
    Case("csc-minus-one", lambda x, y, p, r: ops.CSC(x) - 1, {X: (5e-324, math.inf)}),
    Case("one-minus-csc", lambda x, y, p, r: 1 - ops.CSC(x), {X: (5e-324, math.inf)}),
    Case("csc-plus-one", lambda x, y, p, r: 1 + ops.CSC(x), {X: (5e-324, math.inf)}),
    Case("csc-minus-scaled-cot", lambda x, y, p, r: y / ops.SIN(x) - p / ops.TAN(x), {X: (-1e4, 1e4)}, 3.0),
    Case("scaled-cot-minus-csc", lambda x, y, p, r: p / ops.TAN(x) - y / ops.SIN(x), {X: (-1e4, 1e4)}, 3.0),
    Case("unit-csc-minus-scaled-cot", lambda x, y, p, r: ops.CSC(x) - p / ops.TAN(x), {X: (-1e4, 1e4)}, 3.0),
    Case("scaled-cot-minus-unit-csc", lambda x, y, p, r: y / ops.TAN(x) - ops.CSC(x), {X: (-1e4, 1e4)}, 3.0),
    Case("tan-diff", lambda x, y, p, r: ops.TAN(x) - ops.TAN(y), {X: (-1e4, 1e4), Y: (-1e4, 1e4)}, 2.5),
    Case("tan-sum", lambda x, y, p, r: ops.TAN(x) + ops.TAN(y), {X: (-1e4, 1e4), Y: (-1e4, 1e4)}, 2.5),
    Case("angle-minus-atan", lambda x, y, p, r: HALF_PI - ops.ATAN(x)),
    Case("angle-minus-atan", lambda x, y, p, r: QUARTER_PI - ops.ATAN(x), FINITE),
    Case("atan-minus-angle", lambda x, y, p, r: ops.ATAN(x) - HALF_PI),
    Case("atan-minus-angle", lambda x, y, p, r: ops.ATAN(x) - QUARTER_PI, FINITE),
    Case("atan-plus-angle", lambda x, y, p, r: ops.ATAN(x) + HALF_PI),
    Case("atan-plus-angle", lambda x, y, p, r: ops.ATAN(x) + QUARTER_PI, FINITE),
    # the Gudermannian 2 atan(e^x) - pi/2 and its inverse log(tan(x/2 + pi/4)) near 0
    Case("scaled-atan-minus-angle", lambda x, y, p, r: 2 * ops.ATAN(ops.EXP(x)) - HALF_PI, {X: (-700, 700)}),
    Case("angle-minus-scaled-atan", lambda x, y, p, r: HALF_PI - 2 * ops.ATAN(x), FINITE),
    # the Cauchy distribution function and its complement, far in the tails: atan(x)/pi as SymPy lowers it
    Case("scaled-atan-plus-angle", lambda x, y, p, r: const(1 / sympy.pi) * ops.ATAN(x) + const(sympy.Rational(1, 2)),
         FINITE),
    Case("atan-over-plus-angle", lambda x, y, p, r: ops.ATAN(x) / PI_NODE + const(sympy.Rational(1, 2)), FINITE),
    Case("atan-over-minus-angle", lambda x, y, p, r: ops.ATAN(x) / PI_NODE - const(sympy.Rational(1, 2)), FINITE),
    Case("angle-minus-atan-over", lambda x, y, p, r: const(sympy.Rational(1, 2)) - ops.ATAN(x) / PI_NODE, FINITE),
    Case("log-tan-shifted", lambda x, y, p, r: ops.LOG(ops.TAN(x / 2 + QUARTER_PI)), {X: (-1e4, 1e4)}),
    Case("log-cot-shifted", lambda x, y, p, r: ops.LOG(ops.COT(x / 2 + QUARTER_PI)), {X: (-1e4, 1e4)}),
    # the angle of a vector near the y axis or the negative x axis, rotated: one atan2, no cancellation
    Case("atan2-minus-angle", lambda x, y, p, r: ops.ATAN2(y, x) - HALF_PI),
    Case("atan2-minus-angle", lambda x, y, p, r: ops.ATAN2(y, x) - PI_NODE),
    Case("angle-minus-atan2", lambda x, y, p, r: HALF_PI - ops.ATAN2(y, x)),
    Case("angle-minus-atan2", lambda x, y, p, r: PI_NODE - ops.ATAN2(y, x)),
    Case("atan2-plus-angle", lambda x, y, p, r: ops.ATAN2(y, x) + HALF_PI),
    Case("atan2-plus-angle", lambda x, y, p, r: ops.ATAN2(y, x) + PI_NODE),
    Case("angle-minus-acos", lambda x, y, p, r: HALF_PI - ops.ACOS(x)),
    Case("angle-minus-acos", lambda x, y, p, r: PI_NODE - ops.ACOS(x)),
    Case("acos-minus-angle", lambda x, y, p, r: ops.ACOS(x) - HALF_PI),
    Case("acos-minus-angle", lambda x, y, p, r: ops.ACOS(x) - PI_NODE),
    Case("angle-minus-asin", lambda x, y, p, r: HALF_PI - ops.ASIN(x)),
    Case("asin-minus-angle", lambda x, y, p, r: ops.ASIN(x) - HALF_PI),
    Case("asin-plus-angle", lambda x, y, p, r: ops.ASIN(x) + HALF_PI),
]
# sin, cos, tan, cosm1 of c*pi*x -> sinpi, cospi of c*x; with the exact value of each at a float x (mpmath's
# sinpi and cospi reduce exactly) and its mean bits of error allowed there (sinpi, cospi: correctly rounded
# but at a few points in a hundred; tan a quotient of two such, cosm1 a square: each rounds once more)
PI_MULTIPLES = [
    (Case("sin-pi-multiple", lambda x, y, p, r: ops.SIN(PI_NODE * x)), lambda v: mpmath.sinpi(v), 0.05),
    (Case("sin-pi-multiple", lambda x, y, p, r: ops.SIN(2 * PI_NODE * x)), lambda v: mpmath.sinpi(2 * v), 0.05),
    (Case("cos-pi-multiple", lambda x, y, p, r: ops.COS(PI_NODE * x)), lambda v: mpmath.cospi(v), 0.05),
    (Case("cos-pi-multiple", lambda x, y, p, r: ops.COS(PI_NODE * x / 2)), lambda v: mpmath.cospi(v / 2), 0.05),
    # |x| < 1/2: the reference's tan of its rounded pi is finite (10^digits) at the poles x = k + 1/2, where
    # sinpi(x)/cospi(x) is +-inf; larger x are checked against the exact quotient below
    (Case("tan-pi-multiple", lambda x, y, p, r: ops.TAN(PI_NODE * x), {X: (-0.49, 0.49)}),
     lambda v: mpmath.sinpi(v) / mpmath.cospi(v), 0.3),
    (Case("cosm1-pi-multiple", lambda x, y, p, r: ops.COSM1(PI_NODE * x)), lambda v: -2 * mpmath.sinpi(v / 2) ** 2,
     0.6),
]
CASES += [case for case, _, _ in PI_MULTIPLES]
IDS = [c.rule for c in CASES]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in trig.RULES} == set(IDS)


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


x, y = X.attr, Y.attr
PI = math.pi
# (typed formula, the angle where it cancels); "close": y a relative 1e-9 ... 1e-3 from x, "opposite": from -x
NEAR = [
    (1 - sin(x), PI / 2), (sin(x) - 1, PI / 2), (1 + sin(x), -PI / 2),
    (sin(x) - cos(x), PI / 4), (cos(x) - sin(x), 5 * PI / 4), (sin(x) + cos(x), 3 * PI / 4),
    (tan(x) - 1, PI / 4), (1 - tan(x), 5 * PI / 4), (tan(x) + 1, -PI / 4),
    (cot(x) - 1, PI / 4), (1 - cot(x), PI / 4), (cot(x) + 1, -PI / 4), (1 / tan(x) - 1, PI / 4),
    (1 - sin(x)**2, PI / 2), (sin(x)**2 - 1, -PI / 2), (1 - cos(x)**2, 0.0), (cos(x)**2 - 1, PI),
    (sin(x)**2 - cos(x)**2, PI / 4), (2 * sin(x)**2 - 1, 3 * PI / 4), (1 - 2 * cos(x)**2, PI / 4),
    (sin(x)**2 + cos(x) - 1, 0.0),
    (log(cos(x)**2), 0.0), (log(sin(x)**2), PI / 2), (log(1 - sin(x)**2), 0.0), (log(1 - cos(x)**2), PI / 2),
    # sums inside patterns of earlier phases stay theirs: log(1 + sin x) is log1p(sin x), log(sin x + cos x)
    # is log1p(sin x + cosm1(x)) (rearrange's log near 1), so near 0 they keep their digits
    (log(1 + sin(x)), 0.0), (log(1 - tan(x)), 0.0), (log(sin(x) + cos(x)), 0.0), (log(cos(x) - sin(x)), 0.0),
    (log(sin(x)), PI / 2), (log(tan(x)), PI / 4), (log(cot(x)), -3 * PI / 4),
    # Mercator's y, the inverse Gudermannian, near the pole: asinh(tan(x)) (NaN beyond it, as typed)
    (log(tan(x / 2 + pi / 4)), PI / 2),
    # and log(tan(pi/4 - x/2)) (SymPy's log(cot(x/2 + pi/4)); PROJ's omerc at the north pole) near -pi/2
    (log(tan(pi / 4 - x / 2)), -PI / 2),
    (sec(x) - 1, 0.0), (1 - sec(x), 0.0), (sec(x) + 1, PI), (csc(x) - 1, PI / 2), (1 - csc(x), PI / 2),
    (csc(x) + 1, -PI / 2),
    # a product with cot or csc is a quotient: x*cot(x) - 1 = (x - tan(x))/tan(x) near 0
    (x * cot(x) - 1, 0.0), (1 - x * cot(x), 0.0), (x * csc(x) - 1, 0.0),
    # p csc(x) - q cot(x) = (p - q) csc(x) + q tan(x/2) (y = 1 here, p - q exact near 1)
    (1 / sin(x) - y / tan(x), 0.0), (y * cot(x) - csc(x), 0.0), (csc(x) - y / tan(x), 0.0),
    (tan(x) - tan(y), "close"), (tan(x) + tan(y), "opposite"),
    # the inverse functions near the points where they reach the angle: large |x|, +-1, 0
    (pi / 2 - atan(x), "large"), (atan(x) + pi / 2, "-large"), (atan(x) - pi / 4, "1"), (pi / 4 - atan(x), "1"),
    (atan(x) + pi / 4, "-1"), (acos(x) - pi / 2, "0"), (pi / 2 - acos(x), "0"), (pi / 2 - asin(x), "1"),
    (asin(x) - pi / 2, "1"), (asin(x) + pi / 2, "-1"), (pi - acos(x), "-1"), (acos(x) - pi, "-1"),
]
OFFSETS = {np.float64: [1e-9, -3e-7, 2e-5, -1e-3], np.float32: [2e-3, -1e-3, 5e-4, -1e-4]}
PERIODS = [0, 1, -40]


def _points(base, dtype):
    if base in ("large", "-large"):
        xs = np.array([1e5, 3e7, 1e12, 2e15]) * (1 if base == "large" else -1)
        return xs.astype(dtype), np.ones_like(xs, dtype)
    if base in ("0", "1", "-1"):  # inside [-1, 1]: from 1 down, from -1 up (where the error grows as 1/sqrt(d))
        d = np.array([1e-15, 3e-12, 1e-9, 1e-6] if dtype is np.float64 else [6e-8, 3e-7, 1e-6, 1e-5])
        xs = {"0": np.array(OFFSETS[dtype]), "1": 1 - d, "-1": -1 + d}[base]
        return xs.astype(dtype), np.ones_like(xs, dtype)
    if isinstance(base, str):
        xs = np.repeat([0.3, -1.2, 7.0], len(OFFSETS[dtype]))
        ys = xs * (1 + np.tile(OFFSETS[dtype], 3)) * (1 if base == "close" else -1)
        return xs.astype(dtype), ys.astype(dtype)
    xs = np.array([base + 2 * PI * k + d for k in PERIODS for d in OFFSETS[dtype]]).astype(dtype)
    return xs, np.ones_like(xs)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_cancellations_near_special_angles_are_gone(dtype):
    exprs = [e for e, _ in NEAR]
    f, typed = sg.compile([x, y], exprs), sg.compile([x, y], exprs, rewrite=False)
    for k, (expr, base) in enumerate(NEAR):
        xs, ys = _points(base, dtype)
        fn = sympy.lambdify([x, y], expr, "mpmath")
        with mpmath.workdps(60):
            want = [fn(mpmath.mpf(float(a)), mpmath.mpf(float(b))) for a, b in zip(xs, ys)]
        want = [w if mpmath.im(w) == 0 else mpmath.nan for w in want]  # (past a pole: not real, NaN)
        got, naive = f(xs, ys)[k], typed(xs, ys)[k]
        assert got.dtype == dtype
        assert [math.isnan(g) for g in got] == [mpmath.isnan(w) for w in want], (expr, got)
        assert max(bits_of_error(g, w, dtype) for g, w in zip(got, want)) <= 2.0, (expr, dtype)
        assert max(bits_of_error(t, w, dtype) for t, w in zip(naive, want)) > 8, (expr, dtype)


def test_infinities_and_nan_stay_nan_and_huge_arguments_keep_the_typed_value():
    # x = +-inf, NaN: sin, cos, tan are NaN, as typed; |x| > 2^1023 (2^127 in float32): 2x overflows, so the
    # cos(2x) forms keep the typed sums
    exprs = [1 - sin(x), 1 + sin(x), sin(x) - cos(x), sin(x) + cos(x), tan(x) - 1, tan(x) + 1, cot(x) - 1,
             sin(x)**2 - cos(x)**2, 2 * sin(x)**2 - 1, sec(x) - 1, csc(x) - 1, sin(x)**2 + cos(x) - 1]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    for dtype, huge in ((np.float64, [1.7e308, -1e308, 9e307]), (np.float32, [3.4e38, -3e38, 1.75e38])):
        special = np.array([math.inf, -math.inf, math.nan], dtype)
        for got in f(special):
            assert np.isnan(got).all()
        inverse = [pi / 4 - atan(x), atan(x) - pi / 4, atan(x) + pi / 4, pi / 2 - atan(x), atan(x) + pi / 2]
        g, g_typed = sg.compile([x], inverse), sg.compile([x], inverse, rewrite=False)
        for got, naive in zip(g(special), g_typed(special)):
            np.testing.assert_array_equal(got, naive)
        big = np.array(huge, dtype)
        for got, naive in zip(f(big), typed(big)):
            assert np.isfinite(got).all()
            assert np.allclose(got, naive, rtol=1e-3, atol=1e-6), (got, naive)


def test_rewrites_are_idempotent():
    # the typed sum each guarded form keeps is rewritten again by a second run; the nested select folds away
    from symgraph.lower import lower
    from symgraph.passes import optimize
    once, _ = optimize(lower([e for e, _ in NEAR]))
    twice, _ = optimize(once)
    assert twice.outputs == once.outputs


def test_only_symbolic_multiples_of_pi_are_angles():
    # a float near pi/2 is another value: pi/2 - atan(x) with it typed is not atan2(1, x)
    from symgraph.lower import lower
    from symgraph.passes import optimize
    graph, trace = optimize(lower(sympy.Float(1.5707963267948966) - atan(x)))
    assert "angle-minus-atan" not in [f.rule for f in trace]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_multiples_of_pi_keep_their_digits_near_the_integers(compiled, dtype):
    # x in [-1000, 1000] and a few floats from integers and half-integers: pi*x rounds, so the typed forms
    # lose up to every bit where the result is small; sinpi and cospi reduce c*x exactly
    rng = np.random.default_rng(17)
    base = np.array([1.0, 7.0, 100.0, 999.0, -500.0, 0.5, 250.5, -31.5], dtype)
    steps = [base]
    for _ in range(3):
        steps += [np.nextafter(steps[-1], dtype(np.inf))]
    xs = np.concatenate([rng.uniform(-1000, 1000, 200).astype(dtype), *steps[1:],
                         np.nextafter(base, dtype(-np.inf))])
    ones = np.ones_like(xs)
    values = compiled(xs, ones, ones, ones)
    first = len(CASES) - len(PI_MULTIPLES)
    for k, (case, exact_of, mean_allowed) in enumerate(PI_MULTIPLES):
        got, typed = values[first + k], values[len(CASES) + first + k]
        with mpmath.workdps(50):
            exact = [exact_of(mpmath.mpf(float(v))) for v in xs]
        ours = [bits_of_error(g, e, dtype) for g, e in zip(got, exact)]
        naive = [bits_of_error(t, e, dtype) for t, e in zip(typed, exact)]
        assert max(ours) <= 2.0 and np.mean(ours) < mean_allowed, (case.rule, dtype, max(ours), np.mean(ours))
        assert max(naive) > 8 and np.mean(naive) > 3, (case.rule, dtype, max(naive), np.mean(naive))


def test_multiples_of_pi_are_recognised_in_any_spelling():
    from symgraph.lower import lower
    from symgraph.passes import optimize
    fired = {"sin(pi*x)": sin(pi * x), "cos(pi*x)": cos(pi * x), "sin(2*pi*x)": sin(2 * pi * x),
             "cos(pi*x/2)": cos(pi * x / 2), "sin(-pi*x/180)": sin(-pi * x / 180), "sin(3*pi*x/7)": sin(3 * pi * x / 7),
             "sin(pi*x*y)": sin(pi * x * y), "cos(pi/x)": cos(pi / x), "tan(pi*x/4)": tan(pi * x / 4)}
    for name, expr in fired.items():
        graph, trace = optimize(lower(expr))
        ops_left = {n.op for n in graph.nodes}
        assert {ops.SIN, ops.COS, ops.TAN}.isdisjoint(ops_left) and {ops.SINPI, ops.COSPI} & ops_left, name
    # not a multiple of pi: another angle, a float near pi, pi squared, a sum
    for expr in (sin(x), sin(x + 1), sin(pi * x + 1), sin(sympy.Float(3.141592653589793) * x), sin(pi**2 * x),
                 sin(pi * x + pi * y)):
        graph, trace = optimize(lower(expr))
        assert not {"sin-pi-multiple", "cos-pi-multiple"} & {f.rule for f in trace}, expr


def test_multiples_of_pi_scale_exactly_and_idempotently():
    from symgraph.lower import lower
    from symgraph.passes import optimize
    # the power-of-two coefficient is a product (exact); 1/180 a division by 180 (one rounding, exact at the
    # multiples of 180); a negative one a negation outside (the canonical form: a second run changes nothing)
    graph, _ = optimize(lower([sin(pi * x / 2), sin(pi * x / 180), cos(-3 * pi * x / 2), sin(pi * x) ** 2 +
                               cos(pi * x) - 1, 1 - sin(pi * x), tan(pi * x) - 1]))
    assert graph.outputs[0].to_sympy() == sg.sinpi(x / 2)
    # (with x/180's rounding carried to first order: compensate's sinpi-compensated)
    assert graph.outputs[1].op.name == "corrected" and graph.outputs[1].args[0].to_sympy() == sg.sinpi(x / 180)
    assert graph.outputs[2].op.name == "corrected" and graph.outputs[2].args[0].to_sympy() == sg.cospi(3 * x / 2)
    twice, _ = optimize(graph)
    assert twice.outputs == graph.outputs
