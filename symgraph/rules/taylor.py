"""A sum of elementary functions of one value that cancels near 0, where no rule of its own has taken it
(sqrt(1 + x) - 1 - x/2, sin(3x) - 3 sin(x), log(1 + x) - x + x^2/2): near 0 it is its Taylor polynomial.

The series finds the cancellation: the sum's series at 0 starts at a higher order than its terms' do (the
exact series of rules/_power_series, milliseconds; SymPy's, seconds, where that one declines). The
polynomial holds for |x| < r, r the smallest of 1/8, 1/4, ..., 8 where the typed terms lose at most a bit
(mpmath: the largest term over the sum), with as many terms as its truncation needs to be below 2^-56 of
the sum at r (SymPy's exact coefficients, 40 digits of the irrational ones such as erf's 2/sqrt(pi),
rounded once when folded); a sum whose series does not converge that far (tan's poles) is left alone.
Beyond r the typed sum. The polynomial is evaluated by Horner in x (in x^2 where every power has the
parity of the first) times the leading power of x.

The same about a point c other than 0 that the formula names (x - c, log(x/c); a number exact in float32):
log(x) - (x - 1) + (x - 1)**2/2, exp(x - 1) - x, tan(x - 1) - x + 1 are polynomials in u = x - c for
|u| < r (x - c is exact there by Sterbenz for r <= c/2). The sum is spelled in u first, x - c itself as u
(not u + c - c, whose terms would seem to cancel), and a select some earlier rule built (a guarded
log1p_minus_x(x - 1), tan-plus-one's split by the sign of tan) is read as the branch it takes at c where
both agree to 30 digits over the widest window the rule builds (|x - c| <= 8).

Rearrange phase, after every rule with a primitive of its own (stabilize's series rules are in the
rearrange index first): a last resort for sums that still cancel, at SymPy's cost per such sum only.
"""
from __future__ import annotations

import time
from fractions import Fraction

import mpmath
import sympy

from .. import ops
from ..ir import const, symbol, topological, with_args
from ..rewrite import Rule, Validity, Var
from . import _power_series as power_series
from ._symbolic import equal, once_per_node, restored, signed_terms

x, y = Var("x"), Var("y")
MAX_NODES = 40
MAX_FUNCTIONS, MAX_NESTING = 6, 2
MAX_POINTS = 3  # points other than 0 tried per sum (each a series at SymPy's cost where the sum cancels there)
SERIES_STEPS = (16, 32, 64)  # terms of the polynomial past its leading one, as the time allows
SERIES_SECONDS = 20.0   # the budget for the series of one sum (2x/(2 + x) - log(1 + x): 1.3 s idle; a 10 s budget
#                          cut it to 16 terms, a radius of 1/4, on a machine running two test suites)
RADII = [sympy.Rational(1, 8), sympy.Rational(1, 4), sympy.Rational(1, 2), sympy.Integer(1), sympy.Integer(2),
         sympy.Integer(4), sympy.Integer(8)]
LOSS_BITS = 1.0         # the typed terms beyond r lose at most this (their largest over the sum)
# the functions SymPy expands at 0 (and their stable forms, which rules may already have made)
ELEMENTARY = {op.name for op in (ops.EXP, ops.LOG, ops.SIN, ops.COS, ops.TAN, ops.SINH, ops.COSH, ops.TANH,
                                 ops.ATAN, ops.ASIN, ops.ASINH, ops.ATANH, ops.SQRT, ops.EXPM1, ops.LOG1P,
                                 ops.X_MINUS_SIN, ops.SINH_MINUS_X, ops.EXPM1_MINUS_X, ops.LOG1P_MINUS_X,
                                 ops.TAN_MINUS_X, ops.TANH_MINUS_X, ops.ATAN_MINUS_X, ops.ASINH_MINUS_X,
                                 ops.ASIN_MINUS_X, ops.ATANH_MINUS_X, ops.SIN_MINUS_X_COS, ops.X_COSH_MINUS_SINH,
                                 ops.EXP_MINUS_TAYLOR2, ops.COS_MINUS_TAYLOR2, ops.X_OVER_EXPM1, ops.EXPREL,
                                 ops.SINC, ops.ERF, ops.ERFC, ops.HYPOT, ops.POW1P)} | {"cosm1"}
ARITHMETIC = {op.name for op in (ops.ADD, ops.SUB, ops.NEG, ops.MUL, ops.DIV, ops.POW, ops.PLUS_ZERO)}


