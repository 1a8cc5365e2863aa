"""Polynomials in several values whose terms cancel: x**2 - 2*x*y + y**2 is (x - y)**2, x**3 - 3*x**2*y +
3*x*y**2 - y**3 is (x - y)**3, x**2*y + y**3 - 2*x*y**2 is y*(x - y)**2. Typed, the terms round before they
cancel (47 bits of error near x = y); factored, the difference x - y is exact there (Sterbenz) and the
products lose nothing. (Polynomials of one value with dyadic roots are factored in fractions.py.)

SymPy factors the expanded polynomial over the rationals, where the factors hold a linear one with terms
of both signs (x - y, near whose root the typed terms cancel). The rule runs in the stabilize phase, before
rearrange's common-factor could take a monomial out of a part of the sum and hide the whole, and only on
sums of three to ten terms in two or three values (symbols or opaque nodes) of degree 2 to 4 with terms of
both signs: small enough for SymPy per node; every other sum is left alone without calling it.

A sum of three or more terms of both signs (a Taylor polynomial, FPBench's kepler0) is summed in SymPy's
order of its terms, as lambdify prints it (a polynomial of one value from the highest degree down), rather
than as lowered, positive terms apart from negative ones (rearrange).
"""
from __future__ import annotations

import sympy

from .. import ops
from ..compensated import CARRIED, CORRECTED, PAIRS, PRODUCT_ERROR, ROUNDING_ERRORS, SUM_ERROR
from ..ir import binary_exponent, const, with_args
from ..rewrite import Rule, Validity, Var
from ._guards import factored_sum_typed
from ._symbolic import _to_node, _to_sympy, once_per_node, signed_terms

p, q = Var("p"), Var("q")
MAX_TERMS, MAX_DEGREE = 10, 4
ONE = const(1)
MAX_VARIANCE_VALUES = 6


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


def _subtracts(node) -> bool:
    """Some addend of the sum is subtracted (or has a negative number among its factors)."""
    return any(sign < 0 or (term.op is ops.MUL and any(a.is_const and a.value.is_negative for a in term.args))
               for term, sign in signed_terms(node))


def _squared_differences(expanded, leaves):
    """A quadratic form that vanishes where all its values are equal (its matrix's rows sum to 0), the
    variance of three samples (x**2 + y**2 + z**2)/3 - ((x + y + z)/3)**2: it is the sum over pairs of
    -A_ij (x_i - x_j)**2, whose differences are exact for close values (Sterbenz) where the typed squares
    round before they cancel (24 bits lost at 1000 + [0, 1)). Only where every -A_ij >= 0 (a sum of
    squares: nothing cancels); None otherwise."""
    if not expanded.is_polynomial(*leaves):
        return None
    poly = sympy.Poly(expanded, *leaves)
    if not poly.is_homogeneous or poly.total_degree() != 2:
        return None
    n = len(leaves)
    a = [[sympy.Integer(0)] * n for _ in range(n)]
    for monomial, coefficient in poly.terms():
        idx = [i for i, k in enumerate(monomial) for _ in range(k)]
        i, j = idx
        if i == j:
            a[i][i] += coefficient
        else:
            a[i][j] += coefficient / 2
            a[j][i] += coefficient / 2
    if any(sum(row) != 0 for row in a) or any(a[i][j] > 0 for i in range(n) for j in range(i + 1, n)):
        return None
    return sympy.Add(*[-a[i][j] * (leaves[i] - leaves[j]) ** 2
                       for i in range(n) for j in range(i + 1, n) if a[i][j] != 0], evaluate=False)


def _factored(node):
    terms = signed_terms(node)
    if len(terms) < 2 or _holds_error_terms(node):
        return None
    parsed = _to_sympy([node])
    if parsed is None:
        return None
    values, leaves = parsed
    if 2 <= len(leaves) <= MAX_VARIANCE_VALUES and _subtracts(node):  # not the sum of squares it builds
        squares = _squared_differences(sympy.expand(values[node]), list(leaves))
        if squares is not None:
            new = _to_node(squares, leaves)
            return None if new is None else ops.SELECT(ops.EQ(new - new, 0), new, node)
    cancelled = _cancelled_terms(values, terms, node, leaves)
    if cancelled is not None or len(terms) < 3:
        return cancelled  # two terms: difference of squares, common factors (algebra, rearrange)
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


