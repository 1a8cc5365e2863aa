"""symgraph.rules.scaling: homogeneous quotients past their intermediates' overflow and underflow (complex
division, the reciprocal, the Cauchy kernel, the parallel sum): the rule fires on its examples, is an
identity at 50 digits (hypothesis and boundary points), its compiled form is within a few ulps of the exact
typed formula (float64 and float32), and where the typed squares or products overflow or underflow the
rewritten quotient keeps every digit."""
import mpmath
import numpy as np
import sympy

import symgraph as sg
from rulecheck import Case, X, Y, rule_tests
from symgraph.ir import const
from symgraph.reference import bits_of_error
from symgraph.rules import scaling

CASES = [
    # the real and imaginary parts of (x + i y)/(p + i r)
    Case("homogeneous-quotient", lambda x, y, p, r: (x * p + y * r) / (p * p + r * r), bits=3.0),
    Case("homogeneous-quotient", lambda x, y, p, r: (y * p - x * r) / (p * p + r * r), bits=3.0),
    Case("homogeneous-quotient", lambda x, y, p, r: const(1) / (x * x + y * y), bits=3.0),
    Case("homogeneous-quotient", lambda x, y, p, r: (x * x - y * y) / (x * x + y * y), bits=3.0),
    Case("homogeneous-quotient", lambda x, y, p, r: (x * y) / (x + y), bits=3.0),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in scaling.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_complex_division_past_the_squares_overflow_and_underflow():
    # (a + ib)/(c + id): typed, c^2 + d^2 is inf from |c| = 1.3e154 (the parts come out 0, or NaN) and 0
    # below 1e-162 (inf); the quotient is an ordinary number there. The parts are homogeneous in (c, d), so
    # the compiled formula at (c, d)/t times t^degree (t a power of 2: exact) is what it computes at an
    # ordinary scale: at the extreme scale it is as accurate as that (one bit of slack), where the typed
    # formula loses every digit. The parallel sum c d/(c + d) likewise (its product)
    a, b, c, d = sympy.symbols("a b c d")
    parts = [(a * c + b * d) / (c**2 + d**2), (b * c - a * d) / (c**2 + d**2), c / (c**2 + d**2),
             1 / (c**2 + d**2), c * d / (c + d)]
    degrees = [-1, -1, -1, -2, 1]
    f, typed = sg.compile([a, b, c, d], parts), sg.compile([a, b, c, d], parts, rewrite=False)
    rng = np.random.default_rng(7)
    for dtype, scales in ((np.float64, [2.0**660, 2.0**-560, 2.0**516, 2.0**-990]), (np.float32, [2.0**83, 2.0**-80])):
        info = np.finfo(dtype)
        for scale in scales:
            values = [(rng.uniform(0.5, 2.0, 8) * rng.choice([-1, 1], 8)).astype(dtype) for _ in range(4)]
            got, off, ordinary = f(values[0], values[1], values[2] * dtype(scale), values[3] * dtype(scale)), \
                typed(values[0], values[1], values[2] * dtype(scale), values[3] * dtype(scale)), f(*values)
            for k, expr in enumerate(parts):
                fn = sympy.lambdify([a, b, c, d], expr, "mpmath")
                with mpmath.workdps(60):
                    want = [fn(mpmath.mpf(float(values[0][i])), mpmath.mpf(float(values[1][i])),
                               mpmath.mpf(float(values[2][i])) * mpmath.mpf(scale),
                               mpmath.mpf(float(values[3][i])) * mpmath.mpf(scale)) for i in range(8)]
                if not all(info.tiny < abs(w) < info.max for w in want):
                    continue  # (1/(c^2 + d^2) at 2^660 is 2^-1320: 0 is right)
                at_ordinary_scale = [bits_of_error(float(t) * scale ** degrees[k], w, dtype)
                                     for t, w in zip(ordinary[k], want)]
                for i, (g, w) in enumerate(zip(got[k], want)):
                    assert bits_of_error(g, w, dtype) <= at_ordinary_scale[i] + 1.0, (expr, dtype, scale, i)
                assert max(bits_of_error(t, w, dtype) for t, w in zip(off[k], want)) > 20, (expr, dtype, scale)


def test_quotients_that_are_not_homogeneous_are_left_as_typed():
    # (x + 1)/(x^2 + y^2) has no scaled form (x + 1 is no multiple of a power of the scale); a denominator
    # with a constant (1 + x^2) is the over-square-plus rules' own; x/y forms no product to overflow
    x, y = X.attr, Y.attr
    for expr in ((x + 1) / (x**2 + y**2), x / (1 + x**2), sympy.sin(x) / (x**2 + y**2 - 1), x / y,
                 (x * y) / (x + 1)):
        f = sg.compile([x, y], expr)
        assert "homogeneous-quotient" not in {s.rule for s in f.trace}, expr
