"""A sum of elementary functions of one value that cancels as |x| grows, where no rule of its own has taken
it (asinh(x) - log(2x), sqrt(x**2 + x) - x - 1/2, log(x + 1) - log(x) - 1/x, atan(x) - pi/2 + 1/x): for
large |x| it is its asymptotic series, a polynomial in t = 1/x (or 1/sqrt(x)).

The counterpart of rules/taylor.py at infinity, on each side of the line apart: SymPy's series of the sum
at t = 0 for x = 1/t (x = -1/t), with the branches of the typed selects, abs and sign that hold for large
|x| (x*(sqrt(x**2 + 1) - x) is x/(|x| + hypot(1, x)) for x > 0 by then). The series must be one in whole
powers of t (or of sqrt(t)) with rational coefficients; a side where the typed sum does not cancel at
|x| = 2^24 (atan(x) - pi/2 + 1/x for x < 0 is near -pi) keeps the typed sum. Beyond R = 1/r, r chosen
as taylor's radius (the smallest of 1/8 ... 8 where the typed terms lose at most a bit, or the largest
where the series converges), the polynomial, economized, in Horner's form, divided by |x|^m; the two
sides share one polynomial in 1/x where their series agree.

Rearrange phase, after taylor (the module name sorts after it): a last resort, at SymPy's cost per such sum only.
"""
from __future__ import annotations

import time

import mpmath
import sympy

from .. import ops
from ..ir import const, topological
from ..rewrite import Rule, Validity, Var
from ._symbolic import once_per_node, restored, signed_terms
from . import _power_series as power_series, taylor

x, y = Var("x"), Var("y")
# functions whose argument may grow without bound: their expansions at infinity are logs and powers
GROWING = {op.name for op in (ops.LOG, ops.SQRT, ops.CBRT, ops.ASINH, ops.ACOSH, ops.ATAN, ops.ATAN2, ops.LOG1P,
                                ops.HYPOT)}
# where a function's argument tending there gives a branch point, not a power series (log(x/(x + 1)) is
# at 1, log1p(1/x) at 0: both fine)
BRANCH_POINTS = {"log": 0, "sqrt": 0, "cbrt": 0, "log1p": -1, "acosh": 1}
FAR = 2 ** 24              # where the typed sum is checked for cancellation
PROBES = [sympy.Integer(2) ** k for k in range(-6, 61, 3)]  # where the branches taken for large |x| are checked
SERIES_STEPS = taylor.SERIES_STEPS
SERIES_SECONDS = taylor.SERIES_SECONDS


_CONDITIONS = {"select", "lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not", "abs", "sign"}
FUNCTIONS = taylor.ELEMENTARY | {"cbrt", "hypot", "acosh", "atan2"}


def _one_value(node):
    """The SymPy symbol of the single input below `node` when the subgraph is small and holds arithmetic,
    the functions this rule expands (at least one), selects and comparisons only; None otherwise."""
    leaf = taylor.single_input(node, FUNCTIONS | taylor.ARITHMETIC | _CONDITIONS, _function, 2 * taylor.MAX_NODES)
    return None if leaf is None else leaf.attr


def _function(node):
    """A function of the argument(s) this rule expands: x**(1/3) counts (cbrt is made later)."""
    return node.op.name in FUNCTIONS or _root(node)


def _root(node):
    return node.op is ops.POW and node.args[1].is_const and not sympy.sympify(node.args[1].value).is_integer


def _at(node, v, value, dps=60):
    from ..reference import evaluate
    return evaluate(node, {v: value}, dps=dps)


