"""Exact cancellation of small arithmetic subgraphs with SymPy, for the rules that build a difference
whose terms cancel symbolically: the conjugate of x - sqrt(x^2 - c) has the numerator x^2 - (x^2 - c),
which is c; 1 - sqrt(1 - x^2) has 1 - (1 - x)(1 + x), which is x^2. Evaluated as built, such a
numerator subtracts nearly equal numbers, and the rewrite would have moved the cancellation, not removed it.

Arithmetic (+, -, *, /, integer powers, numbers) becomes SymPy; every other node is an opaque symbol
(the same node, the same symbol), so sin(x)^2 - sin(x)^2 cancels but sin(x)^2 + cos(x)^2 does not.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const, topological, with_args

MAX_NODES = 40     # subgraphs of a few terms; bigger ones are not worth SymPy's time per node
MAX_POWER = 4


def exact_value(node):
    """A constant node's exact rational value (a float constant is the binary value the kernel uses);
    None for inf, NaN and non-numbers."""
    v = node.value
    return sympy.Rational(v) if v.is_Number and v.is_finite else None


def numeric_value(node, limit=12):
    """The exact value of a small subgraph of numbers (2 sin(1/2) or log(2), before fold_constants folds
    it); None where it holds an input or is no number."""
    nodes = topological([node])
    if len(nodes) > limit or any(n.op.arity == 0 and not n.is_const for n in nodes):
        return None
    value = node.to_sympy()
    return value if value.is_number else None


def constant_shift(node):
    """(t, k, s) for a node that is s*t + k with a finite number k (t + k, t - k, k - t); None otherwise."""
    if node.op is ops.ADD and len(node.args) == 2 and node.args[0].is_const != node.args[1].is_const:
        k, t = node.args if node.args[0].is_const else node.args[::-1]
        return (t, exact_value(k), 1) if exact_value(k) is not None else None
    if node.op is ops.SUB and node.args[0].is_const != node.args[1].is_const:
        a, b = node.args
        k = exact_value(b if b.is_const else a)
        return None if k is None else (a, -k, 1) if b.is_const else (b, k, -1)
    return None


def shifted(t, k, sign):
    """sign*t + k for a rational k, spelled as a sum or difference with a positive constant."""
    if sign < 0:
        return const(k) - t if k != 0 else -t
    return t if k == 0 else t + const(k) if k > 0 else t - const(-k)


def is_small_power(node, limit):
    """node is x**k for a constant integer k with |k| <= limit."""
    return node.op is ops.POW and node.args[1].is_const and node.args[1].value.is_Integer \
        and abs(int(node.args[1].value)) <= limit


def _to_sympy(roots, symbolic_constants=False):
    """({node: SymPy expression}, {Dummy: node}) for the arithmetic above `roots`; None when too big, or
    where a constant is no rational number (log(2 pi)/2), unless `symbolic_constants`: such a constant is
    then its exact SymPy value (which combines with the same value spelled otherwise, log(2 pi)/2 and
    log(2 pi)*(1/2))."""
    values, leaves, count, conditions = {}, {}, 0, {}
    stack = [(r, False) for r in roots]
    while stack:
        n, expanded = stack.pop()
        if n in values:
            continue
        if expanded:
            if n.op is ops.POW:  # a small integer power: its exponent is a number, not an operand
                values[n] = values[n.args[0]] ** int(n.args[1].value)
                continue
            if n.op is ops.SELECT:
                # a rule's select(condition, new form, typed form): one value, whichever branch is taken,
                # where the branches are the same rational function. Selects of operands on one condition
                # (quotient-minus-one's select(ok, x - y, x)/y - select(ok, 0, 1)) are that only together:
                # each is a Piecewise until an arithmetic node above them folds to equal branches
                new, typed = values[n.args[1]], values[n.args[2]]
                if _remembered(("same branches", n, symbolic_constants), lambda: sympy.cancel(new - typed) == 0):
                    values[n] = typed
                else:
                    if n.args[0] not in conditions:
                        conditions[n.args[0]] = sympy.Dummy(f"c{len(conditions)}")
                    values[n] = sympy.Piecewise((new, conditions[n.args[0]]), (typed, True))
                continue
            a = [values[arg] for arg in n.args]
            if n.op is ops.ADD:
                values[n] = sympy.Add(*a)
            elif n.op is ops.MUL:
                values[n] = sympy.Mul(*a)
            elif n.op is ops.SUB:
                values[n] = a[0] - a[1]
            elif n.op is ops.NEG:
                values[n] = -a[0]
            elif n.op is ops.PLUS_ZERO:  # the engine's mark: the same real value
                values[n] = a[0]
            else:
                values[n] = a[0] / a[1]
            if values[n].has(sympy.Piecewise):
                key = ("one branch", n, symbolic_constants)
                if _REMEMBERED.get(key, True):  # not yet tried, or known to fold: fold (once)
                    folded = _one_branch(values[n])
                    _remembered(key, lambda: folded is not values[n])
                    values[n] = folded
            continue
        count += 1
        if count > MAX_NODES:
            return None
        if n.is_const:
            value = exact_value(n)
            if value is None and symbolic_constants and n.value.is_number and n.value.is_finite and n.value.is_real:
                value = n.value
            if value is None:
                return None
            values[n] = value
            continue
        is_power = is_small_power(n, MAX_POWER)
        if n.op is ops.SELECT:
            stack.append((n, True))
            stack.extend((a, False) for a in n.args[1:] if a not in values)
            continue
        if n.op in (ops.ADD, ops.SUB, ops.NEG, ops.MUL, ops.DIV, ops.PLUS_ZERO) or is_power:
            stack.append((n, True))
            stack.extend((a, False) for a in (n.args[:1] if is_power else n.args) if a not in values)
            continue
        if symbolic_constants and n.args and all(a.is_const for a in n.args):
            value = n.to_sympy()  # a function of numbers not yet folded (sqrt(2) as lowered)
            if value.is_number and value.is_finite and value.is_real:
                values[n] = value
                continue
        d = sympy.Dummy(f"t{len(leaves)}")
        leaves[d] = n
        values[n] = d
    return values, leaves


# what SymPy's cancel found of a node's subgraph, which is the same SymPy expression up to its Dummies'
# names on every call (a select's branches met again by every rule that reads the graph above it)
_REMEMBERED: dict = {}


def _remembered(key, find):
    if key not in _REMEMBERED:
        if len(_REMEMBERED) > 100_000:
            _REMEMBERED.clear()
        _REMEMBERED[key] = find()
    return _REMEMBERED[key]


def _one_branch(value):
    """value without its Piecewise parts where they fold into branches that are one rational function
    (their common value); value itself otherwise (_to_node then declines it)."""
    folded = sympy.piecewise_fold(value)
    if not isinstance(folded, sympy.Piecewise):
        return value if folded.has(sympy.Piecewise) else folded  # equal branches fold to one expression
    branches = [e for e, _ in folded.args]
    if all(sympy.cancel(e - branches[-1]) == 0 for e in branches[:-1]):
        return branches[-1]
    return value


def _to_node(expr, leaves):
    """The graph of a SymPy expression over the Dummies of `leaves` (iterative: sums and products of the
    expanded result are shallow, but their number is not bounded by Python's stack)."""
    built = {}
    stack = [(expr, False)]
    while stack:
        e, expanded = stack.pop()
        if e in built:
            continue
        if e in leaves:
            built[e] = leaves[e]
        elif e.is_Number or (e.is_number and e.is_finite and e.is_real):  # (log(2 pi)/2: a symbolic constant)
            built[e] = const(e)
        elif not expanded:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args if a not in built)
        elif e.is_Add:
            built[e] = ops.ADD(*[built[a] for a in e.args])
        elif e.is_Mul:
            num = [built[a] for a in e.args if not (a.is_Pow and a.exp.is_negative)]
            den = [_to_node(1 / a, leaves) for a in e.args if a.is_Pow and a.exp.is_negative]
            top = num[0] if len(num) == 1 else ops.MUL(*num) if num else const(1)
            for d in den:
                top = top / d
            built[e] = top
        elif e.is_Pow and e.exp.is_Integer:
            base, k = built[e.base], int(e.exp)
            power = base * base if abs(k) == 2 else ops.POW(base, const(abs(k)))
            built[e] = power if k > 0 else 1 / power
        else:
            return None
    return built[expr]


