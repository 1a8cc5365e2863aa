"""Divergences: sums of terms a*log(a/b) whose linear parts cancel, the generalized Kullback-Leibler
divergence x*log(x/y) - x + y (Poisson deviance, I-divergence) and the Bernoulli one x*log(x/y) + (1 - x)*
log((1 - x)/(1 - y)). Near a = b every term is of order a - b and the sum of order (a - b)**2: as typed
it keeps only the ulps of its terms (45-47 bits lost for a relative gap of 1e-6).

a*log(a/b) = (a - b) + b*g(w), w = (a - b)/b, g(w) = (1 + w)*log1p(w) - w = log1p_minus_x(w) + w*log1p(w):
where the (a - b) parts of the terms cancel symbolically against the sum's other terms (SymPy decides),
the sum is the sum of the b*g(w) parts, each of one sign (g >= 0) and computed from an exact a - b
(Sterbenz) without cancellation (g's two parts differ by a factor 2 near 0: one bit); where every
|w| <= 1/2, the typed sum beyond.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..rewrite import Rule, Validity, Var
from ._guards import HALF
from ._symbolic import _to_sympy, signed_terms

p, q = Var("p"), Var("q")
MAX_TERMS = 8


def _xlog_ratio(term):
    """(c, a, b) for a term c*a*log(a/b) (c a number, 1 if absent); None otherwise."""
    if term.op is not ops.MUL or not 2 <= len(term.args) <= 3:
        return None
    numbers = [f for f in term.args if f.is_const]
    others = [f for f in term.args if not f.is_const]
    if len(others) != 2 or (numbers and not numbers[0].value.is_Rational):
        return None
    c = numbers[0] if numbers else None
    for a, log in (others, others[::-1]):
        if log.op is ops.LOG and log.args[0].op is ops.DIV and log.args[0].args[0] is a:
            return c, a, log.args[0].args[1]
    return None


def _g(w):
    return ops.LOG1P_MINUS_X(w) + w * ops.LOG1P(w)


def _divergence(node):
    terms = signed_terms(node)
    if not 2 <= len(terms) <= MAX_TERMS:
        return None
    ratios, rest = [], []
    for term, sign in terms:
        found = _xlog_ratio(term)
        if found is None:
            rest.append((term, sign))
        else:
            ratios.append((found, sign))
    if not ratios or len(ratios) + len(rest) < 2:
        return None
    # the linear parts: sum of sign*c*(a - b) over the c*a*log(a/b) terms, plus the other terms, must be 0
    nodes = [n for (_, a, b), _ in ratios for n in (a, b)] + [t for t, _ in rest]
    parsed = _to_sympy(nodes)
    if parsed is None:
        return None
    values, _ = parsed
    linear = sum(sign * (c.value if c is not None else 1) * (values[a] - values[b]) for (c, a, b), sign in ratios)
    linear += sum(sign * values[t] for t, sign in rest)
    if sympy.expand(linear) != 0:
        return None
    # c*(a*log(a/b) - (a - b)) = c*b*g(w), w = (a - b)/b, where every |w| <= 1/2 (the typed parts cancel
    # there). Beyond, the typed sum: a part's own a*log(a/b) - (a - b) would carry the linear parts, which
    # cancel only in the whole sum (x = -1e-7, y = -1e5: two terms of 1e5 for a sum of -11.5); likewise
    # with an infinite a or b (its a - b is infinite)
    total, holds = None, []
    for (c, a, b), sign in ratios:
        w = (a - b) / b
        part = b * _g(w) if c is None else c * (b * _g(w))
        holds.append(ops.LE(ops.ABS(w), HALF))
        if total is None:
            total = part if sign > 0 else -part
        else:
            total = total + part if sign > 0 else total - part
    return ops.SELECT(ops.AND(*holds) if len(holds) > 1 else holds[0], total, node)


RULES = [
    Rule("divergence", p + q, lambda p, q: _divergence(ops.ADD(p, q)), validity=Validity.ACCURACY,
         phase="stabilize", ref="A1, E8",
         doc="x*log(x/y) + (1 - x)*log((1 - x)/(1 - y)): the terms' linear parts cancel near x = y"),
    Rule("divergence-difference", p - q, lambda p, q: _divergence(p - q), validity=Validity.ACCURACY,
         phase="stabilize", ref="A1, E8", doc="x*log(x/y) - x + y: the generalized KL divergence"),
]
