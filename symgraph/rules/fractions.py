"""Sums of rational functions of one value that cancel (catalogue F16): 1/(x + 1) - 2/x + 1/(x - 1) is
2/(x (x - 1)(x + 1)), x - x^2/(x + 1) is x/(x + 1). The terms decay like x^-1 and their sum like x^-3,
so for large x the typed sum subtracts nearly equal terms; over the common denominator (computed exactly,
with rational coefficients) nothing cancels but the numerator's own roots, where the function itself is
ill-conditioned. Run in the rearrange phase, after the two-term reciprocal-difference of stabilize.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const
from ..rewrite import Rule, Validity, Var

x, y = Var("x"), Var("y")
MAX_NODES = 48     # a sum of a few fractions; larger subtrees are not worth sympy's time per node
MAX_DEGREE = 8
_T = sympy.Dummy("t")
_ARITHMETIC = (ops.ADD, ops.SUB, ops.NEG, ops.MUL, ops.DIV)


def _as_rational_functions(nodes):
    """([expression in _T per node], the one non-constant leaf) when the nodes are +, -, *, / and small
    integer powers of a single leaf and rational constants, with a division somewhere; None otherwise.
    Iterative over the (bounded) subtrees."""
    values, leaf, count, divides = {}, None, 0, False
    stack = [(node, False) for node in nodes]
    while stack:
        n, expanded = stack.pop()
        if n in values:
            continue
        if expanded:
            a = [values[arg] for arg in n.args]
            if n.op is ops.ADD:
                values[n] = sympy.Add(*a)
            elif n.op is ops.MUL:
                values[n] = sympy.Mul(*a)
            elif n.op is ops.SUB:
                values[n] = a[0] - a[1]
            elif n.op is ops.NEG:
                values[n] = -a[0]
            elif n.op is ops.DIV:
                values[n] = a[0] / a[1]
                divides = True
            else:  # POW with an integer exponent
                values[n] = a[0] ** a[1]
                divides = divides or a[1] < 0
            continue
        count += 1
        if count > MAX_NODES:
            return None
        if n.is_const:
            v = n.value
            if not (v.is_Number and v.is_finite):
                return None
            values[n] = sympy.Rational(v)  # a float constant is the binary value the kernel uses
            continue
        is_power = n.op is ops.POW and n.args[1].is_const and n.args[1].value.is_Integer \
            and abs(int(n.args[1].value)) <= MAX_DEGREE
        if n.op in _ARITHMETIC or is_power:
            stack.append((n, True))
            stack.extend((a, False) for a in n.args if a not in values)
            continue
        if leaf is not None and leaf is not n:
            return None
        leaf = n
        values[n] = _T
    if leaf is None or not divides:
        return None  # polynomials have nothing to put over a common denominator
    return [values[n] for n in nodes], leaf


def _decay(expr):
    """k where expr ~ t^-k for large t."""
    numerator, denominator = sympy.fraction(sympy.cancel(expr))
    return sympy.degree(denominator, _T) - sympy.degree(numerator, _T)


def _horner(coefficients, leaf):
    """The polynomial with these coefficients (highest first) at leaf."""
    result = None if coefficients[0] == 1 and len(coefficients) > 1 else const(coefficients[0])
    for c in coefficients[1:]:
        result = leaf if result is None else result * leaf
        if c != 0:
            result = result + const(c) if c > 0 else result - const(-c)
    return result


def _linear_factor(leaf, root):
    if root == 0:
        return leaf
    return leaf - const(root) if root > 0 else leaf + const(-root)


def _common_denominator(first, second, sign):
    parsed = _as_rational_functions([first, second])
    if parsed is None:
        return None
    (a, b), leaf = parsed
    total = a + b if sign > 0 else a - b
    terms = sympy.Add.make_args(total)
    if len(terms) < 2:
        return None
    numerator, denominator = sympy.fraction(sympy.cancel(sympy.together(total)))
    if not denominator.has(_T) or sympy.degree(denominator, _T) > MAX_DEGREE:
        return None
    decay = sympy.degree(denominator, _T) - sympy.degree(numerator, _T)
    if decay <= min(_decay(t) for t in terms):
        return None  # the terms do not cancel each other for large values
    lead, factors = sympy.factor_list(denominator, _T)
    roots = []
    for factor, multiplicity in factors:
        if sympy.degree(factor, _T) != 1:
            return None  # an irreducible quadratic would be evaluated with its own cancellation
        a, b = sympy.Poly(factor, _T).all_coeffs()
        roots += [-b / a] * multiplicity
        lead *= a ** multiplicity
    coefficients = [c / lead for c in sympy.Poly(numerator, _T).all_coeffs()]
    # divide factor by factor: the product of the factors would overflow (x^3 from x = 6e102) where the
    # quotient is still a normal number; for large x each quotient is smaller than the last
    result = _horner(coefficients, leaf)
    for root in roots:
        result = result / _linear_factor(leaf, root)
    degree = len(coefficients) - 1
    if degree == 0:
        return result
    return _asymptotic_beyond(result, leaf, coefficients, roots)


def _asymptotic_beyond(result, leaf, coefficients, roots):
    """Above a bound where the numerator of degree d would overflow float32, its leading term over x^m
    (m factors) instead: there the other terms are below 2^-58 of it, in float64 too; also the limit 0 at
    infinite x, where the numerator's inf over the factors' inf is NaN."""
    degree = len(coefficients) - 1
    if degree > 2:
        return None  # float32's bound 2^(120/d) leaves float64's asymptotic form inaccurate
    size = max(1, sum(abs(c) for c in coefficients))
    bound = sympy.Integer(2) ** (120 // degree) / sympy.ceiling(size ** sympy.Rational(1, degree))
    lead = coefficients[0]
    spread = [abs(r) for r in roots] + [abs(c / lead) ** sympy.Rational(1, k)
                                        for k, c in enumerate(coefficients[1:], 1) if c != 0]
    if bound < sympy.Integer(2) ** 58 * max([1] + spread):
        return None
    far = const(lead)
    for _ in range(len(roots) - degree):
        far = far / leaf
    if far.is_const:  # the limit is a constant; NaN stays NaN
        far = ops.SELECT(ops.EQ(leaf, leaf), far, leaf)
    return ops.SELECT(ops.LT(ops.ABS(leaf), const(bound)), result, far)

RULES = [
    Rule("common-denominator", x - y, lambda x, y: _common_denominator(x, y, -1), validity=Validity.ACCURACY,
         phase="rearrange", ref="F16",
         doc="1/(x + 1) - 2/x + 1/(x - 1) cancels for large x; it is 2/(x (x - 1)(x + 1))"),
    Rule("common-denominator-sum", x + y, lambda x, y: _common_denominator(x, y, 1),
         validity=Validity.ACCURACY, phase="rearrange", ref="F16",
         doc="x/(x + 1) + 1/(x + 1) is 1; sums as one fraction when the terms cancel for large x"),
]