def single_input(node, allowed, is_function, max_nodes=MAX_NODES):
    """The one symbol node below `node` when the subgraph has at most `max_nodes` nodes, only operations
    named in `allowed`, no other leaf but numbers, powers by constants only, and 1 to MAX_FUNCTIONS nodes
    that `is_function`; None otherwise. The walk is bounded: a sum in a graph of 100k nodes is not walked
    past `max_nodes`."""
    nodes, seen, stack = [], set(), [node]
    while stack:
        n = stack.pop()
        if n.key in seen:
            continue
        seen.add(n.key)
        nodes.append(n)
        if len(nodes) > max_nodes:
            return None
        stack.extend(n.args)
    symbols = [n for n in nodes if n.is_symbol]
    names = {n.op.name for n in nodes if n.op.arity != 0}
    functions = sum(1 for n in nodes if is_function(n))
    if len(symbols) != 1 or not 1 <= functions <= MAX_FUNCTIONS or not names <= allowed:
        return None
    if any(n.op is ops.POW and not n.args[1].is_const for n in nodes):
        return None
    return symbols[0]


def _one_value(node):
    """The single symbol below `node` when the subgraph is small, holds arithmetic and the elementary
    functions only (at least one of those, nested at most MAX_NESTING deep), and no other leaf but
    numbers; None otherwise."""
    leaf = single_input(node, ELEMENTARY | ARITHMETIC, _is_function)
    # SymPy's series of functions nested deeper (sin(sin(sin(x)))...) takes seconds to minutes
    return leaf if leaf is not None and _nesting(node) <= MAX_NESTING else None


def _fractional_power(n):
    return n.op is ops.POW and not (n.args[1].is_const and sympy.sympify(n.args[1].value).is_integer)


def _is_function(n):
    """An elementary function, or a power by a non-integer ((1 + x)**(1/3))."""
    return n.op.name in ELEMENTARY or _fractional_power(n)


def _elementary(expr):
    """SymPy's elementary form of the stable primitives (expm1, log1p, cosm1, hypot, pow1p; x/expm1(x) and
    expm1(x)/x without their Piecewise at 0, a removable singularity), which its series knows."""
    from sympy.codegen import cfunctions
    expr = expr.replace(sympy.Piecewise, lambda *pairs: pairs[-1].expr)
    expr = expr.replace(cfunctions.hypot, lambda a, b: sympy.sqrt(a**2 + b**2)).replace(
        lambda e: getattr(e.func, "__name__", "") == "pow1p", lambda e: (1 + e.args[0])**e.args[1])
    return expr.replace(cfunctions.expm1, lambda a: sympy.exp(a) - 1).replace(
        cfunctions.log1p, lambda a: sympy.log(1 + a)).replace(
        lambda e: getattr(e.func, "__name__", "") == "cosm1", lambda e: sympy.cos(e.args[0]) - 1)


def _cancels_near_zero(node, terms, t):
    """A cheap test before SymPy's series: at x = +-2^-20 (40 digits) the largest term exceeds the sum by
    2^8 or more (a sum that does not cancel there is left alone without a series)."""
    from ..reference import evaluate
    for v in (mpmath.mpf(2) ** -20, -mpmath.mpf(2) ** -20):
        try:
            total = evaluate(node, {t: v}, dps=40)
            largest = max(abs(evaluate(term, {t: v}, dps=40)) for term, _ in terms)
        except (ValueError, ZeroDivisionError, TypeError, ArithmeticError):
            continue
        if not isinstance(total, mpmath.mpf) or not mpmath.isfinite(total) or not mpmath.isfinite(largest):
            continue
        if total == 0 or largest > abs(total) * 2 ** 8:
            return True
    return False


# the functions whose series at a point of this set of their argument is not a power series (a branch
# point: acos(-1 + u) = pi - sqrt(2u) + ..., sqrt(u), log(u)): SymPy's series there runs for minutes
# (exp(acos(x**2 - 1)) - exp(pi)) and ends in fractional powers, which _series declines anyway
_SINGULAR = {"log": lambda a: a <= 0, "sqrt": lambda a: a <= 0, "log1p": lambda a: a <= -1,
             "log1p_minus_x": lambda a: a <= -1, "asin": lambda a: abs(a) >= 1, "acos": lambda a: abs(a) >= 1,
             "acosh": lambda a: a <= 1, "asin_minus_x": lambda a: abs(a) >= 1,
             "atanh": lambda a: abs(a) >= 1, "atanh_minus_x": lambda a: abs(a) >= 1}


def _integer_exponent(node):
    """k for a power u**k with a constant integer k; None otherwise."""
    if node.op is ops.POW and node.args[1].is_const and sympy.sympify(node.args[1].value).is_integer:
        return node.args[1].value
    return None