def _cancelled_terms(values, terms, node, leaves):
    """A polynomial sum whose expansion has fewer terms than its addends' expansions together, (x + y)**2 -
    x**2 - y**2 = 2 x y, (x + y)(x - y) - x**2 = -y**2: typed, the cancelled terms round and leave their
    errors (17 and 47 bits lost); the expansion, factored, computes only what is left. None otherwise (and
    for a sum that cancels to 0, whose typed NaN and inf behaviour an exact 0 would drop). Of one value,
    where it cancels to a constant: x**2 - (x - 1)*(x + 1) is 1 (0.17 bits typed, where c99's SymPy
    simplification had 0); other sums of one value are fractions' (the rule sees part of an n-ary sum, and
    a polynomial built in a select would no longer cancel with the terms left out: (x + 1)(x - 1) + 1 as
    x^2, then x^2 - x^2 fused into an FMA, the square's rounding error instead of 0)."""
    if not 1 <= len(leaves) <= 3:
        return None
    expanded = sympy.expand(values[node])
    if expanded == 0 or not expanded.is_polynomial(*leaves) or (len(leaves) == 1 and not expanded.is_number):
        return None
    if sympy.Poly(expanded, *leaves).total_degree() > MAX_DEGREE:
        return None
    before = sum(len(sympy.Add.make_args(sympy.expand(values[t]))) for t, _ in terms)
    if len(sympy.Add.make_args(expanded)) >= before:
        return None
    factored = sympy.factor(expanded)
    if any(_mixed_signs(factor, leaves) for factor in sympy.Mul.make_args(factored)):
        return None  # still cancels within a factor (a variance's quadratic form: the rule below)
    new = _to_node(factored, leaves)
    # the factors overflow about where the terms do; where they do and the typed sum does not, typed
    return None if new is None else ops.SELECT(ops.EQ(new - new, 0), new, node)


def _mixed_signs(factor, leaves) -> bool:
    """A sum of terms of both signs that is not linear (a linear one's difference is exact near its root)."""
    base = factor.base if factor.is_Pow else factor
    if not base.is_Add or len({t.as_coeff_Mul()[0] > 0 for t in base.args}) < 2:
        return False
    return sympy.Poly(base, *leaves).total_degree() > 1


_factored_once = once_per_node(_factored)


# ---------------------------------------------------------------- summation order of a sum
MAX_ORDERED_TERMS, MAX_TERM_NODES = 16, 60
ERROR_OPS = {CARRIED, CORRECTED, *PAIRS, *ROUNDING_ERRORS}


def _holds_error_terms(node) -> bool:
    """Some node below is a rounding error's or a carried value (the specialize phase's corrections: in the
    reals 1 - (1/p) p - e is -e, in floating point it is the quotient's remainder, which must stay)."""
    seen, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.key in seen:
            continue
        seen.add(n.key)
        if n.op in ERROR_OPS:
            return True
        if len(seen) > 200:
            return True  # too big to be a polynomial this module takes
        stack.extend(n.args)
    return False


def _small(node) -> bool:
    """At most MAX_TERM_NODES nodes, none of them a rounding error's (the corrections that the specialize
    phase adds are sums of error terms in the order their derivation gives: optimizing again must not
    reorder them)."""
    seen, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.key in seen:
            continue
        seen.add(n.key)
        if len(seen) > MAX_TERM_NODES or n.op in ERROR_OPS:
            return False
        stack.extend(n.args)
    return True