def _terms(e) -> int:
    return len(sympy.Add.make_args(e))


def cancelled(first, second):
    """first - second with the terms that cancel exactly taken out, as a node; None where nothing cancels
    (the expanded difference has as many terms as the two sides expanded apart), where the difference is
    exactly 0 (its NaN and inf behaviour would be lost), or where the subgraphs are too big."""
    parsed = _to_sympy([first, second])
    if parsed is None:
        return None
    values, leaves = parsed
    a, b = sympy.expand(values[first]), sympy.expand(values[second])
    difference = sympy.expand(a - b)
    if difference == 0 or _terms(difference) >= _terms(a) + _terms(b):
        return None
    return _to_node(difference, leaves)


def cancelled_sum(total, parts):
    """`total` with its terms that cancel exactly taken out (SymPy, expanded), where fewer terms are left
    than its parts have together; None otherwise."""
    parsed = _to_sympy([total] + parts, symbolic_constants=True)
    if parsed is None:
        return None
    values, leaves = parsed
    expanded = sympy.expand(values[total], log=False)
    if _terms(expanded) >= sum(_terms(sympy.expand(values[p], log=False)) for p in parts):
        return None
    return _to_node(expanded, leaves)


def equal(first, second, symbolic_constants=False) -> bool:
    """first and second are the same rational function of their leaves (x*(1/x) and 1; with
    `symbolic_constants` of irrational constants too: (x/sqrt(2))**2 and x**2/2); False where they are not
    or the subgraphs are too big."""
    parsed = _to_sympy([first, second], symbolic_constants)
    if parsed is None:
        return False
    values, _ = parsed
    return sympy.cancel(values[first] - values[second]) == 0


