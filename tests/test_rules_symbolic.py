"""symgraph.rules._symbolic: differences of small arithmetic subgraphs cancelled exactly with SymPy, with
every non-arithmetic node as an opaque symbol."""
import sympy

from symgraph import ops
from symgraph.ir import Graph, const, symbol
from symgraph.rules._symbolic import MAX_NODES, cancelled, factored_difference

X, Y = (symbol(s) for s in sympy.symbols("x y"))


def _value(node):
    return sympy.expand(Graph([node]).to_sympy())


def test_the_terms_that_cancel_are_taken_out():
    x, y = sympy.symbols("x y")
    assert _value(cancelled(X * X, X * X - Y)) == y                       # x - sqrt(x^2 - c)
    assert _value(cancelled(const(1), (1 - X) * (1 + X))) == x**2        # 1 - sqrt(1 - x^2)
    assert _value(cancelled((X / 2) * (X / 2), X * X / 4 - X * Y)) == x * y  # the quadratic formula with b/2
    s = ops.SIN(X)
    assert _value(cancelled(s * s + Y, s * s)) == y                       # sin(x) is one opaque value


def test_nothing_is_returned_where_nothing_cancels():
    assert cancelled(X * X, Y) is None                                   # x^2 - y: as many terms as apart
    assert cancelled(ops.SIN(X) * ops.SIN(X), ops.COS(X) * ops.COS(X)) is None  # no trigonometry
    assert cancelled(X * X, X * X) is None                               # an exact 0 would drop NaN and inf


def test_a_common_factor_is_taken_out_of_a_difference():
    a, t = sympy.symbols("x y")
    product = Graph([factored_difference(-(X * Y), -(const(3) * Y))]).to_sympy()
    assert product.is_Mul and sympy.expand(product - (3 - a) * t) == 0  # -at - (-3t) = (3 - a) t
    assert factored_difference(X * Y, Y * Y + X) is None                 # no factor shared by every term
    assert factored_difference(X, Y) is None


def test_big_subgraphs_are_declined():
    total = X
    for k in range(MAX_NODES):
        total = total + const(k + 2) * X
    assert cancelled(total, total - Y) is None


def test_float_constants_are_their_binary_values():
    # 0.1 is not 1/10: (x + 0.1)^2 - x^2 - 0.2 x keeps 0.1^2 as the binary square
    c = sympy.Float(0.1)
    got = _value(cancelled((X + const(c)) * (X + const(c)), X * X + const(2 * c) * X))
    assert got == sympy.Rational(c) ** 2 + (2 * sympy.Rational(c) - sympy.Rational(2 * c)) * sympy.Symbol("x")
