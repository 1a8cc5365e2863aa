"""Sums of rational functions of one value that cancel (catalogue F16): 1/(x + 1) - 2/x + 1/(x - 1) is
2/(x (x - 1)(x + 1)), x - x^2/(x + 1) is x/(x + 1). The terms decay like x^-1 and their sum like x^-3,
so for large x the typed sum subtracts nearly equal terms; over the common denominator (computed exactly,
with rational coefficients) nothing cancels but the numerator's own roots, where the function itself is
ill-conditioned. The same holds near a root of the sum that float64 holds exactly (1 - 1/(1 + x) near 0,
x/(x + 1) - 1/2 near 1, x^2 - 2x + 1 near 1): the terms there are of order 1 and the sum is not, while the
numerator's linear factor (x - r) is exact near r. Run in the rearrange phase, after the two-term
reciprocal-difference of stabilize.

A product of a value and a sum holding a term over that value, x (y + z/x), is x y + z: the typed form rounds
z/x, the sum and the product (and cancels where y ~ -z/x), the distributed one rounds once (an FMA).

A quotient of such functions whose typed terms reach higher powers than the result (x/(1 + x)^2) is, far
out, its leading power times two polynomials in 1/x (quotient-beyond-overflow, specialize phase: after the
sum rules have put sums over one denominator, which may leave no such quotient).
"""
from __future__ import annotations

import sympy

from .. import ops
from ..compensated import CARRIED, ROUNDING_ERRORS
from ..ir import const
from ..rewrite import Rule, Validity, Var
from ._guards import HALF, is_finite
from ._symbolic import cancelled, exact_value, is_small_power, once_per_node

x, y, z = Var("x"), Var("y"), Var("z")
MAX_NODES = 48     # a sum of a few fractions; larger subtrees are not worth sympy's time per node
MAX_DEGREE = 8
_T = sympy.Dummy("t")
_ARITHMETIC = (ops.ADD, ops.SUB, ops.NEG, ops.MUL, ops.DIV)


def _reduced(num, den):
    """num/den in lowest terms with a monic denominator; None for a division by zero."""
    if den.is_zero:
        return None
    g = num.gcd(den)
    num, den = num.exquo(g), den.exquo(g)
    lead = den.LC()
    return num.quo_ground(lead), den.quo_ground(lead)


def _combine(op, a, k=None):
    """The rational function of an arithmetic node from its arguments' (numerator, denominator) pairs."""
    if op is ops.ADD:
        num, den = a[0]
        for n2, d2 in a[1:]:
            num, den = num * d2 + n2 * den, den * d2
        return _reduced(num, den)
    if op is ops.MUL:
        num, den = a[0]
        for n2, d2 in a[1:]:
            num, den = num * n2, den * d2
        return _reduced(num, den)
    if op is ops.SUB:
        return _reduced(a[0][0] * a[1][1] - a[1][0] * a[0][1], a[0][1] * a[1][1])
    if op is ops.NEG:
        return -a[0][0], a[0][1]
    if op is ops.DIV:
        return _reduced(a[0][0] * a[1][1], a[0][1] * a[1][0])
    num, den = a[0]  # POW with an integer exponent k
    return _reduced(num ** k, den ** k) if k >= 0 else _reduced(den ** -k, num ** -k)


def _degree_bound(op, sizes, k=None):
    """Bounds on the degrees (numerator, denominator) of an arithmetic node's rational function from its
    arguments' bounds, before any cancellation (a sum's is its largest term's over the product of the
    denominators: an expanded polynomial of degree 9 is (9, 0), not the sum of its terms' degrees)."""
    if op is ops.POW:
        n, d = sizes[0]
        return (k * n, k * d) if k >= 0 else (-k * d, -k * n)
    if op is ops.NEG:
        return sizes[0]
    if op is ops.MUL:
        return sum(n for n, _ in sizes), sum(d for _, d in sizes)
    if op is ops.DIV:
        (n1, d1), (n2, d2) = sizes
        return n1 + d2, d1 + n2
    denominators = sum(d for _, d in sizes)  # ADD, SUB
    return max(n - d for n, d in sizes) + denominators, denominators