def binomial_factors(first, second):
    """first - second, factored (SymPy), as a node where every factor left is a binomial or a single term
    ((x - y)**2, (a*d - b*c)**2: differences the specialize phase computes without cancellation), with the
    factors' bases as nodes (the product is 0 where a base is 0 exactly, and may underflow to 0 where none
    is); None where the difference does not factor so, is 0, or the subgraphs are too big."""
    parsed = _to_sympy([first, second])
    if parsed is None:
        return None
    values, leaves = parsed
    difference = sympy.expand(values[first] - values[second])
    if difference == 0 or not difference.is_polynomial(*difference.free_symbols):
        return None  # (factor_list takes polynomials only: a quotient of its leaves is left alone)
    coefficient, factors = sympy.factor_list(difference)
    if any(_terms(f) > 2 for f, _ in factors):
        return None
    product = _to_node(sympy.Mul(coefficient, *(f**k for f, k in factors)), leaves)
    return product, [_to_node(f, leaves) for f, _ in factors]


def factored_difference(first, second):
    """first - second with a common factor taken out of its terms, as a node ((b - a)*t for -at - (-bt),
    whose difference of close a and b is exact where the typed products' difference is not); None where
    no term has a factor in common or the subgraphs are too big."""
    parsed = _to_sympy([first, second])
    if parsed is None:
        return None
    values, leaves = parsed
    difference = sympy.factor_terms(values[first] - values[second])
    if not difference.is_Mul or not any(a.is_Add for a in difference.args):
        return None
    return _to_node(difference, leaves)


def product_factors(node):
    """The factors of a product through nested products, pairwise or n-ary (the node itself if it is none)."""
    found, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.op is ops.MUL:
            stack.extend(reversed(n.args))
        else:
            found.append(n)
    return found


def product_of(factors):
    """The product node of a list of factors: 1 for none, the factor itself for one."""
    return const(1) if not factors else factors[0] if len(factors) == 1 else ops.MUL(*factors)


