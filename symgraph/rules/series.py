"""Differences that cancel to their Taylor series' second term, onto the primitives of
symgraph/stable_series.py: x - sin(x), sinh(x) - x, exp(x) - 1 - x, log(1 + x) - x, tan(x) - x, tanh(x) - x,
atan(x) - x, asinh(x) - x, asin(x) - x, atanh(x) - x, sin(x) - x cos(x),
x cosh(x) - sinh(x), e^x - 1 - x - x^2/2, cos(x) - 1 + x^2/2 and 1/x - cot(x) (either sign; cot(x) also as 1/tan(x)),
and differences of two functions that share the leading term x (or 1) at one argument, through those.

Stabilize phase, bottom-up: exp(x) - 1 and log(1 + x) have become expm1(x) and log1p(x) (A4, A1) before
the difference above them is looked at; exp(x) - (1 + x), as SymPy lowers e^x - 1 - x, is matched as typed.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const
from ..rewrite import Rule, Validity, Var
from ..stable_series import LOG_MINUS_X_PLUS_ONE
from ._symbolic import cancelled, coefficient_form, product_of, signed_terms

x, y, z = Var("x"), Var("y"), Var("z")
A = Validity.ACCURACY
STABILIZE = "stabilize"
# 1 + x + x^2/2 and cos's x^2/2 as SymPy's x**2/2 lowers (one n-ary sum)
TAYLOR2 = ops.ADD(const(1), x, x * x / 2)
# functions that are x + O(x^2) and 1 + O(x) near 0: each f(x) - x (f(x) - 1) has a rule onto a primitive
# (this module's, expm1, cosm1 or 2 sinh(x/2)^2), so a difference of two of them at one argument is a
# difference of their primitives, where the typed one subtracts the shared leading term
STARTS_AT_X = frozenset(op.name for op in (ops.SIN, ops.SINH, ops.TAN, ops.TANH, ops.ATAN, ops.ASINH, ops.ASIN,
                                           ops.ATANH, ops.EXPM1, ops.LOG1P))
STARTS_AT_ONE = frozenset(op.name for op in (ops.COS, ops.COSH, ops.EXP))


def _near_one_of(u):
    """u in [1/2, 2], where u - 1 is exact (Sterbenz)."""
    return ops.AND(ops.GE(u, const(sympy.Rational(1, 2))), ops.LE(u, const(2)))


def _near_one(near, typed):
    """A replacement: near(x - 1) for x in [1/2, 2], where x - 1 is exact, typed(x) elsewhere."""
    def replace(x):
        return ops.SELECT(_near_one_of(x), near(x - 1), typed(x))
    return replace


def _x_minus_scaled(x, y, f, sign):
    # x - y f(x) = (x - f(x)) + (1 - y) f(x) for f(x) = x + O(x^2) (Kepler's equation E - e sin(E) - M for
    # an orbit near parabolic, e ~ 1, and small E: the typed terms cancel to x^3/6 + (1 - e) x): x - f(x) is
    # its primitive (the rules above), 1 - y exact for y in [1/2, 2] (Sterbenz); typed elsewhere. sign -1:
    # y f(x) - x
    if f.op.name not in STARTS_AT_X or f.args[0] is not x or (y.is_const and y.value == 1):
        return None
    # Only where x and y f(x) are within a factor 2 of each other: elsewhere nothing cancels and the typed
    # form (one fused rounding) is the more accurate (E - e sin(E) for E in [2, 6]: 0.05-0.14 bits typed,
    # 0.26 split)
    scaled = y * f
    new = (x - f) + (1 - y) * f
    typed = x - scaled
    if sign < 0:
        new, typed = -new, scaled - x
    cancels = ops.AND(ops.LE(ops.ABS(x), 2 * ops.ABS(scaled)), ops.LE(ops.ABS(scaled), 2 * ops.ABS(x)))
    return ops.SELECT(ops.AND(_near_one_of(y), cancels), new, typed)


def _scaled_function_in_sum(node):
    # x - y f(x) among more terms, in any order and nesting of the sum (Kepler's x - e*sin(x) - m, which
    # SymPy may order -e*sin(x) - m + x): the pair as _x_minus_scaled, the other terms after it
    terms = signed_terms(node)
    if not 3 <= len(terms) <= 12:
        return None
    for i, (t, s) in enumerate(terms):
        if t.op is not ops.MUL:
            continue
        for k, f in enumerate(t.args):
            if f.op.arity != 1 or f.op.name not in STARTS_AT_X:
                continue
            u = f.args[0]
            j = next((n for n, (v, r) in enumerate(terms) if n != i and v is u and r == -s), None)
            if j is None:
                continue
            rest = t.args[:k] + t.args[k + 1:]
            pair = _x_minus_scaled(u, product_of(rest), f, 1)
            if pair is None:
                continue
            new = pair if s < 0 else -pair  # s y f(u) - s u
            for n, (v, r) in enumerate(terms):
                if n not in (i, j):
                    new = new + v if r > 0 else new - v
            return new
    return None


def _xlogx_near_one(u):
    # (1 + u) log1p(u) - u = g + u (g + u), g = log1p(u) - u: log1p(u) as g + u (one rounding, |g| < |u|/2
    # here) instead of a second logarithm
    g = ops.LOG1P_MINUS_X(u)
    return g + u * (g + u)


def _shared_leading_term(x, y):
    # sinh(x) - sin(x) = (sinh(x) - x) - (sin(x) - x) = x^3/3 + ...; cosh(x) - cos(x) = (cosh(x) - 1) -
    # (cos(x) - 1) = x^2 + ...; both parts rewritten by stabilize in turn
    if x.op is y.op or x.op.arity != 1 or y.op.arity != 1 or x.args[0] is not y.args[0]:
        return None
    t = x.args[0]
    if x.op.name in STARTS_AT_X and y.op.name in STARTS_AT_X:
        new = (x - t) - (y - t)
    elif x.op.name in STARTS_AT_ONE and y.op.name in STARTS_AT_ONE:
        new = (x - 1) - (y - 1)
    else:
        return None
    # only near 0: for |x| >= 1 the leading terms need not dominate (sin(x) - tanh(x) at 1e6 would subtract
    # two values near 1e6, exp(x) - cos(x) at -1e6 two values near -1), and the typed form has no
    # cancellation to speak of there
    return ops.SELECT(ops.LT(ops.ABS(t), 1), new, x - y)


def _minus_one_of(u):
    """u - 1 with a quotient's difference taken first ((a - b)/b for a/b): the primitives below are
    functions of u - 1, which cancels where u is near 1."""
    if u.op is ops.DIV:
        a, b = u.args
        return (cancelled(a, b) or a - b) / b
    return cancelled(u, const(1)) or u - 1


def _reciprocal_term(forms, c, u, taken):
    """(index, v) of a term c * v among `forms` with v = b/a the reciprocal of u = a/b; None otherwise."""
    if u.op is not ops.DIV:
        return None
    a, b = u.args
    for j, (cj, key) in enumerate(forms):
        if j not in taken and cj == c and len(key) == 1 and key[0].op is ops.DIV and key[0].args == (b, a):
            return j, key[0]
    return None


def _series_in_sum(node):
    # a Taylor difference among more terms, at any scale k: k (e^u - 1 - u) (the VAE's KL term
    # -(1 + lv - m**2 - exp(lv))/2), k (log(u) - u + 1) (u - 1 - log(u), Itakura-Saito's u = x/y), and
    # k (v^2 - 1 - 2 log v) (a Gaussian KL's s**2 - 1 - log(s**2)): each is found by its terms' coefficients,
    # whatever the order and nesting of the sum, and becomes its primitive plus the other terms
    terms = signed_terms(node)
    if not 3 <= len(terms) <= 12:
        return None
    forms = [coefficient_form(t, s) for t, s in terms]
    if any(f is None for f in forms):
        return None
    forms = [_numbers_out_of_quotient(f) for f in forms]
    found = _taylor_difference(terms, forms)
    if found is not None:
        return found
    # Itakura-Saito spelled with two logs, log(x) - log(y) + y/x - 1: the pair c log(a) - c log(b) read as
    # c log(a/b), where a, b > 0 (elsewhere the typed sum: log of a negative is NaN, log(a/b) need not be)
    pair = _log_pair(terms, forms)
    if pair is None:
        return None
    terms, forms, a, b = pair
    found = _taylor_difference(terms, forms)
    return None if found is None else ops.SELECT(ops.AND(ops.GT(a, 0), ops.GT(b, 0)), found, node)


def _numbers_out_of_quotient(form):
    """(c k/m, (a/b,)) for a form (c, ((k a)/(m b),)) with k, m rational numbers: SymPy's 3*y/x lowers as
    (3 y)/x and x/(2 y) as x/(2 y), which are 3 and 1/2 times the y/x, x/y another term holds (3 log(x/y) +
    3 y/x - 3, (x/y - log(x/y) - 1)/2)."""
    c, key = form
    if len(key) != 1 or key[0].op is not ops.DIV:
        return form
    numerator, denominator = (coefficient_form(n, 1) for n in key[0].args)
    if numerator is None or denominator is None or not denominator[1] or numerator[0] == denominator[0] == 1:
        return form
    return c * numerator[0] / denominator[0], (ops.DIV(product_of(numerator[1]), product_of(denominator[1])),)


def _log_pair(terms, forms):
    """(terms, forms, a, b) with the terms c log(a) and -c log(b) replaced by c log(a/b); None where there
    is no such pair."""
    logs = [i for i, (c, key) in enumerate(forms) if len(key) == 1 and key[0].op is ops.LOG]
    for i in logs:
        for j in logs:
            if j != i and forms[j][0] == -forms[i][0]:
                c, a, b = forms[i][0], forms[i][1][0].args[0], forms[j][1][0].args[0]
                term = ops.LOG(a / b) if abs(c) == 1 else const(abs(c)) * ops.LOG(a / b)
                sign = 1 if c > 0 else -1
                rest = [n for n in range(len(terms)) if n not in (i, j)]
                return ([(term, sign)] + [terms[n] for n in rest],
                        [coefficient_form(term, sign)] + [forms[n] for n in rest], a, b)
    return None


def _taylor_difference(terms, forms):
    """The sum of `terms` with one Taylor difference among them as its primitive; None where there is none."""
    def find(c, key, taken):
        return next((i for i, f in enumerate(forms) if i not in taken and f == (c, key)), None)

    for i, (c, key) in enumerate(forms):
        if len(key) != 1:
            continue
        f = key[0]
        match = None
        if f.op is ops.EXP:  # c e^u - c - c u
            u = f.args[0]
            j = find(-c, (u,), {i})
            k = find(-c, (), {i, j}) if j is not None else None
            if k is not None:
                match = (j, k), c * ops.EXPM1_MINUS_X(u)
        elif f.op is ops.LOG:  # c log(u) - c u + c, or c log(v) - (c/2) v^2 + c/2
            u = f.args[0]
            j = find(-c, (u,), {i})
            k = find(c, (), {i, j}) if j is not None else None
            reciprocal = _reciprocal_term(forms, c, u, {i}) if k is None else None
            if k is not None:
                w = _minus_one_of(u)
                match = (j, k), (_near_one_of(u), c * ops.LOG1P_MINUS_X(w))
            elif reciprocal is not None:
                # c log(a/b) + c b/a - c = -c (log(v) - v + 1) for v = b/a (log(y/x) + x/y - 1)
                j, v = reciprocal
                k = find(-c, (), {i, j})
                if k is not None:
                    match = (j, k), (_near_one_of(v), -c * ops.LOG1P_MINUS_X(_minus_one_of(v)))
            else:
                v = u.args[0] if u.op is ops.ABS else u
                j = find(-c / 2, tuple(sorted((v, v), key=lambda n: n.key)), {i})
                k = find(c / 2, (), {i, j}) if j is not None else None
                if k is not None:
                    a = ops.ABS(v) if u.op is ops.ABS else v
                    w = a - 1
                    # v^2 - 1 - 2 log v = w^2 + 2 w - 2 log1p(w) = w^2 - 2 (log1p(w) - w), w = v - 1
                    match = (j, k), (_near_one_of(a), const(-c / 2) * (w * w - 2 * ops.LOG1P_MINUS_X(w)))
        if match is None:
            continue
        (j, k), new = match
        if isinstance(new, tuple):
            # u - 1 is exact (or a quotient's one rounding) for u in [1/2, 2]; beyond, the terms do not cancel
            # and u - 1 may have lost u (5e-324 - 1 is -1): the three terms as typed there
            near, primitive = new
            typed = None
            for n in (i, j, k):
                t, s = terms[n]
                typed = (t if s > 0 else -t) if typed is None else (typed + t if s > 0 else typed - t)
            new = ops.SELECT(near, primitive, typed)
        for n, (t, s) in enumerate(terms):
            if n not in (i, j, k):
                new = new + t if s > 0 else new - t
        return new
    return None


RULES = [
    Rule("x-minus-sin", x - ops.SIN(x), ops.X_MINUS_SIN(x), validity=A, phase=STABILIZE, ref="A6",
         doc="x - sin(x) = x^3/6 - ... loses every digit near 0"),
    Rule("sin-minus-x", ops.SIN(x) - x, lambda x: -ops.X_MINUS_SIN(x), validity=A, phase=STABILIZE, ref="A6"),
    Rule("sinh-minus-x", ops.SINH(x) - x, ops.SINH_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6",
         doc="sinh(x) - x = x^3/6 + ..."),
    Rule("x-minus-sinh", x - ops.SINH(x), lambda x: -ops.SINH_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6"),
    Rule("expm1-minus-x", ops.EXPM1(x) - x, ops.EXPM1_MINUS_X(x), validity=A, phase=STABILIZE, ref="A4",
         doc="e^x - 1 - x = x^2/2 + ...: expm1(x) - x still cancels near 0"),
    Rule("exp-minus-one-plus-x", ops.EXP(x) - (1 + x), ops.EXPM1_MINUS_X(x), validity=A, phase=STABILIZE,
         ref="A4", doc="e^x - (1 + x), as SymPy's e^x - 1 - x lowers"),
    Rule("one-plus-x-minus-exp", (1 + x) - ops.EXP(x), lambda x: -ops.EXPM1_MINUS_X(x), validity=A,
         phase=STABILIZE, ref="A4"),
    Rule("x-minus-expm1", x - ops.EXPM1(x), lambda x: -ops.EXPM1_MINUS_X(x), validity=A, phase=STABILIZE,
         ref="A4"),
    # f(-x) + x = f(-x) - (-x): e^-x - 1 + x, log(1 - x) + x
    Rule("expm1-neg-plus-x", ops.EXPM1(-x) + x, lambda x: ops.EXPM1_MINUS_X(-x), validity=A, phase=STABILIZE,
         ref="A4", doc="e^-x - 1 + x = x^2/2 - ..."),
    Rule("log1p-neg-plus-x", ops.LOG1P(-x) + x, lambda x: ops.LOG1P_MINUS_X(-x), validity=A, phase=STABILIZE,
         ref="A1", doc="log(1 - x) + x = -x^2/2 - ..."),
    # entropy-like terms: (1 + x) log(1 + x) - x = (log1p(x) - x) + x log1p(x) (x^2/2 + ..., the parts -x^2/2
    # and x^2); near x = 1, log(x) - x + 1 and x log(x) - x + 1 (the Itakura-Saito and Poisson deviance
    # terms) are the same in u = x - 1, which is exact on [1/2, 2] (Sterbenz); log(x) - x + 1 is one primitive,
# computed from log's own reduction of x (exact for every x)
    Rule("one-plus-x-log1p-minus-x", (1 + x) * ops.LOG1P(x) - x,
         lambda x: ops.LOG1P_MINUS_X(x) + x * ops.LOG1P(x), validity=A, phase=STABILIZE, ref="A1",
         doc="(1 + x) log(1 + x) - x = x^2/2 - ... loses every digit near 0"),
    Rule("log-minus-x-plus-one", (1 + ops.LOG(x)) - x, LOG_MINUS_X_PLUS_ONE(x),
         validity=A, phase=STABILIZE, ref="A1", doc="log(x) - x + 1 = -(x - 1)^2/2 + ... near 1"),
    Rule("xlogx-minus-x-plus-one", (1 + ops.XLOGY(x, x)) - x,
         _near_one(_xlogx_near_one, lambda x: (1 + ops.XLOGY(x, x)) - x),
         validity=A, phase=STABILIZE, ref="A1", doc="x log(x) - x + 1 = (x - 1)^2/2 - ... near 1"),
    Rule("log1p-minus-x", ops.LOG1P(x) - x, ops.LOG1P_MINUS_X(x), validity=A, phase=STABILIZE, ref="A1",
         doc="log(1 + x) - x = -x^2/2 + ..."),
    Rule("x-minus-log1p", x - ops.LOG1P(x), lambda x: -ops.LOG1P_MINUS_X(x), validity=A, phase=STABILIZE,
         ref="A1"),
    Rule("tan-minus-x", ops.TAN(x) - x, ops.TAN_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6",
         doc="tan(x) - x = x^3/3 + ...; so (x - sin x)/(x - tan x) has no cancellation left"),
    Rule("x-minus-tan", x - ops.TAN(x), lambda x: -ops.TAN_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6"),
    Rule("tanh-minus-x", ops.TANH(x) - x, ops.TANH_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6",
         doc="tanh(x) - x = -x^3/3 + ..."),
    Rule("x-minus-tanh", x - ops.TANH(x), lambda x: -ops.TANH_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6"),
    Rule("atan-minus-x", ops.ATAN(x) - x, ops.ATAN_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6",
         doc="atan(x) - x = -x^3/3 + ..."),
    Rule("x-minus-atan", x - ops.ATAN(x), lambda x: -ops.ATAN_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6"),
    Rule("asinh-minus-x", ops.ASINH(x) - x, ops.ASINH_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6",
         doc="asinh(x) - x = -x^3/6 + ..."),
    Rule("x-minus-asinh", x - ops.ASINH(x), lambda x: -ops.ASINH_MINUS_X(x), validity=A, phase=STABILIZE,
         ref="A6"),
    Rule("asin-minus-x", ops.ASIN(x) - x, ops.ASIN_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6",
         doc="asin(x) - x = x^3/6 + ... (NaN beyond |x| = 1, as typed)"),
    Rule("x-minus-asin", x - ops.ASIN(x), lambda x: -ops.ASIN_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6"),
    Rule("atanh-minus-x", ops.ATANH(x) - x, ops.ATANH_MINUS_X(x), validity=A, phase=STABILIZE, ref="A6",
         doc="atanh(x) - x = x^3/3 + ... (+-inf at +-1, NaN beyond, as typed)"),
    Rule("x-minus-atanh", x - ops.ATANH(x), lambda x: -ops.ATANH_MINUS_X(x), validity=A, phase=STABILIZE,
         ref="A6"),
    Rule("sin-minus-x-cos", ops.SIN(x) - x * ops.COS(x), ops.SIN_MINUS_X_COS(x), validity=A, phase=STABILIZE,
         ref="A6", doc="sin(x) - x cos(x) = x^3/3 - x^5/30 + ..."),
    Rule("x-cos-minus-sin", x * ops.COS(x) - ops.SIN(x), lambda x: -ops.SIN_MINUS_X_COS(x), validity=A,
         phase=STABILIZE, ref="A6"),
    Rule("x-cosh-minus-sinh", x * ops.COSH(x) - ops.SINH(x), ops.X_COSH_MINUS_SINH(x), validity=A,
         phase=STABILIZE, ref="A6", doc="x cosh(x) - sinh(x) = x^3/3 + x^5/30 + ..."),
    Rule("sinh-minus-x-cosh", ops.SINH(x) - x * ops.COSH(x), lambda x: -ops.X_COSH_MINUS_SINH(x), validity=A,
         phase=STABILIZE, ref="A6"),
    Rule("exp-minus-taylor2", ops.EXP(x) - TAYLOR2, ops.EXP_MINUS_TAYLOR2(x), validity=A, phase=STABILIZE,
         ref="A4", doc="e^x - 1 - x - x^2/2 = x^3/6 + ..."),
    Rule("taylor2-minus-exp", TAYLOR2 - ops.EXP(x), lambda x: -ops.EXP_MINUS_TAYLOR2(x), validity=A,
         phase=STABILIZE, ref="A4"),
    Rule("cos-minus-taylor2", (ops.COS(x) + x * x / 2) - 1, ops.COS_MINUS_TAYLOR2(x), validity=A,
         phase=STABILIZE, ref="A6", doc="cos(x) - 1 + x^2/2 = x^4/24 - ..."),
    Rule("taylor2-minus-cos", 1 - (ops.COS(x) + x * x / 2), lambda x: -ops.COS_MINUS_TAYLOR2(x), validity=A,
         phase=STABILIZE, ref="A6"),
    # before stability's reciprocal-difference (1/x - 1/y), whose ((y - x)/x)/y still cancels in tan(x) - x
    Rule("inv-minus-cot", 1 / x - ops.COT(x), ops.INV_MINUS_COT(x), validity=A, phase=STABILIZE, ref="A6",
         doc="1/x - cot(x) = x/3 + ..."),
    Rule("inv-minus-inv-tan", 1 / x - 1 / ops.TAN(x), ops.INV_MINUS_COT(x), validity=A, phase=STABILIZE,
         ref="A6"),
    Rule("cot-minus-inv", ops.COT(x) - 1 / x, lambda x: -ops.INV_MINUS_COT(x), validity=A, phase=STABILIZE,
         ref="A6"),
    Rule("inv-tan-minus-inv", 1 / ops.TAN(x) - 1 / x, lambda x: -ops.INV_MINUS_COT(x), validity=A,
         phase=STABILIZE, ref="A6"),
    # rearrange phase: specific stabilize rules for such pairs (tan(x) - sin(x) = -tan(x) cosm1(x), right
    # for every x) come first
    Rule("x-minus-scaled-function", x - y * z, lambda x, y, z: _x_minus_scaled(x, y, z, 1), validity=A,
         phase=STABILIZE, ref="A6", doc="x - e*sin(x) (Kepler) cancels for e ~ 1 and small x"),
    Rule("scaled-function-minus-x", y * z - x, lambda x, y, z: _x_minus_scaled(x, y, z, -1), validity=A,
         phase=STABILIZE, ref="A6", doc="y*sinh(x) - x cancels for y ~ 1 and small x"),
    Rule("series-in-sum", x - y, lambda x, y: _series_in_sum(x - y) or _scaled_function_in_sum(x - y),
         validity=A, phase=STABILIZE, ref="A1, A4",
         doc="e^u - 1 - u, log(u) - u + 1, v^2 - 1 - 2 log(v), x - y f(x) among the terms of a longer sum, at any "
         "scale (canonicalize leaves a sum with a subtracted term as a difference)"),
    Rule("shared-leading-term", x - y, _shared_leading_term, validity=A, phase="rearrange", ref="A6",
         doc="sinh(x) - sin(x), cosh(x) - cos(x), tan(x) - asinh(x): both start with x (or 1) near 0"),
]
