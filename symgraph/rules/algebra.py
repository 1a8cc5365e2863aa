"""Accuracy rewrites that are algebra rather than stable primitives: roots and hypot (F6, F11, F12),
cancellation (F15, F16, G3-G6, sum/difference cancellation), inverse-function pairs with guards
(E1-E3, E7, E11), the asinh/acosh/atanh/sinh/tanh definitions back to the primitive (G7, G8),
half-angle forms (G1, G2), and exp products that overflow in between (E8).

A rule whose new form is better only on part of the domain keeps the typed form as a fallback:
`select(condition, new, typed)`; the engine leaves the typed node inside its own replacement alone.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..compensated import CARRIED, CORRECTED, PRODUCT_ERROR, REPRESENTATION_ERROR, SUM_ERROR, is_represented_exactly
from ..ir import const, topological
from ..rewrite import ConstVar, Rule, Validity, Var
from ._guards import HALF, MIN_NORMAL, is_finite, nan_guarded
from .compensate import compensates_root
from .trig import _tan_difference
from ._symbolic import (_to_sympy, cancelled, coefficient_form, constant_shift, exact_value, numeric_value,
                        product_factors, product_of, restored, shifted, signed_terms, without)

x, y, z = Var("x"), Var("y"), Var("z")
c = ConstVar("c")
A, R, G = Validity.ACCURACY, Validity.REAL_DOMAIN, Validity.GUARDED
NAN = const(sympy.nan)
ONE = const(1)


def _guarded(condition, value):
    """value where condition holds, NaN elsewhere (the G class: NaN outside the domain survives)."""
    return ops.SELECT(condition, value, NAN)


def _diff_sqrt(x, y):
    # (x - y)/(sqrt x + sqrt y); where the sum is 0 or inf the typed form equals x - y itself
    return _over_sum_of_roots(x - y, ops.SQRT(x) + ops.SQRT(y))


def _hypot_diff(a, b, c, d):
    # hypot(a, b) - hypot(a, d) = (b - d)(b + d)/(hypot(a, b) + hypot(a, d)) for a shared component a:
    # typed, the norms of close vectors cancel (|(1e4, y)| - |(1e4, z)| for y, z < 1: 26 bits lost); b - d
    # is exact there. (Without a shared component the numerator is a sum of two such products, which
    # rounds more often than the typed difference where that does not cancel much.) Typed where the
    # numerator is not a finite normal number (it over- or underflows before the norms do)
    if b is c or a is d:
        c, d = d, c
    if a is not c and b is d:
        a, b, c, d = b, a, d, c
    if a is not c or b is d:
        return None
    numerator = (b - d) * (b + d)
    first, second = ops.HYPOT(a, b), ops.HYPOT(c, d)
    usable = ops.AND(is_finite(numerator), ops.GE(ops.ABS(numerator), MIN_NORMAL))
    return ops.SELECT(usable, numerator / (first + second), first - second)


def _hypot_w(x, y, z, w):
    return _hypot_diff(x, y, z, w)


def _over_sum_of_roots(d, t):
    """d/t, where t is 0 or inf the typed difference equals d itself, and NaN stays NaN."""
    fallback = ops.SELECT(ops.NE(t, t), t, d)
    return ops.SELECT(ops.AND(is_finite(t), ops.NE(t, 0)), d / t, fallback)


def _sqrt_minus_one(x):
    # the numerator cancels symbolically where x is 1 + t: sqrt(1 + x^2) - 1 = x^2/(sqrt(1 + x^2) + 1). A
    # simple radicand (sqrt(x) - 1, sqrt(1 + x) - 1) is compensate's root-minus-constant: one rounding
    if compensates_root(x):
        return None
    return _over_sum_of_roots(cancelled(x, ONE) or x - 1, ops.SQRT(x) + 1)


def _hypot_leaves(node, leaves, limit=4):
    if node.op is ops.HYPOT:
        return all(_hypot_leaves(a, leaves, limit) for a in node.args)
    leaves.append(node)
    return len(leaves) <= limit


def _norm_minus_constant(norm, c, sign):
    # |v| - r for a vector v (hypot(hypot(x, y), z), which sqrt(x^2 + y^2 + z^2) is by now) and a number
    # r: a sphere's signed distance, which cancels on its surface, where it is evaluated (a ray marcher's
    # steps): 6.0 bits typed near the unit sphere. There (|v| within r/2 of r) it is (|v|^2 - r^2)/(|v| + r),
    # whose numerator, a level set x^2 + y^2 + z^2 - r^2 of products and a number, the specialize phase
    # computes as in twice the precision (compensated-sum); the squares cannot overflow where |v| < 3r/2.
    # Typed farther out, and where r^2 is no float (the numerator would carry its rounding)
    r = exact_value(c)
    leaves = []
    if r is None or not 2**-40 < r < 2**40 or not is_represented_exactly(r * r) or \
            not _hypot_leaves(norm, leaves) or any(t.is_const for t in leaves):
        return None  # (hypot(1, x) - 1 is stability's hypot-minus-one: x^2/(hypot(1, x) + 1) everywhere)
    typed = CARRIED(norm) - c  # (carried: optimizing again finds no norm minus a number in the typed branch)
    squares = ops.ADD(*[t * t for t in leaves]) - const(r * r)
    distance = ops.SELECT(ops.LT(ops.ABS(typed), const(r / 2)), squares / (norm + c), typed)
    return distance if sign > 0 else -distance


def _one_minus_sqrt(x):
    # 1 - sqrt(1 - x^2), whose argument is (1 - x)(1 + x) by now: the numerator is x^2, not 1 - (1 - x)(1 + x)
    if compensates_root(x):
        return None
    return _over_sum_of_roots(cancelled(ONE, x) or 1 - x, 1 + ops.SQRT(x))


def _finite_number(node) -> bool:
    return node.is_const and exact_value(node) is not None


def _minus_constant(y, c):
    """y - c, a constant term of y folded into c exactly: (x + 1) - 2 is x - 1, exact near 1 by Sterbenz,
    where x - 2 + 1 keeps x - 2's rounding (cancelled x**2 - 1 over x - 1, minus 2: 3.5 bits)."""
    if not _finite_number(c):
        return y - c
    if y is NAN:
        return y
    shift = constant_shift(y)
    if shift is None:
        return y - c
    t, k, sign = shift
    return shifted(t, k - exact_value(c), sign)


