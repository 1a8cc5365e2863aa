"""Polynomials in several values whose terms cancel: x**2 - 2*x*y + y**2 is (x - y)**2, x**3 - 3*x**2*y +
3*x*y**2 - y**3 is (x - y)**3, x**2*y + y**3 - 2*x*y**2 is y*(x - y)**2. Typed, the terms round before they
cancel (47 bits of error near x = y); factored, the difference x - y is exact there (Sterbenz) and the
products lose nothing. (Polynomials of one value with dyadic roots are factored in fractions.py.)

SymPy factors the expanded polynomial over the rationals, where the factors hold a linear one with terms
of both signs (x - y, near whose root the typed terms cancel). The rule runs in the stabilize phase, before
rearrange's common-factor could take a monomial out of a part of the sum and hide the whole, and only on
sums of three to ten terms in two or three values (symbols or opaque nodes) of degree 2 to 4 with terms of
both signs: small enough for SymPy per node; every other sum is left alone without calling it.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..rewrite import Rule, Validity, Var
from ._symbolic import _to_node, _to_sympy

p, q = Var("p"), Var("q")
MAX_TERMS, MAX_DEGREE = 10, 4


def _terms(node) -> int:
    """Number of addends of a sum, through nested sums and differences."""
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        if n.op in (ops.ADD, ops.SUB):
            stack.extend(n.args)
        elif n.op is ops.NEG:
            stack.append(n.args[0])
        else:
            count += 1
    return count


def _has_difference(expr, leaves) -> bool:
    """A linear factor with terms of both signs (x - y, 2x - 3y): near its root the factored form has one
    exact subtraction where the expanded terms cancel. (A nonlinear factor with both signs, the
    x^2 - 3xy + 3y^2 of x(x^2 - 3xy + 3y^2), has not removed the cancellation; a sum inside a bigger one
    factored that way would hide the bigger one's factors from this rule.)"""
    for factor in sympy.Mul.make_args(expr):
        base = factor.base if factor.is_Pow else factor
        if base.is_Add and sympy.Poly(base, *leaves).total_degree() == 1:
            if len({t.as_coeff_Mul()[0] > 0 for t in base.args}) == 2:
                return True
    return False


def _factored(node):
    if _terms(node) < 3:
        return None  # two terms: difference of squares, common factors (algebra, rearrange)
    parsed = _to_sympy([node])
    if parsed is None:
        return None
    values, leaves = parsed
    if not 2 <= len(leaves) <= 3:
        return None
    expanded = sympy.expand(values[node])
    if not expanded.is_Add or len(expanded.args) > MAX_TERMS or not expanded.is_polynomial(*leaves):
        return None
    poly = sympy.Poly(expanded, *leaves)
    if not 2 <= poly.total_degree() <= MAX_DEGREE or len({c > 0 for c in poly.coeffs()}) < 2:
        return None
    factored = sympy.factor(expanded)
    if not (factored.is_Mul or factored.is_Pow) or not _has_difference(factored, list(leaves)):
        return None
    new = _to_node(factored, leaves)
    if new is None:
        return None
    # the factors overflow about where the terms do; where they do and the typed sum does not, typed
    return ops.SELECT(ops.EQ(new - new, 0), new, node)


_SEEN: dict = {}  # node key -> result: an n-ary sum matches p + q once per choice of p


def _factored_once(node):
    if node.key not in _SEEN:
        if len(_SEEN) > 10_000:
            _SEEN.clear()
        _SEEN[node.key] = _factored(node)
    return _SEEN[node.key]


RULES = [
    Rule("factored-polynomial", p + q, lambda p, q: _factored_once(ops.ADD(p, q)), validity=Validity.ACCURACY,
         phase="stabilize", doc="x**2 - 2*x*y + y**2 cancels near x = y; (x - y)**2 does not"),
    Rule("factored-polynomial-difference", p - q, lambda p, q: _factored_once(p - q), validity=Validity.ACCURACY,
         phase="stabilize", doc="x**2 + y**2 - 2*x*y, as SymPy may order it"),
]