def _in_sympy_order(node):
    # a sum of three or more terms of both signs, sin's Taylor polynomial x - x**3/6 + x**5/120 -
    # x**7/5040 or FPBench's kepler0: lowered from SymPy's Add, the graph keeps the positive terms apart from
    # the negative ones, and the kernel subtracts two partial sums that cancel (sin's polynomial on [-1.57,
    # 1.57]: 0.41 mean bits against lambdify's 0.13). Summed in SymPy's order of the terms, as lambdify
    # prints them (a polynomial of one value from its highest degree down: the small terms gather before
    # the large ones), each partial sum cancels no more than lambdify's does
    terms = []
    for term, sign in signed_terms(node):
        # a sum inside that common-factor-sum factored by a number (2 (x + y) for 2 x + 2 y, rewritten first:
        # bottom-up) is summed as its typed terms (2 x - x/y + 2 y: 0.34 mean bits as 2 (x + y) - x/y,
        # lambdify 0.23); a common factor that is a value is common-factor-of-terms' to take out
        typed = factored_sum_typed(term)
        if typed is not None and all(f.is_const for f in term.args[1].args[:-1]):  # (x (y - z): its own rules)
            terms.extend((t, sign * s) for t, s in signed_terms(typed))
        else:
            terms.append((term, sign))
    if not 3 <= len(terms) <= MAX_ORDERED_TERMS or len({sign for _, sign in terms}) < 2:
        return None
    if not all(_small(term) for term, _ in terms):
        return None
    exprs = [sign * term.to_sympy() for term, sign in terms]
    unused = list(range(len(terms)))
    order = []
    for e in sympy.Add(*exprs, evaluate=False).as_ordered_terms():
        match = next((k for k in unused if exprs[k] == e), None)
        if match is None:
            return None
        unused.remove(match)
        order.append(match)
    if unused:
        return None
    first, sign = terms[order[0]]
    acc, rest = (first if sign > 0 else -first), order[1:]
    if sign < 0 and terms[rest[0]][1] > 0:
        # -a + b is b - a bit for bit, in the form add-neg makes of it later: the rules that read b - a
        # (log1p(x) - log(x)) see it in this run, not only in a second one
        acc, rest = terms[rest[0]][0] - first, rest[1:]
    for k in rest:
        term, sign = terms[k]
        acc = acc + term if sign > 0 else acc - term
    return None if acc is node else acc


_ordered_once = once_per_node(_in_sympy_order)


# ---------------------------------------------------------------- compensated Horner (its own phase)
MAX_HORNER_DEGREE = 16
HORNER = "compensated-horner"