def _power_of(node, t):
    """Whether node is x, a product of x's or a positive integer power of x (x = the symbol t)."""
    if node.is_symbol:
        return node.attr == t
    if node.op is ops.MUL:
        return all(_power_of(a, t) for a in node.args)
    k = _integer_exponent(node)
    return k is not None and k > 0 and _power_of(node.args[0], t)


def _reciprocal_power(node, t):
    """c/x^k or x^-k: a term of a Laurent series (sin(x)/x^2 - cos(x)/x, the spherical Bessel functions)."""
    if node.op is ops.DIV:
        return _power_of(node.args[1], t)
    k = _integer_exponent(node)
    return k is not None and k < 0 and _power_of(node.args[0], t)


def _analytic_at_zero(node, t):
    """Every function below `node` is analytic at its argument's value at x = 0 (40 digits): no branch
    point (log(0), sqrt(0), asin(+-1)), no pole (a division by 0), no fractional power of 0; and that value
    is a rational number: at pi/4 SymPy's series is slow (tan(x/2 + pi/4): 1 s for 12 terms, 22 s for 18)."""
    from ..reference import evaluate
    poles = set()  # the nodes holding a division by a power of x: a pole of finite order, a Laurent series
    for n in topological([node]):
        if n.op.name in ELEMENTARY:
            argument = sympy.sympify(n.args[0].to_sympy())
            # (a function of a constant is a constant: sqrt(pi) in erf(x) - 2*x/sqrt(pi))
            if t in argument.free_symbols and not argument.subs(t, 0).is_Rational:
                return False
        if any(a.key in poles for a in n.args):
            if n.op.name not in ARITHMETIC or n.op is ops.POW and n.args[1].value < 0:
                return False  # sin(1/x), 1/(1/x): no Laurent series SymPy sums to a polynomial here
            poles.add(n.key)
        if _reciprocal_power(n, t):
            poles.add(n.key)
            continue
        if n.op is ops.HYPOT:  # sqrt(a^2 + b^2): a branch point where both are 0
            checks = [(n, lambda a: a == 0)]
        elif n.op.name in _SINGULAR:
            checks = [(n.args[0], _SINGULAR[n.op.name])]
        elif n.op is ops.DIV:
            # a denominator analytic at 0 (its nodes came first) and 0 there: a pole of finite order
            # (1/(exp(x) - 1) - 1/x, 1/(1 - cos(x)) - 2/x^2), whose Laurent series SymPy sums
            if n.args[1].key not in poles and evaluate(n.args[1], {t: 0}, dps=40) == 0:
                poles.add(n.key)
                continue
            checks = [(n.args[1], lambda a: a == 0)]
        elif n.op is ops.POW and not (n.args[1].is_const and sympy.sympify(n.args[1].value).is_integer
                                      and n.args[1].value >= 0):
            checks = [(n.args[0], lambda a: a <= 0)]
        else:
            continue
        for arg, singular in checks:
            value = evaluate(arg, {t: 0}, dps=40)
            if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value) or singular(value):
                return False
    return True


def _nesting(node):
    """The most elementary functions on one path down from `node` (the subgraph is small: memoized walk)."""
    depth = {}
    for n in topological([node]):
        below = max((depth[a.key] for a in n.args), default=0)
        depth[n.key] = below + (1 if n.op.name in ELEMENTARY else 0)
    return depth[node.key]


def _lowest_power(series, t):
    """The lowest power of t in a series polynomial (None for 0, or a power that is not a whole number)."""
    poly = sympy.Poly(series, t) if series != 0 else None
    if poly is None:
        return None
    powers = [m[0] for m in poly.monoms()]
    return min(powers)


def _series(expr, t, order, laurent=False):
    exact = power_series.coefficients(expr, t, order, positive=bool(t.is_positive))
    if exact is not None:  # milliseconds where SymPy's series takes seconds; SymPy's where it cannot
        if not laurent and any(k < 0 for k in exact):
            return None
        return sympy.Add(*(c * t**k for k, c in exact.items()))
    s = sympy.series(expr, t, 0, order).removeO()
    s = sympy.expand(s)
    if s.has(sympy.log) or any(p.is_Pow and p.base == t and not p.exp.is_Integer for p in s.atoms(sympy.Pow)):
        return None
    if not laurent and any(p.is_Pow and p.base == t and p.exp.is_negative for p in s.atoms(sympy.Pow)):
        return None
    return s


def _lowest_laurent_power(series, t):
    """The lowest power of t in a series that may hold negative powers (a term's: sin(x)/x^2 is 1/x - ...)."""
    if series == 0:
        return None
    return min(int(term.as_coeff_exponent(t)[1]) for term in sympy.Add.make_args(series))