def _as_rational_functions(nodes, corrections=False):
    """({node: (numerator, denominator) as Polys in _T over QQ}, the one non-constant leaf, divides) when the nodes
    are +, -, *, / and small integer powers of a single leaf and rational constants (and whether a division
    is among them); None otherwise. Iterative over the (bounded) subtrees; Poly arithmetic, since sympy.cancel on
    expressions took seconds for a nest of fractions 30 deep. `size` bounds the degrees of a node's
    numerator and denominator (_degree_bound). With `corrections`, a compensated value (corrected(v, s, lo),
    carried(v), v + rounding errors) is the rational function of v, which it is in exact arithmetic."""
    values, size, leaf, count, divides = {}, {}, None, 0, False
    one = sympy.Poly(1, _T, domain="QQ")
    stack = [(node, False) for node in nodes]
    while stack:
        n, expanded = stack.pop()
        if n in values:
            continue
        if expanded and n.op is ops.SELECT:
            # this rule's own select(near, factored, typed) (or any select of two equal rational
            # functions): a sum holding it can still cancel as a whole
            if values[n.args[1]] != values[n.args[2]]:
                return None
            values[n], size[n] = values[n.args[2]], size[n.args[2]]
            continue
        if expanded and n.op.name in ("carried", "corrected", "plus_zero"):
            values[n], size[n] = values[n.args[0]], size[n.args[0]]
            continue
        if expanded:
            k = int(n.args[1].value) if n.op is ops.POW else None
            size[n] = _degree_bound(n.op, [size[arg] for arg in (n.args[:1] if k is not None else n.args)], k)
            if sum(size[n]) > 2 * MAX_DEGREE:
                return None
            pair = _combine(n.op, [values[arg] for arg in (n.args[:1] if k is not None else n.args)], k)
            if pair is None:
                return None
            values[n] = pair
            divides = divides or n.op is ops.DIV or (k is not None and k < 0)
            continue
        count += 1
        if count > MAX_NODES:
            return None
        if n.op is ops.PLUS_ZERO or corrections and n.op.name in ("carried", "corrected"):
            stack.append((n, True))
            stack.append((n.args[0], False))
            continue
        if corrections and n.op in ROUNDING_ERRORS:
            # a compensated polynomial's error terms (the Horner phase's v + errors): 0 in the reals
            values[n], size[n] = (sympy.Poly(0, _T, domain="QQ"), one), (0, 0)
            continue
        if n.is_const:
            value = exact_value(n)
            if value is None:
                return None
            values[n], size[n] = (sympy.Poly(value, _T, domain="QQ"), one), (0, 0)
            continue
        is_power = is_small_power(n, 2 * MAX_DEGREE)  # the degree bounds decide
        if n.op is ops.SELECT:
            stack.append((n, True))
            stack.extend((a, False) for a in n.args[1:] if a not in values)
            continue
        if n.op in _ARITHMETIC or is_power:
            stack.append((n, True))
            stack.extend((a, False) for a in (n.args[:1] if is_power else n.args) if a not in values)
            continue
        if leaf is not None and leaf is not n:
            return None
        leaf = n
        values[n], size[n] = (sympy.Poly(_T, _T, domain="QQ"), one), (1, 0)
    if leaf is None or sum(sum(size[n]) for n in nodes) > 2 * MAX_DEGREE:
        return None
    return values, leaf, divides


def _addends(roots, values):
    """The signed terms of the sum (first, sign*second), through +, - and negation: (sign, pair)."""
    out, stack = [], list(roots)
    while stack:
        n, sign = stack.pop()
        if n.op is ops.ADD:
            stack.extend((a, sign) for a in n.args)
        elif n.op is ops.SUB:
            stack.extend([(n.args[0], sign), (n.args[1], -sign)])
        elif n.op is ops.NEG:
            stack.append((n.args[0], -sign))
        else:
            out.append((sign, values[n]))
    return out


def _horner(coefficients, leaf):
    """The polynomial with these coefficients (highest first) at leaf."""
    result = None if coefficients[0] == 1 and len(coefficients) > 1 else const(coefficients[0])
    for c in coefficients[1:]:
        result = leaf if result is None else result * leaf
        if c != 0:
            result = result + const(c) if c > 0 else result - const(-c)
    return result