def _hypot_one_even_power(y, c):
    if not (c.value.is_Integer and c.value > 2 and c.value % 2 == 0):
        return None
    return ops.HYPOT(1, y ** const(c.value // 2))


def _square_root_of(node, depth=0):
    """r with r*r = node symbolically, for a product or quotient of squares (x*x, x**4) and positive
    numbers; None for anything else."""
    if node.is_const:
        v = node.value
        ok = v.is_number and v.is_positive and v.is_finite
        return const(sympy.sqrt(v)) if ok else None
    if depth > 4:
        return None
    if node.op is ops.POW and node.args[1].is_const:
        k = node.args[1].value
        if not (k.is_Integer and k > 0 and k % 2 == 0):
            return None
        return node.args[0] if k == 2 else node.args[0] ** const(k // 2)
    if node.op is ops.DIV:
        num, den = (_square_root_of(a, depth + 1) for a in node.args)
        return None if num is None or den is None else num / den
    if node.op is not ops.MUL:
        return None
    counts, first = {}, {}
    for a in node.args:
        counts[a.key] = counts.get(a.key, 0) + 1
        first.setdefault(a.key, a)
    factors = []
    for key, k in counts.items():
        a = first[key]
        if k % 2:
            root = _square_root_of(a, depth + 1)
            if root is None:
                return None
            factors.append(root)
        if k >= 2:
            factors.append(a if k // 2 == 1 else a ** const(k // 2))
    factors = [f for f in factors if not (f.is_const and f.value == 1)]
    if not factors:
        return const(1)
    return factors[0] if len(factors) == 1 else ops.MUL(*factors)


def _hypot_of_squares(x):
    # sqrt(a^2 + b^2 + ...) for terms that are squares of products and quotients (1 + x^2/(4 J^2 cos^2 k)
    # in Maksimov and Kolovsky's dispersion: SymPy expands the square of the quotient), as the norm of
    # their roots: typed, the squares overflow from 1.3e154 (underflow below 1.5e-154) where the norm does
    # not (16 bits mean lost over |x| in [1e-200, 1e200])
    if x.op is not ops.ADD:
        return None
    terms = signed_terms(x)  # (through nested sums; a subtracted term is no square's)
    if any(sign < 0 for _, sign in terms):
        return None
    roots = [_square_root_of(t) for t, _ in terms]
    if any(r is None for r in roots):
        return None
    norm = ops.HYPOT(roots[0], roots[1])
    for r in roots[2:]:
        norm = ops.HYPOT(norm, r)
    # a NaN term makes the typed sum NaN, where hypot(NaN, inf) is inf
    numbers = [ops.EQ(r, r) for r in roots if not r.is_const]
    return ops.SELECT(numbers[0] if len(numbers) == 1 else ops.AND(*numbers), norm, NAN)


def _scaled_hypot(node):
    # m hypot(1, p/m) = sign(m) hypot(m, p) for a product that holds m's factors: typed, p/m overflows
    # (underflows) where the norm does not (m sqrt(1 + (p/m)^2) with |m| = 1e-200, |p| = 1e200), and
    # hypot(m, p) overflows only where m hypot(1, p/m) does (not so hypot(c m, p): c m may overflow where a
    # zero factor of the product made the typed result 0). m = 0 is 0*inf as typed (NaN)
    factors = product_factors(node)
    for i, h in enumerate(factors):
        guard, h = nan_guarded(h)  # hypot-of-squares' norm, NaN where a term is NaN
        if h.op is not ops.HYPOT:
            continue
        for c, q in (h.args, h.args[::-1]):
            if q.op is not ops.DIV or not (c.is_const and c.value == 1):
                continue
            p, m = q.args
            rest = without(factors[:i] + factors[i + 1:], product_factors(m))
            if rest is None:
                continue
            new = ops.SELECT(ops.EQ(m, 0), NAN, ops.SIGN(m) * ops.HYPOT(m, p))
            return product_of([new if guard is None else ops.SELECT(guard, new, NAN)] + rest)
    return None


def _root_of_square_plus(x, y, sign=1):
    # sqrt(x^2 +- y) where x^2 overflows (|x| > 1.3e154, float32 1.8e19) and y is finite: |x| sqrt(1 +-
    # y r r), r = 1/|x|, whose y/x^2 underflows to 0 where it no longer matters (Linear.Quaternion's log:
    # sqrt(x*x + y) over |x| up to 1e300, 32 bits mean lost to inf). One root of a select of its argument,
    # times 1 or |x|: arithmetic and one sqrt, so the selects stay eager and the loop vectorises, and
    # sqrt(select(...)) is no pattern of this rule on a second run
    s = x * x + y if sign > 0 else x * x - y
    ax = ops.ABS(x)
    r = 1 / ax
    typed = ops.OR(is_finite(s), ops.NOT(is_finite(y)))
    inner = ops.SELECT(typed, s, 1 + y * r * r if sign > 0 else 1 - y * r * r)
    return ops.SELECT(typed, const(1), ax) * ops.SQRT(inner)


BIG = const(sympy.Integer(2) ** 60)
LOG_FORM_FROM = const(sympy.Integer(2) ** 27)
MID_LIMIT = const(sympy.Integer(2) ** 12)
QUARTER = const(sympy.Rational(1, 4))


def _compensated_mid(x, y):
    """The half-angle forms' parts: h = x/2 - y/2, m = x/2 + y/2 and m's rounding error dm (TwoSum: the
    halves are exact), and where they hold: h exact (x - y is, by Sterbenz, near x = y) and either
    |m| < 2^12, below which the first-order correction f(m) + f'(m) dm leaves dm^2/2 < 2^-24 of f out
    (float32's precision; float64's bound would be 2^26), or |x - y| |x + y| < 1, where dm moves the
    result by less than the difference's own rounding even uncorrected."""
    hx, hy = HALF * x, HALF * y
    h, m = hx - hy, hx + hy
    exact_h = ops.EQ(ops.SUM_ERROR(hx, -hy), 0)
    small = ops.OR(ops.LT(ops.ABS(m), MID_LIMIT), ops.LT(ops.ABS(h * m), QUARTER))
    return h, m, ops.SUM_ERROR(hx, hy), ops.AND(exact_h, small)


def _multiple(t):
    """(a, u) for t = a*u with a rational constant a (a = 1 for t itself)."""
    if t.op is ops.MUL and len(t.args) == 2:
        k, u = t.args if t.args[0].is_const else t.args[::-1]
        if k.is_const and isinstance(k.value, sympy.Rational) and not u.is_const:
            return k.value, u
    if t.op is ops.DIV and t.args[1].is_const and isinstance(t.args[1].value, sympy.Rational) \
            and t.args[1].value != 0 and not t.args[0].is_const:
        return 1 / t.args[1].value, t.args[0]
    if t.op is ops.NEG:
        inner = _multiple(t.args[0])
        return None if inner is None else (-inner[0], inner[1])
    return sympy.Integer(1), t


def _symbolic_halves(x, y):
    """h = (x - y)/2 and m = (x + y)/2 for multiples x = a u, y = b u of one value: ((a - b)/2) u and
    ((a + b)/2) u, each one rounding of u (none where the multiplier is a power of two: cos(x) - cos(3x)
    has h = -x, m = 2x), where x - y itself would subtract two rounded multiples."""
    first, second = _multiple(x), _multiple(y)
    if first is None or second is None or first[1] is not second[1] or first[0] == second[0]:
        return None
    (a, u), (b, _) = first, second

    def times(k):
        return u if k == 1 else -u if k == -1 else const(k) * u
    return times((a - b) / 2), times((a + b) / 2)


def _difference_of_squares(x, y):
    # (x + y)(x - y), each factor with its exactly cancelling terms taken out: (x + h)^2 - x^2 is h (2x + h),
    # where the typed (x + h) - x has kept x + h's rounding (x/h ulps of the result)
    return (cancelled(x, -y) or x + y) * (cancelled(x, y) or x - y)


def _squares_difference_over_square(x, y):
    p, q = x, y  # the quotient's numerator and denominator
    # (u - v)(u + v)/(u u) = 1 - (v/u)^2 (and over v v: (u/v)^2 - 1), difference-of-squares' product over
    # one of the squares (an eccentricity sqrt(|a^2 - b^2|/a^2), 1 - v^2/c^2 typed over c^2): where
    # |v| <= |u|/2 nothing cancels, and 1 - r^2 (one fused rounding, r's error scaled by 2r^2/(1 - r^2) <=
    # 2/3) is more accurate than the product's five roundings (0.28 bits against 0.14); near u = v the
    # factored form, whose u - v is exact
    if not (q.op is ops.MUL and len(q.args) == 2 and q.args[0] is q.args[1]
            and p.op is ops.MUL and len(p.args) == 2):
        return None
    square = q.args[0]
    difference = next((f for f in p.args if f.op is ops.SUB), None)
    if difference is None:
        return None
    u, v = difference.args
    total = p.args[1] if p.args[0] is difference else p.args[0]
    if not (total.op is ops.ADD and len(total.args) == 2 and set(total.args) == {u, v}):
        return None
    if square is u:
        r = v / u
        new = ops.MUL_ADD(-r, r, ONE)  # (fused here: one-minus-square would factor it again)
    elif square is v:
        r = u / v
        new = ops.MUL_ADD(r, r, -ONE)
    else:
        return None
    other = v if square is u else u
    return ops.SELECT(ops.LE(2 * ops.ABS(other), ops.ABS(square)), new, p / q)


def _sin_diff(x, y):
    # sin(x) - sin(y) = 2 sin((x - y)/2) cos((x + y)/2), cos(x) - cos(y) = -2 sin((x - y)/2) sin((x + y)/2):
    # (x - y)/2 is exact near x = y, where the typed difference keeps only its terms' roundings; the
    # mid-point's rounding dm moves cos(m) by sin(m) dm, which is added back
    halves = _symbolic_halves(x, y)
    if halves is not None:
        return 2 * ops.SIN(halves[0]) * ops.COS(halves[1])
    h, m, dm, holds = _compensated_mid(x, y)
    h, m = CARRIED(h), CARRIED(m)  # (h exact where it holds, m's error added here: the specialize phase's is not)
    new = 2 * ops.SIN(h) * (ops.COS(m) - ops.SIN(m) * dm)
    return ops.SELECT(holds, new, ops.SIN(x) - ops.SIN(y))


def _cos_diff(x, y):
    halves = _symbolic_halves(x, y)
    if halves is not None:
        return -(2 * ops.SIN(halves[0]) * ops.SIN(halves[1]))
    h, m, dm, holds = _compensated_mid(x, y)
    h, m = CARRIED(h), CARRIED(m)
    new = -(2 * ops.SIN(h) * (ops.SIN(m) + ops.COS(m) * dm))
    return ops.SELECT(holds, new, ops.COS(x) - ops.COS(y))


def _cosh_diff(x, y):
    # cosh(x) - cosh(y) = 2 sinh((x + y)/2) sinh((x - y)/2), sinh(x) - sinh(y) = 2 cosh((x + y)/2)
    # sinh((x - y)/2): the mid-point's rounding (|m| ulps of sinh(m), cosh(m)) is added back by the
    # specialize phase's first-order corrections of sinh and cosh (rules/compensate.py). Only for
    # |x - y| < 1: beyond, the typed terms (within 0.56 ulp each) cancel by less than a bit, and the
    # product of three roundings would be the less accurate
    h, m, _, holds = _close_halves(x, y)
    return ops.SELECT(holds, 2 * ops.SINH(h) * ops.SINH(m), ops.COSH(x) - ops.COSH(y))


def _sinh_diff(x, y):
    h, m, _, holds = _close_halves(x, y)
    return ops.SELECT(holds, 2 * ops.COSH(m) * ops.SINH(h), ops.SINH(x) - ops.SINH(y))


def _scaled_exp(term):
    """(c, u) for a term c*exp(u) (c a constant, 1 if none); None otherwise."""
    if term.op is ops.EXP:
        return sympy.Integer(1), term.args[0]
    if term.op is ops.MUL and len(term.args) == 2:
        k, e = term.args if term.args[0].is_const else term.args[::-1]
        if k.is_const and e.op is ops.EXP and isinstance(k.value, sympy.Rational):
            return k.value, e.args[0]
    return None


def _opposite(u, v) -> bool:
    return (u.op is ops.NEG and u.args[0] is v) or (v.op is ops.NEG and v.args[0] is u)


def _exps_with_hyperbolics(node):
    # a sum holding cosh(u) or sinh(u) beside multiples of e^u or e^-u: cosh(x) - e^x/2 is e^-x/2, which
    # the typed sum gets from two values near e^x/2 (every digit lost past x = 40; 2 cosh(x) - e^x,
    # sinh(x) - e^x/2 likewise). The hyperbolics are (e^u +- e^-u)/2: the coefficients of e^u and e^-u
    # are added exactly (rationals), and what is left is a hyperbolic again where they are equal or
    # opposite, one exp where one of them is 0
    terms = signed_terms(node)
    if not 2 <= len(terms) <= 16:
        return None
    found = {}  # base key -> [base, coefficient of e^u, coefficient of e^-u, term indices, kinds seen]
    for i, (term, sign) in enumerate(terms):
        form = coefficient_form(term, sign)
        if form is None or len(form[1]) != 1 or form[1][0].op not in (ops.EXP, ops.COSH, ops.SINH):
            continue
        c, (f,) = form
        u, odd = f.args[0], f.op is ops.SINH
        if u.op is ops.NEG:  # e^-u; cosh(-u) = cosh(u), sinh(-u) = -sinh(u)
            u = u.args[0]
            if f.op is ops.EXP:
                plus, minus = 0, c
            else:
                plus, minus = (-c / 2, c / 2) if odd else (c / 2, c / 2)
        elif f.op is ops.EXP:
            plus, minus = c, 0
        else:
            plus, minus = (c / 2, -c / 2) if odd else (c / 2, c / 2)
        entry = found.setdefault(u.key, [u, 0, 0, [], set()])
        entry[1] += plus
        entry[2] += minus
        entry[3].append(i)
        entry[4].add("exp" if f.op is ops.EXP else "hyperbolic")
    chosen = [e for e in found.values() if e[4] == {"exp", "hyperbolic"}]
    if not chosen:
        return None
    taken = {i for e in chosen for i in e[3]}
    acc = []
    for u, p, m, _, _ in chosen:
        if p == m:
            acc += [const(2 * p) * ops.COSH(u)] if p != 0 else []
        elif p == -m:
            acc.append(const(2 * p) * ops.SINH(u))
        else:
            acc += ([const(p) * ops.EXP(u)] if p != 0 else []) + ([const(m) * ops.EXP(-u)] if m != 0 else [])
    acc += [t if s > 0 else -t for i, (t, s) in enumerate(terms) if i not in taken]
    return const(0) if not acc else acc[0] if len(acc) == 1 else ops.ADD(*acc)


def _exp_pair(node):
    # a sum holding c e^u - c e^-u among more terms (e^x - e^-x - 2x, as typed for 2 (sinh(x) - x)): the
    # pair is 2c sinh(u), which has no cancellation near u = 0, and the rest of the sum is then taken by
    # the rules on sinh (sinh(x) - x by its series, after rearrange's common factor). Two terms alone are
    # the sinh/tanh definitions' and exp-difference's
    terms = signed_terms(node)
    if not 3 <= len(terms) <= 16:
        return None
    scaled = [_scaled_exp(t) for t, _ in terms]
    for i, first in enumerate(scaled):
        for j in range(i + 1, len(terms)):
            second = scaled[j]
            if first is None or second is None or first[0] != second[0] or terms[i][1] == terms[j][1]:
                continue
            if not _opposite(first[1], second[1]):
                continue
            # the term whose exponent is not negated is u: s c e^u - s c e^-u = s 2c sinh(u)
            (k, u), sign = (first, terms[i][1]) if second[1].op is ops.NEG and second[1].args[0] is first[1] \
                else (second, terms[j][1])
            rest = [(term, s * sign) for n, (term, s) in enumerate(terms) if n not in (i, j)]
            # the other terms as multiples of 2c, where they all are: 2c (sinh(u) - x) puts sinh(u) - x
            # before the series rules
            unscaled = [_without_factor(term, 2 * k) for term, _ in rest]
            if all(t is not None for t in unscaled):
                scale, acc, rest = const(2 * k), ops.SINH(u), [(t, s) for t, (_, s) in zip(unscaled, rest)]
            else:
                scale, acc = None, const(2 * k) * ops.SINH(u)
            for term, s in rest:
                acc = acc + term if s > 0 else acc - term
            acc = acc if scale is None else scale * acc
            return acc if sign > 0 else -acc
    return None


def _heron(x):
    # sqrt(k (a + b + c)(-a + b + c)(a - b + c)(a + b - c)) in any spelling (Heron's
    # sqrt(s (s - a)(s - b)(s - c)) with s = (a + b + c)/2, as SymPy distributes it: k = 1/16): for a needle
    # (one side about the sum of the other two) s - a cancels after s has rounded (20 bits lost at a side
    # of 1e-6 of the others). Kahan's form of the same product on the sides sorted, hi >= mid >= lo,
    # parenthesized as given, is within a few ulps (W. Kahan, "Miscalculating area and angles of a
    # needle-like triangle", 2014). The product is even in each side: their magnitudes are sorted
    if x.op is not ops.MUL or sum(1 for f in x.args if f.op in (ops.ADD, ops.SUB)) < 4:
        return None
    parsed = _to_sympy([x])
    if parsed is None or len(parsed[1]) != 3:
        return None
    values, leaves = parsed
    t = list(leaves)
    heron = sympy.expand((t[0] + t[1] + t[2]) * (-t[0] + t[1] + t[2]) * (t[0] - t[1] + t[2]) * (t[0] + t[1] - t[2]))
    k = sympy.cancel(sympy.expand(values[x]) / heron)
    if not (k.is_Rational and k > 0):
        return None
    a, b, c = (ops.ABS(leaves[d]) for d in t)
    hi, lo = ops.MAX(a, b, c), ops.MIN(a, b, c)
    mid = ops.MAX(ops.MIN(a, b), ops.MIN(ops.MAX(a, b), c))
    gap = hi - mid
    return ops.SQRT(const(k) * ((hi + (mid + lo)) * (lo - gap) * (lo + gap) * (hi + (mid - lo))))


def _law_of_cosines(node):
    # u^2 + v^2 -+ 2 u v cos(w) (the law of cosines, the length of a sum of two vectors) among the terms of a
    # sum: (u -+ v)^2 -+ 2 u v cosm1(w), whose two terms have the same sign where the typed ones cancel (a
    # thin triangle, u ~ v and w small: 4 bits lost at w ~ 1e-4, all of them near 1e-8)
    terms = signed_terms(node)
    if not 3 <= len(terms) <= 8:
        return None
    squares = {t.args[0]: k for k, (t, s) in enumerate(terms)
               if s > 0 and t.op is ops.MUL and len(t.args) == 2 and t.args[0] is t.args[1]}
    for k, (t, s) in enumerate(terms):
        factors = product_factors(t)
        if len(factors) != 4:
            continue
        consts = [a for a in factors if a.is_const]
        cosines = [a for a in factors if a.op is ops.COS]
        others = [a for a in factors if not a.is_const and a.op is not ops.COS]
        if len(consts) != 1 or len(cosines) != 1 or len(others) != 2 or abs(consts[0].value) != 2:
            continue
        u, v = others
        if u is v or u not in squares or v not in squares:
            continue
        sign = s * (1 if consts[0].value > 0 else -1)
        base = u + v if sign > 0 else u - v
        new = base * base + const(2 * sign) * (u * v * _cosm1(cosines[0].args[0]))
        # where the two terms have one sign (u v >= 0 for the difference, <= 0 for the sum: otherwise
        # (u -+ v)^2 is the large one and they cancel), below 2^60 (float32's squares stay finite: beyond,
        # inf - inf would be NaN where the typed sum is inf)
        same = ops.GE(u * v, 0) if sign < 0 else ops.LE(u * v, 0)
        small = ops.AND(same, ops.LT(ops.ABS(u), BIG), ops.LT(ops.ABS(v), BIG))
        rest = [(term, ts) for n, (term, ts) in enumerate(terms) if n not in (k, squares[u], squares[v])]
        typed = ops.ADD(terms[squares[u]][0], terms[squares[v]][0])
        typed = typed + t if s > 0 else typed - t
        new = ops.SELECT(small, new, typed)
        for term, ts in rest:
            new = new + term if ts > 0 else new - term
        return new
    return None


def _without_factor(term, k):
    """t for a term k*t (k the constant given), None otherwise."""
    if k == 1:
        return term
    if term.op is ops.MUL and len(term.args) == 2 and term.args[0].is_const and term.args[0].value == k:
        return term.args[1]
    return None


def _difference(x, y):
    """x - y, with y's own rounding subtracted where y is a constant the dtype cannot hold (a root a of
    f(x) - c: the difference forms below take f(x) - f(a) as f(x) - f(fl(a)) otherwise)."""
    if y.is_const and not is_represented_exactly(y.value):
        return CORRECTED(CARRIED(x) - y, ONE, -REPRESENTATION_ERROR(y))  # (carried: no sum for compensate)
    return x - y


def _close_halves(x, y):
    h, m, dm, holds = _compensated_mid(x, y)
    return h, m, dm, ops.AND(holds, ops.LT(ops.ABS(h), HALF))


def _tanh_diff(x, y):
    # tanh(x) - tanh(y) = sinh(x - y)/(cosh(x) cosh(y)): x - y is exact near x = y (Sterbenz) and rounds once
    # elsewhere (its rounding is carried into sinh by the specialize phase), where the typed difference
    # keeps only the ulps of its terms, which are near +-1 from |x| = 3 on (tanh(10) - tanh(12): 24 bits
    # lost). For |x - y| >= 88 (sinh overflows float32 from 89.4; the guard reads only the operands, so
    # that optimizing again meets the same select) the typed form; where the product overflows, the result
    # is below 2^-1022 (float32: about its least normal), and 0 as typed
    # Beyond, where x and y have one sign s, tanh(x) - tanh(y) = 2 s (sigmoid(-2 s y) - sigmoid(-2 s x)) (1 -
    # tanh(t) is 2 sigmoid(-2t)), two terms a factor e^176 apart: tanh(300) - tanh(100) is 2e-87, where the
    # typed difference is 1 - 1 = 0 (the second carried: a difference of sigmoids so far apart does not
    # cancel, and sigmoid-difference's form would only cost time). Where the signs differ (or one is 0)
    # nothing cancels and the typed difference, a sum of two magnitudes, rounds least (moogVCF's
    # tanh(t/y) - tanh(x/y) over x, t in [-1, 1]: 0.48 bits against lambdify's 0.42 with the quotient form)
    d = x - y
    new = ops.SINH(d) / (ops.COSH(x) * ops.COSH(y))
    s = ops.SIGN(x)
    far = 2 * s * (ops.SIGMOID(-2 * s * y) - CARRIED(ops.SIGMOID(-2 * s * x)))
    typed = ops.TANH(x) - ops.TANH(y)
    return ops.SELECT(ops.GT(ops.SIGN(x) * ops.SIGN(y), 0), ops.SELECT(ops.LT(ops.ABS(d), const(88)), new, far),
                      typed)


def _asinh_diff(x, y):
    # asinh(x) - asinh(y) = log1p(u), u = (a - b)/b for a = x + hypot(1, x), b = y + hypot(1, y), where
    # a - b = (x - y)(1 + (x + y)/(hypot(1, x) + hypot(1, y))) (the roots' difference through its
    # conjugate): for 0 <= y <= x, u >= 0 has a few roundings and log1p is well-conditioned, where the
    # typed difference keeps only the ulps of its terms. Other orders through asinh's symmetry: both
    # negated and swapped where x + y < 0, swapped with the sign flipped where x < y. Where the signs
    # differ nothing cancels: the typed form (as where u is not finite: inf or NaN operands)
    negative = ops.LT(x + y, 0)
    p, q = ops.SELECT(negative, -y, x), ops.SELECT(negative, -x, y)  # asinh(p) - asinh(q), p + q >= 0
    swap = ops.LT(p, q)
    hi, lo = ops.SELECT(swap, q, p), ops.SELECT(swap, p, q)
    root_hi, root_lo = ops.HYPOT(ONE, hi), ops.HYPOT(ONE, lo)
    delta = _difference(x, y)  # p - q either way
    u = ops.SELECT(swap, -delta, delta) * (1 + (hi + lo) / (root_hi + root_lo)) / (lo + root_lo)
    d = ops.LOG1P(u)
    return ops.SELECT(ops.AND(ops.GE(lo, 0), is_finite(u)), ops.SELECT(swap, -d, d), ops.ASINH(x) - ops.ASINH(y))


def _acosh_diff(x, y):
    # acosh(x) - acosh(y) = log1p(u), u = (a - b)/b for a = x + sqrt(x^2 - 1), b = y + sqrt(y^2 - 1), where
    # a - b = (x - y)(1 + (x + y)/(sqrt(x^2 - 1) + sqrt(y^2 - 1))) (asinh-diff's conjugate): for x >= y >= 1
    # u >= 0 has a few roundings and log1p is well-conditioned, where the typed difference keeps only its
    # terms' ulps; swapped (and the sign flipped) for x < y; below 2^60, where x^2 - 1 cannot overflow
    # (float32 first). From 2^27 on acosh(t) is log(2t) - 1/(4t^2) - ..., and the difference log(x/y) to
    # within 1/(2 x^2) of itself (log-quotient takes it near 1). Below 1 (NaN), where u is not finite, and
    # for y < 2^27 <= 2^60 <= x (a ratio of 2^33: nothing cancels), the typed form
    swap = ops.LT(x, y)
    hi, lo = ops.SELECT(swap, y, x), ops.SELECT(swap, x, y)
    root_hi, root_lo = ops.SQRT((hi - 1) * (hi + 1)), ops.SQRT((lo - 1) * (lo + 1))
    delta = _difference(x, y)
    u = ops.SELECT(swap, -delta, delta) * (1 + (hi + lo) / (root_hi + root_lo)) / (lo + root_lo)
    d = ops.LOG1P(u)
    typed = ops.ACOSH(x) - ops.ACOSH(y)
    near = ops.SELECT(ops.AND(ops.GE(lo, 1), ops.LT(hi, BIG), is_finite(u)), ops.SELECT(swap, -d, d), typed)
    return ops.SELECT(ops.AND(ops.GE(lo, LOG_FORM_FROM), is_finite(hi)), ops.LOG(x / y), near)


def _atanh_diff(x, y):
    # atanh(x) - atanh(y) = atanh((x - y)/(1 - x y)), with 1 - x y as (1 - fl(x y)) - (x y - fl(x y)): the
    # first difference is exact where x y is near 1 (Sterbenz), where 1 - x y would cancel, and the product's
    # error is exact (FMA), so it rounds once; x - y is exact near x = y, where the typed difference keeps
    # only its terms' ulps. Where |t| <= 1/2 (atanh is well-conditioned there) and |x|, |y| < 1; the typed
    # form elsewhere. (Built here, not left to compensate's difference-of-products: a second run rebuilds
    # this form before specialize, and must meet the same condition to leave it alone; carried, so that
    # difference-of-products does not take the product's error a second time)
    one_minus_xy = (1 - CARRIED(x * y)) - PRODUCT_ERROR(x, y)
    t = _difference(x, y) / one_minus_xy
    inside = ops.AND(ops.LT(ops.ABS(x), 1), ops.LT(ops.ABS(y), 1), ops.LE(ops.ABS(t), HALF))
    return ops.SELECT(inside, ops.ATANH(t), ops.ATANH(x) - ops.ATANH(y))


TWO_OVER_SQRT_PI = const(2 / sympy.sqrt(sympy.pi))
ERF_SERIES_LIMIT = const(sympy.Rational(1, 128))


def _erf_diff(x, y, sign=1):
    # erf(x) - erf(y) = (4/sqrt(pi)) e^-m^2 (h + H2(m) h^3/3! + H4(m) h^5/5! + H6(m) h^7/7! + ...) for
    # m = (x + y)/2, h = (x - y)/2: erf's Taylor series about the mid-point, H the Hermite polynomials.
    # h is exact near x = y, where the typed difference keeps only the ulps of its terms (erfc(x) -
    # erfc(y) at x ~ 5: of 1e-12). The terms fall by about (2/3) max(m^2, 1) h^2 each: below 2^-14 where
    # |h| max(|m|, 1) < 1/128, so the first neglected one is below 2^-56 of the sum. e^-m^2 gets m^2's
    # rounding added back (compensate). Beyond, the typed form. erfc(x) - erfc(y) is -(erf(x) - erf(y))
    m, h = HALF * (x + y), HALF * _difference(x, y)
    w, t = m * m, h * h
    h2 = 4 * w - 2
    h4 = (16 * w - 48) * w + 12
    h6 = ((64 * w - 480) * w + 720) * w - 120
    series = h * (1 + t * (h2 / 6 + t * (h4 / 120 + t * (h6 / 5040))))
    new = (2 * TWO_OVER_SQRT_PI) * ops.EXP(-w) * series
    typed = ops.ERF(x) - ops.ERF(y) if sign > 0 else ops.ERFC(x) - ops.ERFC(y)
    small = ops.LT(ops.ABS(h) * ops.MAX(ops.ABS(m), ONE), ERF_SERIES_LIMIT)
    return ops.SELECT(small, new if sign > 0 else -new, _erf_tails(x, y, sign, typed))


def _erf_tails(x, y, sign, typed):
    """erf(x) - erf(y) (sign 1; erfc(x) - erfc(y): -1) beyond the series, where x and y are past 1/2 on one
    side, s = +-1 that side: s (erfc(s y) - erfc(s x)) (erf near +-1 keeps only its distance's ulps, erfc
    its digits: erf(5) - erf(6), 18 bits typed); the typed form elsewhere, where erf is far from +-1.
    (The erfc's carried: erfc-diff would take their difference again.)"""
    # s x is |x|, s y a select of y and -y: exact, where a product's rounding would be compensated
    up = ops.GE(x, 0)
    sy = ops.SELECT(up, y, -y)
    d = CARRIED(ops.ERFC(sy)) - CARRIED(ops.ERFC(ops.ABS(x)))
    tails = ops.SELECT(up, d, -d) if sign > 0 else ops.SELECT(up, -d, d)
    return ops.SELECT(ops.AND(ops.GE(ops.ABS(x), HALF), ops.GE(sy, HALF)), tails, typed)


def _one_plus_cos(x):
    # 1 + cos(x) = 2 cos(x/2)^2: near odd multiples of pi, cos(x) rounds to within an ulp of -1 and the sum
    # keeps only that ulp; cos(x/2) near pi/2 + k pi is accurate (libm reduces x/2 exactly), and x/2 is exact
    c = ops.COS(HALF * x)
    return 2 * (c * c)


def _cosm1(x):
    return ops.OPS["cosm1"](x)  # symgraph/stable.py's op, registered once the package is imported


def _small_shift(x, y, new, typed):
    """new where |y| < |x|; where the shift is as large as x, x + y rounds by no more than y's own ulp,
    and the typed form is exact where the result is (cos(-x) - cos(x) = 0, which new's terms cancel to)."""
    return ops.SELECT(ops.LT(ops.ABS(y), ops.ABS(x)), new, typed)


def _sin_shift(x, y):
    # sin(x + y) - sin(x) = sin(x) (cos(y) - 1) + cos(x) sin(y): y enters exactly, where the typed form
    # rounds x + y (an error of ulp(x)/2 in a difference of size y), and no argument is rounded
    new = ops.SIN(x) * _cosm1(y) + ops.COS(x) * ops.SIN(y)
    return _small_shift(x, y, new, ops.SIN(x + y) - ops.SIN(x))


def _cos_shift(x, y):
    # cos(x + y) - cos(x) = cos(x) (cos(y) - 1) - sin(x) sin(y)
    new = ops.COS(x) * _cosm1(y) - ops.SIN(x) * ops.SIN(y)
    return _small_shift(x, y, new, ops.COS(x + y) - ops.COS(x))


def _tan_shift(x, y):
    # tan(x + y) - tan(x) = sin(y)/(cos(x) cos(x + y)): y enters exactly, and cos(x + y) carries the rounding
    # lo of s = x + y as cos(s) - sin(s) lo (for x = 1e4, lo ~ 1e-12 moves cos(s), and the result, by 1e-12
    # relatively: 12 bits; cos(x) cos(y) - sin(x) sin(y) instead cancels where cos(x + y) is small)
    s = x + y
    c = CARRIED(s)  # (its error added here)
    new = ops.SIN(y) / (ops.COS(x) * CORRECTED(ops.COS(c), -ops.SIN(c), SUM_ERROR(x, y)))
    return _small_shift(x, y, new, ops.TAN(x + y) - ops.TAN(x))


def _half_sinh_squared(x, scale):
    """scale * sinh(x/2)^2: cosh(x) - 1 = 2 sinh(x/2)^2 has no subtraction (sinh is accurate near 0)."""
    s = ops.SINH(HALF * x)
    return scale * (s * s)


def _exp_times_cosh(x, y, z=None):
    # e^a cosh(+-a) = 1/2 + e^a e^a/2: typed, the product of two rounded values is 1/2 + e^2a/2 within
    # ulps of 1/2, so exp(-x) cosh(x) - 1/2 loses every digit past x = 20; the sum keeps e^2a apart, and
    # a constant factor is distributed so that an outer sum's constants meet (1 - 2 exp(-x) cosh(x)). The
    # product e^a e^a, not e^2a: it overflows only where the value does
    if y is not x and y is not -x and x is not -y:
        return None
    half = HALF if z is None or not z.is_const else z * HALF
    new = half + (half * ops.EXP(x)) * ops.EXP(x)
    return new if z is None or z.is_const else new * z


def _function_minus_constant(op, x, y, negated=False, added=False):
    # f(x) - c near a root a = f^-1(c) (sin(x) - 1/2 near pi/6, a solver's residual): the typed difference
    # keeps f's rounding, 2^-53 |c|, where it is far smaller (17 bits lost at 1e-12 from the root). The
    # sum-to-product forms with the constant a: sin(x) - sin(a) = 2 sin((x - a)/2) cos((x + a)/2), cos(x) -
    # cos(a) = -2 sin((x + a)/2) sin((x - a)/2) (every root: x - a near a + 2k pi, x + a near the others),
    # atan(x) - atan(a) = atan2(x - a, 1 + a x) (everywhere: the angle of (1 + ix)(1 - ia)). x -+ a is exact
    # near a root but for a's own rounding, which the specialize phase carries into sin and cos with the
    # sum's (and which is subtracted after x - fl(a) for atan2)
    c = numeric_value(y)
    if c is None or not c.is_extended_real or c == 0:
        return None
    typed = op(x) + y if added else op(x) - y
    c = -c if added else c
    if op is ops.ATAN:
        if not abs(c) < sympy.pi / 2 or (c / sympy.pi).is_Rational:
            return None  # (atan(x) - pi/4 is trig's atan-minus-angle)
        a = sympy.tan(c)
        difference = x - const(a)
        if not is_represented_exactly(a):  # (corrected: no sum-order adds the error to x first)
            difference = CORRECTED(CARRIED(x) - const(a), ONE, -REPRESENTATION_ERROR(const(a)))
        t = 1 + const(a) * x
        new = ops.SELECT(is_finite(t), ops.ATAN2(difference, t), typed)
    else:
        if not abs(c) < 1:
            return None
        a = sympy.asin(c) if op is ops.SIN else sympy.acos(c)
        minus, plus = (x - const(a)) * HALF, (x + const(a)) * HALF
        new = 2 * ops.SIN(minus) * ops.COS(plus) if op is ops.SIN else -(2 * ops.SIN(plus) * ops.SIN(minus))
    return -new if negated else new


# f(x) - c for the functions whose difference has a form of its own (the *-diff rules above) near the
# root a = f^-1(c): f(x) - f(a) with the constant a (tanh(x) - 1/2 within 1e-3 of atanh(1/2): 9 bits lost
# typed). The forms subtract x - a, exact near the root but for a's own rounding, which they take as a
# correction, and fold a's other uses exactly. Only where f(x) is within a factor 2 of c (x between
# f^-1(c/2) and f^-1(2c), constants): there the typed difference is exact (Sterbenz) and keeps f's rounding
# magnified by f(x)/(f(x) - c); farther out that is below 2 and the typed form, of fewer roundings, is the
# more accurate (asinh(x) + 1 over 1e+-10: 0.05 bits typed, 0.19 through the difference form). Where 2c is
# past the end b of f's range, up to f(x) = (c + b)/2 if c <= b/2 (magnified 3 times at most beyond:
# tanh(x) - 1/2), else to the end (tanh(x) - 0.999 loses 10 bits at x = 5)
_INVERSES = {  # f: (f^-1, f's range, the domain's ends; the decreasing ones swap them)
    "tanh": (sympy.atanh, (-1, 1), (-sympy.oo, sympy.oo)),
    "sinh": (sympy.asinh, (-sympy.oo, sympy.oo), (-sympy.oo, sympy.oo)),
    "cosh": (sympy.acosh, (1, sympy.oo), (0, sympy.oo)),  # (of |x|)
    "asinh": (sympy.sinh, (-sympy.oo, sympy.oo), (-sympy.oo, sympy.oo)),
    "acosh": (sympy.cosh, (0, sympy.oo), (1, sympy.oo)),
    "atanh": (sympy.tanh, (-sympy.oo, sympy.oo), (-1, 1)),
    "asin": (sympy.sin, (-sympy.pi / 2, sympy.pi / 2), (-1, 1)),
    "acos": (sympy.cos, (0, sympy.pi), (1, -1)),
    "erf": (sympy.erfinv, (-1, 1), (-sympy.oo, sympy.oo)),
    "erfc": (lambda v: sympy.erfinv(1 - v), (0, 2), (sympy.oo, -sympy.oo)),  # (SymPy evaluates no erfcinv)
    "cbrt": (lambda v: v**3, (-sympy.oo, sympy.oo), (-sympy.oo, sympy.oo)),
    "tan": (sympy.atan, (-sympy.oo, sympy.oo), (-sympy.pi / 2, sympy.pi / 2)),  # (the root in (-pi/2, pi/2))
    "cube-root": (lambda v: v**3, (0, sympy.oo), (0, sympy.oo)),  # x**(1/3): NaN for x < 0
}


def _difference_form(name):
    return {"tanh": _tanh_diff, "sinh": _sinh_diff, "cosh": _cosh_diff, "asinh": _asinh_diff,
            "acosh": _acosh_diff, "atanh": _atanh_diff, "asin": _asin_diff,
            "acos": lambda x, y: _asin_diff(x, y, -1), "erf": _erf_diff,
            "erfc": lambda x, y: _erf_diff(x, y, -1), "cbrt": _cube_root_diff,
            "cube-root": lambda x, y: _cube_root_diff(x, y, THIRD),
            "tan": lambda x, y: _tan_difference(x, y, -1, ops.TAN(x) - ops.TAN(y))}[name]


THIRD = const(sympy.Rational(1, 3))


def _cube_root_diff(x, y, third=None):
    # cbrt(x) - cbrt(y) = (x - y)/(r^2 + r s + s^2) for r = cbrt(x), s = cbrt(y): a difference of cubes
    # (x - y exact near x = y) over a sum that does not cancel (3/4 s^2 at least). r^2 cannot overflow
    # (5.7e102 squared); x**(1/3) (third given) is NaN for x < 0 in either form
    r, s = (ops.POW(x, third), ops.POW(y, third)) if third is not None else (ops.CBRT(x), ops.CBRT(y))
    return _difference(x, y) / (r * r + r * s + s * s)


def _preimage(name, v):
    """f^-1(v) as a float64 value; the domain's end where v is outside f's range."""
    inverse, (low, high), (start, end) = _INVERSES[name]
    if v <= low:
        return sympy.sympify(start)
    if v >= high:
        return sympy.sympify(end)
    return sympy.Rational(float(sympy.N(inverse(v), 30)))


def _inverse_minus_constant(name, f, x, y, negated=False, added=False):
    """f(x) - c (c - f(x): negated; f(x) + c: added) for the function f (its node built by f) named."""
    c = numeric_value(y)
    if c is None or not c.is_extended_real or not c.is_finite or c == 0:
        return None
    c = -c if added else c
    inverse, (low, high), _ = _INVERSES[name]
    if not low < c < high or (name == "cosh" and c == 1):
        return None
    a = inverse(c)
    if sympy.N(a, 30) == 0 or name == "tan" and (a / sympy.pi).is_Rational:
        return None  # (tan(x) - 1 is trig's tan-minus-one)
    u, root = ops.ABS(x) if name == "cosh" else x, const(a)
    new = _difference_form(name)(u, root)
    # the forms' own typed branches, f(u) - f(a), fold to f(u) - c: carried, so that a second run does not
    # take them for this rule's pattern (beside its own select)
    inner = {n.key: CARRIED(n.args[0]) - n.args[1] for n in topological([new]) if n.op is ops.SUB
             and n.args[0].op.arity == 1 and n.args[1].op is n.args[0].op and n.args[1].args[0] is root}
    new = restored([new], inner)[0] if inner else new
    bound = high if c > 0 else low
    far = 2 * c if low < 2 * c < high else (c + bound) / 2 if abs(c) <= abs(bound) / 2 else bound
    start, end = sorted((_preimage(name, c / 2), _preimage(name, far)))
    near = [ops.GE(u, const(start))] if start.is_finite else []
    near += [ops.LE(u, const(end))] if end.is_finite else []
    value = CARRIED(f(x)) if name in ("cbrt", "cube-root") else f(x)  # (specialize makes x**(1/3) a cbrt: the
    # typed branch would be cbrt-minus-constant's on a second run)
    typed = y - value if negated else value + y if added else value - y  # (the node rewritten, as it was)
    return ops.SELECT(ops.AND(*near) if len(near) > 1 else near[0], -new if negated else new, typed)


def _minus_own_quotient(x, y, negated=False):
    # x - x/y = x (y - 1)/y: the difference cancels for y near 1 (random seed 16's 1/(2 (y - y/x))), where
    # y - 1 is exact (Sterbenz, y in [1/2, 2]) and the product and quotient round about once each; the
    # typed form elsewhere, where x/y is more than a factor 2 from x and nothing cancels much (x infinite:
    # the limit, -inf for y = 1/2, where the typed inf - inf is NaN)
    if numeric_value(x) is not None:
        return None  # (1 - 1/y is a fraction's: common-denominator, log-one-minus-quotient)
    near = ops.AND(ops.GE(y, HALF), ops.LE(y, const(2)))
    new = x * ((y - 1) / y)
    return ops.SELECT(near, -new if negated else new, x / y - x if negated else x - x / y)


def _atan_diff(x, y):
    t = 1 + x * y
    return ops.SELECT(is_finite(t), ops.ATAN2(x - y, t), ops.ATAN(x) - ops.ATAN(y))


def _asin_diff(x, y, sign=1):
    # asin(x) - asin(y) = atan2(s, c) with s = sin(A - B) = x sqrt(1 - y^2) - y sqrt(1 - x^2), written
    # (x - y)(x + y)/(x sqrt(1 - y^2) + y sqrt(1 - x^2)), and c = cos(A - B) = sqrt(1 - x^2) sqrt(1 - y^2)
    # + x y: for x y > 0 neither has a subtraction but the exact x - y (Sterbenz, near x = y), 1 - x^2 as
    # (1 - x)(1 + x), and |A - B| < pi/2. With opposite signs the typed terms do not cancel.
    # acos(x) - acos(y) = asin(y) - asin(x) (sign -1), also the fallback: acos(x) - acos(y) near x = -y ~ 0
    # subtracts two values near pi/2
    rx, ry = ops.SQRT((1 - x) * (1 + x)), ops.SQRT((1 - y) * (1 + y))
    d = ops.ATAN2(_difference(x, y) * (x + y) / (x * ry + y * rx), rx * ry + x * y)
    typed = ops.ASIN(x) - ops.ASIN(y)
    holds = ops.AND(ops.GT(x * y, 0), ops.NE(x, y))  # x = y = +-1 is 0/0 (typed: 0)
    return ops.SELECT(holds, d, typed) if sign > 0 else -ops.SELECT(holds, d, typed)


def _pow_as_exp_log(x):
    """Where x**y = exp(y log(x)) for every y: finite x > 0 but 1 (1**nan and inf**0 are 1 where
    exp(y log(x)) is NaN)."""
    return ops.AND(ops.GT(x, 0), ops.NE(x, 1), is_finite(x))


def _log_pow(x, y):
    # log(x**y) = y log(x) for x > 0: the power's rounding (an absolute 2^-53 in the log, every digit of a
    # result near 0) and its over/underflow gone; x <= 0 (an integer y's real power) as typed
    return ops.SELECT(_pow_as_exp_log(x), y * ops.LOG(x), ops.LOG(x ** y))


def _exp_log_product(x, y):
    # exp(y log(x)) = x**y for x > 0: libm's pow holds log(x) to extra precision, where the typed log rounds
    # and exp turns that into |y log(x)| half-ulps (4.4 mean bits for |y| < 1, x in [1e-300, 1e300]).
    return ops.SELECT(_pow_as_exp_log(x), ops.POW(x, y), ops.EXP(ops.LOG(x) * y))


def _sqrt_of_product(x, y):
    # sqrt(x*y) (a geometric mean) where x*y over- or underflows and the result does not: sqrt|x| sqrt|y|,
    # for a positive product (the signs of x and y say so: an underflowed product is 0); the typed form
    # where the product is a normal number (one rounding fewer) and wherever it is not positive
    p = x * y
    roots = ops.SELECT(ops.GT(ops.SIGN(x) * ops.SIGN(y), 0), ops.SQRT(ops.ABS(x)) * ops.SQRT(ops.ABS(y)), ops.SQRT(p))
    return ops.SELECT(ops.AND(is_finite(p), ops.GE(ops.ABS(p), MIN_NORMAL)), ops.SQRT(p), roots)


def _angle_of(kind, x, h):
    # acos(x/hypot(x, y)) = atan2(|y|, x), asin(y/hypot(x, y)) = atan2(y, |x|): the angle of a vector from
    # its components, where acos near 1 (asin near +-1) magnifies the quotient's rounding (every digit lost
    # for |y| << |x|) and atan2 is accurate everywhere
    if h.op is not ops.HYPOT or x not in h.args:
        return None
    other = h.args[1] if h.args[0] is x else h.args[0]
    angle = ops.ATAN2(ops.ABS(other), x) if kind == "acos" else ops.ATAN2(x, ops.ABS(other))
    # (a zero or infinite norm: the typed 0/0 or inf/inf is NaN, atan2's 0 or pi/4 a convention)
    typed = ops.ACOS(x / h) if kind == "acos" else ops.ASIN(x / h)
    return ops.SELECT(ops.AND(ops.GT(h, 0), is_finite(h)), angle, typed)


def _finite_nonzero_const(x) -> bool:
    return x.is_const and isinstance(x.value, sympy.Rational) and x.value != 0


def _atan_sum(x, y):
    t = 1 - x * y
    return ops.SELECT(is_finite(t), ops.ATAN2(x + y, t), ops.ATAN(x) + ops.ATAN(y))


def _exp_product(x, y):
    # exp(x) exp(y) = exp(x + y): one exp, and finite where a factor alone over- or underflows (e^800 e^-800
    # is inf*0 = NaN typed). The sum's rounding, which exp turns into |x + y| ulps, is added back by the
    # specialize phase (exp_pair, rules/compensate.py): 0.1 mean bits where the product of two rounded
    # exps had 1.0 (both operands in [700, 800])
    return ops.EXP(x + y)


def _exp_quotient(x, y):
    # exp(x)/exp(y) as the product exp(x)*exp(-y): one rounding fewer, and the same form exp-product makes
    return _exp_product(x, -y)


def _acos_one_minus(x):
    # acos(1 - u) = 2 asin(sqrt(u/2)) on [0, 2]: 1 - u rounds by ulp(1)/2, which acos magnifies by
    # 1/sqrt(2u) (u = 1e-15: half the digits); u/2 is exact. NaN outside [0, 2] either way.
    return 2 * ops.ASIN(ops.SQRT(HALF * x))


def _acosh_one_plus(x):
    # acosh(1 + u) = 2 asinh(sqrt(u/2)) for u >= 0 (acosh(1 + 2 s^2) = 2 asinh(s)): 1 + u rounds by
    # ulp(1)/2, which acosh magnifies by 1/sqrt(2u); u/2 is exact, and nothing overflows. NaN for u < 0.
    return 2 * ops.ASINH(ops.SQRT(HALF * x))


def _is_square_of_input(x, y):
    # x^2 + y^2 for two inputs x, y: homogeneous-quotient (rules/scaling.py) scales both (y^2 over- and
    # underflows too)
    return x.is_symbol and y.op is ops.MUL and len(y.args) == 2 and y.args[0] is y.args[1] \
        and y.args[0].is_symbol and y.args[0] is not x


def _over_square_plus(x, y):
    # x/(x^2 + y) = 1/(x + y/x): x^2 overflows from 1.3e154 (1.8e19 in float32), where the result is still
    # 1/x; beyond 2^60 the new form rounds three times like the typed one, and y/x cannot overflow
    # (selects of the operands: one quotient computed, not both)
    if _is_square_of_input(x, y):
        return None
    small = ops.LT(ops.ABS(x), BIG)
    return ops.SELECT(small, x, const(1)) / ops.SELECT(small, x * x + y, x + y / x)


def _square_over_square_plus(x, y):
    # x^2/(x^2 + y) = 1/(1 + y/x^2): x^2 overflows from 1.3e154 (1.8e19 in float32), where the result is
    # still 1 - y/x^2; beyond 2^60 the new form rounds as often as the typed one and y/x^2 only underflows
    if _is_square_of_input(x, y):
        return None
    small = ops.LT(ops.ABS(x), BIG)
    square = x * x
    return ops.SELECT(small, square, ONE) / ops.SELECT(small, square + y, 1 + y / square)


def _log_one_minus_square(x):
    # log(1 - x^2), once 1 - x^2 is (1 - x)(1 + x): near 0 the product rounds to within an ulp of 1 and the
    # log keeps only that ulp; log1p(-x^2) there (x^2 rounds once; near |x| = 1 it would be the
    # ill-conditioned log1p(~-1), where the factored product is right)
    return ops.SELECT(ops.LT(ops.ABS(x), HALF), ops.LOG1P(-(x * x)), ops.LOG((1 - x) * (1 + x)))


def _cos_double(x):
    # cos^2 - sin^2, 2 cos^2 - 1, 1 - 2 sin^2 = cos(2x): 2x is exact; the typed forms subtract two values
    # near 1/2 (or 1) where cos(2x) is small, near pi/4
    return ops.COS(2 * x)


def _contracted(x, y, f, typed):
    # f(x + y) where x + y is exact (|x + y| <= min(|x|, |y|): Sterbenz), the typed products elsewhere:
    # there x + y would round by ulp(x)/2, which f turns into an absolute error the products do not have
    exact = ops.LE(ops.ABS(x + y), ops.MIN(ops.ABS(x), ops.ABS(y)))
    return ops.SELECT(exact, f(x + y), typed)


def _xlog_difference(x, y, z, xlogy=(True, True)):
    # x (log y - log z) for finite nonzero x; at x = 0 and infinite x the typed terms, built from the same
    # two logs (xlogy(x, v) is 0 at x = 0 unless v is NaN, x log(v) is x times the log)
    log_y, log_z = ops.LOG(y), ops.LOG(z)

    def term(v, log_v, is_xlogy):
        plain = x * log_v
        if not is_xlogy:
            return plain
        return ops.SELECT(ops.EQ(x, 0), ops.SELECT(ops.EQ(v, v), const(0), NAN), plain)
    typed = term(y, log_y, xlogy[0]) - term(z, log_z, xlogy[1])
    return ops.SELECT(ops.AND(is_finite(x), ops.NE(x, 0)), x * (log_y - log_z), typed)


def _hypot3(x, y, z):
    # sqrt(x^2 + y^2 + z^2) = hypot(hypot(x, y), z): the squares over/underflow from 1.3e154 (1.5e-154)
    return ops.HYPOT(ops.HYPOT(x, y), z)


def _log1p_square(x):
    # log1p(x^2) = 2 log|x| + log1p(x^-2), and x^-2 < 2^-120 is far below half an ulp for |x| > 2^60
    # there: 2 log1p(|x| - 1) (an identity, and |x| - 1 is |x| in floats there), so one log1p of a selected
    # operand serves both sides
    small = ops.LT(ops.ABS(x), BIG)
    return ops.SELECT(small, const(1), const(2)) * ops.LOG1P(ops.SELECT(small, x * x, ops.ABS(x) - 1))


def _log_norm_squared(s, norm, pair=None):
    # log(x^2 + y^2) = 2 log(hypot(x, y)): the sum of squares overflows from 1.3e154 and underflows (to
    # subnormals, then 0) below 1.5e-154 (float32: 1.8e19, 1.1e-19), where the logarithm of the norm is
    # still within an ulp; the typed form where the sum is a normal number (one libm call, no scaling).
    # For a pair (x, y) near the unit circle, log1p of the sum's distance to 1 (below)
    typed = _log_of_normal_sum(s, 2 * ops.LOG(norm))
    if pair is None:
        return typed
    near, d = _near_unit_circle(*pair)
    return ops.SELECT(near, ops.LOG1P(d), typed)


def _near_unit_circle(x, y):
    # (x^2 + y^2 in [1/2, 2], x^2 + y^2 - 1 to about twice the working precision): log|z| of a complex z
    # near the unit circle, log(x^2 + y^2) = log1p(x^2 + y^2 - 1), where the typed sum of squares has
    # rounded away the digits of its distance to 1 (8 bits lost for |z| within 1e-3 of 1, all of them at
    # 1e-16). s = x*x + y*y and its errors: the squares' (FMA) and the sum's (TwoSum), all exact; s - 1 is
    # exact in [1/2, 2] (Sterbenz). The steps are carried: no rule sees s - 1 cancel
    a, b = x * x, y * y
    s = CARRIED(a + b)
    errors = SUM_ERROR(a, b) + PRODUCT_ERROR(x, x) + PRODUCT_ERROR(y, y)
    d = CARRIED(s - 1) + errors
    return ops.AND(ops.GE(s, HALF), ops.LE(s, 2)), d


def _log_of_normal_sum(s, otherwise, scale=None):
    # scale*log(s) for a sum of squares s where it is a normal number, `otherwise` past its over- and
    # underflow. For log(hypot(x, y)) too: one ulp of s is 2^-53 of log's argument, where hypot's ulp is
    # doubled by log(hypot^2) (log|z| over |z| in [1e-5, 1e5]: 0.07 bits as log(hypot), 0.03 so, c99's
    # log(x^2 + y^2)/2 0.04), and no hypot call
    log_s = ops.LOG(s) if scale is None else scale * ops.LOG(s)
    return ops.SELECT(ops.AND(is_finite(s), ops.GE(s, MIN_NORMAL)), log_s, otherwise)


def _log_hypot(x, y):
    # log(hypot(x, y)) = log1p(x^2 + y^2 - 1)/2 near the unit circle (_near_unit_circle), log(x^2 + y^2)/2
    # elsewhere but past over- and underflow
    near, d = _near_unit_circle(x, y)
    return ops.SELECT(near, ops.LOG1P(d) / 2, _log_of_normal_sum(x * x + y * y, ops.LOG(ops.HYPOT(x, y)), HALF))


def _xlogx_difference(x, y=None):
    # (x + 1) log(x + 1) - x log(x) = log1p(x) + x log1p(1/x) for x > 1: two positive terms, where the
    # typed difference of two values of order x log x leaves one of order log x (Herbie's logs: 25 bits
    # lost at x = 1e15); x log1p(1/x) = 1 - 1/(2x) + ..., so a -1 that follows is subtracted from it
    # first. Below 1 the typed terms have opposite signs (no cancellation), and 1/x would overflow.
    typed = (1 + x) * ops.LOG1P(x) - (ops.XLOGY(x, x) if y is None else ops.XLOGY(x, x) + y)
    near_one = x * ops.LOG1P(1 / x)
    if y is not None:
        near_one = near_one - y
    return ops.SELECT(ops.GT(x, 1), ops.LOG1P(x) + near_one, typed)


def _finite_guard(x, y):
    return ops.SELECT(is_finite(x), y, NAN)


_INVERTED = (ops.TANH, ops.SINH, ops.COSH, ops.ASINH, ops.ACOSH, ops.ATANH, ops.ASIN, ops.ACOS, ops.ERF, ops.ERFC,
             ops.CBRT, ops.TAN)

RULES = [
    # ---- roots and hypot
    Rule("sqrt-square", ops.SQRT(x * x), ops.ABS(x), validity=A, phase="stabilize", ref="F6",
         doc="sqrt(x*x) overflows for |x| > 1.3e154; abs(x) is exact"),
    Rule("hypot", ops.SQRT(x * x + y * y), ops.HYPOT(x, y), validity=A, phase="stabilize", ref="F11",
         doc="no spurious overflow or underflow of the squares"),
    Rule("hypot-1", ops.SQRT(1 + y * y), ops.HYPOT(1, y), validity=A, phase="stabilize", ref="F12"),
    Rule("hypot-1-even-power", ops.SQRT(1 + y ** c), _hypot_one_even_power, validity=A, phase="stabilize",
         ref="F12", doc="sqrt(1 + x**4) overflows from x = 1e77, where it is x**2"),
    Rule("scaled-hypot", x * y, lambda x, y, node: _scaled_hypot(node), whole=True, validity=A,
         phase="stabilize", ref="F11", doc="m hypot(1, p/m) = sign(m) hypot(m, p): p/m overflows where it does not"),
    # specialize: every conjugate and cancellation pattern that holds sqrt(x^2 + y) has had its turn
    Rule("root-of-square-plus", ops.SQRT(x * x + y), _root_of_square_plus, validity=A, phase="specialize",
         ref="F11", doc="sqrt(x*x + y) overflows for |x| > 1.3e154 where it is |x| sqrt(1 + y/x^2)"),
    Rule("root-of-square-minus", ops.SQRT(x * x - y), lambda x, y: _root_of_square_plus(x, y, -1), validity=A,
         phase="specialize", ref="F11", doc="sqrt(x*x - y) likewise"),
    Rule("sqrt-times-sqrt", ops.SQRT(x) * ops.SQRT(x), lambda x: _guarded(ops.GE(x, 0), x), validity=G,
         phase="stabilize", ref="F7", doc="sqrt(x)**2 is x (NaN kept for x < 0)"),
    Rule("cbrt-cube", ops.CBRT(x ** 3), x, validity=R, phase="stabilize", ref="E11",
         doc="real cube root of x**3 is x; the typed form overflows for |x| > 5.6e102"),
    # ---- cancellation
    # before difference-of-squares, whose (cos - sin)(cos + sin) still cancels near pi/4
    Rule("cos-squares-difference", ops.COS(x) * ops.COS(x) - ops.SIN(x) * ops.SIN(x), _cos_double, validity=A,
         phase="stabilize", ref="G4", doc="cos(x)^2 - sin(x)^2 = cos(2x) cancels near pi/4"),
    Rule("difference-of-squares", x * x - y * y, _difference_of_squares, validity=A, phase="stabilize", ref="F15",
         doc="a*a - b*b cancels when a ~ b; a - b is then exact"),
    Rule("squares-difference-over-square", x / y, _squares_difference_over_square, validity=A,
         phase="stabilize", ref="F15"),
    Rule("square-minus-one", x * x - 1, (x + 1) * (x - 1), validity=A, phase="stabilize", ref="F15"),
    Rule("one-minus-square", 1 - x * x, (1 + x) * (1 - x), validity=A, phase="stabilize", ref="F15"),
    Rule("difference-of-sqrt", ops.SQRT(x) - ops.SQRT(y), _diff_sqrt, validity=A, phase="stabilize",
         ref="F16", doc="sqrt(a) - sqrt(b) = (a - b)/(sqrt(a) + sqrt(b)) without cancellation"),
    Rule("hypot-diff", ops.HYPOT(x, y) - ops.HYPOT(z, Var("w")), _hypot_w, validity=A, phase="stabilize",
         ref="F16", doc="sqrt(x**2 + y**2) - sqrt(x**2 + z**2) loses 26 bits at x = 1e4, y, z < 1 (a shared x)"),
    Rule("sqrt-minus-one", ops.SQRT(x) - 1, _sqrt_minus_one, validity=A, phase="stabilize", ref="F16"),
    Rule("norm-minus-constant", ops.HYPOT(x, y) - c, lambda x, y, c: _norm_minus_constant(ops.HYPOT(x, y), c, 1),
         validity=A, phase="stabilize", ref="F16",
         doc="sqrt(x^2 + y^2 + z^2) - 1 cancels on the sphere; (x^2 + y^2 + z^2 - 1)/(|v| + 1) there"),
    Rule("constant-minus-norm", c - ops.HYPOT(x, y), lambda c, x, y: _norm_minus_constant(ops.HYPOT(x, y), c, -1),
         validity=A, phase="stabilize", ref="F16"),
    Rule("one-minus-sqrt", 1 - ops.SQRT(x), _one_minus_sqrt, validity=A, phase="stabilize", ref="F16"),
    Rule("add-sub-cancel", (x + y) - x, lambda x, y: _finite_guard(x, y), validity=G, phase="stabilize",
         ref="H6", doc="(x + y) - x is y where x is finite (the typed form loses y's digits)"),
    Rule("sub-add-cancel", x - (x + y), lambda x, y: _finite_guard(x, -y), validity=G, phase="stabilize",
         ref="H6"),
    Rule("sub-sub-cancel", x - (x - y), lambda x, y: _finite_guard(x, y), validity=G, phase="stabilize",
         ref="H6"),
    # a difference of two sums that share a term: the shared term cancels exactly (the typed form rounds
    # both sums first); (x + 1) - (x - 1) is 2, which the rules that form differences (x - y)/(...) need
    Rule("sums-share-term", (x + y) - (x + z), lambda x, y, z: _finite_guard(x, y - z), validity=G,
         phase="stabilize", ref="H6"),
    Rule("sum-minus-difference", (x + y) - (x - z), lambda x, y, z: _finite_guard(x, y + z), validity=G,
         phase="stabilize", ref="H6"),
    Rule("difference-minus-sum", (x - y) - (x + z), lambda x, y, z: _finite_guard(x, -(y + z)), validity=G,
         phase="stabilize", ref="H6"),
    Rule("differences-share-term", (x - y) - (x - z), lambda x, y, z: _finite_guard(x, z - y), validity=G,
         phase="stabilize", ref="H6"),
    Rule("difference-minus-term", (x - y) - x, lambda x, y: _finite_guard(x, -y), validity=G,
         phase="stabilize", ref="H6"),
    Rule("differences-share-subtrahend", (y - x) - (z - x), lambda x, y, z: _finite_guard(x, y - z), validity=G,
         phase="stabilize", ref="H6"),
    Rule("mul-div-cancel", (x * y) / x, lambda x, y: y if _finite_nonzero_const(x) else
         ops.SELECT(ops.AND(is_finite(x), ops.NE(x, 0)), y, NAN),
         validity=G, phase="stabilize", ref="H8", doc="(x*y)/x is y for finite nonzero x, also when x*y overflows"),
    Rule("exp-times-cosh", ops.EXP(x) * ops.COSH(y), _exp_times_cosh, validity=A, phase="canonicalize",
         ref="G6", doc="exp(-x)*cosh(x) - 1/2 loses every digit past x = 20; it is exp(-2x)/2"),
    Rule("exp-times-cosh-in-product", ops.MUL(ops.EXP(x), ops.COSH(y), z), _exp_times_cosh, validity=A,
         phase="canonicalize", ref="G6"),
    Rule("exps-with-hyperbolics", x - y, lambda x, y: _exps_with_hyperbolics(x - y), validity=A,
         phase="canonicalize", ref="G6", doc="cosh(x) - exp(x)/2 loses every digit past x = 40; it is exp(-x)/2"),
    Rule("exps-with-hyperbolics-sum", x + y, lambda x, y: _exps_with_hyperbolics(x + y), validity=A,
         phase="canonicalize", ref="G6"),
    Rule("cosh-plus-sinh", ops.COSH(x) + ops.SINH(x), ops.EXP(x), validity=A, phase="stabilize", ref="G6"),
    Rule("cosh-minus-sinh", ops.COSH(x) - ops.SINH(x), ops.EXP(-x), validity=A, phase="stabilize", ref="G6",
         doc="cancels completely for x > 19"),
    Rule("sinh-minus-cosh", ops.SINH(x) - ops.COSH(x), -ops.EXP(-x), validity=A, phase="stabilize", ref="G6"),
    Rule("sin-shift", ops.SIN(x + y) - ops.SIN(x), _sin_shift, validity=A, phase="stabilize", ref="G3",
         doc="sin(x + e) - sin(x): sin(x) cosm1(e) + cos(x) sin(e), exact in e"),
    Rule("sin-shift-neg", ops.SIN(x) - ops.SIN(x + y), lambda x, y: -_sin_shift(x, y), validity=A,
         phase="stabilize", ref="G3"),
    Rule("tan-shift", ops.TAN(x + y) - ops.TAN(x), _tan_shift, validity=A, phase="stabilize", ref="G3",
         doc="tan(x + e) - tan(x) (Herbie's 2tan) by the addition theorem, exact in e"),
    Rule("tan-shift-neg", ops.TAN(x) - ops.TAN(x + y), lambda x, y: -_tan_shift(x, y), validity=A,
         phase="stabilize", ref="G3"),
    Rule("cos-shift", ops.COS(x + y) - ops.COS(x), _cos_shift, validity=A, phase="stabilize", ref="G4",
         doc="cos(x + e) - cos(x): cos(x) cosm1(e) - sin(x) sin(e), exact in e"),
    Rule("cos-shift-neg", ops.COS(x) - ops.COS(x + y), lambda x, y: -_cos_shift(x, y), validity=A,
         phase="stabilize", ref="G4"),
    Rule("cosh-minus-one", ops.COSH(x) - 1, lambda x: _half_sinh_squared(x, 2), validity=A, phase="stabilize",
         ref="G7", doc="cosh(x) - 1 cancels for |x| << 1; 2 sinh(x/2)^2 does not"),
    Rule("one-minus-cosh", 1 - ops.COSH(x), lambda x: -_half_sinh_squared(x, 2), validity=A, phase="stabilize",
         ref="G7"),
    Rule("exp-pair-minus-two", (ops.EXP(x) + ops.EXP(-x)) - 2, lambda x: _half_sinh_squared(x, 4), validity=A,
         phase="stabilize", ref="G7", doc="e^x - 2 + e^-x = 4 sinh(x/2)^2"),
    Rule("sin-diff", ops.SIN(x) - ops.SIN(y), _sin_diff, validity=A, phase="stabilize", ref="G3",
         doc="2 sin((x-y)/2) cos((x+y)/2) where sin(x) ~ sin(y) would cancel"),
    Rule("sin-sum", ops.SIN(x) + ops.SIN(y), lambda x, y: _sin_diff(x, y.args[0] if y.op is ops.NEG else -y),
         validity=A, phase="stabilize", ref="G3",
         doc="sin(x) + sin(y) = sin(x) - sin(-y): SymPy spells sin(x + h) - sin(x - h) as sin(h + x) + sin(h - x)"),
    Rule("cos-diff", ops.COS(x) - ops.COS(y), _cos_diff, validity=A, phase="stabilize", ref="G4"),
    Rule("cosh-diff", ops.COSH(x) - ops.COSH(y), _cosh_diff, validity=A, phase="stabilize", ref="G6",
         doc="cosh(x) - cosh(y) = 2 sinh((x + y)/2) sinh((x - y)/2) cancels for x ~ y"),
    Rule("sinh-diff", ops.SINH(x) - ops.SINH(y), _sinh_diff, validity=A, phase="stabilize", ref="G6",
         doc="sinh(x) - sinh(y) = 2 cosh((x + y)/2) sinh((x - y)/2) cancels for x ~ y"),
    Rule("tanh-diff", ops.TANH(x) - ops.TANH(y), _tanh_diff, validity=A, phase="stabilize", ref="G6",
         doc="tanh(x) - tanh(y) = sinh(x - y)/(cosh(x) cosh(y)) cancels for x ~ y and for both far from 0"),
    Rule("asinh-diff", ops.ASINH(x) - ops.ASINH(y), _asinh_diff, validity=A, phase="stabilize", ref="G8",
         doc="asinh(x) - asinh(y) cancels for x ~ y"),
    Rule("acosh-diff", ops.ACOSH(x) - ops.ACOSH(y), _acosh_diff, validity=A, phase="stabilize", ref="G8",
         doc="acosh(x) - acosh(y) cancels for x ~ y"),
    Rule("atanh-diff", ops.ATANH(x) - ops.ATANH(y), _atanh_diff, validity=A, phase="stabilize", ref="G8",
         doc="atanh(x) - atanh(y) cancels for x ~ y"),
    Rule("erf-diff", ops.ERF(x) - ops.ERF(y), _erf_diff, validity=A, phase="stabilize", ref="D1",
         doc="erf(x) - erf(y) cancels for x ~ y: a series about the mid-point"),
    Rule("erfc-diff", ops.ERFC(x) - ops.ERFC(y), lambda x, y: _erf_diff(x, y, -1), validity=A, phase="stabilize",
         ref="D1", doc="erfc(x) - erfc(y) cancels for x ~ y"),
    Rule("quotient-of-squares", (x * x) / (y * y), lambda x, y: (x / y) * (x / y), validity=A, phase="stabilize",
         ref="E8", doc="x^2/y^2 over- or underflows in between (sin(x)^2/x^2 at x = 1e-200); (x/y)^2 rounds less"),
    # rearrange: after stabilize's half-angle patterns that hold 1 + cos(x) (sin(x)/(1 + cos(x)) = tan(x/2))
    Rule("one-plus-cos", 1 + ops.COS(x), _one_plus_cos, validity=A, phase="rearrange", ref="G1",
         doc="1 + cos(x) = 2 cos(x/2)^2 cancels near odd multiples of pi"),
    Rule("atan-diff", ops.ATAN(x) - ops.ATAN(y), _atan_diff, validity=A, phase="stabilize", ref="G5",
         doc="atan2(x - y, 1 + x*y): no cancellation for x ~ y"),
    *[Rule(f"{op.name}-minus-constant", op(x) - y, lambda x, y, op=op: _function_minus_constant(op, x, y),
           validity=A, phase="stabilize", ref="G3-G5", doc=f"{op.name}(x) - c near {op.name}(x) = c: the "
           f"difference of {op.name}(x) and {op.name}(a), a = {op.name}^-1(c), without cancellation")
      for op in (ops.SIN, ops.COS, ops.ATAN)],
    *[Rule(f"constant-minus-{op.name}", y - op(x), lambda y, x, op=op: _function_minus_constant(op, x, y, True),
           validity=A, phase="stabilize", ref="G3-G5", doc=f"c - {op.name}(x), the same negated")
      for op in (ops.SIN, ops.COS, ops.ATAN)],
    *[Rule(f"{op.name}-plus-constant", op(x) + y, lambda x, y, op=op: _function_minus_constant(op, x, y, added=True),
           validity=A, phase="stabilize", ref="G3-G5", doc=f"{op.name}(x) + c near {op.name}(x) = -c")
      for op in (ops.SIN, ops.COS, ops.ATAN)],
    *[Rule(f"{op.name}-minus-constant", op(x) - y, lambda x, y, op=op: _inverse_minus_constant(op.name, op, x, y),
           validity=A, phase="stabilize", ref="G5-G8", doc=f"{op.name}(x) - c near {op.name}(x) = c: "
           f"{op.name}(x) - {op.name}(a) for the root a, without cancellation")
      for op in _INVERTED],
    *[Rule(f"constant-minus-{op.name}", y - op(x),
           lambda y, x, op=op: _inverse_minus_constant(op.name, op, x, y, True),
           validity=A, phase="stabilize", ref="G5-G8", doc=f"c - {op.name}(x), the same negated")
      for op in _INVERTED],
    *[Rule(f"{op.name}-plus-constant", op(x) + y,
           lambda x, y, op=op: _inverse_minus_constant(op.name, op, x, y, added=True), validity=A, phase="stabilize",
           ref="G5-G8", doc=f"{op.name}(x) + c near {op.name}(x) = -c")
      for op in _INVERTED if _INVERSES[op.name][1][0] < 0],  # (cosh(x) + c fits no root but as cosh(x) - |c|)
    Rule("cube-root-minus-constant", ops.POW(x, z) - y,
         lambda x, z, y: _inverse_minus_constant("cube-root", lambda u: ops.POW(u, z), x, y)
         if z.is_const and z.value == sympy.Rational(1, 3) else None, validity=A, phase="stabilize",
         doc="x**(1/3) - c near c^3 (SymPy's cbrt(x)): a difference of cubes over a sum that does not cancel"),
    Rule("constant-minus-cube-root", y - ops.POW(x, z),
         lambda y, x, z: _inverse_minus_constant("cube-root", lambda u: ops.POW(u, z), x, y, True)
         if z.is_const and z.value == sympy.Rational(1, 3) else None, validity=A, phase="stabilize",
         doc="c - x**(1/3)"),
    Rule("minus-own-quotient", x - x / y, _minus_own_quotient, validity=A, phase="stabilize", ref="H6",
         doc="x - x/y = x (y - 1)/y cancels for y near 1"),
    Rule("own-quotient-minus", x / y - x, lambda x, y: _minus_own_quotient(x, y, negated=True), validity=A,
         phase="stabilize", ref="H6", doc="x/y - x"),
    # the angle-sum formulas less one of their two products: the other product, exactly
    Rule("sin-sum-minus-product", ops.SIN(x + y) - ops.SIN(x) * ops.COS(y), lambda x, y: ops.COS(x) * ops.SIN(y),
         validity=A, phase="stabilize", ref="G3", doc="sin(x + y) - sin(x) cos(y) = cos(x) sin(y) cancels for small y"),
    Rule("cos-sum-minus-product", ops.COS(x + y) - ops.COS(x) * ops.COS(y),
         lambda x, y: -(ops.SIN(x) * ops.SIN(y)), validity=A, phase="stabilize", ref="G4",
         doc="cos(x + y) - cos(x) cos(y) = -sin(x) sin(y)"),
    Rule("product-minus-cos-sum", ops.COS(x) * ops.COS(y) - ops.COS(x + y), lambda x, y: ops.SIN(x) * ops.SIN(y),
         validity=A, phase="stabilize", ref="G4"),
    Rule("asin-diff", ops.ASIN(x) - ops.ASIN(y), _asin_diff, validity=A, phase="stabilize", ref="G5",
         doc="asin(x) - asin(y) cancels for x ~ y"),
    Rule("acos-diff", ops.ACOS(x) - ops.ACOS(y), lambda x, y: _asin_diff(x, y, -1), validity=A, phase="stabilize",
         ref="G5", doc="acos(x) - acos(y) cancels for x ~ y (and near x = -y ~ 0)"),
    Rule("atan-sum", ops.ATAN(x) + ops.ATAN(y), _atan_sum, validity=A, phase="stabilize", ref="G5"),
    # ---- definitions back to the primitive
    Rule("asinh-def", ops.LOG(x + ops.SQRT(x * x + 1)), ops.ASINH(x), validity=A, phase="stabilize", ref="G8",
         doc="log(x + sqrt(x*x + 1)) cancels for x << 0 and overflows for x > 1e154"),
    Rule("asinh-def-hypot", ops.LOG(x + ops.HYPOT(1, x)), ops.ASINH(x), validity=A, phase="stabilize", ref="G8"),
    # the odd function's definition on |x|, its sign put back (Rust's f64::asinh as typed): hypot(1, x) is
    # hypot(1, |x|), and sign(x) f(|x|) is f(x) for the odd primitives (their libm forms are odd bit for bit)
    Rule("asinh-def-abs", ops.LOG(ops.ABS(x) + ops.HYPOT(1, x)), lambda x: ops.ASINH(ops.ABS(x)), validity=A,
         phase="stabilize", ref="G8", doc="log(|x| + sqrt(x*x + 1)) overflows for |x| > 1e154"),
    *[Rule(f"sign-times-odd-{f.name}", ops.SIGN(x) * f(ops.ABS(x)), f(x), validity=R, phase="stabilize", ref="H10",
           doc=f"sign(x)*{f.name}(|x|) is {f.name}(x)")
      for f in (ops.ASINH, ops.SINH, ops.TANH, ops.ATAN, ops.ASIN, ops.ATANH, ops.ERF)],
    # |f(x)| = f(|x|) for the same odd increasing primitives: log(|sinh(x)|) (CoolProp's GERG terms) is then
    # log-sinh's, finite past sinh's overflow at |x| = 710
    *[Rule(f"abs-of-odd-{f.name}", ops.ABS(f(x)), f(ops.ABS(x)), validity=R, phase="stabilize", ref="H10",
           doc=f"|{f.name}(x)| is {f.name}(|x|)")
      for f in (ops.ASINH, ops.SINH, ops.TANH, ops.ATAN, ops.ASIN, ops.ATANH, ops.ERF)],
    # log(sqrt(x*x + 1) - x) = -asinh(x): canonicalize, before hypot-minus makes the difference a select
    Rule("asinh-def-negated", ops.LOG(ops.SQRT(x * x + 1) - x), -ops.ASINH(x), validity=A, phase="canonicalize",
         ref="G8", doc="log(sqrt(x*x + 1) - x) cancels for x >> 0 and loses x's digits near 0"),
    Rule("acosh-def-negated", ops.LOG(x - ops.SQRT(x * x - 1)), -ops.ACOSH(x), validity=A, phase="canonicalize",
         ref="G8", doc="log(x - sqrt(x*x - 1)) cancels for x >> 1"),
    Rule("acosh-def", ops.LOG(x + ops.SQRT(x * x - 1)), ops.ACOSH(x), validity=A, phase="stabilize", ref="G8"),
    Rule("acosh-def-factored", ops.LOG(x + ops.SQRT((x + 1) * (x - 1))), ops.ACOSH(x), validity=A,
         phase="stabilize", ref="G8"),
    Rule("atanh-def", ops.LOG((1 + x) / (1 - x)) / 2, ops.ATANH(x), validity=A, phase="stabilize", ref="G8",
         doc="log((1 + x)/(1 - x))/2 loses all digits for |x| < eps"),
    Rule("atanh-def-half", ops.MUL(sympy.Rational(1, 2), ops.LOG((1 + x) / (1 - x))), ops.ATANH(x), validity=A,
         phase="stabilize", ref="G8"),
    Rule("atanh-logs", ops.LOG1P(x) - ops.LOG1P(-x), lambda x: 2 * ops.ATANH(x), validity=A, phase="stabilize",
         ref="G8", doc="log(1 + x) - log(1 - x) = 2 atanh(x): one rounding where the difference has three"),
    Rule("atanh-logs-neg", ops.LOG1P(-x) - ops.LOG1P(x), lambda x: -(2 * ops.ATANH(x)), validity=A,
         phase="stabilize", ref="G8"),
    Rule("sinh-def", (ops.EXP(x) - ops.EXP(-x)) / 2, ops.SINH(x), validity=A, phase="stabilize", ref="G7",
         doc="(exp(x) - exp(-x))/2 cancels near 0"),
    Rule("sinh-def-halves", ops.EXP(x) / 2 - ops.EXP(-x) / 2, ops.SINH(x), validity=A, phase="stabilize",
         ref="G7", doc="SymPy distributes the 1/2"),
    Rule("sinh-def-halves-minus", ops.EXP(x) / 2 - (ops.EXP(-x) / 2 + y), lambda x, y: ops.SINH(x) - y,
         validity=A, phase="stabilize", ref="G7", doc="e^x/2 - e^-x/2 - y, as SymPy lowers sinh's definition "
         "minus more terms (sinh(x) - x)"),
    Rule("heron", ops.SQRT(x), _heron, validity=A, phase="stabilize", ref="F16",
         doc="Heron's area of a needle-like triangle: s - a cancels; Kahan's form on the sorted sides does not"),
    Rule("law-of-cosines", x - y, lambda x, y: _law_of_cosines(x - y), validity=A, phase="stabilize", ref="G4",
         doc="a^2 + b^2 - 2ab cos(c) cancels for a ~ b and small c; (a - b)^2 - 2ab cosm1(c) does not"),
    Rule("law-of-cosines-sum", x + y, lambda x, y: _law_of_cosines(x + y), validity=A, phase="stabilize", ref="G4"),
    Rule("exp-pair", x - y, lambda x, y: _exp_pair(x - y), validity=A, phase="stabilize", ref="G7",
         doc="e^x - e^-x - 2x: the pair is 2 sinh(x), which does not cancel near 0"),
    Rule("exp-pair-sum", x + y, lambda x, y: _exp_pair(x + y), validity=A, phase="stabilize", ref="G7"),
    Rule("tanh-quotient", ops.SINH(x) / ops.COSH(x), lambda x: ops.TANH(x), validity=A, phase="stabilize", ref="G7",
         doc="sinh/cosh is inf/inf from x = 710; tanh is accurate everywhere"),
    Rule("coth-quotient", ops.COSH(x) / ops.SINH(x), lambda x: 1 / ops.TANH(x), validity=A, phase="stabilize",
         ref="G7", doc="cosh/sinh is inf/inf from x = 710; 1/tanh keeps coth's 1 (and cancels in the Langevin "
         "function coth(x) - 1/x, which the series rules take)"),
    # p log(p) - p log(q) = p (log p - log q), whose difference of logs is then log(p/q): the typed terms
    # cancel near p = q (a KL divergence's terms); xlogy's 0 at p = 0 kept, and the typed form at infinite p
    Rule("xlogy-difference", ops.XLOGY(x, y) - ops.XLOGY(x, z), lambda x, y, z: _xlog_difference(x, y, z),
         validity=A, phase="stabilize", ref="A1", doc="p log(p) - p log(q) cancels near p = q"),
    Rule("xlogx-minus-x-log", ops.XLOGY(x, x) - x * ops.LOG(y), lambda x, y: _xlog_difference(x, x, y, (True, False)),
         validity=A, phase="stabilize", ref="A1", doc="p log(p) - p log(q), once p log(p) is xlogy(p, p)"),
    Rule("x-log-difference", x * ops.LOG(y) - x * ops.LOG(z), lambda x, y, z: _xlog_difference(x, y, z, (False, False)),
         validity=A, phase="stabilize", ref="A1"),
    Rule("cosh-def-halves", ops.EXP(x) / 2 + ops.EXP(-x) / 2, ops.COSH(x), validity=A, phase="stabilize",
         ref="G7"),
    Rule("cosh-def", (ops.EXP(x) + ops.EXP(-x)) / 2, ops.COSH(x), validity=A, phase="stabilize", ref="G7"),
    Rule("tanh-def", (ops.EXP(x) - ops.EXP(-x)) / (ops.EXP(x) + ops.EXP(-x)), ops.TANH(x), validity=A,
         phase="stabilize", ref="G7", doc="the typed form is inf/inf = NaN for |x| > 710"),
    # (the pole at x = -0 as typed: 2/(1 - 1) is +inf, 1/tanh(-0) -inf)
    Rule("coth-def", (ops.EXP(x) + ops.EXP(-x)) / (ops.EXP(x) - ops.EXP(-x)),
         lambda x: 1 / ops.PLUS_ZERO(ops.TANH(x)), validity=A, phase="stabilize", ref="G7",
         doc="the typed form is inf/inf = NaN for |x| > 710 and its difference cancels near 0"),
    Rule("tanh-expm1", ops.EXPM1(x) / (ops.EXP(x) + 1), lambda x: ops.TANH(x / 2), validity=A,
         phase="stabilize", ref="G7", doc="(exp(2t) - 1)/(exp(2t) + 1) after expm1 has been formed"),
    Rule("tan-half-sin", ops.SIN(x) / (1 + ops.COS(x)), lambda x: ops.TAN(x / 2), validity=A,
         phase="stabilize", ref="G1"),
    Rule("tan-half-cos", (1 - ops.COS(x)) / ops.SIN(x), lambda x: ops.TAN(x / 2), validity=A,
         phase="stabilize", ref="G2", doc="1 - cos(x) cancels near 0"),
    *([Rule("tan-half-cosm1", (-ops.OPS["cosm1"](x)) / ops.SIN(x), lambda x: ops.TAN(x / 2), validity=A,
            phase="stabilize", ref="G2", doc="(1 - cos x)/sin x once 1 - cos x has become -cosm1(x)")]
      if "cosm1" in ops.OPS else []),
    # ---- inverse pairs (E1-E3, E7, E11); acosh(cosh x) is |x|, not x
    Rule("log-exp", ops.LOG(ops.EXP(x)), x, validity=R, phase="stabilize", ref="E1",
         doc="real x; the typed form overflows for x > 709"),
    Rule("exp-log", ops.EXP(ops.LOG(x)),
         lambda x: x, when=lambda facts, x: facts.nonnegative(x), validity=R, phase="stabilize", ref="E2"),
    Rule("exp-log-guarded", ops.EXP(ops.LOG(x)), lambda x: _guarded(ops.GE(x, 0), x), validity=G,
         phase="stabilize", ref="E2", doc="x >= 0; NaN kept elsewhere"),
    Rule("exp-log-product", ops.EXP(ops.LOG(x) * y), _exp_log_product, validity=A, phase="stabilize", ref="E2",
         doc="exp(y log(x)) carries log(x)'s rounding as |y log(x)| ulps; pow(x, y) rounds once"),
    Rule("log-recip", ops.LOG(1 / x), lambda x: -ops.LOG(x), validity=R, phase="stabilize", ref="E3",
         doc="1/x overflows for subnormal x"),
    Rule("log-square", ops.LOG(x * x), lambda x: 2 * ops.LOG(ops.ABS(x)), validity=A, phase="stabilize",
         ref="E5, E6", when=lambda facts, x: x.op not in (ops.SIN, ops.COS),  # trig.py's log-sin-square, near 1
         doc="log(x^2) is inf past |x| = 1.3e154 and rounds x^2 first; 2 log|x| does neither"),
    Rule("log-pow", ops.LOG(x ** y), _log_pow, validity=A, phase="stabilize", ref="E6",
         doc="log(x**y) is inf or -inf where x**y over- or underflows; y log(x) for x > 0"),
    Rule("acos-of-cosine", ops.ACOS(x / y), lambda x, y: _angle_of("acos", x, y), validity=A, phase="stabilize",
         ref="G5", doc="acos(x/sqrt(x**2 + y**2)) for |y| << |x| is acos near 1; atan2(|y|, x)"),
    Rule("asin-of-sine", ops.ASIN(x / y), lambda x, y: _angle_of("asin", x, y), validity=A, phase="stabilize",
         ref="G5", doc="asin(y/sqrt(x**2 + y**2)) for |x| << |y| is asin near 1; atan2(y, |x|)"),
    # (not products of sums: (1 - x)(1 + x) is the factored 1 - x^2 of other rules' patterns, and bounded;
    # not a constant times a value, which over- or underflows where the result does)
    Rule("sqrt-of-product", ops.SQRT(x * y), _sqrt_of_product, validity=A,
         when=lambda facts, x, y: x is not y and not x.is_const and not y.is_const
         and not {x.op, y.op} & {ops.ADD, ops.SUB, ops.NEG},
         phase="stabilize", ref="F10", doc="sqrt(x*y) is inf or 0 where x*y over- or underflows"),
    Rule("sqrt-exp", ops.SQRT(ops.EXP(x)), lambda x: ops.EXP(HALF * x), validity=A, phase="stabilize", ref="F9",
         doc="sqrt(exp(x)) is inf from x = 709.8 (and 0 below -745); exp(x/2) to 1419.6, x/2 exact"),
    Rule("log-sqrt", ops.LOG(ops.SQRT(x)), lambda x: ops.LOG(x) / 2, validity=R, phase="stabilize", ref="E7"),
    Rule("sinh-asinh", ops.SINH(ops.ASINH(x)), x, validity=R, phase="stabilize", ref="E11"),
    Rule("asinh-sinh", ops.ASINH(ops.SINH(x)), x, validity=R, phase="stabilize", ref="E11",
         doc="sinh overflows for |x| > 710"),
    Rule("atanh-tanh", ops.ATANH(ops.TANH(x)), x, validity=R, phase="stabilize", ref="E11",
         doc="tanh rounds to 1 for x > 19"),
    Rule("tanh-atanh", ops.TANH(ops.ATANH(x)), lambda x: _guarded(ops.LE(ops.ABS(x), 1), x), validity=G,
         phase="stabilize", ref="E11"),
    Rule("cosh-acosh", ops.COSH(ops.ACOSH(x)), lambda x: _guarded(ops.GE(x, 1), x), validity=G,
         phase="stabilize", ref="E11"),
    Rule("acosh-cosh", ops.ACOSH(ops.COSH(x)), ops.ABS(x), validity=R, phase="stabilize", ref="E11",
         doc="acosh(cosh(x)) is |x| (the catalogue's x is wrong for x < 0)"),
    Rule("sin-asin", ops.SIN(ops.ASIN(x)), lambda x: _guarded(ops.LE(ops.ABS(x), 1), x), validity=G,
         phase="stabilize", ref="E11"),
    Rule("cos-acos", ops.COS(ops.ACOS(x)), lambda x: _guarded(ops.LE(ops.ABS(x), 1), x), validity=G,
         phase="stabilize", ref="E11"),
    Rule("tan-atan", ops.TAN(ops.ATAN(x)), x, validity=R, phase="stabilize", ref="E11",
         doc="atan rounds to pi/2 for large x, and tan(pi/2) is not x"),
    # ---- arguments that round near 1, squares that overflow, differences of x log x
    Rule("acos-one-minus", ops.ACOS(1 - x), _acos_one_minus, validity=A, phase="stabilize", ref="G8",
         doc="acos(1 - u) for small u: 1 - u has lost u's low digits, and acos near 1 magnifies that"),
    Rule("acosh-one-plus", ops.ACOSH(1 + x), _acosh_one_plus, validity=A, phase="stabilize", ref="G8",
         doc="acosh(1 + u) for small u: log1p(u + sqrt(u (u + 2)))"),
    Rule("over-square-plus", x / (x * x + y), _over_square_plus, validity=A, phase="stabilize", ref="E8",
         doc="x/(x^2 + 1) is 0/inf = 0 from x = 1.3e154, where it is 1/x"),
    # rearrange: after stabilize's 1 - x/y, which cancels x^2 - (x^2 + 1) symbolically first
    Rule("square-over-square-plus", (x * x) / (x * x + y), _square_over_square_plus, validity=A,
         phase="rearrange", ref="E8", doc="x^2/(x^2 + 1) is inf/inf = NaN from x = 1.3e154, where it is 1"),
    Rule("log-one-minus-square", ops.LOG((1 - x) * (1 + x)), _log_one_minus_square, validity=A,
         phase="stabilize", ref="A1, F15", doc="log(1 - x^2) near 0: the argument has lost x^2's digits"),
    Rule("hypot3", ops.SQRT(ops.ADD(x * x, y * y, z * z)), _hypot3, validity=A, phase="stabilize", ref="F11",
         doc="the norm of a 3-vector overflows from 1.3e154"),
    Rule("hypot-of-squares", ops.SQRT(x), _hypot_of_squares, validity=A, phase="stabilize", ref="F11, F12",
         doc="sqrt(1 + x^2/(4 a^2)) overflows from |x| = 1.3e154; hypot(1, x/(2a)) where the norm does not"),
    Rule("log-norm-squared", ops.LOG(x * x + y * y),
         lambda x, y: _log_norm_squared(x * x + y * y, ops.HYPOT(x, y), (x, y)), validity=A, phase="stabilize",
         ref="F11", doc="log(x^2 + y^2) overflows from 1.3e154, and loses the digits of its distance to 1 near 1"),
    Rule("log-hypot", ops.LOG(ops.HYPOT(x, y)), _log_hypot, validity=A, phase="stabilize", ref="F11",
         doc="log|z| = log(hypot(x, y)) near |z| = 1, where hypot has rounded away the distance to 1"),
    Rule("log-norm-squared-3", ops.LOG(ops.ADD(x * x, y * y, z * z)),
         lambda x, y, z: _log_norm_squared(ops.ADD(x * x, y * y, z * z), _hypot3(x, y, z)), validity=A,
         phase="stabilize", ref="F11", doc="log(x^2 + y^2 + z^2) overflows from 1.3e154"),
    Rule("twice-cos-square-minus-one", 2 * (ops.COS(x) * ops.COS(x)) - 1, _cos_double, validity=A,
         phase="stabilize", ref="G4", doc="2 cos(x)^2 - 1 = cos(2x) cancels near pi/4"),
    Rule("one-minus-twice-sin-square", 1 - 2 * (ops.SIN(x) * ops.SIN(x)), _cos_double, validity=A,
         phase="stabilize", ref="G4", doc="1 - 2 sin(x)^2 = cos(2x) cancels near pi/4"),
    # the same with the product flattened (2*cos(x)*cos(x) as typed)
    Rule("twice-cos-square-minus-one-flat", ops.MUL(2, ops.COS(x), ops.COS(x)) - 1, _cos_double, validity=A,
         phase="stabilize", ref="G4"),
    Rule("one-minus-twice-sin-square-flat", 1 - ops.MUL(2, ops.SIN(x), ops.SIN(x)), _cos_double, validity=A,
         phase="stabilize", ref="G4"),
    # a guarded form minus a constant: each branch minus it, so that the chosen form meets the constant
    # (cos(x - y) - 1 is cosm1(x - y) once the contracted cos x cos y + sin x sin y is a select)
    Rule("select-minus-const", ops.SELECT(x, y, z) - c,
         lambda x, y, z, c: ops.SELECT(x, _minus_constant(y, c), _minus_constant(z, c)),
         validity=A, phase="stabilize", ref="K"),
    # angle sums contracted where x -+ y is exact (x ~ +-y, Sterbenz), which is where the typed products cancel
    Rule("cos-of-difference", ops.COS(x) * ops.COS(y) + ops.SIN(x) * ops.SIN(y),
         lambda x, y: _contracted(x, -y, ops.COS, ops.COS(x) * ops.COS(y) + ops.SIN(x) * ops.SIN(y)),
         validity=A, phase="stabilize", ref="G4", doc="cos x cos y + sin x sin y = cos(x - y) cancels near x = y"),
    Rule("cos-of-sum", ops.COS(x) * ops.COS(y) - ops.SIN(x) * ops.SIN(y),
         lambda x, y: _contracted(x, y, ops.COS, ops.COS(x) * ops.COS(y) - ops.SIN(x) * ops.SIN(y)),
         validity=A, phase="stabilize", ref="G4"),
    Rule("sin-of-difference", ops.SIN(x) * ops.COS(y) - ops.COS(x) * ops.SIN(y),
         lambda x, y: _contracted(x, -y, ops.SIN, ops.SIN(x) * ops.COS(y) - ops.COS(x) * ops.SIN(y)),
         validity=A, phase="stabilize", ref="G3", doc="sin x cos y - cos x sin y = sin(x - y) cancels near x = y"),
    Rule("sin-of-sum", ops.SIN(x) * ops.COS(y) + ops.COS(x) * ops.SIN(y),
         lambda x, y: _contracted(x, y, ops.SIN, ops.SIN(x) * ops.COS(y) + ops.COS(x) * ops.SIN(y)),
         validity=A, phase="stabilize", ref="G3"),
    Rule("log1p-square", ops.LOG1P(x * x), _log1p_square, validity=A, phase="stabilize", ref="E8",
         doc="log(1 + x^2) is inf from x = 1.3e154, where it is 2 log|x|"),
    # x log(x) is xlogy(x, x) by now (stability's xlogx, which keeps 0 at x = 0)
    Rule("xlogx-difference", (1 + x) * ops.LOG1P(x) - ops.XLOGY(x, x), _xlogx_difference, validity=A,
         phase="stabilize", ref="A1", doc="(x + 1) log(x + 1) - x log(x) cancels for large x"),
    Rule("xlogx-difference-minus", (1 + x) * ops.LOG1P(x) - (ops.XLOGY(x, x) + y), _xlogx_difference,
         validity=A, phase="stabilize", ref="A1", doc="(n + 1) log(n + 1) - n log(n) - 1 (Herbie's logs)"),
    # ---- exp products whose factors over/underflow (E8)
    Rule("exp-product", ops.EXP(x) * ops.EXP(y), _exp_product, validity=A, phase="stabilize", ref="E8",
         doc="exp(800)*exp(-800) is inf*0; exp(x + y) is used only where the product fails"),
    Rule("exp-quotient", ops.EXP(x) / ops.EXP(y), _exp_quotient, validity=A, phase="stabilize", ref="E8"),
]
