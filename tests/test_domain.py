"""symgraph.domain: facts from SymPy assumptions and op facts, derived bottom-up."""
import math
import sys

import sympy

from symgraph import ops
from symgraph.domain import Facts
from symgraph.ir import const, symbol

x = symbol(sympy.Symbol("x"))
p = symbol(sympy.Symbol("p", positive=True))
n = symbol(sympy.Symbol("n", nonnegative=True))
r = symbol(sympy.Symbol("r", real=True))


def test_assumptions_of_symbols():
    f = Facts()
    assert f.positive(p) and f.nonzero(p) and f.finite(p)
    assert f.nonnegative(n) and not f.positive(n)
    assert f.finite(r) and not f.finite(x) and not f.nonnegative(x)


def test_facts_derived_from_ops():
    f = Facts()
    assert f.nonnegative(ops.EXP(x)) and f.nonnegative(x * x) and f.nonnegative(ops.ABS(x))
    assert f.nonnegative(ops.SQRT(x)) and f.within(ops.SIN(x), -1, 1) and f.within(ops.COSH(x), 1, math.inf)
    assert f.positive(ops.EXP(ops.SIN(r))) and f.finite(ops.SIN(r)) and not f.finite(ops.SIN(x))
    assert f.negative(-p) and f.positive(p + 1) and f.interval(const(3)) == (3.0, 3.0)


def test_overflow_and_nan_are_not_ignored():
    f = Facts()
    assert not f.finite(r * r)      # a finite real squared may overflow
    assert not f.finite(ops.SIN(r) / ops.SIN(r))  # 0/0
    assert f.finite(ops.SIN(r) * ops.COS(r))


# ---------------------------------------------------------------- facts of the stable primitives
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
import mpmath  # noqa: E402

from symgraph import stable  # noqa: E402,F401  (registers the stable ops)
from symgraph.domain import DERIVE, Info  # noqa: E402

UNARY_STABLE = ["softplus", "log_sigmoid", "sigmoid", "log1mexp", "cosm1", "exprel", "x_over_expm1", "logit",
                "log1p", "expm1", "hypot"]


def test_stated_facts_of_the_stable_primitives():
    f = Facts()
    assert f.nonnegative(ops.SOFTPLUS(x)) and f.within(ops.SIGMOID(x), 0, 1) and f.nonpositive(ops.LOG_SIGMOID(x))
    assert f.nonpositive(ops.LOG1MEXP(x)) and f.within(ops.COSM1(x), -2, 0) and f.nonnegative(ops.HYPOT(x, r))
    assert f.within(ops.EXPM1(x), -1, math.inf) and f.nonnegative(ops.EXPREL(x))
    assert f.nonnegative(ops.X_OVER_EXPM1(x))
    assert f.positive(ops.LOG1P(p)) and f.negative(ops.LOG1P(-p)) and f.positive(ops.SINH(p))
    assert f.nonnegative(ops.LOGADDEXP(p, x)) and not f.positive(ops.SOFTPLUS(r))  # softplus(-800) is 0.0
    # a guard composes: sqrt of a primitive known to be >= 0 needs no NaN select
    assert f.not_nan(ops.SOFTPLUS(r)) and not f.not_nan(ops.LOG1MEXP(r))


BOUND = st.floats(min_value=-800, max_value=800)


def _op_value(name, v):
    op = ops.OPS[name]
    with mpmath.workdps(50):
        args = [mpmath.mpf(v)] * (2 if name == "hypot" else 1)
        try:
            value = op.mpmath(*args)
        except (ValueError, ZeroDivisionError):
            return mpmath.mpf("nan")
    # mpmath continues into the complex plane (log1p(-2) = log(-1)); in floats that is NaN. A value past
    # float64's largest is the infinity the floats give (expm1(710))
    if isinstance(value, mpmath.mpc):
        return mpmath.mpf("nan")
    return mpmath.inf * mpmath.sign(value) if abs(value) > sys.float_info.max else value


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(UNARY_STABLE), BOUND, BOUND, st.floats(0, 1))
def test_every_stated_interval_holds_at_sampled_points(name, a, b, t):
    _check_stated_interval(name, a, b, t)


# the primitives defined on [-1, 1] (NaN beyond, atanh_minus_x +-inf at +-1): intervals around their domain
ON_UNIT = ["asin_minus_x", "atanh_minus_x"]
UNIT_BOUND = st.one_of(st.floats(min_value=-1.5, max_value=1.5), st.sampled_from([-1.0, 1.0, 0.0, -0.0]))


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(ON_UNIT), UNIT_BOUND, UNIT_BOUND, st.floats(0, 1))
def test_stated_intervals_of_the_primitives_on_the_unit_interval_hold(name, a, b, t):
    _check_stated_interval(name, a, b, t)


def _check_stated_interval(name, a, b, t):
    lo, hi = min(a, b), max(a, b)
    v = lo + (hi - lo) * t
    v = min(max(v, lo), hi)
    arg = Info(lo, hi, nan=False, zero=lo <= 0 <= hi, infinite=False)
    node = ops.OPS[name](*([x] * (2 if name == "hypot" else 1)))
    info = DERIVE[name]([arg] * len(node.args), node)
    value = _op_value(name, v)
    if mpmath.isnan(value):
        assert info.nan, (name, lo, hi, v)
        return
    assert info.lo <= value <= info.hi, (name, lo, hi, v, value, info)
    if value == 0:
        assert info.zero, (name, lo, hi, v, info)


# ---------------------------------------------------------------- logarithms: increasing, NaN below 0, -inf at 0
LOGS = ["log", "log2", "log10"]
LOG_BOUND = st.one_of(st.floats(min_value=-10, max_value=1e300), st.sampled_from([0.0, -0.0, 1.0, 5e-324]))


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(LOGS), LOG_BOUND, LOG_BOUND, st.floats(0, 1))
def test_stated_intervals_of_the_logarithms_hold(name, a, b, t):
    _check_stated_interval(name, a, b, t)


def test_facts_of_log2_and_log10():
    f = Facts()
    for op in (ops.LOG2, ops.LOG10):
        assert not f.not_nan(op(x)) and not f.not_nan(op(r)) and f.not_nan(op(p)) and f.not_nan(op(n))
        assert f.interval(op(ops.EXP(r))) == (-math.inf, math.inf)  # exp(r) may underflow to 0: -inf
        assert f.within(op(ops.SIGMOID(x)), -math.inf, 1e-300) and f.positive(op(p + 2))
        lo, hi = f.interval(op(ops.SIGMOID(x) + 1))  # in [1, 2]: log2 in [0, 1], log10 in [0, 0.302]
        top = 1.0 if op is ops.LOG2 else math.log10(2.0)
        assert -1e-15 < lo <= 0.0 and top <= hi < top * (1 + 1e-14)