def without(factors, removed):
    """factors less each of removed (by node), or None where one of removed is not among them."""
    left = list(factors)
    for f in removed:
        at = next((i for i, a in enumerate(left) if a is f), None)
        if at is None:
            return None
        del left[at]
    return left


def typed_branch(node):
    """The typed form of a rule's select(condition, new form, typed form) whose branches are the same rational
    function (quotient-sum's 1/x + 1/y, common-denominator's (2x + 1/2)/x): what a rule over a larger sum
    holding it (compensated-sum) reads instead of the select. None for any other node (a user's Piecewise
    has branches that differ)."""
    if node.op is not ops.SELECT:
        return None
    found = _to_sympy([node.args[1], node.args[2]])
    if found is None:
        return None
    values, _ = found
    new, typed = values[node.args[1]], values[node.args[2]]
    same = _remembered(("same branches", node, False), lambda: sympy.cancel(new - typed) == 0)
    return node.args[2] if same else None


def signed_terms(node):
    """The addends of a sum through nested sums, differences and negations, with their signs, in the order
    the sum lists them: [(term, +1 or -1)]."""
    terms, stack = [], [(node, 1)]
    while stack:
        n, sign = stack.pop()
        if n.op is ops.ADD:
            stack.extend((a, sign) for a in reversed(n.args))
        elif n.op is ops.SUB:
            stack.extend([(n.args[1], -sign), (n.args[0], sign)])
        elif n.op is ops.NEG:
            stack.append((n.args[0], -sign))
        else:
            terms.append((n, sign))
    return terms


def coefficient_form(term, sign):
    """(c, key) for a term c * f1 * f2 ... with c a rational number (sign folded in) and key the sorted
    tuple of its other factors (() for a number); None where a factor is a non-rational constant."""
    factors, stack = [], [term]
    c = sympy.Integer(sign)
    while stack:
        n = stack.pop()
        if n.op is ops.MUL:
            stack.extend(n.args)
        elif n.op is ops.DIV and n.args[1].is_const and isinstance(n.args[1].value, sympy.Rational) \
                and n.args[1].value != 0:
            c, stack = c / n.args[1].value, stack + [n.args[0]]
        elif n.op is ops.NEG:
            c, stack = -c, stack + [n.args[0]]
        elif n.is_const:
            if not isinstance(n.value, sympy.Rational):
                return None
            c = c * n.value
        else:
            factors.append(n)
    return c, tuple(sorted(factors, key=lambda f: f.key))


def once_per_node(rewrite):
    """rewrite(node), computed once per node: an n-ary sum matches p + q once per choice of p, and a rule
    that asks SymPy about a sum should not ask again."""
    seen: dict = {}  # node key -> result

    def once(node):
        if node.key not in seen:
            if len(seen) > 10_000:
                seen.clear()
            seen[node.key] = rewrite(node)
        return seen[node.key]
    return once


def restored(outputs, table: dict) -> list:
    """`outputs` with every node whose key is in `table` replaced by table[key] (in which such nodes may
    occur again, replaced too): a rule's output given back the form it replaced. Iterative, each node once."""
    outputs = list(outputs)
    new: dict = {}
    stack = [(o, False) for o in outputs]
    while stack:
        node, expanded = stack.pop()
        if node.key in new:
            continue
        original = table.get(node.key)
        below = [original] if original is not None else list(node.args)
        if not expanded:
            stack.append((node, True))
            stack.extend((a, False) for a in below if a.key not in new)
            continue
        if original is not None:
            new[node.key] = new[original.key]
            continue
        rebuilt = with_args(node, [new[a.key] for a in node.args])
        # a node a later rule rebuilt from its rewritten arguments (fuse's fma of x/3, which constant-products
        # then rounds once) is in the table as it was before: with its arguments given back, it is found
        original = table.get(rebuilt.key) if rebuilt.key != node.key else None
        if original is None:
            new[node.key] = rebuilt
        elif original.key in new:
            new[node.key] = new[original.key]
        else:
            stack.extend([(node, True), (original, False)])
    return [new[o.key] for o in outputs]
