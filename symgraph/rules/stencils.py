"""Finite-difference stencils: a sum of one function at points spread symmetrically about a centre,
sum_i c_i f(a + d_i), as typed for a second difference f(x + h) - 2 f(x) + f(x - h) (or its forward form
f(x + 2h) - 2 f(x + h) + f(x)). Typed, every term is f near f(a) and the sum cancels to about h^2 f''(a):
for h = 1e-4 that is 26 bits gone, and each term also carries x + h's rounding (x/h ulps of the result).

The addition theorems take the centre out, f(a + d) = P(a) E(d) + Q(a) O(d) (E even, O odd: cos and sin,
or cosh and sinh for exp). The c_i of a difference add to 0, so the sum is
P(a) sum (c+ + c-)(E(d) - 1) + Q(a) sum (c+ - c-) O(d) over the distinct |d|: the coefficients add exactly
(rationals), E(d) - 1 is cosm1(d) or 2 sinh(d/2)^2 with no cancellation, and d = h enters exactly where
the typed x + h rounded.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..compensated import CARRIED
from ..ir import const
from ..rewrite import Rule, Validity, Var
from ._guards import HALF
from ._symbolic import _to_node, _to_sympy, coefficient_form, once_per_node, signed_terms
from .compensate import rounding_error

x, y = Var("x"), Var("y")
ONE = const(1)
MAX_TERMS = 9  # stencils of up to 9 points; the centre search is quadratic in them


def _two_sinh_half_squared(d):
    s = ops.SINH(HALF * d)
    return 2 * (s * s)


def _trig(even_part, odd_part, centre, op):
    """sin(a) E + cos(a) O for sin, cos(a) E - sin(a) O for cos. Where the centre is a rounded sum (x + h,
    the forward difference's), its rounding e, found exactly, is added back to first order (sin(a + e) =
    sin(a) + cos(a) e): uncompensated, the centre's rounding alone would cost more than the typed terms'
    roundings together where the offsets are not small (4 bits at x = 600, h ~ 1)."""
    e = rounding_error(centre)
    if e is not None:
        centre = CARRIED(centre)  # (its error added here; the specialize phase's would add it again)
    sin, cos = ops.SIN(centre), ops.COS(centre)
    if e is not None:
        sin, cos = sin + cos * e, cos - sin * e
    if op is ops.SIN:
        return _plus(sin * even_part if even_part is not None else None,
                     cos * odd_part if odd_part is not None else None)
    return _plus(cos * even_part if even_part is not None else None,
                 -(sin * odd_part) if odd_part is not None else None)


def _plus(*parts):
    present = [p for p in parts if p is not None]
    return None if not present else present[0] if len(present) == 1 else ops.ADD(*present)


def _scaled(c, node):
    return node if c == 1 else -node if c == -1 else const(c) * node


def _centred(args, symmetric):
    """(centre, [d_i], [flipped_i], leaves) for the arguments: the centre (an argument, or the midpoint of
    two) about which the most offsets d_i = a_i - centre come in pairs +-d (0 counts as paired), at least
    three of them; None where there is no such centre or the offsets keep every symbol of the arguments
    (nothing cancelled: exp(x) + exp(y) + exp(z) is no stencil). With `symmetric` (sin, cos: f(-a) is
    +-f(a)) an argument may be taken negated, as SymPy writes sin(x - h) as -sin(h - x); flipped_i says so."""
    parsed = _to_sympy(args)
    if parsed is None:
        return None
    values, leaves = parsed
    forms = [sympy.expand(values[a]) for a in args]
    symbols = set().union(*(f.free_symbols for f in forms))
    signed = forms + [-f for f in forms] if symmetric else forms
    candidates = list(dict.fromkeys(signed + [sympy.expand((p + q) / 2) for i, p in enumerate(signed)
                                              for q in signed[i + 1:]]))
    best = None
    for centre in candidates:
        offsets, flipped = [], []
        for f in forms:
            d = sympy.expand(f - centre)
            if symmetric:
                e = sympy.expand(-f - centre)
                if (len(e.free_symbols), sympy.count_ops(e)) < (len(d.free_symbols), sympy.count_ops(d)):
                    offsets.append(e)
                    flipped.append(True)
                    continue
            offsets.append(d)
            flipped.append(False)
        present = set(offsets)
        paired = sum(1 for d in offsets if d == 0 or sympy.expand(-d) in present)
        kept = set().union(*(d.free_symbols for d in offsets))
        if paired >= 3 and kept < symbols and (best is None or paired > best[0]):
            best = (paired, centre, offsets, flipped)
    return None if best is None else (*best[1:], leaves)


def _stencil(node):
    terms = signed_terms(node)
    if not 3 <= len(terms) <= 2 * MAX_TERMS:
        return None
    groups = {}  # op -> [(term index, coefficient, argument)]
    for i, (term, sign) in enumerate(terms):
        form = coefficient_form(term, sign)
        if form is not None and len(form[1]) == 1 and form[1][0].op in (ops.EXP, ops.SIN, ops.COS):
            c, (f,) = form
            groups.setdefault(f.op, []).append((i, c, f.args[0]))
    for op, members in groups.items():
        if not 3 <= len(members) <= MAX_TERMS:
            continue
        found = _centred([a for _, _, a in members], symmetric=op is not ops.EXP)
        if found is None:
            continue
        centre, offsets, flipped, leaves = found
        # sin(-a) = -sin(a), cos(-a) = cos(a)
        coefficients = [-c if f and op is ops.SIN else c for (_, c, _), f in zip(members, flipped)]
        new = _expanded(op, centre, coefficients, offsets, leaves)
        if new is None:
            continue
        taken = {i for i, _, _ in members}
        rest = [t if s > 0 else -t for i, (t, s) in enumerate(terms) if i not in taken]
        total, bounds = _plus(new[0], *rest) or const(0), new[1]
        # exp: where an offset is beyond 1 the typed terms cancel by less than a few bits, and e^a alone
        # could over- or underflow where the terms do not
        return total if not bounds else ops.SELECT(ops.AND(*bounds), total, node)
    return None


def _expanded(op, centre, coefficients, offsets, leaves):
    """(the group's sum about the centre, [conditions under which it replaces the typed sum])."""
    by_offset = {}  # representative d (the one without a leading minus sign) -> [c at +d, c at -d]
    constant = sum(coefficients)
    for c, d in zip(coefficients, offsets):
        if d == 0:
            continue
        negative = d.could_extract_minus_sign()
        entry = by_offset.setdefault(sympy.expand(-d) if negative else d, [0, 0])
        entry[1 if negative else 0] += c
    a = _to_node(centre, leaves)
    if a is None or constant != 0:
        # a difference annihilates constants: where the coefficients do not add to 0 the leading term is
        # constant * f(a) and the typed sum does not cancel
        return None
    even, odd, bounds = [], [], []
    for d_form, (plus, minus) in by_offset.items():
        d = _to_node(d_form, leaves)
        if d is None:
            return None
        if op is ops.EXP:
            bounds.append(ops.LE(ops.ABS(d), ONE))
            if plus and minus:
                if plus + minus:
                    even.append(_scaled(plus + minus, _two_sinh_half_squared(d)))
                if plus - minus:
                    even.append(_scaled(plus - minus, ops.SINH(d)))
            else:  # one side: c (e^d - 1), which expm1 has without the sinh pair's cancellation
                even.append(_scaled(plus, ops.EXPM1(d)) if plus else _scaled(minus, ops.EXPM1(-d)))
        else:
            if plus + minus:
                even.append(_scaled(plus + minus, ops.COSM1(d)))
            if plus - minus:
                odd.append(_scaled(plus - minus, ops.SIN(d)))
    even_part, odd_part = _plus(*even), _plus(*odd)
    if op is ops.EXP:
        return (None if even_part is None else ops.EXP(a) * even_part), bounds
    return _trig(even_part, odd_part, a, op), bounds


# a sum matches x - y once per choice of x: the centre search runs once per sum
_stencil_once = once_per_node(_stencil)

RULES = [
    # the whole sum (whole=True), as signed_terms reads it: a stencil's terms need not be one n-ary node
    Rule("stencil", x - y, lambda x, y, node: _stencil_once(node), whole=True, validity=Validity.ACCURACY,
         phase="canonicalize", ref="G3",
         doc="(exp(x + h) - 2*exp(x) + exp(x - h))/h**2 loses 26 bits at h = 1e-4; exp(x)*4*sinh(h/2)**2 none"),
    Rule("stencil-sum", x + y, lambda x, y, node: _stencil_once(node), whole=True, validity=Validity.ACCURACY,
         phase="canonicalize", ref="G3", doc="the same for a sum ending in an addition (SymPy's order)"),
]
