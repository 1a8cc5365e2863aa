"""symgraph.rules.powers: every rule fires on its example, is an identity (hypothesis and boundary points,
at 400 digits: 1 + u holds every float u exactly from 330), and its compiled form is within a few ulps of
the exact typed formula (float64 and float32); constant exponents that become arithmetic and constant
bases are left alone, and the rearrange rules that read (1 + u)**v as a power still apply."""
import numpy as np
import sympy

import symgraph as sg
from rulecheck import Case, rule_tests
from rulecheck import X, Y
from symgraph import ops
from symgraph.ir import const
from symgraph.reference import bits_of_error, exact, log_uniform
from symgraph.rules import powers
from symgraph.stable_pow import POW1P

FIFTH = const(sympy.Rational(1, 5))
DPS = 400

CASES = [
    Case("pow1p", lambda x, y, p, r: ops.POW(1 + x, y), {}, 1.5, dps=DPS),
    Case("pow1p", lambda x, y, p, r: ops.POW(1 + 1 / x, x), {}, 2.0, dps=DPS),
    # from x below 2^-1023, 1/x is inf: no float form is right there
    Case("pow1p", lambda x, y, p, r: ops.POW(1 + x, 1 / x), {X: (1e-300, 1e300)}, 2.0, dps=DPS),
    Case("pow1p-one-minus", lambda x, y, p, r: ops.POW(1 - x, y), {}, 1.5, dps=DPS),
    # (1 + x)**y - 1: powm1's expm1(y log1p(x)) near 0, the difference of pow1p beyond
    Case("pow1p-minus-one", lambda x, y, p, r: ops.POW(1 + x, y) - 1, {}, 2.5, dps=DPS),
    Case("one-minus-pow1p", lambda x, y, p, r: 1 - ops.POW(1 + x, y), {}, 2.5, dps=DPS),
    # Herbie's 2nthrt, (x + 1)^(1/5) - x^(1/5), both ways round
    Case("pow1p-difference", lambda x, y, p, r: ops.POW(1 + x, FIFTH) - ops.POW(x, FIFTH), {}, 3.0, dps=DPS),
    Case("pow-pow1p-difference", lambda x, y, p, r: ops.POW(x, FIFTH) - ops.POW(1 + x, FIFTH), {}, 3.0, dps=DPS),
    # limits of the power: (1 + 1/x)**x - e and exp(x) - (1 + x/y)**y, where y x/y is x
    Case("pow1p-minus-exp", lambda x, y, p, r: ops.POW(1 + 1 / x, x) - const(sympy.E), {}, 2.5, dps=DPS),
    Case("exp-minus-pow1p", lambda x, y, p, r: ops.EXP(x) - ops.POW(1 + x / y, y), {X: (-700, 700)}, 2.5,
         dps=DPS),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in powers.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def _fired(expr, *symbols):
    return [firing.rule for firing in sg.compile(list(symbols) or [X.attr], expr).trace]


def test_constant_exponents_that_become_arithmetic_stay_powers():
    x = X.attr
    # integers to 32 are multiplications, k + 1/2 a product with sqrt, 1/3 cbrt (rules/specialize.py)
    for exponent in (3, 7, -5, 32, sympy.Rational(3, 2), sympy.Rational(17, 2), sympy.Rational(1, 3)):
        fired = _fired((1 + x) ** exponent)
        assert "pow1p" not in fired, (exponent, fired)
    # other constants remain a libm pow, whose rounded base pow1p replaces
    for exponent in (33, -40, sympy.Rational(2, 3), sympy.Rational(-5, 2), 0.3, sympy.pi):
        assert "pow1p" in _fired((1 + x) ** exponent), exponent


def test_constant_bases_and_other_sums_are_left_alone():
    x, y = X.attr, Y.attr
    assert not {"pow1p", "pow1p-one-minus"} & set(_fired(sympy.Rational(3, 2) ** x))
    assert not {"pow1p", "pow1p-one-minus"} & set(_fired((2 + x) ** y, x, y))
    assert "pow1p" in _fired((1 + x + y) ** y, x, y)


def test_powm1_of_small_integer_powers_is_unchanged():
    # (1 + x)**n - 1 for the n that stay powers still goes the rearrange (or fractions) way, never pow1p
    x = X.attr
    for n in (3, 7, 20):
        fired = _fired((1 + x) ** n - 1)
        assert not {"pow1p", "pow1p-minus-one"} & set(fired), (n, fired)
        f = sg.compile(x, (1 + x) ** n - 1)
        points = np.geomspace(1e-20, 1e-3, 30)
        node = sg.lower((1 + x) ** n - 1).outputs[0]
        assert max(bits_of_error(f(points), [exact(node, {x: float(v)}) for v in points])) <= 2.5, n


def test_pow1p_minus_one_builds_expm1_of_log1p():
    x, y = X.attr, Y.attr
    graph = sg.compile([x, y], (1 + x) ** y - 1).graph
    names = {n.op.name for n in graph.nodes}
    # expm1 of y*log1p(x) takes that product's rounding error along (rules/compensate.py)
    assert {"expm1_pair", "log1p", "pow1p"} <= names and "pow" not in names


# the headline formulas: typed, the rounding of 1 + u is magnified by the exponent
HEADLINE = [
    ("(1 + 1/x)**x", lambda x: (1 + 1 / x) ** x, log_uniform(1, 1e15)),
    ("(1 + x)**(1/x)", lambda x: (1 + x) ** (1 / x), log_uniform(1e-15, 1)),
    ("(1 - x)**(1/x)", lambda x: (1 - x) ** (1 / x), log_uniform(1e-15, 0.5)),
    ("(1 + x)**(-1e16)", lambda x: (1 + x) ** sympy.Float(-1e16), log_uniform(1e-17, 1e-15)),
]


def test_headline_formulas_are_accurate_and_the_typed_ones_are_not():
    x = X.attr
    exprs = [build(x) for _, build, _ in HEADLINE]
    typed, rewritten = sg.compile(x, exprs, rewrite=False), sg.compile(x, exprs)
    rng = np.random.default_rng(3)
    for i, (name, build, sampler) in enumerate(HEADLINE):
        points = sampler(rng, 300)
        node = sg.lower(exprs[i]).outputs[0]
        exact_values = [exact(node, {x: float(v)}) for v in points]
        typed_bits = bits_of_error(typed(points)[i], exact_values)
        new_bits = bits_of_error(rewritten(points)[i], exact_values)
        assert typed_bits.mean() > 10 and new_bits.max() <= 1.6 and new_bits.mean() < 0.5, \
            (name, typed_bits.mean(), new_bits.max(), new_bits.mean())
        assert any(n.op is POW1P for n in rewritten.graph.nodes)


def test_gradient_of_a_pow1p_is_accurate():
    # d/dx (1 + 1/x)^x = (1 + 1/x)^x (log1p(1/x) - 1/(x + 1)): the gradient graph gets pow1p too
    x = X.attr
    f = sg.compile(x, (1 + 1 / x) ** x, grad=True)
    points = np.array([10.0, 1e3, 1e6])
    _, (grad,) = f(points)
    want = [float(sympy.N(sympy.diff((1 + 1 / x) ** x, x).subs(x, sympy.Float(v, 60)), 40)) for v in points]
    np.testing.assert_allclose(grad, want, rtol=1e-9)


def test_a_power_minus_its_limit_keeps_the_digits_the_typed_difference_loses():
    # (1 + 1/x)**x - e at x = 1e6 .. 1e15 and exp(x) - (1 + x/n)**n at n = 1e8: the typed differences lose
    # 20 to 50 bits
    x, n = sympy.symbols("x n", positive=True)
    exprs = [(1 + 1 / x)**x - sympy.E, sympy.exp(x) - (1 + x / n)**n]
    f, typed = sg.compile([x, n], exprs), sg.compile([x, n], exprs, rewrite=False)
    xs = np.array([1e6, 3e9, 1e12, 1e15, 0.5, 2.0, 1e-3, 7.0])
    ns = np.array([1.0, 1.0, 1.0, 1.0, 1e8, 1e8, 1e10, 1e12])
    got, plain = f(xs, ns), typed(xs, ns)
    for k, (lo, hi) in enumerate([(0, 4), (4, 8)]):
        for i in range(lo, hi):
            want = exact(sg.lower(exprs[k]).outputs[0], {x: float(xs[i]), n: float(ns[i])}, dps=60)
            assert bits_of_error(got[k][i], want) <= 2.0, (exprs[k], xs[i], got[k][i], want)
            assert bits_of_error(plain[k][i], want) > 15, (exprs[k], xs[i])