def _compensated_horner(node, amplified=False):
    # a polynomial of one input with two or more terms and a real root, that no earlier rule factored
    # (fractions.py, factored-polynomial): near the root its terms cancel, typed or in Horner's form, and
    # keep only cond(p, x) ulps. Compensated Horner (Graillat, Langlois, Louvet 2005) carries each step's
    # product and sum rounding errors (an FMA and a TwoSum, exact) in a second Horner sum and adds it at
    # the end: as accurate as Horner in twice the working precision, then rounded. Each step's value is
    # carried: the fuse phase leaves the sums and products the error terms describe as they are, and no
    # rule sees the steps as polynomials of their own. Where a step overflows (an error of inf - inf), the
    # typed sum. `amplified`: the argument of exp or a power of a constant, which turns the polynomial's
    # absolute error into a relative one of |p| times as many ulps (10**(a fitted polynomial), an
    # atmospheric density: 3 bits): compensated with or without a root, its sum and error kept apart
    # (CORRECTED) for the specialize phase to carry the last rounding into exp
    fallback = node
    if node.op is ops.SELECT and node.args[1].op in (ops.ADD, ops.SUB):
        # select-minus-const's select(|x - 1| < 1/3, x (x - 1)(x + 2) - 1, typed - 1): a partial sum's
        # factors near its roots, then the constant, which cancels them near the whole's roots (1.25): one
        # polynomial in either branch, compensated whole
        typed = _with_typed_terms(node.args[2])
        node = typed if _one_polynomial(node.args[1], typed) else node
    if node.op not in (ops.ADD, ops.SUB):
        return None
    node = _with_typed_terms(node)
    leaf = _polynomial_leaf(node)
    if leaf is None:
        return None
    t = leaf.attr
    typed = node.to_sympy()
    # decimal coefficients as the binary numbers the kernel holds, exactly (expanding in floats would round)
    typed = typed.xreplace({f: sympy.Rational(f) for f in typed.atoms(sympy.Float)})
    expanded = sympy.expand(typed)
    if not expanded.is_polynomial(t):
        return None
    poly = sympy.Poly(expanded, t)
    if not 2 <= poly.degree() <= MAX_HORNER_DEGREE or len(poly.terms()) < 2:
        return None
    if not amplified and len(signed_terms(node)) != len(poly.terms()):
        return None  # not the expanded sum as typed: a rule's form (x (x - 1) - 1, exact near its root)
    if any(not c.is_Rational for c in poly.coeffs()) or (not amplified and poly.count_roots() == 0):
        return None  # (no real root: the terms cancel nowhere much; Horner's form costs 2-3x the typed sum)
    coefficients = poly.all_coeffs()
    # the leading coefficient's 24-bit head starts the sum, the rest the errors: a coefficient the expansion
    # made (0.34047 (0.0034 x - 1.8)^6 leads with 0.34047 * 0.0034^6) is no number the typed form rounds,
    # and its rounding would be relative to the leading term, 50 times the result near a root
    lead = _split(coefficients[0])
    s, c = const(lead[0]), (const(sum(lead[1:])) if len(lead) > 1 else None)
    for a in coefficients[1:]:
        product = s * leaf
        errors = [] if binary_exponent(s) is not None else [PRODUCT_ERROR(s, leaf)]
        if a != 0:
            parts = _split(a)
            s = product
            for part in parts[:2]:  # the 24-bit head (and the next 24 bits) in the sum, each with its TwoSum
                errors.append(SUM_ERROR(s, const(part)))
                s = CARRIED(s + const(part))
            errors.extend(const(part) for part in parts[2:])  # the remainder with the errors
        else:
            s = CARRIED(product)
        error = _nested_sum(errors)
        if c is None:
            c = error
        elif error is None:
            c = c * leaf
        else:
            c = c * leaf + error
    new = s if c is None else (CORRECTED(s, ONE, c) if amplified else s + c)
    return ops.SELECT(ops.EQ(new - new, 0), new, fallback)


def _with_typed_terms(node, depth=0):
    """node with each of its terms (through sums, differences and negations) that is a rule's select
    between two spellings of one polynomial read as its typed branch: x*x - 3x + 1, whose partial sum
    x*x - 3x common-denominator made select(|x - 3| < 3/2, x (x - 3), x*x - 3x) (it cancels at 3, where the
    whole does not), is one polynomial again, compensated whole near its own roots (0.38, 2.62)."""
    if node.op in (ops.ADD, ops.SUB, ops.NEG) and depth < MAX_TERMS:
        args = [_with_typed_terms(a, depth + 1) for a in node.args]
        return node if all(a is b for a, b in zip(args, node.args)) else with_args(node, args)
    if node.op is ops.SELECT and depth < MAX_TERMS:
        typed = _with_typed_terms(node.args[2], depth + 1)
        if _one_polynomial(node.args[1], typed):
            return typed
    return node


_SAME_POLYNOMIAL: dict = {}  # (a.key, b.key) -> _one_polynomial's answer (each sum holding the select asks)


def _one_polynomial(a, b) -> bool:
    """Whether a and b are polynomials of one input with rational coefficients that are equal."""
    known = _SAME_POLYNOMIAL.get((a.key, b.key))
    if known is not None:
        return known
    leaf = _polynomial_leaf(a)
    same = False
    if leaf is not None and _polynomial_leaf(b) is leaf:
        difference = a.to_sympy() - b.to_sympy()
        difference = difference.xreplace({f: sympy.Rational(f) for f in difference.atoms(sympy.Float)})
        same = sympy.expand(difference) == 0
    if len(_SAME_POLYNOMIAL) > 10_000:
        _SAME_POLYNOMIAL.clear()
    _SAME_POLYNOMIAL[(a.key, b.key)] = same
    return same


