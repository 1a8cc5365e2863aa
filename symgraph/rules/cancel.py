"""Quotients whose numerator and denominator share a factor: the difference quotient (1/(x + h) - 1/x)/h is
-1/(x (x + h)), (pi/2)(1/(b^2 - a^2))(1/a - 1/b) is pi/(2 a b (a + b)), (x^2 - 1)/(x - 1) is x + 1.
Typed, the shared factor is computed twice, in the numerator and in the denominator (h and the exact
difference x - (x + h) of the reciprocals' common numerator), and each of its roundings, and those of the
sums it takes apart, stays in the result; cancelled, it is not computed at all (3 roundings of the
difference quotient instead of 5). The rational function of the inputs is put in lowest terms by SymPy
and factored; a quotient of functions' values (exp, log) is left to the stability rules, whose patterns
(1 - sigmoid(x))(1 + e^-x) are such quotients.

Only where the shared factor is one that typed sums compute by cancelling: a factor with coefficients of
both signs (b - a), or a sum of the subgraph whose terms subtract symbolically (x - (x + h)); (1 + u^2)/(2
+ u^2) with u = 2t/(1 + t) shares (1 + t)^2 with nothing subtracted, and its typed form is the better one.

Where a factor cancelled from a denominator is 0 the typed quotient divides by 0 (0/0 or 0 times inf: NaN)
and the cancelled one has the limit; the formula is undefined there, so NaN is kept (validity G).
Canonicalize phase: stabilize's reciprocal-difference would otherwise have taken the numerator's 1/a - 1/b
apart first.

Sums of fractions of two or more inputs whose terms cancel symbolically over their common denominator (a
monomial of two terms' expanded numerators with opposite signs): (x + 1)/(x - 1) (l^2 + 2t^2) - l^2 is
2(l^2 + t^2 (x + 1))/(x - 1), whose typed terms are both near l^2 for large x. Put in lowest terms and
factored as above, in the rearrange phase (after the stability rules for such sums), typed where the new
form is not finite (its products may meet inf*0 where the typed terms overflowed). Fractions of one input
are rules/fractions.py's.

Sums of two values of one function whose coefficients cancel: c1 f(u) + c2 f(v) with c1 + c2 simpler than
its terms ((1 + 1/e) e^-(1 - e)x - (1/e - 1) e^-(1 + e)x, Hamming's NMSE 6.1 A: the 1/e parts cancel, and
f(u) - f(v) is small) is d (f(u) - f(v)) + s (f(u) + f(v)) with s = (c1 + c2)/2 and d = (c1 - c2)/2 in
lowest terms (here 1/2 and 1/(2e)): the difference of the two values is then a node the difference rules
take (exp-difference: e^v expm1(u - v), u - v = 2ex exactly), not a difference of two large products.
Where the coefficients have one sign (|s| >= |d|) the typed sum subtracts nothing and is kept. Rearrange
phase: after stabilize's rules for such sums (x log(x/y) + (1 - x) log((1 - x)/(1 - y)) is a divergence).
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const
from ..rewrite import Rule, Validity, Var
from ._guards import is_finite
from ._symbolic import _terms, _to_node, _to_sympy, is_small_power, once_per_node, signed_terms

x, y = Var("x"), Var("y")
NAN = const(sympy.nan)
MAX_SIZE = 40       # arithmetic nodes of the subgraph: a few fractions, as _symbolic's bound
_SUMS = (ops.ADD, ops.SUB)
_ARITHMETIC = (ops.ADD, ops.SUB, ops.NEG, ops.MUL, ops.DIV)


def _arithmetic_nodes(node):
    """The arithmetic nodes of the subgraph at node, each after its arguments; None beyond MAX_SIZE."""
    order, seen, stack = [], set(), [(node, False)]
    while stack:
        n, expanded = stack.pop()
        if expanded:
            order.append(n)
            continue
        if n.key in seen:
            continue
        seen.add(n.key)
        if len(seen) > MAX_SIZE:
            return None
        below = n.args if n.op in _ARITHMETIC else n.args[:1] if is_small_power(n, 4) else None
        if below is not None:
            stack.append((n, True))
            stack.extend((a, False) for a in below)
    return order


def _fraction_as_typed(order, values, pairs=None):
    """(numerator, denominator) of the subgraph's value combined as typed, with nothing cancelled: each
    sum over the product of its terms' denominators, each quotient as the cross product. Where a factor
    of both is 0, the typed form is 0/0 or 0 times inf. `pairs` (a dict) receives every node's pair."""
    pairs = {} if pairs is None else pairs

    def pair(n):
        return pairs[n.key] if n.key in pairs else (values[n], sympy.Integer(1))
    for n in order:
        if n.op is ops.NEG:
            num, den = pair(n.args[0])
            pairs[n.key] = (-num, den)
        elif n.op is ops.MUL:
            num, den = sympy.Integer(1), sympy.Integer(1)
            for a in n.args:
                p, q = pair(a)
                num, den = num * p, den * q
            pairs[n.key] = (num, den)
        elif n.op is ops.DIV:
            (p, q), (r, s) = pair(n.args[0]), pair(n.args[1])
            pairs[n.key] = (p * s, q * r)
        elif n.op in _SUMS:
            (p, q), (r, s) = pair(n.args[0]), pair(n.args[1])
            if n.op is ops.SUB:
                r = -r
            num, den = p * s + r * q, q * s
            for a in n.args[2:]:
                r, s = pair(a)
                num, den = num * s + r * den, den * s
            pairs[n.key] = (num, den)
        else:  # a small integer power
            (p, q), k = pair(n.args[0]), int(n.args[1].value)
            pairs[n.key] = (p**k, q**k) if k >= 0 else (q**-k, p**-k)
    return pair(order[-1])