def _values_at(fn, r, signs=(1, -1)):
    """fn at +r and -r (or the one of `signs`; mpmath, 40 digits), where it is a finite number (log(1 + x)
    is not at -1)."""
    out = []
    with mpmath.workdps(40):
        for v in (sign * mpmath.mpf(r) for sign in signs):
            try:
                value = fn(v)
            except (ValueError, ZeroDivisionError):
                continue
            if isinstance(value, mpmath.mpf) and mpmath.isfinite(value):
                out.append((v, value))
    return out


def _loss(term_fns, whole_fn, r, signs=(1, -1)):
    """log2 of the largest typed term over the sum at +-r (where they are defined); None where neither is."""
    worst = None
    with mpmath.workdps(40):
        for v, total in _values_at(whole_fn, r, signs):
            try:
                largest = max(abs(f(v)) for f in term_fns)
            except (ValueError, ZeroDivisionError):
                continue
            if total == 0 or not mpmath.isfinite(largest):
                continue
            loss = float(mpmath.log(largest / abs(total), 2))
            worst = loss if worst is None else max(worst, loss)
    return worst


def _without_equal_selects(node):
    """`node` with its selects replaced by the branches they take at 0, for the series, where that branch
    is the select's value on every |x| < r this rule uses: a select on |k x| < c that holds there (a
    split of one function by its argument's size: log(cosh(x)) as log1p(2 sinh(x/2)^2) below 20), or
    a branch that is the same rational function of the leaves (a rule's guard against overflow:
    x/(1 + x^2) as select(|x| < 2^60, x, 1)/select(|x| < 2^60, 1 + x^2, x + 1/x)): (the stripped node,
    whether that is still to be confirmed by `_agrees`); None where the subgraph is larger than the rule
    looks at."""
    from ..reference import evaluate
    nodes = topological([node])
    if len(nodes) > 2 * MAX_NODES:
        return None
    if not any(n.op is ops.SELECT for n in nodes):
        return node, False
    new, check = {}, False
    for n in nodes:
        if n.op is ops.SELECT:
            if _holds_near_zero(n.args[0]):
                new[n.key] = new[n.args[1].key]
                continue
            symbols = {m.attr for m in topological([n.args[0]]) if m.is_symbol}
            taken = evaluate(n.args[0], {s: 0 for s in symbols}, dps=40)
            new[n.key] = new[(n.args[1] if taken else n.args[2]).key]
            check = True
        else:
            new[n.key] = with_args(n, [new[a.key] for a in n.args])
    return new[node.key], check


def _agrees(node, stripped):
    """Whether a select's branch taken at 0 is its value on the whole window (`_without_equal_selects`): the
    same rational function, or the same values at 80 digits on a grid (the costly check, made last)."""
    return equal(node, stripped) or _same_near_zero(node, stripped)


_WIDEST = int(RADII[-1])
_AGREEMENT_GRID = sorted({mpmath.mpf(2) ** (k / 2) for k in range(-40, 2 * _WIDEST.bit_length() - 1)} |
                         {mpmath.mpf(i) / 16 for i in range(1, 16 * _WIDEST + 1)})


def _same_near_zero(node, stripped):
    """Whether two forms of one value (the typed one with its selects, and the branches those take at 0)
    agree to 30 digits on |x| <= RADII[-1], the widest window this rule builds (mpmath, 80 digits: the
    typed sum loses as many as it cancels; at 2^-20 ... 8 on a log grid and at every 1/16 from 1/16 to 8,
    both signs; points where neither is finite skipped): the branches are two spellings of one function there (a
    guarded log1p_minus_x(x - 1) for log(x) - x + 1, 1 + tan(u) split by the sign of tan(u)), which
    `equal`, comparing rational functions of the same leaves, cannot see. A user's Piecewise whose pieces
    differ within the window differs at these points."""
    from ..reference import evaluate
    symbols = {n.attr for n in topological([node]) if n.is_symbol}
    for value in _AGREEMENT_GRID:
        for sign in (1, -1):
            env = {s: sign * value for s in symbols}
            try:
                a, b = evaluate(node, env, dps=80), evaluate(stripped, env, dps=80)
            except (ValueError, ZeroDivisionError, TypeError, ArithmeticError, NotImplementedError):
                return False
            if not (isinstance(a, mpmath.mpf) and isinstance(b, mpmath.mpf)):
                return False
            if not mpmath.isfinite(a) and not mpmath.isfinite(b):
                continue  # (a branch point: log(x) - x + 1 is -inf at x = 0, its guarded form NaN)
            if not mpmath.isfinite(a) or not mpmath.isfinite(b) or \
                    abs(a - b) > mpmath.mpf(10) ** -30 * max(abs(a), abs(b)):
                return False
    return True


