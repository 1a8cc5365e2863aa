"""Pieces of the guarded forms that several rule sets emit: the conditions under which a rewritten form is
used and the typed one kept otherwise."""
from __future__ import annotations

from .. import ops

# below this a result is subnormal (fewer digits) or 0 by underflow: 2^-1022, 2^-126 in float32 kernels
MIN_NORMAL = ops.MIN_NORMAL()


def is_finite(t):
    """A node that is true where t is neither +-inf nor NaN (t - t is 0 exactly there, NaN elsewhere)."""
    return ops.EQ(t - t, 0)
