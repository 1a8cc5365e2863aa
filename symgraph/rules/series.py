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

x, y = Var("x"), Var("y")
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


def _near_one(near, typed):
    """A replacement: near(x - 1) for x in [1/2, 2], where x - 1 is exact, typed(x) elsewhere."""
    def replace(x):
        inside = ops.AND(ops.GE(x, const(sympy.Rational(1, 2))), ops.LE(x, const(2)))
        return ops.SELECT(inside, near(x - 1), typed(x))
    return replace


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
    Rule("shared-leading-term", x - y, _shared_leading_term, validity=A, phase="rearrange", ref="A6",
         doc="sinh(x) - sin(x), cosh(x) - cos(x), tan(x) - asinh(x): both start with x (or 1) near 0"),
]