def _cancels_far_out(node, terms, v, s):
    """At x = s 2^24 the sum is a finite real number, its largest term 2^8 times it or more, no term grows
    faster than x^8 (an exponential has no series in powers of 1/x), and every function's argument either
    stays finite there, or grows under a function whose expansion at infinity is a log or a power, or tends
    to 0 under one that is analytic there."""
    far = s * mpmath.mpf(FAR)
    try:
        # arguments first, innermost first: exp(sinh(x)) at 2^24 is declined before mpmath computes
        # e^(e^(2^24)) (tens of seconds: ln 2 to millions of bits)
        for n in topological([node]):
            if not _function(n):
                continue
            growing = _root(n) or n.op.name in GROWING
            branch_point = 0 if _root(n) else BRANCH_POINTS.get(n.op.name)
            for a in n.args[:1] if _root(n) else n.args:
                value = _at(a, v, far)
                if not isinstance(value, mpmath.mpf) or not mpmath.isfinite(value):
                    return False
                if abs(value) > 2 ** 12 and not growing:
                    return False
                if branch_point is not None and abs(value - branch_point) < mpmath.mpf(2) ** -12:
                    return False
        total = _at(node, v, far)
        values = [_at(term, v, far) for term, _ in terms]
    except (ValueError, ZeroDivisionError, TypeError, ArithmeticError):
        return False
    if not isinstance(total, mpmath.mpf) or not mpmath.isfinite(total):
        return False
    if not all(isinstance(w, mpmath.mpf) and mpmath.isfinite(w) and abs(w) < mpmath.mpf(2) ** 192 for w in values):
        return False
    largest = max(abs(w) for w in values)
    return total == 0 or largest > abs(total) * 2 ** 8


class _Unsettled(Exception):
    pass


def _branch_far_out(pairs, v, s):
    """The branch of a Piecewise taken at x = s 2^24."""
    point = s * sympy.Integer(FAR)
    for value, condition in pairs:
        holds = condition.subs(v, point)
        if holds not in (sympy.true, sympy.false):
            raise _Unsettled()
        if holds:
            return value
    raise _Unsettled()


def _same_far_out(typed, far, v, s):
    """Whether the typed term and its far form have the same value to 2^-55 at every probe x = s 2^k (both
    not real numbers, or both real and that close): a rule's split of one function by its argument's size
    (log1p(x^2) as 2 log|x| beyond 2^60) may take either branch."""
    # (cosm1, a SymPy form of a stable primitive, is unknown to mpmath's lambdify)
    known = [{"cosm1": lambda a: -2 * mpmath.sin(a / 2) ** 2}, "mpmath"]
    fns = [sympy.lambdify(v, e, known) for e in (typed, far)]
    with mpmath.workdps(60):
        for p in PROBES:
            a, b = (_real_or_none(fn, s * mpmath.mpf(p)) for fn in fns)
            if (a is None) != (b is None) or a is not None and abs(a - b) > abs(a) * mpmath.mpf(2) ** -55:
                return False
    return True


def _real_or_none(fn, value):
    try:
        out = fn(value)
    except (ValueError, ZeroDivisionError, TypeError, ArithmeticError):
        return None
    return out if isinstance(out, mpmath.mpf) and mpmath.isfinite(out) else None


def _far_form(expr, v, s):
    """`expr` with its Piecewise, Abs and sign replaced by what they are at x = s 2^24 (_same_far_out
    checks the result over the whole range), and the functions SymPy expands at infinity in its terms
    (asinh, acosh as logs, hypot as sqrt)."""
    from sympy.codegen import cfunctions
    far = s * sympy.Integer(FAR)

    def sign_far_out(a):
        value = a.subs(v, far)
        sign = sympy.sign(value.evalf(30)) if value.is_number else 0
        if sign not in (1, -1):
            raise _Unsettled()
        return sympy.Integer(sign)

    expr = expr.replace(sympy.Piecewise, lambda *pairs: _branch_far_out(pairs, v, s))
    expr = expr.replace(sympy.Abs, lambda a: sign_far_out(a) * a).replace(sympy.sign, sign_far_out)
    expr = taylor._elementary(expr)
    expr = expr.replace(cfunctions.hypot, lambda a, b: sympy.sqrt(a**2 + b**2))
    expr = expr.replace(sympy.asinh, lambda a: sympy.log(a + sympy.sqrt(a**2 + 1)))
    return expr.replace(sympy.acosh, lambda a: sympy.log(a + sympy.sqrt(a - 1) * sympy.sqrt(a + 1)))