def _holds_near_zero(condition):
    """Whether `condition` is |x| < c or |k x| < c (x a symbol, k a constant) true for all |x| < RADII[-1]."""
    if condition.op is not ops.LT or condition.args[0].op is not ops.ABS or not condition.args[1].is_const:
        return False
    inner, bound = condition.args[0].args[0], condition.args[1].value
    scale = 1
    if inner.op is ops.MUL and len(inner.args) == 2 and inner.args[0].is_const and inner.args[1].is_symbol:
        scale, inner = inner.args[0].value, inner.args[1]
    if not inner.is_symbol:
        return False
    try:
        return bool(abs(sympy.sympify(scale)) * RADII[-1] <= sympy.sympify(bound))
    except TypeError:
        return False


def _taylor(typed):
    found = _taylor_at(typed, 0)
    if found is None:
        for point in _named_points(typed):
            found = _taylor_at(typed, point)
            if found is not None:
                break
    return found


def _named_points(typed):
    """The points other than 0 where the formula says its value cancels: x = c for a difference x - c (or
    x + k with k = -c) of the input and a number, x = 1/k for log(k*x), and x = -b/k for a sum's terms k*x
    and b (log(x) - x + 1 + (x - 1)^2/2, exp(x - 1) - x, atan(x) - pi/4 - (x - 1)/2). Only numbers exact
    in float32 (a dyadic c with a numerator below 2^24): the polynomial is in x - c, which is then exact
    near c (Sterbenz) in both precisions."""
    named = [_linear_part(typed)]  # (x - 1)/2 in a sum SymPy has flattened: x/2 - 1/2 among its terms
    for n in topological([typed]):
        if n.op is ops.ADD and len(n.args) == 2 and any(a.is_symbol for a in n.args):
            numbers = [a for a in n.args if a.is_const]
            named.append(-sympy.sympify(numbers[0].value) if numbers else None)
        elif n.op is ops.SUB and n.args[0].is_symbol != n.args[1].is_symbol:
            number = n.args[1] if n.args[0].is_symbol else n.args[0]
            named.append(sympy.sympify(number.value) if number.is_const else None)
        elif n.op is ops.LOG:
            inner = n.args[0]
            if inner.is_symbol:
                named.append(sympy.Integer(1))
            elif inner.op is ops.MUL and len(inner.args) == 2 and inner.args[0].is_const and inner.args[1].is_symbol:
                named.append(1 / sympy.sympify(inner.args[0].value))
    points = []
    for c in named:
        if c is None or not c.is_Rational or c == 0 or c in points:
            continue
        if c.q & (c.q - 1) == 0 and abs(c.p) < 2 ** 24 and c.q <= 2 ** 24:
            points.append(c)
    return points[:MAX_POINTS]


def _linear_part(typed):
    """-b/k for the terms k*x and b (rational numbers) of a sum, where it has both: the point a typed
    (x - c)/d names once SymPy has distributed it over the sum (atan(x) - pi/4 - (x - 1)/2)."""
    slope, offset = sympy.Integer(0), sympy.Integer(0)
    for term, sign in signed_terms(typed):
        if term.is_const and sympy.sympify(term.value).is_Rational:
            offset += sign * sympy.sympify(term.value)
        elif term.is_symbol:
            slope += sign
        elif term.op is ops.MUL and len(term.args) == 2 and term.args[0].is_const and term.args[1].is_symbol \
                and sympy.sympify(term.args[0].value).is_Rational:
            slope += sign * sympy.sympify(term.args[0].value)
        elif term.op is ops.DIV and term.args[0].is_symbol and term.args[1].is_const \
                and sympy.sympify(term.args[1].value).is_Rational and term.args[1].value != 0:
            slope += sign / sympy.sympify(term.args[1].value)
    return -offset / slope if slope != 0 and offset != 0 else None


_SHIFTED = sympy.Symbol("u", real=True)  # x - c, the variable of the polynomial about c


def _shift(typed, leaf, point):
    """The table that spells `typed` in u = x - c: x is u + c, and the differences x - c and c - x the
    formula holds are u and -u themselves (as u + c - c, a sum that did not cancel, log1p_minus_x(x - 1) +
    (x - 1), would seem to: its terms c and -c are far larger than it)."""
    u = symbol(_SHIFTED)
    table = {leaf.key: u + const(point)}
    for n in topological([typed]):
        if len(n.args) != 2 or not any(a is leaf for a in n.args):
            continue
        other = n.args[1] if n.args[0] is leaf else n.args[0]
        if not other.is_const:
            continue
        if n.op is ops.ADD and sympy.sympify(other.value) == -point or \
                n.op is ops.SUB and n.args[0] is leaf and sympy.sympify(other.value) == point:
            table[n.key] = u
        elif n.op is ops.SUB and n.args[1] is leaf and sympy.sympify(other.value) == point:
            table[n.key] = -u
    return table


