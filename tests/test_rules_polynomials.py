"""symgraph.rules.polynomials: sums of three or more terms in two or three values whose expanded terms
cancel are factored (x**2 - 2*x*y + y**2 is (x - y)**2); the rewrite is an identity at 50 digits and the
compiled result is accurate (tests/rulecheck.py); sums whose factors would not remove a cancellation, or
that are too big, are left to the other rules without asking SymPy."""
import numpy as np
import sympy

import symgraph as sg
from symgraph import ops
from symgraph.ir import const
from symgraph.rules import polynomials

from rulecheck import Case, X, Y, optimized, rule_tests

CASES = [
    # x - y rounds where the values are not close, and the square doubles that: 1.5 ulps
    Case("factored-polynomial-difference", lambda x, y, p, r: x * x + y * y + const(-2) * x * y, {}, 2.0),
    Case("factored-polynomial", lambda x, y, p, r: (x * x - x * y) + (y * y - x * y), {}, 2.0),
    Case("factored-polynomial-difference",
         lambda x, y, p, r: x * x * x - const(3) * x * x * y + const(3) * x * y * y - y * y * y, {}, 2.5),
    Case("factored-polynomial-difference", lambda x, y, p, r: x * x * y + y * y * y - const(2) * x * y * y, {}, 2.5),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in polynomials.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_sums_without_a_cancelling_factor_are_left_alone():
    for build in (lambda: X * X + Y * Y + X * Y,          # irreducible
                  lambda: X * X + const(2) * X * Y + Y * Y,  # (x + y)^2: every coefficient positive
                  lambda: X * X - Y + X):                    # degree 2 but nothing to factor
        graph_node = build()
        case = Case("factored-polynomial", lambda x, y, p, r, b=build: b())
        assert not {"factored-polynomial", "factored-polynomial-difference"} & set(optimized(case)[1]), graph_node


def test_near_equal_values_are_exact():
    x, y = sympy.symbols("x y")
    f = sg.compile([x, y], x**2 - 2 * x * y + y**2)
    xs = np.array([1.0, 1e3, 3.0])
    ys = xs * (1 + np.array([1e-12, -3e-10, 2e-8]))
    exact = [(sympy.Rational(a) - sympy.Rational(b)) ** 2 for a, b in zip(xs, ys)]
    np.testing.assert_allclose(f(xs, ys), [float(e) for e in exact], rtol=4e-16)
    assert any(n.op is ops.SELECT for n in f.graph.nodes)