def _adds(expr) -> int:
    return sum(1 for e in sympy.preorder_traversal(expr) if e.is_Add)


def _mixed_signs(factor) -> bool:
    """A polynomial factor with coefficients of both signs (b - a): it is small where its terms cancel."""
    signs = {c > 0 for c in sympy.Poly(factor).coeffs()}
    return len(signs) == 2


def _sum_cancels(node, values, pairs) -> bool:
    """Whether the typed sum at node subtracts symbolically: two of its terms' numerators over their common
    denominator hold a monomial with opposite signs (1/(x + h) - 1/x: x - (x + h))."""
    terms = signed_terms(node)
    split = [(pairs.get(t.key, (values[t], sympy.Integer(1))), sign) for t, sign in terms if t in values]
    if len(split) != len(terms):
        return False
    common = sympy.Integer(1)
    for (_, d), _ in split:
        common = common * d
    return _terms_cancel([sign * n * sympy.cancel(common / d) for (n, d), sign in split])


def _of_the_inputs(node):
    """(values, leaves) of the subgraph at node (rules/_symbolic.py's _to_sympy) where its value is a
    rational function of the inputs only; None otherwise (a function's value is some stability rule's
    pattern: sigmoids)."""
    parsed = _to_sympy([node], symbolic_constants=True)
    if parsed is None:
        return None
    values, leaves = parsed
    value = values[node]
    if value.has(sympy.Piecewise) or value.is_number or any(n.args for n in leaves.values()):
        return None
    return values, leaves


def _in_lowest_terms(node, order, values, leaves, factors):
    """The value at node in lowest terms and factored, NaN where one of the cancelled `factors` (SymPy's
    factor_list of the shared factor) is 0; None where that has more additions than the typed subgraph,
    loses an input, or has no node form."""
    value = values[node]
    try:
        reduced = sympy.factor(sympy.cancel(value))
    except sympy.PolynomialError:
        return None
    sums = sum(1 for n in order if n.op in _SUMS)
    if _adds(reduced) > sums or set(reduced.free_symbols) != set(value.free_symbols):
        return None
    new = _to_node(reduced, leaves)
    zero = [_to_node(f, leaves) for f, k in factors if k > 0 and not f.is_number]
    if new is None or any(z is None for z in zero):
        return None
    if not zero:
        return new
    zero = [ops.EQ(z, 0) for z in zero]
    return ops.SELECT(zero[0] if len(zero) == 1 else ops.OR(*zero), NAN, new)