def _rational_at_zero(node, t):
    """Every elementary function of t below `node` has a rational value at t = 0 (log(1 + u), exp(u),
    tan(u)), as SymPy evaluates it: about an irrational value (atan(1 + u) = pi/4 + ...) SymPy's series runs
    for minutes."""
    for n in topological([node]):
        if _is_function(n):
            value = sympy.sympify(_elementary(n.to_sympy()))
            if t in value.free_symbols and not value.subs(t, 0).is_Rational:
                return False
    return True


def _taylor_at(typed, point):
    """select(|x - c| < r, the polynomial in x - c, typed) for c = `point`, or None (see the module)."""
    shifted, leaf = typed, None
    if point != 0:
        symbols = [n for n in topological([typed]) if n.is_symbol]
        if len(symbols) != 1:
            return None
        leaf = symbols[0]
        shifted = restored([typed], _shift(typed, leaf, point))[0]
    found = _without_equal_selects(shifted)
    if found is None:
        return None
    node, unconfirmed = found
    var = _one_value(node)
    if var is None:
        return None
    t = var.attr
    if point != 0 and not _rational_at_zero(node, t):
        return None
    terms = signed_terms(node)
    if len(terms) < 2 or not _cancels_near_zero(node, terms, t) or not _analytic_at_zero(node, t):
        return None
    if unconfirmed and not _agrees(shifted, node):
        return None
    expr = _elementary(node.to_sympy())
    term_exprs = [_elementary(s * term.to_sympy()) for term, s in terms]
    # the polynomial is SymPy's function of the sum, remembered by it: how many terms the time budget
    # allows varies with the machine's load, and a second run meets the sum spelled otherwise (x/2 is
    # x*(1/2) after the specialize phase), which must give the same polynomial (optimizing twice changes
    # nothing)
    key = (sympy.srepr(expr), tuple(sorted(sympy.srepr(e) for e in term_exprs)))
    if key not in _POLYNOMIALS:
        _POLYNOMIALS[key] = _polynomial(expr, t, term_exprs)
    found = _POLYNOMIALS[key]
    if found is None:
        return None
    coefficients, m, r, degree = found
    at = var if point == 0 else leaf - const(point)
    return ops.SELECT(ops.LT(ops.ABS(at), const(r)), _horner(coefficients, m, degree, at), typed)


_POLYNOMIALS: dict = {}


def _polynomial(expr, t, term_exprs):
    """(coefficients, m, r, degree) of the polynomial for the sum `expr` of `term_exprs` below |t| = r,
    or None where the sum does not cancel at 0 or its series does not converge."""
    try:
        head = _series(expr, t, 12)
        if head is None:
            return None
        m = _lowest_power(head, t)
        term_orders = []
        for e in term_exprs:
            s = _series(e, t, 12, laurent=True)
            term_orders.append(None if s is None else _lowest_laurent_power(s, t))
    except (NotImplementedError, ValueError, TypeError, sympy.PoleError):
        return None
    known = [o for o in term_orders if o is not None]
    if m is None or not known or m <= min(known):
        return None  # no cancellation at 0 (or none SymPy can see)
    whole_fn = sympy.lambdify(t, expr, "mpmath")
    term_fns = [sympy.lambdify(t, e, "mpmath") for e in term_exprs]
    # more terms of the series buy a larger radius; SymPy's time per term grows fast for nested functions
    # (tan(x/2 + pi/4) - 1: 1 s for 12 terms, 22 s for 18, minutes for 65, which _analytic_at_zero now
    # declines for its irrational point), so the series is taken to 16, 32, 64 terms while the next step is
    # expected (8x the last) to stay within the time budget; the first always (0.1 s or less for the sums
    # above: a budget on it made the rule depend on the machine's speed and SymPy's first-call warm-up)
    best, started, last = None, time.perf_counter(), 0.0
    for extra in SERIES_STEPS:
        elapsed = time.perf_counter() - started
        if best is not None and elapsed + 8 * last > SERIES_SECONDS:
            break
        step = time.perf_counter()
        try:
            series = _series(expr, t, m + extra + 1)
        except (NotImplementedError, ValueError, TypeError, sympy.PoleError):
            return None
        last = time.perf_counter() - step
        if series is None:
            return None
        poly = sympy.Poly(series, t)
        coefficients = {k[0]: c for k, c in zip(poly.monoms(), poly.coeffs())}
        if any(not (c.is_Rational or (c.is_number and c.is_real)) for c in coefficients.values()):
            return None
        # irrational coefficients (erf's 2/sqrt(pi)) to 40 digits: exact enough for every use below, and
        # rationals to the economization's arithmetic (the cancellation itself SymPy found exactly)
        coefficients = {k: c if c.is_Rational else sympy.Rational(str(sympy.N(c, 40))) for k, c in coefficients.items()}
        found = _radius(coefficients, m, m + extra, term_fns, whole_fn)
        if found is not None:
            best = coefficients, found
            if found[2]:
                break
    if best is None:
        return None
    coefficients, (r, degree, _) = best
    economized = _economized(coefficients, m, max(coefficients), whole_fn, r)
    if economized is not None and economized[1] <= degree:
        coefficients, degree = economized
    return coefficients, m, r, degree


