"""Functions of a rounded argument take the argument's rounding error along (symgraph/compensated.py):
exp(-x^2/2), exp(-a t), exp(x/y), the Gaussian exp(-(x - m)^2/(2 s^2)), the logistic sigmoid(a x + b),
10**(x/10) lose up to |u| ulps of the result to the last rounding of their argument u, which the
error-free transformations of +, -, *, / recover: exp and expm1 as exp_pair/expm1_pair, the others (SLOPES)
as f(u) + f'(u) lo with a cheap slope.

Run last (specialize), when the argument is in its final form: the error terms must describe the
operations the kernel actually performs. An argument's error follows its binary sums, differences,
products and quotients (n-ary ones as the kernel evaluates them, left to right) and selects to a small
depth; symbols and every other op are taken as exact (their own error is not recovered, and nothing is added
for them); a number the dtype cannot hold (pi, 1/3) brings what its rounding lost.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..compensated import (CARRIED, CORRECTED, EXP_PAIR, EXPM1_PAIR, FIRST_ORDER_LIMIT, LOG_ERROR, PRODUCT_ERROR,
                           QUOTIENT_ERROR, REPRESENTATION_ERROR, ROUNDING_ERRORS, SCALED_EXPM1_ERROR,
                           SCALED_EXPM1_PAIR, SQRT_ERROR, SUM_ERROR,
                           is_represented_exactly)
from ..ir import binary_exponent, const, topological
from ..rewrite import ConstVar, Rule, Validity, Var
from ..stable import SCALED_EXPM1
from ..stable_pow import POW1P
from ._symbolic import typed_branch
from .fractions import _may_cancel
from .polynomials import is_horner_select
from .trig import _pi_multiple

x = Var("x")
c = ConstVar("c")
A = Validity.ACCURACY
MAX_DEPTH = 6  # arguments are a few operations deep; beyond, the deeper errors are left out
# arguments with more roundings (a dot product of many terms, the tanh layers' cosh in a network's gradient)
# are left as typed: their rounding is a sum's usual one, and carrying it would cost more than the function.
# Twelve take a three-dimensional Gaussian exp(-((x - a)^2 + (y - b)^2 + (z - c)^2)/(2 s^2)) (11: 4.2 bits
# typed, 0.25 carried, 1.35x the time) and CoolProp's exp(-C (d - 1)^2 - D (t - 1)^2) (2.45 -> 0.21)
MAX_ERRORS = 12


def _total(terms):
    # negated terms are subtracted, as canonicalize spells a + (-b): optimizing again changes nothing
    terms = [t for t in terms if t is not None]
    if not terms:
        return None
    added = [t for t in terms if t.op is not ops.NEG]
    subtracted = [t.args[0] for t in terms if t.op is ops.NEG]
    if not added:
        return -(subtracted[0] if len(subtracted) == 1 else ops.ADD(*subtracted))
    total = added[0] if len(added) == 1 else ops.ADD(*added)
    for t in subtracted:
        total = total - t
    return total


def rounding_error(node, depth=0):
    """The first-order rounding error of the kernel's evaluation of `node` (exact value minus computed
    value) as a graph of error ops, or None where it is taken as exact."""
    if node.is_const and node.value.is_extended_real and not is_represented_exactly(node.value):
        # pi, 1/3, log(2) round to the dtype: the argument pi*x is off by (pi - fl(pi)) x as well as by
        # the product's rounding (2^-53 relative, 6 bits of exp(pi x/2) at x = 100)
        return REPRESENTATION_ERROR(node)
    if depth > MAX_DEPTH or node.op.arity == 0:
        return None
    op, args = node.op, node.args
    if op is ops.NEG:
        inner = rounding_error(args[0], depth + 1)
        return None if inner is None else -inner
    if op is ops.ABS:  # |u + e| = |u| + sign(u) e (softplus(-|x - y|): log(e^x + e^y) - max(x, y))
        inner = rounding_error(args[0], depth + 1)
        return None if inner is None else ops.SIGN(args[0]) * inner
    if op in (ops.ADD, ops.MUL):  # n-ary: ((a . b) . c), the left fold the kernel evaluates
        a = args[0] if len(args) == 2 else op(*args[:-1])
        return _binary_error(op, a, args[-1], depth)
    if op is ops.SUB:
        a, b = args
        eb = rounding_error(b, depth + 1)
        return _total([SUM_ERROR(a, -b), rounding_error(a, depth + 1), None if eb is None else -eb])
    if op is CORRECTED:  # v + slope lo, v's error: the final sum's rounding, and v's own where it is known
        v, slope, lo = args  # (c/x**2 compensated, exp(exp(x) - 3): 3 expm1 of 3 expm1(x - log log 3))
        own = None if any(n.op in ROUNDING_ERRORS and n.args[0] is v for n in topological([lo])) else _own_error(v)
        return _total([SUM_ERROR(v, lo if slope.is_const and slope.value == 1 else slope * lo), own])
    if op is SCALED_EXPM1:  # c expm1(u + e) = w + (w + c) e, and w's own rounding
        eu = rounding_error(args[1], depth + 1)
        return _total([_own_error(node), None if eu is None else _signed(node + args[0], eu, ops.MUL)])
    if op is SCALED_EXPM1_PAIR:  # (its argument's error is carried: only its own rounding is left)
        return _own_error(node)
    if op is ops.SELECT and args[1].op is CORRECTED and is_horner_select(node):
        return rounding_error(args[1], depth + 1)  # (its typed branch is taken only where a step overflows)
    if op is ops.SELECT:  # the branch taken brings its own error
        ea, eb = rounding_error(args[1], depth + 1), rounding_error(args[2], depth + 1)
        if ea is None and eb is None:
            return None
        return ops.SELECT(args[0], const(0) if ea is None else ea, const(0) if eb is None else eb)
    if op is ops.SQRT:  # sqrt(u + e) = sqrt(u) + e/(2 sqrt(u)), and the root's own rounding (exp(sqrt(x)))
        eu = rounding_error(args[0], depth + 1)
        return _total([SQRT_ERROR(node, args[0]), None if eu is None else _signed(eu, const(2) * node, ops.DIV)])
    if op is ops.LOG:  # log(u + e) = log(u) + e/u, and log's own rounding (exp(-(log x - m)^2/(2 s^2)))
        eu = rounding_error(args[0], depth + 1)
        return _total([LOG_ERROR(node, args[0]), None if eu is None else _signed(eu, args[0], ops.DIV)])
    if op is ops.EXP:  # exp(u + e) = exp(u) (1 + e), and exp's own rounding (exp(exp(x)): the inner exp's
        eu = rounding_error(args[0], depth + 1)  # rounding, e^x ulps of the outer)
        return _total([_own_error(node), None if eu is None else _signed(node, eu, ops.MUL)])
    if op is ops.DIV:
        a, b = args
        ea, eb = rounding_error(a, depth + 1), rounding_error(b, depth + 1)
        carried = _total([ea, None if eb is None else -_signed(node, eb, ops.MUL)])
        return _total([QUOTIENT_ERROR(a, b), None if carried is None else _signed(carried, b, ops.DIV)])
    return None


def _own_error(node):
    """What the kernel's evaluation of a function node lost to its own rounding, where that is known: exp's
    exp(u) - v = v (u - log v) to first order, -v log_error(u, v); a scaled expm1's from its helper's
    double-double (log(3) expm1(x - log log 3), exp(x) - log(3) in exp(exp(x)) - 3). None for the others
    (libm's and vecmath's functions are taken as exact)."""
    if node.op is ops.EXP:
        return -(node * LOG_ERROR(node.args[0], node))
    if node.op in (SCALED_EXPM1, SCALED_EXPM1_PAIR):
        carried = node.args[2] if node.op is SCALED_EXPM1_PAIR else const(0)
        return SCALED_EXPM1_ERROR(node, node.args[0], node.args[1], carried)
    return None


def _binary_error(op, a, b, depth):
    ea, eb = rounding_error(a, depth + 1), rounding_error(b, depth + 1)
    if op is ops.ADD:
        return _total([SUM_ERROR(a, b), ea, eb])
    exact_scaling = binary_exponent(a) is not None or binary_exponent(b) is not None  # exact but for over/underflow
    return _total([None if exact_scaling else PRODUCT_ERROR(a, b), None if ea is None else _signed(ea, b, ops.MUL),
                   None if eb is None else _signed(a, eb, ops.MUL)])


def argument_error(x):
    """rounding_error(x) where it takes at most MAX_ERRORS error-free transformations, else None (those
    the kernel computes for x already, a compensated polynomial's, are not counted: they cost nothing more)."""
    lo = rounding_error(x)
    if lo is None:
        return None
    present = {n.key for n in topological([x])}
    count = sum(1 for n in topological([lo])
                if n.op in ROUNDING_ERRORS and n.key not in present)
    return lo if count <= MAX_ERRORS else None


def _paired(pair_op):
    def replace(x):
        lo = argument_error(x)
        return None if lo is None else pair_op(x, lo)
    return replace


# f'(u) from f's value v = f(u) (or u), as cheap as will do: the correction is ~2^-43 of f, so a slope off
# by a fraction r of itself adds r |u| 2^-53 of f, and the cheap forms are off only where |u| is small
# (softplus: min(v, 1) against sigmoid(u), off by at most 0.25 at u ~ 1.5, exact in the tails; sinh:
# max(|v|, 1) against cosh(u), off by e^-|u|/cosh(u); cosh: sign(u) v against sinh(u), likewise), which keeps
# the added error below half an ulp; erfc's slope is exp(-u^2) itself (its relative condition 2u^2 has no
# tail where a cheap form is right)
SLOPES = {
    # (carried: no rule sees 1 - sigmoid(u) or the polynomial v - v^2 in it when optimizing again)
    ops.SIGMOID: lambda v, u: v * (1 - CARRIED(v)),
    ops.SOFTPLUS: lambda v, u: ops.MIN(v, const(1)),
    ops.LOG_SIGMOID: lambda v, u: ops.MIN(-v, const(1)),
    # (max(v, -v, 1), not max(|v|, 1): abs-of-odd-sinh, or abs-nonnegative for u >= 0, would rewrite the abs
    # when optimizing again)
    ops.SINH: lambda v, u: ops.MAX(v, -v, const(1)),
    ops.COSH: lambda v, u: ops.SIGN(u) * v,
    # (the sign outside, as canonicalize puts it: -2/sqrt(pi) times a factor would be moved on a second run)
    ops.ERFC: lambda v, u: -(const(2 / sympy.sqrt(sympy.pi)) * ops.EXP(-(u * u))),
    ops.EXP2: lambda v, u: v * const(sympy.log(2)),
    # sin, cos, tan of a rounded argument: the argument's absolute rounding is a relative error of |u cot(u)|
    # ulps, large near the zeros (cos(6.2832 u) at u = 1/4, sin(x y) near k pi) and for large u (sin(x y)
    # over [0, 10]^2: 2.5 bits typed, 0.23 carried, 1.02x the time: the slope without a libm call)
    ops.SIN: lambda v, u: _quadrature(v, u, cosine=True),
    ops.COS: lambda v, u: -_quadrature(v, u, cosine=False),
    ops.TAN: lambda v, u: 1 + v * v,
    # sinpi(x/180) (SymPy's sin(pi*x/180), degrees) carries x/180's rounding as |u cot(pi u)| ulps: 0.92
    # mean bits over [-360, 360] (lambdify 0.99), most of it near the zeros x = 180 k
    ops.SINPI: lambda v, u: const(sympy.pi) * _quadrature(v, u, cosine=True, half_turn=1),
    ops.COSPI: lambda v, u: -(const(sympy.pi) * _quadrature(v, u, cosine=False, half_turn=1)),
    # log of a rounded argument near 1, where the log is small and u's relative rounding an absolute error:
    # log(u + lo) = log(u) + lo/u (log(x*y) for x, y within 1e-2 of 1: 13.4 bits -> 0.27, 1.08x)
    ops.LOG: lambda v, u: 1 / u,
    # asin and acos near +-1, where their slope 1/sqrt(1 - u^2) grows: acos(x*y) near 1 (first order while
    # the rounding is far below 1 - |u|)
    ops.ASIN: lambda v, u: 1 / ops.SQRT((1 - u) * (1 + u)),
    ops.ACOS: lambda v, u: -(1 / ops.SQRT((1 - u) * (1 + u))),
    ops.LOG2: lambda v, u: const(1 / sympy.log(2)) / u,
    ops.LOG10: lambda v, u: const(1 / sympy.log(10)) / u,
    # sinc(u) = sin(u)/u: slope (cos(u) - sinc(u))/u, cos(u) from sin(u) = u sinc(u) (NaN at u = 0: no correction)
    ops.SINC: lambda v, u: (_quadrature(u * v, u, cosine=True) - v) / u,
}


# a periodic function's argument can be as large as any number, its rounding error far beyond the range
# where f(u + lo) = f(u) + f'(u) lo holds (sin(1e20 x) is off by up to 1e4): carried only below 2^-30
# (float32: 2^-13), where the first order is off by lo^2/2 < 2^-61 (|u| < 2^22 or so); the typed value beyond
PERIODIC = (ops.SIN, ops.COS, ops.TAN, ops.SINC, ops.SINPI, ops.COSPI)


def _quadrature(v, u, cosine, half_turn=sympy.pi):
    """cos(u) from v = sin(u) (cosine), or sin(u) from v = cos(u), to the ~10 bits a slope needs and without
    a second libm call (a Fourier series of sin(k x) ran 1.3x slower with one): the magnitude sqrt(1 - v^2),
    the sign from u reduced by a whole number of turns, r = u - 2 pi floor(u/(2 pi) + 1/2) in [-pi, pi]
    (exact enough for |u| < 2^22, where the correction applies). (1 - |v|)(1 + |v|) of a carried v: no
    rule takes 1 - sin^2 for cos^2 when optimizing again. half_turn 1: cospi from sinpi, sinpi from cospi."""
    a = CARRIED(ops.MAX(v, -v))  # (|v| as max(v, -v): no abs rule reads it when optimizing again)
    magnitude = ops.SQRT(ops.MAX((1 - a) * (1 + a), const(0)))
    turns = ops.FLOOR(u * const(1 / (2 * half_turn)) + const(sympy.Rational(1, 2)))
    r = u - turns * const(2 * half_turn)
    positive = ops.LE(ops.ABS(r), const(half_turn / 2)) if cosine else ops.GE(r, 0)
    return ops.SELECT(positive, magnitude, -magnitude)


def _first_order(op):
    def replace(x):
        lo = argument_error(x)
        if lo is None:
            return None
        if op in PERIODIC:
            if _pi_multiple(x) is not None:
                return None  # sin(c pi u) is trig's sinpi(c u), exact in its angle
            lo = ops.SELECT(ops.LT(ops.ABS(lo), FIRST_ORDER_LIMIT()), lo, const(0))
        u = CARRIED(x)
        v = op(u)
        return CORRECTED(v, SLOPES[op](v, u), lo)
    return replace


def compensates_root(q) -> bool:
    """Whether root-minus-constant takes sqrt(q) - c: q an input or a sum or difference of two inputs and
    numbers, whose first-order error is all there is (the conjugate (q - c^2)/(sqrt(q) + c) rounds three
    times). Other radicands keep the conjugate forms of the earlier phases: 1 - sqrt((1 - x)(1 + x)) is
    x^2/(1 + sqrt(...)) there, where first order leaves x^2's own size of error (second-order terms of
    1e-32); sqrt(x*y) - 2 is canonicalize's root-of-product-minus (the root of a product is a select on
    its overflow, which optimizing again would rebuild inside the carried root)."""
    return q.op.arity == 0 and not q.is_const or \
        q.op in (ops.ADD, ops.SUB) and len(q.args) == 2 and all(a.op.arity == 0 for a in q.args)


def _root_minus_constant(x, c, negated=False):
    # sqrt(u) - c near c^2: the root's rounding, 2^-53 c, is what is left where the difference is far
    # smaller (sqrt(x) - 2 near 4: 18 bits lost). Its error is known to first order (sqrt_error: the exact
    # residual u - s^2 over 2s) with u's own, and the difference's (TwoSum) and c's (a constant the dtype
    # cannot hold) are exact: added back, the result rounds about once everywhere
    if not (c.value.is_extended_real and c.value.is_finite) or not compensates_root(x):
        return None
    root = ops.SQRT(x)
    lo = argument_error(root)
    if lo is None:
        return None
    s, represented = CARRIED(root), rounding_error(c)  # (c - fl(c) where the dtype cannot hold c)
    if negated:  # c - s: (c - s) - fl(c - s), less s's error, plus c's
        return CORRECTED(c - s, const(1), _total([SUM_ERROR(c, -s), -lo, represented]))
    return CORRECTED(s - c, const(1), _total([SUM_ERROR(s, -c), lo, None if represented is None else -represented]))


def _scaled_expm1(c, x):
    # c expm1(u) (exp(u) - c near log c, stability's exp-minus-constant) carries u's rounding and log c's
    # like expm1: c expm1(u + lo) = v + (v + c) lo to first order, added before the helper's one rounding
    lo = argument_error(x)
    if lo is None:
        return None
    return SCALED_EXPM1_PAIR(c, x, lo)


def _power_of_constant(c, x):
    # c**u for a constant c > 0 (10**(x/10), decibels): slope c**u log(c); a c the dtype cannot hold (a folded
    # tan(1.47)**n, PROJ's Krovak projection) brings its rounding u times as many ulps: u (c - fl(c))/c
    if not (c.value.is_number and c.value.is_positive and c.value != 1) or x.op is CARRIED:
        return None  # (or corrected already)
    lo = argument_error(x)
    represented = is_represented_exactly(c.value)
    if lo is None and represented:
        return None
    u = CARRIED(x)
    v = ops.POW(c, u)
    if represented:
        return CORRECTED(v, v * const(sympy.log(c.value)), lo)
    base = _signed(u, REPRESENTATION_ERROR(c), ops.MUL) / c
    return CORRECTED(v, v, base if lo is None else _total([base, _signed(const(sympy.log(c.value)), lo, ops.MUL)]))


def _power(b, y):
    # b**y for a rounded base or exponent: b's rounding is y times as many ulps of the result, y's y log(b)
    # times (Migdal's (2 pi n)**((1 - k)/2) for k ~ 100: 1.4 bits): b**y (1 + y lo_b/b + log(b) lo_y) to
    # first order, the slope's log only where the exponent rounds
    if b.is_const:
        return None  # (pow-of-constant's)
    return _compensated_power(ops.POW, ops.LOG, b, y, lambda base: base)


def _power_of_one_plus(u, v):
    # pow1p(u, v) = (1 + u)^v for a rounded u or v: u's rounding is v u/(1 + u) times as many ulps of the
    # result, large where v is (Student's t kernel (1 + x^2/n)^(-(n + 1)/2) for n up to 1e6: 1.7 bits):
    # (1 + u)^v (1 + v lo_u/(1 + u) + log1p(u) lo_v) to first order
    return _compensated_power(POW1P, ops.LOG1P, u, v, lambda base: 1 + base)


def _compensated_power(power, log, b, y, whole_base):
    """power(b, y) = B**y for B = whole_base(b) (b, or 1 + b) with b's and y's roundings carried:
    B**y (1 + y lo_b/B + log(B) lo_y), log(B) as log(b) (or log1p(b))."""
    if b.op is CARRIED or y.op is CARRIED:
        return None  # (carried already)
    # (a constant exponent's own rounding, x**(1/3)'s, is the specialize phase's pow rules': cbrt)
    lo_b, lo_y = argument_error(b), (None if y.is_const else argument_error(y))
    if lo_b is None and lo_y is None:
        return None
    base, exponent = CARRIED(b), (y if y.is_const else CARRIED(y))
    terms = ([] if lo_b is None else [_signed(_signed(exponent, lo_b, ops.MUL), whole_base(base), ops.DIV)]) + \
        ([] if lo_y is None else [_signed(log(base), lo_y, ops.MUL)])
    v = power(base, exponent)
    return CORRECTED(v, v, _total(terms))


def _signed(a, b, op):
    """a*b or a/b with a negated operand's sign outside, as canonicalize spells it (optimizing again
    changes nothing)."""
    negative = (a.op is ops.NEG) != (b.op is ops.NEG)
    a, b = (a.args[0] if a.op is ops.NEG else a), (b.args[0] if b.op is ops.NEG else b)
    return -op(a, b) if negative else op(a, b)


def _reciprocal_of_product(c, x):
    # c/(a b) for a constant c and a product of two exact values (1/x**2, an inverse-square law's 1/r**2)
    # rounds twice where NumPy's pow(r, -2) rounds once (0.21 mean bits against 0.02). With p = fl(a b),
    # lo = a b - p (FMA) and q = fl(c/p), the remainder r = c - q p is exact ((c - fl(q p)) is, by
    # Sterbenz, and the product's own error is another FMA), and c/(p + lo) = q + (r - q lo) q/c to first
    # order: both roundings are taken out and the sum rounds once. No second division
    if c.value == 0 or not c.value.is_finite or x.op is not ops.MUL or len(x.args) != 2:
        return None
    a, b = x.args
    if a.is_const or b.is_const or rounding_error(a) is not None or rounding_error(b) is not None:
        return None
    p = CARRIED(x)
    q = c / p
    remainder = (c - q * p) - PRODUCT_ERROR(q, p)
    # (where the product overflows, 1/x**2 for |x| > 1.3e154, q is 0 as typed, though pow's result is
    # still a subnormal: (c/a)/b there would cost two more divisions on every point, 2.8x the typed time)
    slope = q if c.value == 1 else q * const(1 / c.value)
    return CORRECTED(q, slope, remainder - q * PRODUCT_ERROR(a, b))


def _exact_product_error(node):
    """(node, the rounding error of its evaluation) for a product of inputs and numbers, (node, None) for an
    input or a number; None for anything else (a product of function values, sin(x) cos(y), carries their
    own roundings, which the products' errors would not take out)."""
    if node.op.arity == 0:
        return node, None
    if node.op is not ops.MUL or any(a.op.arity != 0 for a in node.args):
        return None
    return node, rounding_error(node)


def _difference_of_products(p, q):
    # p - q for products of exact values (a d - b c, b^2 - 4 a c, x y - 1): where they cancel, the typed
    # difference keeps the products' roundings (a singular 2x2 determinant, a discriminant near 0). Their
    # errors, found exactly (FMA), are added back: (p - q) + (e_p - e_q + e_d) rounds once more, about the
    # exact value (Kahan's discriminant). Where a product overflows its error is not finite and the typed
    # difference stays (corrected). The operands are carried: optimizing again finds no products here
    first, second = _exact_product_error(p), _exact_product_error(q)
    if first is None or second is None or (first[1] is None and second[1] is None):
        return None
    # a*b - c for inputs and numbers is one fused multiply-add (rules/fuse.py), correctly rounded at the
    # cost of the typed difference (x*x - 2: 1.7x the typed time compensated)
    if any(other.op.arity == 0 and product.op is ops.MUL and len(product.args) == 2
           for product, other in ((p, q), (q, p))):
        return None
    # the difference's own rounding too (0 where it cancels, by Sterbenz): a corrected value's error is
    # its last sum's alone, which is what rounding_error tells the functions of it (exp(3x - y))
    v = CARRIED(p) - CARRIED(q)
    error = _total([first[1], None if second[1] is None else -second[1], SUM_ERROR(CARRIED(p), -CARRIED(q))])
    return CORRECTED(v, const(1), error)


MAX_SUM_TERMS = 8
_TERM_OPS = (ops.ADD, ops.SUB, ops.NEG, ops.MUL, ops.DIV, ops.SQRT)  # the terms' and partial sums' ops
MAX_PRODUCT_TERMS = 4
_ARITHMETIC = (ops.ADD, ops.SUB, ops.MUL, ops.DIV, ops.NEG)


def _is_exact(node):
    return node.is_symbol or node.is_const and node.value.is_finite and is_represented_exactly(node.value)


def _is_inexact_number(node):
    """A finite real number the dtype cannot hold (pi, 1/3): a sum's term whose rounding is added back."""
    return node.is_const and node.value.is_extended_real and node.value.is_finite is True \
        and not is_represented_exactly(node.value)


def _is_arithmetic_product(node):
    """A product or quotient of two values computed by +, -, *, / from inputs and numbers the dtype holds
    (30x * 30x, 1/y), or the square root of one (sqrt(y)): its rounding error, and its operands', are found
    exactly (rounding_error; the root's to first order, from its exact residual)."""
    return (node.op in (ops.MUL, ops.DIV) and len(node.args) == 2 or node.op is ops.SQRT) and all(
        n.op in _ARITHMETIC or _is_exact(n) for n in topological(list(node.args)))


def _exact_terms(node, sign, terms, inside=False):
    """Appends (sign, leaf) for each term of a tree of sums, differences and negations of inputs, numbers
    the dtype holds and (up to MAX_PRODUCT_TERMS) arithmetic products; False where a term is anything else
    (or there are too many). A sum this rule compensated already (a few of the terms, rewritten first) is
    read as its terms."""
    if node.op is CORRECTED and _is_compensated_sum(node):
        node, inside = node.args[0].args[0], True
    if node.op is CARRIED and inside:  # a partial sum of the compensated sum
        node = node.args[0]
    typed = typed_branch(node)
    if typed is not None and typed.op in (ops.ADD, ops.SUB, ops.NEG):
        node = typed  # 1 - (1/x + 1/y): quotient-sum's select of the inner sum, rounded as a whole here
    if node.op in (ops.ADD, ops.SUB, ops.NEG):
        signs = (-sign,) if node.op is ops.NEG else \
            (sign, -sign) if node.op is ops.SUB else (sign,) * len(node.args)
        return all(_exact_terms(a, s, terms, inside) for a, s in zip(node.args, signs))
    terms.append((sign, node))
    return (_is_exact(node) or _is_inexact_number(node) or _is_arithmetic_product(node)) \
        and len(terms) <= MAX_SUM_TERMS and \
        sum(1 for _, t in terms if t.op in (ops.MUL, ops.DIV, ops.SQRT)) <= MAX_PRODUCT_TERMS


def _is_compensated_sum(node):
    """A corrected value whose correction holds only the errors of sums and products (compensated-sum's
    own form)."""
    v, slope, lo = node.args
    return slope.is_const and slope.value == 1 and v.op is CARRIED and all(
        n.op in (SUM_ERROR, PRODUCT_ERROR, QUOTIENT_ERROR, SQRT_ERROR, REPRESENTATION_ERROR, CARRIED)
        or n.op in _TERM_OPS or n.op.arity == 0
        for n in topological([lo]))


def _compensated_sum(node, **_):
    # a sum of three or more inputs and numbers (a + b + 2, 1 - p - q, x - y + z) rounds each partial sum,
    # and a later term that cancels it leaves only those roundings (jcobi's a + b + 2 near a = b = -1,
    # 1 - p - q for p + q near 1). Each partial sum's error is found exactly (TwoSum) and their total added
    # back: the result rounds about once, as in twice the precision (Ogita, Rump and Oishi's Sum2). The
    # partial sums are carried: optimizing again finds no sum of inputs here.
    # Products among the terms are a level set, x^2 + y^2 + z^2 - 625 (a sphere's implicit surface), and
    # cancel where it is evaluated, on the surface: with a number among the terms their errors (TwoProduct)
    # are added too (Dot2). A sum of products alone (a dot product) stays typed: no sign of cancellation,
    # and two or three times the typed time
    terms = []
    if not _exact_terms(node, 1, terms) or len(terms) < 3 or sum(1 for _, t in terms if not t.is_const) < 2:
        return None
    products = [(sign, t) for sign, t in terms if t.op in (ops.MUL, ops.DIV, ops.SQRT)]
    if products and not any(t.is_const and t.value != 0 for _, t in terms):
        return None
    # (numbers the dtype cannot hold last: a partial sum x - pi would be plus-inexact-constant's to take again)
    terms = [t for t in terms if not _is_inexact_number(t[1])] + [t for t in terms if _is_inexact_number(t[1])]
    sign, first = terms[0]
    partial = first if sign > 0 else -first
    errors = []
    for sign, term in terms[1:]:
        errors.append(SUM_ERROR(partial, term if sign > 0 else -term))
        partial = CARRIED(partial + term if sign > 0 else partial - term)
    for sign, term in products:
        lo = rounding_error(term)
        if lo is not None:
            errors.append(lo if sign > 0 else -lo)
    errors += [REPRESENTATION_ERROR(t) if sign > 0 else -REPRESENTATION_ERROR(t)
               for sign, t in terms if _is_inexact_number(t)]
    if len(errors) > MAX_ERRORS:
        return None
    return CORRECTED(partial, const(1), _total(errors))


def _plus_inexact_constant(x, k, negated=False):
    # x + k (k - x: negated) for a number k the dtype cannot hold (x - pi, y - sqrt(2)/2, x - 1/3): near
    # x = -k the difference x - fl(k) is exact (Sterbenz) and off by k's own rounding, every digit of a
    # result near 1e-16 (x - pi at 1e-12 from pi: 18 bits lost). TwoSum's error and k's rounding are added
    # back with x's own (x*x - pi near sqrt(pi)), the result rounded once: a function of it finds in the
    # correction every error its argument had. The term is carried: optimizing again leaves the sum alone
    # (and no FMA is fused into it, whose rounding would differ from the one the error describes)
    if x.is_const or x.op is CARRIED or not _is_inexact_number(k):
        return None
    own = rounding_error(x)  # (x's own: pi*x - 1/3, x**3 - pi, 2**(x/3) - 1/2 as expm1(x log(2)/3 + log 2))
    if own is not None and argument_error(x) is None:
        return None  # (too many roundings to carry: the typed sum)
    if negated:  # k - x
        return CORRECTED(k - CARRIED(x), const(1),
                         _total([SUM_ERROR(k, -x), REPRESENTATION_ERROR(k), None if own is None else -own]))
    return CORRECTED(CARRIED(x) + k, const(1), _total([SUM_ERROR(x, k), REPRESENTATION_ERROR(k), own]))


def _rounded_product_plus_number(x, k, negated=False):
    # x*(x + 1) - 3 near 1.30 (a polynomial typed factored: (x + 1)**2 - 3, (x - 2)(x - 1) - 1/2): the
    # product of rounded operands carries their errors, to which the number cancels it (9 bits); the fuse
    # phase's FMA rounds the product and the difference once, but not the operands (x + 1). Their errors and
    # the product's, found exactly, are added back with the sum's: compensated-sum's case of two terms, in
    # the fuse phase (before its FMAs), where the partial sums of the compensated sums are left as they are
    # (x*x*9 - 5 in r*y + 9x^2 - 5 is one, and 2 + 1/(2x) in -sqrt(y) + 2 + 1/(2x) is the whole's to take)
    if not (_is_exact(k) and k.value != 0) or x.op is not ops.MUL or len(x.args) != 2:
        return None
    if all(_is_exact(a) or a.is_const for a in x.args) or any(a.op is CARRIED for a in x.args):
        # (x*y - 3 and (2/3)*x - 3: the fuse rules round them once, the constant's digits too; a
        # compensated Horner step s*x + a is described already)
        return None
    lo = argument_error(x)
    if lo is None or any(n.op is QUOTIENT_ERROR for n in topological([lo])):
        return None  # (a quotient's error costs a division: y*(1/x)*(1/x) + 1 in sqrt(x*x + y) ran 2x -> 9x)
    if negated:  # k - x
        return CORRECTED(k - CARRIED(x), const(1), _total([SUM_ERROR(k, -x), -lo]))
    return CORRECTED(CARRIED(x) + k, const(1), _total([SUM_ERROR(x, k), lo]))


RULES = [
    Rule("difference-of-products", x - Var("y"), lambda x, y: _difference_of_products(x, y), validity=A,
         phase="specialize", ref="F13, F14",
         doc="a*d - b*c rounds both products before the difference cancels; their exact errors are added back"),
    Rule("compensated-sum", ops.ADD(x, Var("y")), _compensated_sum, validity=A, phase="specialize", whole=True,
         ref="F16", doc="a + b + 2 near a = b = -1 keeps only a + b's rounding; each partial sum's error is "
         "added back"),
    Rule("compensated-difference", x - Var("y"), _compensated_sum, validity=A, phase="specialize", whole=True,
         ref="F16", doc="1 - p - q for p + q near 1"),
    Rule("reciprocal-compensated", c / x, _reciprocal_of_product, validity=A, phase="specialize",
         doc="1/(x*x) rounds twice where pow(x, -2) rounds once; the product's error, found exactly, is "
         "taken out of the quotient to first order"),
    Rule("exp-compensated", ops.EXP(x), _paired(EXP_PAIR), validity=A, phase="specialize",
         doc="exp(u) carries u's rounding as a relative error of |u| ulps (exp(-x^2) at x = 26: 676 ulps); "
         "the error of u's last operations, found exactly, is added back to first order"),
    Rule("expm1-compensated", ops.EXPM1(x), _paired(EXPM1_PAIR), validity=A, phase="specialize",
         doc="expm1(u) for u > 1 carries u's rounding like exp"),
    *[Rule(f"{op.name}-compensated", op(x), _first_order(op), validity=A, phase="specialize",
           doc=f"{op.name}(u) carries u's rounding as |u f'(u)/f(u)| ulps (up to |u| in an exponential tail, "
           "the logistic sigmoid(a*x + b): 1.5 bits on average; |u cot(u)| for sin; 1/|log(u)| for log near 1); "
           "the error, found exactly, is added back to first order") for op in SLOPES],
    Rule("root-minus-constant", ops.SQRT(x) - c, lambda x, c: _root_minus_constant(x, c), validity=A,
         phase="specialize", doc="sqrt(x) - 2 near 4 keeps the root's rounding; its error (sqrt_error) added back"),
    Rule("constant-minus-root", c - ops.SQRT(x), lambda c, x: _root_minus_constant(x, c, negated=True),
         validity=A, phase="specialize", doc="3/2 - sqrt(x) near 9/4"),
    Rule("scaled-expm1-compensated", SCALED_EXPM1(c, x), _scaled_expm1, validity=A, phase="specialize",
         doc="c*expm1(u) carries u's rounding like expm1 (exp(x) - 3 = 3 expm1(x - log 3): log 3's rounding)"),
    Rule("pow-of-constant-compensated", ops.POW(c, x), _power_of_constant, validity=A, phase="specialize",
         doc="c**u carries u's rounding as |u log(c)| ulps (10**(x/10): 2.5 bits on average)"),
    Rule("pow1p-compensated", POW1P(x, Var("y")), lambda x, y: _power_of_one_plus(x, y), validity=A,
         phase="specialize", ref="A7", doc="(1 + x^2/n)^(-(n + 1)/2) carries the rounding of x^2/n, n/2 times"),
    Rule("pow-compensated", ops.POW(x, Var("y")), lambda x, y: _power(x, y), validity=A, phase="specialize",
         doc="b**y carries b's rounding as |y| ulps and y's as |y log(b)| ulps"),
    Rule("rounded-product-plus-number", x + c, lambda x, c: _rounded_product_plus_number(x, c), validity=A,
         when=lambda facts, x, c: _may_cancel(facts, x, c), phase="fuse",
         doc="x*(x + 1) - 3 near 1.30 keeps the rounding of x + 1 and of the product; their errors and the "
         "sum's are added back"),
    Rule("rounded-product-minus-number", x - c, lambda x, c: _rounded_product_plus_number(x, const(-c.value)),
         when=lambda facts, x, c: _may_cancel(facts, x, c, -1), validity=A, phase="fuse",
         doc="(x - 2)*(x - 1) - 1/2 near 0.63"),
    Rule("number-minus-rounded-product", c - x, lambda c, x: _rounded_product_plus_number(x, c, negated=True),
         when=lambda facts, c, x: _may_cancel(facts, x, c, -1), validity=A, phase="fuse",
         doc="3 - x*(x + 1) near 1.30"),
    # (last: root-minus-constant and the sums of three or more terms take their own)
    Rule("plus-inexact-constant", x + c, lambda x, c: _plus_inexact_constant(x, c), validity=A, phase="specialize",
         doc="x - pi near pi keeps pi's rounding (x - fl(pi) is exact there); it and the sum's error are "
         "added back"),
    Rule("minus-inexact-constant", x - c, lambda x, c: _plus_inexact_constant(x, const(-c.value)), validity=A,
         phase="specialize", doc="x - 1/3 near 1/3"),
    Rule("inexact-constant-minus", c - x, lambda c, x: _plus_inexact_constant(x, c, negated=True), validity=A,
         phase="specialize", doc="E - x near E"),
]