def _cancelled_quotient(node):
    order = _arithmetic_nodes(node)
    if order is None:
        return None
    sums = sum(1 for n in order if n.op in _SUMS)
    if sums < 2 or not any(n.op is ops.DIV or is_small_power(n, 4) for n in order):
        return None  # a common factor worth taking out is a sum (a lone symbol's x/x is canonical's)
    parsed = _of_the_inputs(node)
    if parsed is None:
        return None
    values, leaves = parsed
    pairs = {}
    try:
        common = sympy.gcd(*_fraction_as_typed(order, values, pairs))
        if common.is_number:
            return None
        _, factors = sympy.factor_list(common)
        if not any(_mixed_signs(f) for f, _ in factors) and \
                not any(_sum_cancels(n, values, pairs) for n in order if n.op in _SUMS):
            return None  # a shared factor that no typed sum computes by cancelling (below)
    except sympy.PolynomialError:
        return None
    return _in_lowest_terms(node, order, values, leaves, factors)


_cancelled_once = once_per_node(_cancelled_quotient)


def _terms_cancel(parts) -> bool:
    """Whether two of the expanded numerators of a sum's terms (over the common denominator) hold one
    monomial with opposite signs that (mostly) cancel: there the typed sum subtracts what the exact one does
    not hold. A partial difference (-15/2 + 1 in -(x y + 5/2) + 1/(x + 3)) is no sign of cancellation:
    the monomial's total must be below half its largest part (over [0.1, 10]^2 that sum put in lowest
    terms rounds more often: 0.45 bits against the typed 0.27; at half, x + (1/2 - x)(y + 1/2) + 1/y: 0.74
    against 0.57)."""
    coefficients = {}
    for k, part in enumerate(parts):
        for monomial, c in sympy.expand(part).as_coefficients_dict().items():
            coefficients.setdefault(monomial, []).append((k, c))
    for found in coefficients.values():
        mixed = any((a > 0) != (b > 0) for j, a in found for k, b in found if j != k)
        if mixed and 2 * abs(sum(c for _, c in found)) < max(abs(c) for _, c in found):
            return True
    return False


def _cancelling_sum(node):
    # a sum of fractions of two or more inputs whose terms cancel symbolically over their common
    # denominator: Toniolo and Linder's (x + 1)/(x - 1) (l^2 + 2t^2) - l^2 = 2(l^2 + t^2 (x + 1))/(x - 1),
    # whose typed terms cancel for large x (the l^2 x parts: 2.6 bits, 7.9 at x ~ 1e8). Put in lowest
    # terms and factored by SymPy, as common-factor-quotient, where that has no more additions than the
    # typed sum. Fractions of one input are rules/fractions.py's (poles, far forms)
    order = _arithmetic_nodes(node)
    if order is None:
        return None
    terms = signed_terms(node)
    if len(terms) < 2 or not any(n.op is ops.DIV and not n.args[1].is_const for n in order):
        return None
    parsed = _of_the_inputs(node)
    if parsed is None or len(parsed[0][node].free_symbols) < 2:
        return None
    values, leaves = parsed
    pairs = {}
    try:
        num, den = _fraction_as_typed(order, values, pairs)
        if not _sum_cancels(node, values, pairs):
            return None
        gcd = sympy.gcd(num, den)
        factors = [] if gcd.is_number else sympy.factor_list(gcd)[1]
    except sympy.PolynomialError:
        return None
    new = _in_lowest_terms(node, order, values, leaves, factors)
    # typed where the new form is not finite: its products may meet inf*0 where the typed terms overflowed
    # to an infinite sum (p^2 x at x = 0, p^2 = inf)
    return None if new is None else ops.SELECT(is_finite(new), new, node)


