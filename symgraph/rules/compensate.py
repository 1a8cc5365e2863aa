"""exp and expm1 of a rounded argument take the argument's rounding error along (symgraph/compensated.py):
exp(-x^2/2), exp(-a t), exp(x/y), the Gaussian exp(-(x - m)^2/(2 s^2)) lose |u| ulps of the result to
the last rounding of their argument u, which the error-free transformations of +, -, *, / recover.

Run last (specialize), when the argument is in its final form: the error terms must describe the
operations the kernel actually performs. An argument's error follows its binary sums, differences,
products and quotients (n-ary ones as the kernel evaluates them, left to right) to a small depth;
symbols, numbers and every other op are taken as exact (their own error is not recovered, and nothing
is added for them).
"""
from __future__ import annotations

from .. import ops
from ..compensated import EXP_PAIR, EXPM1_PAIR, PRODUCT_ERROR, QUOTIENT_ERROR, SUM_ERROR
from ..rewrite import Rule, Validity, Var

x = Var("x")
A = Validity.ACCURACY
MAX_DEPTH = 6  # arguments are a few operations deep; beyond, the deeper errors are left out


def _is_power_of_two(node) -> bool:
    if not node.is_const or not node.value.is_Rational or node.value == 0:
        return False
    p, q = abs(node.value.p), node.value.q
    return (p & (p - 1)) == 0 and (q & (q - 1)) == 0


def _total(terms):
    terms = [t for t in terms if t is not None]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else ops.ADD(*terms)


def rounding_error(node, depth=0):
    """The first-order rounding error of the kernel's evaluation of `node` (exact value minus computed
    value) as a graph of error ops, or None where it is taken as exact."""
    if depth > MAX_DEPTH or node.op.arity == 0:
        return None
    op, args = node.op, node.args
    if op is ops.NEG:
        inner = rounding_error(args[0], depth + 1)
        return None if inner is None else -inner
    if op in (ops.ADD, ops.MUL):  # n-ary: ((a . b) . c), the left fold the kernel evaluates
        a = args[0] if len(args) == 2 else op(*args[:-1])
        return _binary_error(op, a, args[-1], depth)
    if op is ops.SUB:
        a, b = args
        eb = rounding_error(b, depth + 1)
        return _total([SUM_ERROR(a, -b), rounding_error(a, depth + 1), None if eb is None else -eb])
    if op is ops.DIV:
        a, b = args
        ea, eb = rounding_error(a, depth + 1), rounding_error(b, depth + 1)
        carried = _total([ea, None if eb is None else -(node * eb)])
        return _total([QUOTIENT_ERROR(a, b), None if carried is None else carried / b])
    return None


def _binary_error(op, a, b, depth):
    ea, eb = rounding_error(a, depth + 1), rounding_error(b, depth + 1)
    if op is ops.ADD:
        return _total([SUM_ERROR(a, b), ea, eb])
    exact_scaling = _is_power_of_two(a) or _is_power_of_two(b)  # exact but for over/underflow
    return _total([None if exact_scaling else PRODUCT_ERROR(a, b), None if ea is None else ea * b,
                   None if eb is None else a * eb])


def _paired(pair_op):
    def replace(x):
        lo = rounding_error(x)
        return None if lo is None else pair_op(x, lo)
    return replace


RULES = [
    Rule("exp-compensated", ops.EXP(x), _paired(EXP_PAIR), validity=A, phase="specialize",
         doc="exp(u) carries u's rounding as a relative error of |u| ulps (exp(-x^2) at x = 26: 676 ulps); "
         "the error of u's last operations, found exactly, is added back to first order"),
    Rule("expm1-compensated", ops.EXPM1(x), _paired(EXPM1_PAIR), validity=A, phase="specialize",
         doc="expm1(u) for u > 1 carries u's rounding like exp"),
]
