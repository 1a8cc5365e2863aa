"""symgraph.rules.stencils: sums of exp, sin or cos at points spread symmetrically about a centre (second
differences, their forward form, five-point stencils) become the centre's value times cancellation-free
functions of the offsets: each rule fires on its example, is an identity at 50 digits (hypothesis and
boundary points), its compiled form is within a few ulps of the exact typed formula (float64 and float32),
and the typed formulas lose the digits the rewritten ones keep."""
import mpmath
import numpy as np
import sympy

import symgraph as sg
from rulecheck import Case, X, Y, rule_tests
from symgraph import ops
from symgraph.reference import bits_of_error
from symgraph.rules import stencils

CASES = [
    Case("stencil", lambda x, y, p, r: ops.EXP(x + y) + ops.EXP(x - y) - 2 * ops.EXP(x),
         {X: (-700, 700), Y: (-3, 3)}, 2.5, limits=True),
    Case("stencil", lambda x, y, p, r: ops.SIN(x - y) - (2 * ops.SIN(x) - ops.SIN(x + y)), {Y: (-3, 3)}, 2.5),
    Case("stencil-sum", lambda x, y, p, r: ops.COS(x + 2 * y) + (ops.COS(x) - 2 * ops.COS(x + y)),
         {X: (-1e3, 1e3), Y: (-3, 3)}, 2.5),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in stencils.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))

x, h = X.attr, Y.attr


def _stencils_of(f):
    return sorted({s.before.key for s in f.trace if s.rule.startswith("stencil")})


def test_second_differences_keep_the_digits_the_typed_sums_lose():
    # (f(x + h) - 2 f(x) + f(x - h))/h^2 for f = exp, sin, cos, the forward form and the five-point
    # stencil, with SymPy's own spellings (sin(x - h) is -sin(h - x)): typed, 20+ bits lost at h = 1e-5
    # (float64) and 1e-2 (float32); the rewritten forms are within 2 bits of the exact typed formula
    def five_point(f):
        return (-f(x + 2 * h) + 16 * f(x + h) - 30 * f(x) + 16 * f(x - h) - f(x - 2 * h)) / (12 * h**2)

    exprs = [(f(x + h) - 2 * f(x) + f(x - h)) / h**2 for f in (sympy.exp, sympy.sin, sympy.cos)] + \
            [sympy.exp(x + 2 * h) - 2 * sympy.exp(x + h) + sympy.exp(x), five_point(sympy.sin),
             five_point(sympy.exp)]
    f, typed = sg.compile([x, h], exprs), sg.compile([x, h], exprs, rewrite=False)
    xs = np.array([-4.5, -1.0, 0.3, 1.7, 2.9, 4.0])
    for dtype, hs in ((np.float64, [1e-5, -3e-6, 2e-4, 1e-3, -7e-5, 4e-6]),
                      (np.float32, [1e-2, -3e-3, 2e-2, 5e-2, -7e-3, 4e-3])):
        a, b = xs.astype(dtype), np.array(hs, dtype)
        for k, expr in enumerate(exprs):
            fn = sympy.lambdify([x, h], expr, "mpmath")
            with mpmath.workdps(60):
                want = [fn(mpmath.mpf(float(u)), mpmath.mpf(float(v))) for u, v in zip(a, b)]
            assert max(bits_of_error(g, w, dtype) for g, w in zip(f(a, b)[k], want)) <= 2.0, (expr, dtype)
            assert max(bits_of_error(t, w, dtype) for t, w in zip(typed(a, b)[k], want)) > 10, (expr, dtype)


def test_sums_that_are_no_differences_are_left_as_typed():
    # no centre (exp(x) + exp(h) + exp(x*h)), coefficients that do not add to 0 (no cancellation to
    # remove), and two points (the difference rules' own: sin-diff, exp-difference)
    for expr in (sympy.exp(x) + sympy.exp(h) + sympy.exp(x * h),
                 sympy.exp(x + h) + sympy.exp(x - h) - sympy.exp(x),
                 sympy.sin(x + h) + sympy.sin(x - h) + sympy.sin(x),
                 sympy.exp(x + h) - sympy.exp(x - h)):
        assert _stencils_of(sg.compile([x, h], expr)) == [], expr
