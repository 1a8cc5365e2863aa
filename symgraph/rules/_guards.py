"""Pieces of the guarded forms that several rule sets emit: the conditions under which a rewritten form is
used and the typed one kept otherwise."""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const

HALF = const(sympy.Rational(1, 2))
# below this a result is subnormal (fewer digits) or 0 by underflow: 2^-1022, 2^-126 in float32 kernels
MIN_NORMAL = ops.MIN_NORMAL()


def is_finite(t):
    """A node that is true where t is neither +-inf nor NaN (t - t is 0 exactly there, NaN elsewhere)."""
    return ops.EQ(t - t, 0)


def nan_guarded(node):
    """(condition, value) for select(condition, value, NaN), a form kept NaN where its typed one is
    (algebra's hypot-of-squares); (None, node) for anything else."""
    if node.op is ops.SELECT and node.args[2].is_const and node.args[2].value is sympy.nan:
        return node.args[0], node.args[1]
    return None, node


def is_finiteness_check(condition):
    """is_finite's t - t == 0, or an AND of such: the guard of common-factor's select (whose branches are one
    sum, factored and as typed; a user's Piecewise has other conditions)."""
    if condition.op is ops.AND:
        return all(is_finiteness_check(c) for c in condition.args)
    return condition.op is ops.EQ and condition.args[0].op is ops.SUB and \
        condition.args[0].args[0] is condition.args[0].args[1] and condition.args[1].is_const


def factored_sum_typed(node):
    """The typed sum of common-factor's select(finite, c (a +- b), c a +- c b); None for anything else."""
    if node.op is ops.SELECT and node.args[1].op is ops.MUL and node.args[2].op in (ops.ADD, ops.SUB) and \
            is_finiteness_check(node.args[0]):
        return node.args[2]
    return None
