"""Homogeneous quotients past their intermediates' overflow and underflow: complex division
(a c + b d)/(c^2 + d^2), the reciprocal's c/(c^2 + d^2), the Cauchy and Poisson kernels y/(x^2 + y^2), the
parallel sum x y/(x + y). Typed, a square or product of the values overflows from 1.3e154 (the quotient is
then 0, inf or NaN) or underflows below 1.5e-154 (inf, or digits lost in subnormals), though the quotient
itself is an ordinary number.

Where the denominator Q is a homogeneous polynomial in two or more inputs v with positive coefficients
(degree q; a sum, no product or difference) and the numerator P one in the same values (degree p, its
other operands taken as coefficients), with s the power of 2 at or below max |v| (its ufp):
P(v)/Q(v) = s^(p - q) P(v/s)/Q(v/s), every v/s is exact and within (-2, 2) (C99's Annex G scales complex
division the same way). The typed quotient stays wherever its numerator and denominator are finite normal
numbers (the scale is read off the exponent bits, no libm call).
"""
from __future__ import annotations

import sympy
from sympy.polys.polyerrors import GeneratorsError, PolificationFailed

from .. import ops
from ..ir import const
from ..rewrite import Rule, Validity, Var
from ._guards import MIN_NORMAL, is_finite
from ._symbolic import _to_node, _to_sympy

x, y = Var("x"), Var("y")
MAX_VALUES = 4


def _homogeneous_degree(poly):
    """The total degree of a homogeneous polynomial (0 for a number), None for another polynomial."""
    if poly.is_zero:
        return None
    degrees = {sum(m) for m in poly.monoms()}
    return degrees.pop() if len(degrees) == 1 else None


def _scaled_quotient(numerator, denominator):
    parsed = _to_sympy([numerator, denominator])
    if parsed is None:
        return None
    values, leaves = parsed
    top, bottom = values[numerator], values[denominator]
    variables = sorted(bottom.free_symbols, key=lambda s: s.name)
    # inputs only (a function value in the denominator, expm1(x)^2 or a product of norms, is other rules'
    # own), at least two of them (one value's quotients are fractions' and over-square-plus')
    if not 2 <= len(variables) <= MAX_VALUES or any(v not in leaves or not leaves[v].is_symbol for v in variables):
        return None
    try:
        p_poly, q_poly = sympy.Poly(top, *variables), sympy.Poly(bottom, *variables)
    except (sympy.PolynomialError, PolificationFailed, GeneratorsError):
        return None
    # a sum of terms of one sign (c^2 + d^2, x + y): a product or a difference (x^2 - y^2, whose zeros are
    # the quotient's poles) is left to the typed form
    if len(q_poly.terms()) < 2 or not all(c.is_number and c > 0 for c in q_poly.coeffs()):
        return None
    p, q = _homogeneous_degree(p_poly), _homogeneous_degree(q_poly)
    # the typed form can fail before the quotient does only where a product of values is formed
    if p is None or q is None or max(p, q) < 2 or any(c.free_symbols & set(variables) for c in p_poly.coeffs()):
        return None
    nodes = [leaves[v] for v in variables]
    largest = ops.MAX(*[ops.ABS(n) for n in nodes])
    # the power of 2 at or below the largest value: the values divided by it are exact (a rounded v/s would
    # carry its error into a sum that cancels, c d/(c + d) for c ~ -d), within (-2, 2); taken as products
    # by its reciprocal (a power of 2 too, exact): one division instead of one per value
    s = ops.UFP(largest)
    r = 1 / s
    scaled = {v: sympy.Dummy(f"s{k}") for k, v in enumerate(variables)}
    own = dict(leaves)
    own.update({d: n * r for d, n in zip(scaled.values(), nodes)})
    new_top = _to_node(top.subs(scaled, simultaneous=True), own)
    new_bottom = _to_node(bottom.subs(scaled, simultaneous=True), own)
    if new_top is None or new_bottom is None:
        return None
    if p > 0:
        # the typed numerator divided by s^p (exact) where both are normal numbers: it keeps what the
        # later phases make of it (b c - a d compensated, which b (c/s) - a (d/s) would not be)
        exact_top = numerator
        for _ in range(p):
            exact_top = exact_top * r
        usable = ops.AND(ops.GE(ops.ABS(numerator), MIN_NORMAL), is_finite(exact_top),
                         ops.GE(ops.ABS(exact_top), MIN_NORMAL))
        new_top = ops.SELECT(usable, exact_top, new_top)
    new = new_top / new_bottom
    for _ in range(abs(p - q)):
        new = new * s if p > q else new * r
    kept = ops.AND(is_finite(numerator), is_finite(denominator), ops.GE(ops.ABS(numerator), MIN_NORMAL),
                   ops.GE(ops.ABS(denominator), MIN_NORMAL))
    # all values 0 or one infinite: the typed quotient's IEEE value (1/(0 + 0) = inf, 1/(inf + 1) = 0)
    # where v/s would be 0/0 or inf/inf
    special = ops.OR(ops.EQ(largest, 0), ops.EQ(largest, const(sympy.oo)))
    return ops.SELECT(ops.OR(kept, special), numerator / denominator, new)


RULES = [
    Rule("homogeneous-quotient", x / y, lambda x, y: _scaled_quotient(x, y), validity=Validity.ACCURACY,
         phase="stabilize", ref="E8",
         doc="(a*c + b*d)/(c**2 + d**2) is 0 or NaN for |c| > 1.3e154 where it is a/c: the squares overflow; "
         "so does x*y/(x + y)"),
]