def _series_in(expr, t, order):
    """SymPy's series of expr at t = 0+ as {power: rational coefficient}, whole powers only; "sqrt" where
    its powers are halves (the series is one in sqrt(t)); None otherwise."""
    exact = power_series.coefficients(expr, t, order, positive=True)
    if exact is not None:  # SymPy's series below, seconds to this one's milliseconds, where this has none
        return None if any(k < 0 for k in exact) else exact
    s = sympy.expand(sympy.series(expr, t, 0, order, dir="+").removeO())
    if s.has(sympy.log) or s.has(sympy.exp) or s.has(sympy.I):
        return None
    coefficients = {}
    for term in sympy.Add.make_args(s):
        c, p = term.as_coeff_exponent(t)
        if c.has(t) or not c.is_Rational or not p.is_Rational or p < 0:
            return None
        if not p.is_Integer:
            return "sqrt" if (2 * p).is_Integer else None
        coefficients[int(p)] = coefficients.get(int(p), 0) + c
    return {k: c for k, c in coefficients.items() if c != 0}


def _side(node, terms, v, s):
    """(coefficients, m, q, r, degree) of the polynomial for the sum on the side s of the line, or None."""
    if not _cancels_far_out(node, terms, v, s):
        return None
    try:
        typed_parts = [sign * term.to_sympy() for term, sign in terms]
        parts = [_far_form(e, v, s) for e in typed_parts]
    except _Unsettled:
        return None
    if not all(_same_far_out(a, b, v, s) for a, b in zip(typed_parts, parts)):
        return None
    whole = sympy.Add(*parts)
    key = (sympy.srepr(whole), s)
    if key not in _POLYNOMIALS:
        _POLYNOMIALS[key] = _polynomial(whole, parts, v, s)
    return _POLYNOMIALS[key]


_POLYNOMIALS: dict = {}


def _polynomial(whole, parts, v, s):
    """(coefficients, m, q, r, degree): the polynomial in t = (s x)^(-1/q) for s x > 1/r^q; None where the
    series is not a power series with rational coefficients, or converges nowhere the rule looks."""
    if any(f.is_number and not isinstance(f, (sympy.exp, sympy.log)) for f in whole.atoms(sympy.Function)):
        return None  # (a constant such as cosh(1) or erfinv(1/2): no rational coefficients, and SymPy's
        # series can take minutes to find that out)
    t = sympy.Symbol("t", positive=True)
    best, started, last, q = None, time.perf_counter(), 0.0, 1
    for extra in SERIES_STEPS:
        elapsed = time.perf_counter() - started
        if best is not None and elapsed + 8 * last > SERIES_SECONDS:
            break
        step = time.perf_counter()
        order = extra + 8
        try:
            found = _series_in(whole.subs(v, s / t ** q), t, order)
            if found == "sqrt" and q == 1:  # x = s/t^2: a series in whole powers of t = 1/sqrt(s x)
                q = 2
                found = _series_in(whole.subs(v, s / t ** q), t, order)
        except (NotImplementedError, ValueError, TypeError, ZeroDivisionError, sympy.PoleError,
                sympy.PolynomialError):
            return None
        last = time.perf_counter() - step
        if not isinstance(found, dict) or not found:
            return None
        m = min(found)
        whole_fn = sympy.lambdify(t, whole.subs(v, s / t ** q), "mpmath")
        term_fns = [sympy.lambdify(t, p.subs(v, s / t ** q), "mpmath") for p in parts]
        fit = taylor._radius(found, m, order - 1, term_fns, whole_fn, signs=(1,))
        if fit is not None:
            best = found, m, fit, whole_fn
            if fit[2]:
                break
    if best is None:
        return None
    coefficients, m, (r, degree, _), whole_fn = best
    economized = taylor._economized(coefficients, m, max(coefficients), whole_fn, r, signs=(1,))
    if economized is not None and economized[1] <= degree:
        coefficients, degree = economized
    return coefficients, m, q, r, degree