def _expanded(coefficients, leaf):
    """The polynomial with these coefficients (highest first) at leaf: as a sum of its terms where it has a
    real root and degree 2 or more, which the horner phase compensates (x^3 + x^2 - 2x - 1, the factor
    of x^4 - 3x^2 + x + 1 left when x - 1 is taken out, cancels near its irrational roots in Horner's form:
    15 bits); in Horner's form where nothing cancels."""
    degree = len(coefficients) - 1
    if degree < 2 or sympy.Poly(coefficients, _T).count_roots() == 0:
        return _horner(coefficients, leaf)
    result = None
    for k, c in enumerate(coefficients):
        if c == 0:
            continue
        power = degree - k
        monomial = const(1) if power == 0 else leaf if power == 1 else leaf * leaf if power == 2 else \
            ops.POW(leaf, const(power))
        term = monomial if abs(c) == 1 and power > 0 else const(abs(c)) if power == 0 else const(abs(c)) * monomial
        result = (term if c > 0 else -term) if result is None else result + term if c > 0 else result - term
    return result


def _linear_factor(leaf, root):
    if root == 0:
        return leaf
    return leaf - const(root) if root > 0 else leaf + const(-root)


def _common_denominator(first, second, sign):
    parsed = _as_rational_functions([first, second])
    if parsed is None:
        return None
    values, leaf, divides = parsed
    terms = [(s, pair) for s, pair in _addends([(first, 1), (second, sign)], values) if not pair[0].is_zero]
    if len(terms) < 2:
        return None
    numerator, denominator = sympy.Poly(0, _T, domain="QQ"), sympy.Poly(1, _T, domain="QQ")
    for s, (num, den) in terms:
        numerator, denominator = _reduced(numerator * den + (num if s > 0 else -num) * denominator,
                                          denominator * den)
    if numerator.is_zero or denominator.degree() > MAX_DEGREE:
        return None  # an exact 0 keeps the typed NaN and inf behaviour
    if not divides and numerator.degree() < 2:
        return None  # a x + b: nothing to factor (x + 1 stays x + 1)
    decay = denominator.degree() - numerator.degree()
    # polynomials have nothing to put over a common denominator for large values
    cancels_far = divides and denominator.degree() >= 1 and \
        decay > min(den.degree() - num.degree() for _, (num, den) in terms)
    numerator_roots, rest = _rational_roots(numerator)
    cancels_near = [r for r in numerator_roots if _cancels_at(r, numerator, denominator, terms)]
    if not (cancels_far or cancels_near):
        return None  # the terms do not cancel each other, for large values or at a representable root
    denominator_roots, irreducible = _rational_roots(denominator)
    if irreducible.degree() > 0:
        return None  # an irreducible quadratic would be evaluated with its own cancellation
    scale = numerator.LC() / denominator.LC()
    # near a root of the numerator its factor (x - r) is exact (Sterbenz), where the expanded polynomial
    # cancels; the rest (no rational root) by Horner. Factor by factor, alternating multiplications and
    # divisions: the product of the factors would overflow (x^3 from x = 6e102) where the quotient is
    # still a normal number
    result = _expanded([scale * c for c in rest.monic().all_coeffs()], leaf)
    if denominator.degree() == 0:
        # a polynomial: its factors overflow where its terms do, and have no poles. A repeated root's
        # factor as a power, which the specialize phase computes with one rounding ((x - 2)**9 expanded:
        # 53 bits typed, 0.03 as a power, 0.3 as a product of nine rounded factors)
        for root in dict.fromkeys(numerator_roots):
            factor = _linear_factor(leaf, root)
            k = numerator_roots.count(root)
            factor = factor if k == 1 else factor ** k
            result = factor if result.is_const and result.value == 1 else result * factor
        near = _near_roots(leaf, cancels_near, numerator, denominator, terms)
        return result if near is None else ops.SELECT(near, result, first - second if sign < 0 else first + second)
    pending = [(True, r) for r in numerator_roots]
    for i, root in enumerate(denominator_roots):
        if i < len(pending):
            result = result * _linear_factor(leaf, pending[i][1])
        result = result / _linear_factor(leaf, root)
    for _, root in pending[len(denominator_roots):]:
        result = result * _linear_factor(leaf, root)
    if cancels_far:
        coefficients = [c / denominator.LC() for c in numerator.all_coeffs()]
        return result if numerator.degree() == 0 else \
            _asymptotic_beyond(result, leaf, coefficients, denominator_roots)
    # cancellation at a root only: for large values the typed sum is accurate, and where the factored
    # form's largest partial product (Horner's part, then one factor before each division) would
    # overflow float32 before the typed terms do, the typed sum stays; so it does at infinite values,
    # where the typed terms have their limits and the factored form is inf/inf, and at a pole, where the
    # sign of the infinity is the typed spelling's (2/(1 - x) and -2/(x - 1) at x = 1)
    degree = rest.degree() + max(min(1, len(numerator_roots)), len(numerator_roots) - len(denominator_roots))
    bound = sympy.Integer(2) ** (120 // degree) if degree > 1 else sympy.oo
    typed = first - second if sign < 0 else first + second
    usable = [ops.LT(ops.ABS(leaf), const(bound)), ops.EQ(result - result, 0)]
    near = _near_roots(leaf, cancels_near, numerator, denominator, terms)
    return ops.SELECT(ops.AND(*usable, *([] if near is None else [near])), result, typed)


def _near_roots(leaf, roots, numerator, denominator, terms):
    """Where the typed sum of two terms cancels enough at its simple roots that the factored form, which
    rounds more often, is the more accurate one; None for everywhere. Near a simple root r the sum
    t1 + t2 amplifies its terms' roundings by cond(x) = (|t1| + |t2|)/|p(x)| ~ S/(|p'(r)| |x - r|) with
    S = |t1(r)| + |t2(r)|: the factored form within rho = S/(4 |p'(r)|) of r, where cond > 4 (x - 1/x:
    1/4; x - 1/x**5: 1/12; over [1e-3, 1e3] x - 1/x is 0.20 bits typed, 0.33 factored), and never
    beyond |r|/2, where x - r stops being exact (Sterbenz). A root of 0 (no scale for "near"), a repeated
    root or more terms (the amplification away from the root is not bounded by this): factored everywhere."""
    if len(terms) != 2 or 0 in roots or len(set(roots)) != len(roots):
        return None
    near = []
    for r in roots:
        slope = abs(numerator.diff(_T).eval(r) / denominator.eval(r))
        size = sum(abs(num.eval(r) / den.eval(r)) for _, (num, den) in terms)
        radius = min(size / (4 * slope), abs(r) / 2)
        near.append(ops.LT(ops.ABS(_linear_factor(leaf, r)), const(radius)))
    return ops.OR(*near) if near else None


def _rational_roots(poly):
    """The roots of `poly` that float64 holds exactly (dyadic rationals), with multiplicity, and the factor
    left when their linear factors are divided out."""
    roots, rest = [], sympy.Poly(poly.LC(), _T, domain="QQ")
    _, factors = poly.factor_list()
    for factor, multiplicity in factors:
        if factor.degree() == 1:
            a, b = factor.all_coeffs()
            root = -b / a
            if root.q & (root.q - 1) == 0 and abs(root.p) < 2 ** 53:
                roots += [root] * multiplicity
                continue
        rest = rest * factor ** multiplicity
    return roots, rest


def _order_at(poly, root):
    order, linear = 0, sympy.Poly(_T - root, _T, domain="QQ")
    while not poly.is_zero and poly.eval(root) == 0:
        poly, order = poly.exquo(linear), order + 1
    return order


def _cancels_at(root, numerator, denominator, terms):
    """The sum vanishes at `root` to a higher order than its largest term does: near it the typed sum
    subtracts terms that are large against the result."""
    total = _order_at(numerator, root) - _order_at(denominator, root)
    return total > min(_order_at(num, root) - _order_at(den, root) for _, (num, den) in terms)


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


# ---------------------------------------------------------------- quotients whose terms overflow first
def _times(a, b):
    return b if a.is_const and a.value == 1 else (a if b.is_const and b.value == 1 else a * b)


def _reversed(poly, c):
    """poly(x)/(LC x^n) as a function of c = 1/x: a factor 1 - r c for each rational root r != 0 (x - r is
    x (1 - r/x)), as common-denominator leaves polynomials with such roots, and the rest by Horner in c:
    1 + (c_{n-1}/c_n) c + ..."""
    roots, rest = _rational_roots(poly)
    coefficients = [k / rest.LC() for k in rest.all_coeffs()]  # highest power of x first: 1, k1, k2, ...
    # Horner's steps as (node, sign), the value sign*node: built in the canonical spelling (no negative
    # constant factors, a - b rather than a + (-b)), which optimizing again leaves as it is
    acc = None
    for k in reversed(coefficients[1:]):
        if acc is None:
            acc = None if k == 0 else (const(abs(k)), 1 if k > 0 else -1)
            continue
        node, sign = _times(acc[0], c), acc[1]
        if k == 0:
            acc = node, sign
        elif sign > 0:
            acc = (node + const(k), 1) if k > 0 else (node - const(-k), 1)
        else:
            acc = (const(k) - node, 1) if k > 0 else (node + const(-k), -1)
    if acc is None:
        result = const(1)
    else:
        node = _times(acc[0], c)
        result = node + 1 if acc[1] > 0 else 1 - node
    for root in roots:
        if root != 0:
            scaled = _times(const(abs(root)), c)
            result = _times(result, 1 - scaled if root > 0 else 1 + scaled)
    return result


def _tail(poly, bound):
    """The largest the non-leading terms of poly(x)/(LC x^n) are for |x| >= bound (their sum at 1/bound)."""
    n = poly.degree()
    return sum(abs(c / poly.LC()) / bound ** (n - k) for (k,), c in zip(poly.monoms(), poly.coeffs()) if k < n)


def _far_quotient(num, den):
    """num/den, a rational function of one value whose typed terms reach higher powers than the result
    (x/(1 + x)^2 squares x, the result decays like 1/x): past |x| = B the typed form overflows (from 1.3e154)
    while the result is still a normal number. There both are the leading powers times polynomials in
    t = 1/x, which are near 1; below B the typed operands. Selects of the operands: one division."""
    parsed = _as_rational_functions([num, den], corrections=True)
    if parsed is None:
        return None
    values, leaf, _ = parsed
    top = max(max(a.degree(), b.degree()) for a, b in values.values())
    n_num, d_num = values[num]
    n_den, d_den = values[den]
    numerator, denominator = _reduced(n_num * d_den, d_num * n_den) or (None, None)
    if numerator is None or numerator.is_zero:
        return None
    d = numerator.degree() - denominator.degree()
    if top < 2 or top <= abs(d):
        return None  # the result overflows (or underflows) where the typed terms do
    # below B = 2^(120/top) the typed powers are finite in float32 too; beyond it the polynomials in t
    # are within 1/16 of 1 (no cancellation: the roots lie well inside |x| < B)
    bound = sympy.Integer(2) ** (120 // top)
    if _tail(numerator, bound) > sympy.Rational(1, 16) or _tail(denominator, bound) > sympy.Rational(1, 16):
        return None
    # 1/x carried: the polynomials in it are no rational functions of x to the sum rules (1 + 1/x "cancels"
    # at x = -1, where this branch is never taken), and optimizing again leaves them as built
    t = CARRIED(1 / leaf)
    scale = numerator.LC() / denominator.LC()
    far_num = _reversed(numerator, t)
    far_den = _reversed(denominator, t)
    # the leading power x^d in the numerator, as t^-d where d < 0: it underflows gradually with the result
    # (x^-d in the denominator would overflow first, 0 where the result is still a subnormal number)
    if d != 0:
        base, k = (leaf, d) if d > 0 else (t, -d)
        far_num = _times(far_num, base if k == 1 else ops.POW(base, const(k)))
    far_num = _times(far_num, const(abs(scale)))
    if scale < 0:
        far_num = -far_num
    small = ops.LT(ops.ABS(leaf), const(bound))
    return ops.SELECT(small, num, far_num) / ops.SELECT(small, den, far_den)


_far_quotient_once = once_per_node(lambda node: _far_quotient(*node.args))


def _may_cancel(facts, x, y, sign=1) -> bool:
    """Whether x + sign*y may subtract: not where the terms are known to have one sign (1/2 + 1/(2 sqrt(s)),
    whose numerator's root s = -1 the square root never reaches)."""
    up, down = (facts.nonnegative, facts.nonpositive) if sign > 0 else (facts.nonpositive, facts.nonnegative)
    return not (facts.nonnegative(x) and up(y) or facts.nonpositive(x) and down(y))


def _shared_denominator(x, y, z, sign):
    # x/z +- y/z = (x +- y)/z: one rounding and one division fewer, and x - y is exact where x and y are close
    # (Sterbenz) or cancels symbolically, where the typed difference of two rounded quotients keeps only
    # their ulps (x/(y + 1) - y/(y + 1) near x = y). Where x +- y overflows (both near the largest float)
    # the halves, (x/2 +- y/2)/(z/2), which overflows only with the result. At z = +-0 the typed terms are
    # infinities (NaN for a zero numerator), NaN where they cancel: the one quotient there is kept NaN
    # unless both terms are nonzero with the signs that make the typed form an infinity. (No product by a
    # scale: the compensate phase follows this quotient's rounding into a function of it, tanh-diff's sinh)
    combined = cancelled(x, -y if sign > 0 else y) or (x + y if sign > 0 else x - y)
    ok = is_finite(combined)
    halves = x * HALF + y * HALF if sign > 0 else x * HALF - y * HALF
    numerator = ops.SELECT(ok, combined, halves)
    signs = ops.SIGN(x) * ops.SIGN(y)
    infinite = ops.GT(signs, 0) if sign > 0 else ops.LT(signs, 0)
    numerator = ops.SELECT(ops.EQ(z, 0), ops.SELECT(infinite, numerator, const(sympy.nan)), numerator)
    return numerator / ops.SELECT(ok, z, z * HALF)


def _distributed(x, y, z, sign):
    # x (y +- z/x) = x y +- z (stabilize, not canonicalize: (1 - 1/(1 + e^-x)) (1 + e^-x) is e^-x as
    # sigmoid(-x) (1 + e^-x), which the stability rules see first, bottom-up); at x = 0 the typed form is
    # 0 * inf: NaN, kept (x = +-inf gives the typed +-inf, as x y does)
    value = x * y + z if sign > 0 else x * y - z if sign < 0 else z - x * y
    return ops.SELECT(ops.NE(x, 0), value, const(sympy.nan))


RULES = [
    Rule("product-with-reciprocal-term", x * (y + z / x), lambda x, y, z: _distributed(x, y, z, 1),
         validity=Validity.GUARDED, phase="stabilize", ref="F16",
         doc="x*(4 + 3/x) rounds three times (and cancels near x = -3/4); 4*x + 3 once"),
    Rule("product-with-reciprocal-subtrahend", x * (y - z / x), lambda x, y, z: _distributed(x, y, z, -1),
         validity=Validity.GUARDED, phase="stabilize", ref="F16", doc="x*(y - z/x) = x*y - z"),
    Rule("product-with-reciprocal-minuend", x * (z / x - y), lambda x, y, z: _distributed(x, y, z, 0),
         validity=Validity.GUARDED, phase="stabilize", ref="F16", doc="x*(z/x - y) = z - x*y"),
    Rule("common-denominator", x - y, lambda x, y: _common_denominator(x, y, -1), validity=Validity.ACCURACY,
         when=lambda facts, x, y: _may_cancel(facts, x, y, -1), phase="rearrange", ref="F16",
         doc="1/(x + 1) - 2/x + 1/(x - 1) cancels for large x; it is 2/(x (x - 1)(x + 1))"),
    Rule("common-denominator-sum", x + y, lambda x, y: _common_denominator(x, y, 1),
         when=_may_cancel, validity=Validity.ACCURACY, phase="rearrange", ref="F16",
         doc="x/(x + 1) + 1/(x + 1) is 1; sums as one fraction when the terms cancel for large x"),
    # after common-denominator, which takes a sum of fractions of one value that cancels as a whole
    # (where the numerators are known not to cancel the typed form is as accurate: its two roundings of
    # same-signed terms average, 0.23 against 0.26 bits)
    Rule("shared-denominator", x / z - y / z, lambda x, y, z: _shared_denominator(x, y, z, -1),
         when=lambda facts, x, y, z: _may_cancel(facts, x, y, -1), validity=Validity.ACCURACY, phase="rearrange",
         ref="F16",
         doc="a/sin(B) - cos(B)/sin(B) rounds two quotients before they cancel; (a - cos(B))/sin(B) does not"),
    Rule("shared-denominator-sum", x / z + y / z, lambda x, y, z: _shared_denominator(x, y, z, 1),
         when=lambda facts, x, y, z: _may_cancel(facts, x, y, 1), validity=Validity.ACCURACY, phase="rearrange",
         ref="F16", doc="x/z + y/z for y ~ -x"),
    Rule("quotient-beyond-overflow", x / y, lambda x, y: _far_quotient_once(x / y), validity=Validity.ACCURACY,
         phase="specialize", ref="F16",
         doc="x/(1 + x)^2 past |x| = 2^60, where (1 + x)^2 overflows first: 1/(x (1 + 1/x)^2)"),
]