def _radius(coefficients, m, top, term_fns, whole_fn, signs=(1, -1)):
    """(r, degree, enough): the smallest radius beyond which the typed terms lose at most LOSS_BITS (enough),
    or where the series up to x^top has not converged there (its last terms at r above 2^-56 of the sum),
    the largest radius below where it has (not enough); None where it converges at none."""
    r, degree = None, None
    for candidate in RADII:
        loss = _loss(term_fns, whole_fn, candidate, signs)
        if loss is None:
            continue
        fit = _degree_needed(coefficients, m, top, whole_fn, candidate, signs)
        if fit is None:
            break
        r, degree = candidate, fit
        if loss <= LOSS_BITS:
            return r, degree, True
    return None if r is None else (r, degree, False)


def _degree_needed(coefficients, m, top, whole_fn, r, signs=(1, -1)):
    """The fewest terms whose truncation at |x| = r is below 2^-56 of the sum there; None where even all
    of them are not (the series converges too slowly, or not at all, at r)."""
    values = _values_at(whole_fn, r, signs)
    if not values:
        return None
    with mpmath.workdps(40):
        bound = min(abs(value) for _, value in values) * mpmath.mpf(2) ** -56
        terms = {k: abs(mpmath.mpf(sympy.Rational(c))) * mpmath.mpf(r) ** k for k, c in coefficients.items()}
        if sum(terms.get(k, 0) for k in range(top - 3, top + 1)) > bound:
            return None
        degree, dropped = top, mpmath.mpf(0)
        while degree > m and dropped + terms.get(degree, 0) <= bound:
            dropped += terms.get(degree, 0)
            degree -= 1
    return degree


def _step(coefficients, m, degree):
    """2 where every power of x present from m to degree has m's parity (a polynomial in x^2), else 1."""
    return 2 if all((k - m) % 2 == 0 for k in coefficients if m <= k <= degree) else 1