_POLYNOMIAL_OPS = (ops.ADD, ops.SUB, ops.NEG, ops.MUL)


def _polynomial_leaf(node, max_nodes=MAX_TERMS * 8):
    """The one symbol of a small subgraph of sums, products, constants, quotients by constants and powers by
    non-negative integer constants (x**9 too); None otherwise."""
    leaf, seen, stack = None, set(), [node]
    while stack:
        n = stack.pop()
        if n.key in seen:
            continue
        seen.add(n.key)
        if len(seen) > max_nodes:
            return None
        if n.is_symbol:
            if leaf is not None and n is not leaf:
                return None
            leaf = n
        elif n.op is ops.POW:
            k = n.args[1]
            if not (k.is_const and k.value.is_Integer and 0 <= k.value <= MAX_HORNER_DEGREE):
                return None
            stack.append(n.args[0])
        elif n.op is ops.DIV:
            if not (n.args[1].is_const and n.args[1].value.is_Rational and n.args[1].value != 0):
                return None
            stack.append(n.args[0])
        elif n.op in _POLYNOMIAL_OPS:
            stack.extend(n.args)
        elif not (n.is_const and (n.value.is_Rational or (n.value.is_Float and n.value.is_finite))):
            return None
    return leaf


def _head(a):
    """a rounded to 24 significant bits (exact in float32 and float64)."""
    if a == 0 or (a.q & (a.q - 1) == 0 and abs(a.p) < 2 ** 24):
        return a
    scale = sympy.Integer(2) ** (sympy.floor(sympy.log(abs(a), 2)) - 23)
    return sympy.Rational(sympy.floor(a / scale + sympy.Rational(1, 2))) * scale


def _nested_sum(terms):
    """A step's error terms added left to right, ((t1 + t2) + t3) + ...; None for no terms."""
    total = None
    for t in terms:
        total = t if total is None else total + t
    return total


def _split(a):
    """A coefficient as [a 24-bit head, the next 24 bits, the remainder] (as many as it needs; each of the
    first two exact in float32 and float64): the polynomial adds the first two in its sum, each with its
    TwoSum, where 1/3 rounded would leave its rounding in a polynomial that cancels near a root
    (2*x**3 - 3*x + 1/3 near 0.112: 6.4 bits); the remainder, 2^-48 below the head, joins the errors."""
    head = _head(a)
    if head == a:
        return [a]
    mid = _head(a - head)
    rest = a - head - mid
    return [head, mid] + ([rest] if rest != 0 else [])


def is_horner_select(node) -> bool:
    """select(new - new == 0, new, typed) as _compensated_horner builds it (new a carried sum, or CORRECTED
    of one): its typed branch is taken only where new is not finite."""
    if node.op is not ops.SELECT:
        return False
    new, ok = node.args[1], node.args[0]
    if not (ok.op is ops.EQ and ok.args[0].op is ops.SUB and ok.args[0].args == (new, new)):
        return False
    if new.op is CORRECTED:
        new = new.args[0]
    return new.op is CARRIED or any(a.op is CARRIED for a in new.args)


def _amplifies(parent, k) -> bool:
    """The parent's k-th argument is the exponent of exp, expm1 or a power of a positive constant."""
    if parent.op in (ops.EXP, ops.EXPM1):
        return True
    return (parent.op is ops.POW and k == 1 and parent.args[0].is_const and parent.args[0].value.is_number
            and parent.args[0].value.is_positive)


