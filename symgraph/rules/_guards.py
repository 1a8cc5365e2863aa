"""Pieces of the guarded forms that several rule sets emit: the conditions under which a rewritten form is
used and the typed one kept otherwise."""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const

# below this a float32 result is subnormal (fewer digits); float64 kernels share float32's bound
MIN_NORMAL_F32 = const(sympy.Rational(1, 2 ** 126))


def is_finite(t):
    """A node that is true where t is neither +-inf nor NaN (t - t is 0 exactly there, NaN elsewhere)."""
    return ops.EQ(t - t, 0)