def _far_value(found, u):
    """The polynomial of `found` in t = 1/u (or 1/sqrt(u)) as a node, for u beyond R."""
    coefficients, m, q, r, degree = found
    root = u if q == 1 else ops.SQRT(u)
    # sum of c_k t^k = (sum of c_k t^(k - m)) / root^m: the leading power as m divisions
    shifted = {k - m: c for k, c in coefficients.items() if k <= degree}
    return _over_power(taylor._horner(shifted, 0, degree - m, 1 / root), root, m)


def _over_power(inner, root, m):
    """inner/root^m as m divisions: root^m overflows where the quotient is still a number (x^2 in float32
    from x = 1.8e19, where 1/(4x^2) is a subnormal), and m roundings are as many as root^m's and one
    division's for m = 2."""
    for _ in range(m):
        inner = inner / root
    return inner


def _bound(found):
    coefficients, m, q, r, degree = found
    return const(1 / sympy.Rational(r) ** q)


# result's key -> the sum it replaced: a sum of which this rule took a part (sum-order's nested sums:
# log1p(x) - log(x), then - 1/x) is looked at with that part as typed, its series taken whole
_BUILT: dict = {}


def _asymptotic(typed):
    v = _one_value(typed)
    if v is None:
        return None
    terms = signed_terms(typed)
    if len(terms) < 2:
        return None
    leaf = next(n for n in topological([typed]) if n.is_symbol)
    sides = {s: _side(typed, terms, v, s) for s in (1, -1)}
    if sides[1] is None and sides[-1] is None:
        return None
    plus, minus = sides[1], sides[-1]
    if plus is not None and minus is not None and plus[2] == 1 and minus[2] == 1 and plus[3] == minus[3] \
            and plus[4] == minus[4] and plus[1] == minus[1] \
            and all(minus[0].get(k, 0) == (-1) ** k * c for k, c in plus[0].items()) \
            and all(k in plus[0] for k in minus[0]):
        # one polynomial in 1/x for both sides (odd and even terms alike)
        return ops.SELECT(ops.GT(ops.ABS(leaf), _bound(plus)), _far_value(plus, leaf), typed)
    out = typed
    for s, found in ((-1, minus), (1, plus)):
        if found is not None:
            u = leaf if s == 1 else -leaf
            out = ops.SELECT(ops.GT(u, _bound(found)), _far_value(found, u), out)
    return out


def _asymptotic_or_none(node):
    # a last resort must not make a formula fail to compile (see taylor._taylor_or_none)
    try:
        typed = restored([node], _BUILT)[0]
        result = _asymptotic(typed)
        if result is not None:
            if len(_BUILT) > 10_000:
                _BUILT.clear()
            _BUILT[result.key] = typed
        return result
    except (ArithmeticError, NotImplementedError, TypeError, ValueError, AttributeError, sympy.PolynomialError,
            sympy.PoleError, RecursionError):
        return None


_asymptotic_once = once_per_node(_asymptotic_or_none)

RULES = [
    Rule("taylor-at-infinity", x - y, lambda x, y: _asymptotic_once(x - y), validity=Validity.ACCURACY,
         phase="rearrange", ref="A6", doc="a sum of elementary functions of x that cancels as |x| grows "
         "(asinh(x) - log(2x)): its asymptotic series in 1/x there, the typed sum below"),
    Rule("taylor-at-infinity-sum", x + y, lambda x, y: None if ops.ADD in (x.op, y.op) else _asymptotic_once(x + y),
         validity=Validity.ACCURACY, phase="rearrange", ref="A6",
         doc="the same for a sum ending in an addition"),
]
