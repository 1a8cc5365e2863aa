"""symgraph.rules.canonical: each identity fires on its example, holds at 50 digits (hypothesis and
boundary points), and the compiled result is within an ulp of the exact typed formula."""
import math

import mpmath
import numpy as np
import sympy

from rulecheck import Case, bits_against_mpmath, compile_cases, optimized, rule_tests
from rulecheck import X, Y
import symgraph as sg
from symgraph import ops, reference

INF = float('inf')
from symgraph.ir import const
from symgraph.rules import canonical

F = sympy.Float
CASES = [
    Case("add-zero", lambda x, y, p, r: ops.ADD(x, const(0))),
    Case("plus-zero-needless", lambda x, y, p, r: ops.PLUS_ZERO(ops.COSH(x))),
    Case("plus-zero-needless", lambda x, y, p, r: ops.PLUS_ZERO(x - y)),
    Case("sub-zero", lambda x, y, p, r: x - const(0)),
    Case("zero-sub", lambda x, y, p, r: const(0) - x),
    Case("sub-neg", lambda x, y, p, r: x - (-y)),
    Case("add-neg", lambda x, y, p, r: ops.ADD(x, -y)),
    Case("sub-self", lambda x, y, p, r: r - r),
    # a shift of a shifted value: (1 - x) + 1 is 2 - x, (x + 1) - 3 is x - 2, 1/2 - (x - 1/4) is 3/4 - x
    Case("shift-of-shift", lambda x, y, p, r: ops.ADD(1 - x, const(1)), {}, 0.6),
    Case("shift-of-shift", lambda x, y, p, r: ops.ADD(x - 3, const(F(0.25))), {}, 0.6),
    Case("shift-of-shift-minus", lambda x, y, p, r: (x + 1) - 3, {}, 0.6),
    Case("shift-of-shift-minus", lambda x, y, p, r: (x + const(sympy.E) / 2) - const(sympy.Rational(3, 2)), {}, 0.6),
    Case("shift-minus-shift", lambda x, y, p, r: const(sympy.Rational(1, 2)) - (x - const(sympy.Rational(1, 4))),
         {}, 0.6),
    Case("mul-one", lambda x, y, p, r: ops.MUL(const(F(1.0)), x)),
    Case("div-one", lambda x, y, p, r: x / 1),
    Case("mul-minus-one", lambda x, y, p, r: ops.MUL(const(-1), x)),
    Case("div-minus-one", lambda x, y, p, r: x / -1),
    Case("mul-negative-const", lambda x, y, p, r: ops.MUL(const(-3), x)),
    Case("mul-zero", lambda x, y, p, r: ops.MUL(const(0), ops.SIN(r))),
    Case("zero-div", lambda x, y, p, r: const(0) / ops.EXP(ops.SIN(r))),
    Case("div-self", lambda x, y, p, r: ops.EXP(ops.SIN(r)) / ops.EXP(ops.SIN(r))),
    Case("neg-neg", lambda x, y, p, r: -(-x)),
    Case("mul-neg-neg", lambda x, y, p, r: ops.MUL(-x, -y)),
    Case("div-neg-neg", lambda x, y, p, r: (-x) / (-y), {Y: (5e-324, INF)}),  # mpmath has no -0
    Case("mul-neg", lambda x, y, p, r: ops.MUL(-x, y)),
    Case("div-neg-num", lambda x, y, p, r: (-x) / y),
    Case("div-neg-den", lambda x, y, p, r: x / (-y), {Y: (5e-324, INF)}),
    Case("div-recip", lambda x, y, p, r: x / (1 / ops.EXP(ops.SIN(r)))),
    Case("pow-zero", lambda x, y, p, r: ops.POW(x, const(0))),
    Case("pow-one", lambda x, y, p, r: ops.POW(x, const(1))),
    Case("one-pow", lambda x, y, p, r: ops.POW(const(1), x)),
    Case("pow-two", lambda x, y, p, r: ops.POW(x, const(2))),
    Case("pow-half", lambda x, y, p, r: ops.POW(x, const(F(0.5))), {}, 0.0),
    Case("pow-minus-one", lambda x, y, p, r: ops.POW(x, const(-1))),
    Case("pow-minus-half", lambda x, y, p, r: ops.POW(x, const(sympy.Rational(-1, 2))),
         {X: (-1.7976931348623157e308, INF)}, 1.0),  # E\N: pow(-inf, -0.5) = 0, 1/sqrt(-inf) = NaN
    Case("abs-neg", lambda x, y, p, r: ops.ABS(-x)),
    Case("abs-abs", lambda x, y, p, r: ops.ABS(ops.ABS(x))),
    Case("abs-nonnegative", lambda x, y, p, r: ops.ABS(ops.EXP(x))),
    Case("sign-neg", lambda x, y, p, r: ops.SIGN(-x)),
    Case("sign-positive", lambda x, y, p, r: ops.SIGN(p)),
    Case("sign-negative", lambda x, y, p, r: ops.SIGN(-p - 1)),
    Case("select-const", lambda x, y, p, r: ops.SELECT(const(True), x, y)),
    Case("select-same", lambda x, y, p, r: ops.SELECT(ops.LT(x, y), ops.SIN(x), ops.SIN(x))),
    Case("and-const", lambda x, y, p, r: ops.SELECT(ops.AND(const(sympy.false), ops.LT(x, y)), x, y)),
    Case("and-const", lambda x, y, p, r: ops.SELECT(ops.AND(const(sympy.true), ops.LT(x, y), ops.GT(x, 0)), x, y)),
    Case("or-const", lambda x, y, p, r: ops.SELECT(ops.OR(const(sympy.true), ops.LT(x, y)), x, y)),
    Case("or-const", lambda x, y, p, r: ops.SELECT(ops.OR(const(sympy.false), ops.LT(x, y)), x, y)),
    Case("select-nested-then", lambda x, y, p, r: ops.SELECT(ops.LT(x, y), ops.SELECT(ops.LT(x, y), x, y), 1 + x)),
    Case("select-nested-else", lambda x, y, p, r: ops.SELECT(ops.LT(x, y), 1 + x, ops.SELECT(ops.LT(x, y), x, y))),
    # the select on x < y two levels down, under a select on another condition, is decided by the outer one
    Case("select-known", lambda x, y, p, r: ops.SELECT(ops.LT(x, y), 1 + x, ops.SELECT(
        ops.GT(x, 2), x * y, ops.SELECT(ops.LT(x, y), x, y - 1)))),
    # and under arithmetic in a branch (a difference taken into the branch): y - select(x < y, ...) there
    Case("select-known", lambda x, y, p, r: ops.SELECT(ops.LT(x, y), 1 + x, y - 2 * ops.SELECT(
        ops.LT(x, y), ops.SIN(x), ops.COS(y)))),
    Case("abs-times-abs", lambda x, y, p, r: ops.ABS(x) * ops.ABS(x)),
    Case("sign-times-self", lambda x, y, p, r: ops.SIGN(x) * x),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_a_shift_of_a_shift_rounds_once():
    # (1 - x) + 1 rounds 1 - x, then the sum: 2 - x rounds once
    merged, fired = optimized(CASES[8])
    assert "shift-of-shift" in fired and merged.op is ops.SUB and merged.args[0] is const(2)
    # constants whose sum no float holds are one constant too (rounded once; compensate carries its
    # rounding); sums to 0 (add-sub-cancel's, guarded) are left alone
    for build, merges in ((lambda x: ops.ADD(1 - x, const(sympy.Rational(1, 3))), True),
                          (lambda x: ops.ADD(x + const(2**-30), const(1)), True),
                          (lambda x: (x + const(sympy.E) / 2) - const(sympy.Rational(3, 2)), True),
                          (lambda x: (x + 1) - 1, False)):
        _, fired = optimized(Case("shift-of-shift", lambda x, y, p, r, b=build: b(x)))
        assert bool({"shift-of-shift", "shift-of-shift-minus", "shift-minus-shift"} & set(fired)) == merges, build


def test_numbers_in_nested_sums_keep_their_digits_where_the_sum_cancels():
    # y/2 + E/2 - 3/2 (E/2 a product of constants until fold_constants) near y = 3 - E: the two numbers
    # merged and rounded once, that rounding carried (compensate): correctly rounded; typed 0.6 bits on
    # [0.1, 10], 20 bits near the root
    y = sympy.Symbol("y")
    expr = y / 2 - sympy.Rational(3, 2) + sympy.E / 2
    f, typed = sg.compile([y], expr), sg.compile([y], expr, rewrite=False)
    near = (3 - math.e) * (1 + np.random.default_rng(5).choice([-1, 1], 200) * 10.0 ** -np.linspace(1, 13, 200))
    ok, lost = bits_against_mpmath(expr, [y], [near], f, typed)
    assert max(ok) <= 0.5 and np.mean(lost) > 10, (max(ok), np.mean(lost))


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in canonical.RULES} <= {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_zero_times_unknown_is_not_folded():
    # 0*x is NaN at x = inf: without a finiteness proof the product stays
    from rulecheck import X
    case = Case("mul-zero", lambda x, y, p, r: ops.MUL(const(0), x))
    new, fired = optimized(case)
    assert "mul-zero" not in fired and new is ops.MUL(const(0), X)


def test_reciprocal_sqrt_of_either_zero_is_plus_infinity():
    # as pow(-0, -1/2) in C99; 1/sqrt(-0) alone is -inf
    case = Case("pow-minus-half", lambda x, y, p, r: ops.POW(x, const(sympy.Rational(-1, 2))))
    f = compile_cases([case])
    for dtype in (np.float64, np.float32):
        xs = np.array([-0.0, 0.0, -np.inf, 4.0, -4.0], dtype)
        got = f(xs, *(np.ones_like(xs),) * 3)[0]
        assert got[0] == np.inf and got[1] == np.inf and got[2] == 0 and got[3] == 0.5 and np.isnan(got[4])


def test_constant_conditions_fold_away():
    node, _ = optimized(Case("and-const", lambda x, y, p, r: ops.SELECT(ops.AND(const(sympy.false), ops.LT(x, y)), x, y)))
    assert node is Y
    node, _ = optimized(Case("and-const", lambda x, y, p, r: ops.SELECT(
        ops.AND(const(sympy.true), ops.LT(x, y), ops.GT(x, 0)), x, y)))
    assert node is ops.SELECT(ops.AND(ops.LT(X, Y), ops.GT(X, 0)), X, Y)
    node, _ = optimized(Case("or-const", lambda x, y, p, r: ops.SELECT(ops.OR(const(sympy.false), ops.LT(x, y)), x, y)))
    assert node is ops.SELECT(ops.LT(X, Y), X, Y)


def test_select_known_decides_selects_under_arithmetic_in_a_branch():
    x, y = X, Y
    c = ops.LT(x, y)
    node = ops.SELECT(c, 1 + x, y - 2 * ops.SELECT(c, ops.SIN(x), ops.COS(y)))
    new, fired = optimized(Case("select-known", lambda *_: node))
    assert "select-known" in fired
    assert new is ops.SELECT(c, 1 + x, y - 2 * ops.COS(y))


def test_select_known_drops_a_window_inside_the_interval_the_outer_condition_failed_on():
    # select(1/2 <= x <= 2, f, select(|x - 1| < 1/2, p, typed)): where the outer condition fails (or x is
    # NaN) the inner window is closed too, so the else branch is the typed form; a window reaching past
    # the interval (|x - 1| < 2) or on another input is kept
    x, y = X, Y
    half, two = const(sympy.Rational(1, 2)), const(2)
    interval = ops.AND(ops.LE(x, two), ops.GE(x, half))
    for window, dropped in [(ops.LT(ops.ABS(x - 1), half), True), (ops.LT(ops.ABS(x - 1), const(1)), False),
                            (ops.LT(ops.ABS(x - const(sympy.Rational(3, 2))), half), True),
                            (ops.LT(ops.ABS(y - 1), half), False), (ops.LT(ops.ABS(x), half), False)]:
        node = ops.SELECT(interval, ops.SIN(x), ops.SELECT(window, ops.COS(x), ops.EXP(x)))
        new, _ = optimized(Case("select-known", lambda *_: node))
        assert (new is ops.SELECT(interval, ops.SIN(x), ops.EXP(x))) == dropped, (window, new)
        # the same values wherever the outer condition fails, NaN included
        for v in (0.25, 0.4999999999999999, 2.0000000000000004, 3.0, -1.0, float("nan")):
            env = {x.attr: v, y.attr: 1.0}
            a, b = (reference.evaluate(n, env) for n in (node, new))
            assert (mpmath.isnan(a) and mpmath.isnan(b)) or a == b, (window, v)