def _economized(coefficients, m, degree, whole_fn, r, signs=(1, -1)):
    """(coefficients, degree) of a polynomial of lower degree within 2^-56 of the sum over all of |x| <= r
    (Lanczos' economization: the top term c_n v^n, v = x or x^2 on [lo, hi], is replaced by its part
    of lower degree, c_n (v^n - w^n T_n((2v - lo - hi)/w)/2^(2n - 1)), w = hi - lo, which moves the
    polynomial by at most |c_n| w^n/2^(2n - 1); exact rational arithmetic). Near the series' radius the
    truncated Taylor polynomial needs about twice the terms: 2x/(2 + x) - log(1 + x) for |x| < 1/2 57,
    economized 30 (with each Horner step one fused multiply-add, 5.9x -> 2.1x the typed time). The bound
    is relative to the smallest |sum/x^m| on the interval (on [0, r] for signs (1,)); None where that
    changes sign or is not found."""
    step = _step(coefficients, m, degree)
    lo, hi = (sympy.Integer(0), r * r) if step == 2 else (-r if -1 in signs else sympy.Integer(0), r)
    smallest = _smallest_quotient(coefficients[m], m, whole_fn, r, signs=signs)
    if smallest is None:
        return None
    # in s = (2v - lo - hi)/w, which spans [-1, 1], the top term's part of degree n is q_n s^n, and
    # q_n T_n(s)/2^(n - 1) moves the polynomial by |q_n|/2^(n - 1) = |c_n| w^n/2^(2n - 1) at most;
    # Fractions, O(n^2) in all (SymPy's Poly took a second for 60 terms)
    half_width, middle = _fraction((hi - lo) / 2), _fraction((hi + lo) / 2)
    in_v = [_fraction(coefficients.get(m + step * j, 0)) for j in range((degree - m) // step + 1)]
    in_s = _affine(in_v, half_width, middle)  # p(v) at v = w/2 s + (lo + hi)/2
    budget = _fraction(smallest) / 2 ** 56
    chebyshev = [[Fraction(1)], [Fraction(0), Fraction(1)]]
    while _trimmed(in_s) and len(in_s) - 1 >= 2:
        n = len(in_s) - 1
        while len(chebyshev) <= n:  # T_k+1 = 2s T_k - T_k-1
            chebyshev.append([2 * a for a in [Fraction(0)] + chebyshev[-1]])
            for i, a in enumerate(chebyshev[-3]):
                chebyshev[-1][i] -= a
        moved = abs(in_s[n]) / 2 ** (n - 1)
        if moved > budget:
            break
        budget -= moved
        scale = in_s[n] / 2 ** (n - 1)
        in_s = [a - scale * b for a, b in zip(in_s, chebyshev[n])][:n]
    in_v = _affine(in_s, 1 / half_width, -middle / half_width)  # back: s = (v - (lo + hi)/2)/(w/2)
    _trimmed(in_v)
    terms = {m + step * j: sympy.Rational(c.numerator, c.denominator) for j, c in enumerate(in_v) if c != 0}
    return terms, m + step * (len(in_v) - 1)


def _fraction(number):
    number = sympy.Rational(number)
    return Fraction(int(number.p), int(number.q))


def _affine(coefficients, scale, shift):
    """The coefficients of p(scale s + shift) in s, p's given in ascending order (Horner's scheme on
    polynomials)."""
    out = [Fraction(0)]
    for c in reversed(coefficients):
        times = [Fraction(0)] + [scale * a for a in out]  # out (scale s + shift) + c
        for i, a in enumerate(out):
            times[i] += shift * a
        times[0] += c
        out = times
    return out[:len(coefficients)]


def _trimmed(coefficients):
    """coefficients without their zero top terms (in place); whether any is left."""
    while coefficients and coefficients[-1] == 0:
        coefficients.pop()
    return bool(coefficients)


def _smallest_quotient(leading, m, whole_fn, r, points=32, signs=(1, -1)):
    """A lower bound of |sum/x^m| on |x| <= r: half the least of its values at 2*points points and at 0
    (the leading coefficient), mpmath, as a rational; None where it changes sign or is not defined."""
    values = [mpmath.mpf(sympy.Rational(leading))]
    with mpmath.workdps(40):
        for i in range(1, points + 1):
            for x in (sign * mpmath.mpf(r) * i / points for sign in signs):
                try:
                    value = whole_fn(x) / x ** m
                except (ValueError, ZeroDivisionError):
                    return None
                if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
                    return None
                values.append(value)
    if not (all(v > 0 for v in values) or all(v < 0 for v in values)):
        return None
    # the samples miss the minimum between them by a little: half of the least sample is on the safe side
    return sympy.Rational(sympy.Float(min(abs(v) for v in values) / 2, 20))


def _horner(coefficients, m, degree, leaf):
    """sum of c_k x^k for k = m..degree, as x^m times Horner's form (in x^2 where every power present has
    m's parity), each step one fused multiply-add."""
    step = _step(coefficients, m, degree)
    var = leaf * leaf if step == 2 else leaf
    acc = None
    for k in range(degree - (degree - m) % step, m - 1, -step):
        c = const(coefficients.get(k, sympy.Integer(0)))
        acc = c if acc is None else ops.MUL_ADD(acc, var, c)
    power = leaf if m == 1 else (const(1) if m == 0 else ops.POW(leaf, const(m)))
    return acc if m == 0 else power * acc


def _taylor_or_none(node):
    # a last resort must not make a formula fail to compile: whatever SymPy's series or Poly raise on an
    # expression this module did not foresee (PolynomialError, a generator it cannot expand) leaves the sum
    # as it is
    try:
        return _taylor(node)
    except (ArithmeticError, NotImplementedError, TypeError, ValueError, sympy.PolynomialError, sympy.PoleError):
        return None


_taylor_once = once_per_node(_taylor_or_none)

RULES = [
    # the matched node itself (whole=True): the select keeps it as its typed branch, and a sum nested by an
    # earlier rule (sum-order's a + (b + c)) is taken whole, as signed_terms reads it
    Rule("taylor-near-zero", x - y, lambda x, y, node: _taylor_once(node), validity=Validity.ACCURACY,
         phase="rearrange", ref="A6", whole=True, doc="a sum of elementary functions of x that cancels near 0 "
         "(sqrt(1 + x) - 1 - x/2) or near a point the formula names (log(x) - (x - 1) + (x - 1)**2/2 at 1): "
         "its Taylor polynomial there, the typed sum beyond"),
    Rule("taylor-near-zero-sum", x + y, lambda x, y, node: _taylor_once(node), validity=Validity.ACCURACY,
         phase="rearrange", ref="A6", whole=True,
         doc="the same for a sum ending in an addition (e^(2x) - 2e^x + 1 in SymPy's order)"),
]