def compensate_polynomials(outputs, trace, phase="horner", kept=()) -> list:
    """The horner phase (after rearrange, whose rules see the polynomials as typed): every largest
    polynomial sum of one input, outermost first (a sum inside it is a partial sum, not a polynomial of its
    own), in compensated Horner form (a numerator or denominator too: the specialize phase's
    quotient-beyond-overflow reads the compensated sum as its polynomial), but not a node in `kept` (what a
    compensated form describes).
    Appends its firings to `trace`."""
    from ..rewrite import Firing
    kept = {n.key for n in kept}
    table, seen, stack = {}, set(), [(o, False) for o in outputs]
    while stack:
        node, amplified = stack.pop()
        if (node.key, amplified) in seen or node.key in kept:
            continue
        seen.add((node.key, amplified))
        if node.key not in table and not node.is_const and len(seen) < 20_000:
            new = _compensated_horner(node, amplified)
            if new is not None:
                table[node.key] = new
                trace.append(Firing(HORNER, node, new, phase))
                continue
        below = node.args
        if is_horner_select(node):
            below = node.args[:2]  # this phase's own select (a graph optimized before): its typed branch stays
        stack.extend((a, _amplifies(node, k)) for k, a in enumerate(below))
    if not table:
        return list(outputs)
    built: dict = {}
    order = [(o, False) for o in outputs]
    while order:
        node, expanded = order.pop()
        if node.key in built:
            continue
        if node.key in table:
            built[node.key] = table[node.key]
        elif not expanded:
            order.append((node, True))
            order.extend((a, False) for a in node.args if a.key not in built)
        else:
            built[node.key] = with_args(node, [built[a.key] for a in node.args])
    return [built[o.key] for o in outputs]


def _root_of_square(radicand):
    # sqrt of a polynomial that is c times a square (x**2 + 2*x*y + y**2, x**2 - 2*x + 1, as factored
    # above or not): sqrt(c)*|u|, one rounding of u where the typed radicand rounds its terms (and cancels
    # where u is near 0: sqrt(x**2 - 2*x*y + y**2) keeps none of |x - y|'s digits there) and overflows
    # where u**2 does. A plain u*u is sqrt-square's (rules/algebra.py)
    if radicand.op not in (ops.ADD, ops.SUB, ops.SELECT):
        return None
    parsed = _to_sympy([radicand])
    if parsed is None:
        return None
    values, leaves = parsed
    if not 1 <= len(leaves) <= 3:
        return None
    expanded = sympy.expand(values[radicand])
    if not expanded.is_Add or len(expanded.args) > MAX_TERMS or not expanded.is_polynomial(*leaves):
        return None
    c, square = sympy.factor(expanded).as_coeff_Mul()
    if not (c.is_Rational and c > 0 and square.is_Pow and square.exp == 2 and square.base.is_Add):
        return None
    base = _to_node(square.base, leaves)
    if base is None:
        return None
    return ops.ABS(base) if c == 1 else const(sympy.sqrt(c)) * ops.ABS(base)


RULES = [
    # canonicalize leaves a sum with terms of both signs as a difference (add-neg, mul-negative-const)
    Rule("sum-order", p - q, lambda p, q: _ordered_once(p - q), validity=Validity.ACCURACY, phase="rearrange",
         doc="a sum with terms of both signs in SymPy's order of its terms (a polynomial of one value from the "
         "highest degree down), not positive terms apart from negative ones"),
    Rule("factored-polynomial", p + q, lambda p, q: _factored_once(ops.ADD(p, q)), validity=Validity.ACCURACY,
         phase="stabilize", doc="x**2 - 2*x*y + y**2 cancels near x = y; (x - y)**2 does not"),
    Rule("root-of-square-polynomial", ops.SQRT(p), lambda p: _root_of_square(p), validity=Validity.ACCURACY,
         phase="stabilize",
         doc="sqrt(x**2 - 2*x*y + y**2) is |x - y|: the typed radicand cancels near x = y"),
    Rule("factored-polynomial-difference", p - q, lambda p, q: _factored_once(p - q), validity=Validity.ACCURACY,
         phase="stabilize", doc="x**2 + y**2 - 2*x*y, as SymPy may order it"),
]
