"""symgraph.rules._power_series: the exact series the series rules use in place of SymPy's, checked against
SymPy's own series (the ground truth it replaces), term by term, and its declines."""
import sympy
from hypothesis import given, settings, strategies as st

from symgraph.rules._power_series import coefficients

x = sympy.Symbol("x")
t = sympy.Symbol("t", positive=True)
half, third = sympy.Rational(1, 2), sympy.Rational(1, 3)


def sympys(expr, var, order):
    """SymPy's series below var^order as {power: coefficient} (its powers as SymPy numbers)."""
    found = {}
    for term in sympy.Add.make_args(sympy.expand(sympy.series(expr, var, 0, order, dir="+").removeO())):
        c, p = term.as_coeff_exponent(var)
        if c != 0:
            found[p] = found.get(p, 0) + c
    return {p: c for p, c in found.items() if c != 0}


# every function the module expands, Laurent terms, cancelling sums, shared subexpressions
AT_ZERO = [x / 2 + x / (sympy.exp(x) - 1) - 1, half + 1 / (sympy.exp(x) - 1) - 1 / x,
           sympy.exp(2 * x) - 2 * sympy.exp(x) + 1, 2 / sympy.tanh(2 * x) - 1 / sympy.tanh(x),
           -x**2 / 2 + sympy.log(2 * sympy.sinh(x / 2)**2 + 1), -1 / (sympy.cos(x) - 1) - 2 / x**2,
           2 * x / (x + 2) - sympy.log(x + 1), sympy.atan(x) - x / (x**2 + 1),
           (-1 / x + 3 / x**3) * sympy.sin(x) - 3 * sympy.cos(x) / x**2, sympy.tan(x) - x, sympy.asin(x) - x,
           sympy.asinh(x), sympy.atanh(x) - x, sympy.sinc(x), sympy.sqrt(1 + x) - 1 - x / 2, sympy.cbrt(8 + x),
           (1 + x)**sympy.Rational(-3, 2), sympy.cot(x) - 1 / x, 1 / sympy.sin(x)**2, sympy.sec(x) - sympy.cosh(x),
           sympy.csc(x) - sympy.csch(x), sympy.coth(x) - 1 / x, sympy.sech(x)**3, sympy.exp(sympy.sin(x)) - 1,
           sympy.log(sympy.cos(x)), sympy.log(4 + 4 * x) - sympy.log(4), (x + x**2)**4 / x**3]


def test_the_series_at_zero_are_sympys():
    for expr in AT_ZERO:
        assert coefficients(expr, x, 8) == sympys(expr, x, 8), expr
    for expr in AT_ZERO[:6]:  # cut short below the first cancelled terms
        assert coefficients(expr, x, 2) == sympys(expr, x, 2), expr


# at infinity, as taylor_infinity spells them: x = 1/t, t > 0 (roots of t^-2, logs of 2/t that cancel)
FAR_OUT = [x / (x + sympy.sqrt(x * (x + 1))) - half, ((x + 1) * (x * (x - 1) + 1))**third - x,
           sympy.log(x + sympy.sqrt(x - 1) * sympy.sqrt(x + 1)) - sympy.log(2 * x), sympy.log(1 + 1 / x) - 1 / x,
           sympy.log(x**2 + 1) - 2 * sympy.log(x), x**2 * (sympy.cos(1 / x) - 1) + half,
           sympy.sqrt(x**2 + x) - x - half]


def test_the_series_at_infinity_are_sympys():
    for expr in FAR_OUT:
        at_t = expr.subs(x, 1 / t)
        assert coefficients(at_t, t, 10, positive=True) == sympys(at_t, t, 10), expr


def test_what_is_not_a_rational_power_series_is_left_to_sympy():
    declined = [sympy.exp(1 + x),        # exp(1), an irrational coefficient
                sympy.sqrt(2 + x),       # sqrt(2)
                sympy.log(2 + x),        # log(2) that nothing cancels
                sympy.log(x),            # log(x)
                sympy.sqrt(x),           # a series in sqrt(x)
                sympy.sqrt(x**2),        # |x| on both sides of 0
                sympy.exp(1 / x),        # an essential singularity
                sympy.erf(x),            # a function the module does not know
                sympy.Abs(x), sympy.pi * x, x * sympy.Symbol("y"), x**x,
                sympy.sqrt(-1 + x)]      # an imaginary coefficient
    for expr in declined:
        assert coefficients(expr, x, 8) is None, expr
    # on t > 0 the half powers are the module's, as long as the result is in whole powers
    assert coefficients(sympy.sqrt(t), t, 8, positive=True) is None
    assert coefficients(sympy.sqrt(t**2 + t**3), t, 4, positive=True) == {1: 1, 2: half, 3: -sympy.Rational(1, 8)}
    assert coefficients(sympy.log(2 / t), t, 4, positive=True) is None  # -log(t) stays


def test_a_float_is_its_exact_binary_value():
    got = coefficients(sympy.Float(0.1) * x + sympy.exp(sympy.Float(0.5) * x), x, 3)
    assert got == {0: 1, 1: sympy.Rational(0.1) + half, 2: sympy.Rational(1, 8)}


def test_a_sum_that_cancels_past_the_first_terms_tried_takes_more_terms():
    # the division by x - sin(x) - x^3/6 (x^5/120 first): 4 extra terms are not enough, 16 are
    expr = x**5 / (x - sympy.sin(x) + x**3 / 6 - x**5 / 120 + x**7 / 5040)
    assert coefficients(expr, x, 4) == sympys(expr, x, 4)


# random compositions of the module's functions; x + 1 and x - 1 make arguments that are not 0 at 0 (exp(1))
LEAVES = st.sampled_from([x, 2 * x, -x, x / 3, x**2, x + x**2, x + 1, x - 1])


def _compose(children):
    unary = st.sampled_from([sympy.exp, sympy.sin, sympy.cos, sympy.sinh, sympy.tanh, sympy.atan, sympy.asinh,
                             lambda u: sympy.log(1 + u), lambda u: sympy.sqrt(1 + u), lambda u: 1 / (1 + u),
                             lambda u: (1 + u)**-2, sympy.tan])
    return st.one_of(st.tuples(unary, children).map(lambda p: p[0](p[1])),
                     st.tuples(children, children).map(lambda p: p[0] + p[1]),
                     st.tuples(children, children).map(lambda p: p[0] * p[1] - p[1]),
                     st.tuples(children, children).map(lambda p: p[0] - p[1]))


@settings(max_examples=30, deadline=None)
@given(st.recursive(LEAVES, _compose, max_leaves=4))
def test_random_compositions_agree_with_sympy(expr):
    got, want = coefficients(expr, x, 6), sympys(expr, x, 6)
    if got is not None:  # where the module answers, its answer is SymPy's
        assert got == want, expr
    else:  # and where it does not, SymPy's is no power series with rational coefficients (exp(1), log(2))
        assert any(not c.is_Rational or not p.is_Integer for p, c in want.items()), expr