_cancelling_sum_once = once_per_node(_cancelling_sum)


def _coefficient_and_value(expr, leaves):
    """(c, f) for a product c*f whose one factor f is a function's value (an opaque non-symbol leaf) and c
    holds no other; None otherwise."""
    values = [a for a in sympy.Mul.make_args(expr) if a in leaves and leaves[a].args]
    if len(values) != 1:
        return None
    c = sympy.cancel(expr / values[0])
    return None if any(c.has(v) for v in leaves if leaves[v].args) else (c, values[0])


def _regrouped(node):
    terms = signed_terms(node)
    if len(terms) != 2:
        return None
    parsed = _to_sympy([t for t, _ in terms], symbolic_constants=True)
    if parsed is None:
        return None
    values, leaves = parsed
    split = [_coefficient_and_value(sign * values[t], leaves) for t, sign in terms]
    if None in split:
        return None
    (c1, u), (c2, v) = split
    if u == v or leaves[u].op is not leaves[v].op or c1.is_number or c2.is_number or \
            c1.has(sympy.Piecewise) or c2.has(sympy.Piecewise):
        return None
    total = sympy.expand(c1 + c2)
    if total == 0 or _terms(total) >= _terms(sympy.expand(c1)) + _terms(sympy.expand(c2)):
        return None  # nothing cancels between the coefficients (or they are opposite: common-factor's)
    s, d = sympy.factor(sympy.cancel((c1 + c2) / 2)), sympy.factor(sympy.cancel((c1 - c2) / 2))
    s_node, d_node = _to_node(s, leaves), _to_node(d, leaves)
    if s_node is None or d_node is None:
        return None
    fu, fv = leaves[u], leaves[v]
    new = d_node * (fu - fv) + s_node * (fu + fv)
    return ops.SELECT(ops.LT(ops.ABS(s_node), ops.ABS(d_node)), new, node)


_regrouped_once = once_per_node(_regrouped)

RULES = [
    Rule("common-factor-quotient", x / y, lambda x, y, node: _cancelled_once(node), whole=True,
         validity=Validity.GUARDED, phase="canonicalize", ref="H8",
         doc="(1/(x + h) - 1/x)/h = -1/(x (x + h)): the shared factor h is not computed (5 roundings -> 3)"),
    Rule("common-factor-product", x * y, lambda x, y, node: _cancelled_once(node), whole=True,
         validity=Validity.GUARDED, phase="canonicalize", ref="H8",
         doc="(1/(b^2 - a^2))(1/a - 1/b) = 1/(a b (a + b)): the factor b - a of both is not computed"),
    Rule("cancelling-sum", x - y, lambda x, y, node: _cancelling_sum_once(node), whole=True,
         validity=Validity.GUARDED, phase="rearrange", ref="H8",
         doc="(x + 1)/(x - 1) (l^2 + 2t^2) - l^2 = 2(l^2 + t^2 (x + 1))/(x - 1): the l^2 x parts cancel exactly"),
    Rule("cancelling-sum-plus", x + y, lambda x, y, node: _cancelling_sum_once(node), whole=True,
         validity=Validity.GUARDED, phase="rearrange", ref="H8", doc="the same for a sum ending in an addition"),
    Rule("cancelling-coefficients", x - y, lambda x, y, node: _regrouped_once(node), whole=True,
         validity=Validity.ACCURACY, phase="rearrange", ref="H8",
         doc="(1 + 1/e) e^u - (1/e - 1) e^v = (e^u - e^v)/e + e^u + e^v: the 1/e parts cancel exactly"),
    Rule("cancelling-coefficients-sum", x + y, lambda x, y, node: _regrouped_once(node), whole=True,
         validity=Validity.ACCURACY, phase="rearrange", ref="H8",
         doc="the same for a sum ending in an addition (SymPy's order)"),
]
