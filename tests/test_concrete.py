"""Finite sums, products and dot products are expanded at lowering (symgraph/concrete.py)."""
import numpy as np
import pytest
import sympy as sp
from sympy.matrices.expressions.dotproduct import DotProduct

import symgraph as sg

x, z, k, j = sp.symbols("x z k j")

EXPANDED = [
    sp.Sum(z, (j, 0, k), (k, 0, 10)),                  # inner range depends on the outer variable: 66 z
    sp.Sum(z ** k / sp.factorial(k), (k, 0, 20)),      # exp(z) to 20 terms
    sp.Product(1 + z / k, (k, 1, 5)),
    sp.Sum(z * k, (k, 3, 2)),                          # empty range (high = low - 1): 0
    DotProduct(sp.Matrix([z, 1, 2]), sp.Matrix([z, z, z])),
]
_F = []


def compiled():
    if not _F:
        _F.append(sg.compile(z, EXPANDED))
    return _F[0]


def test_expansions_equal_sympy_doit():
    zs = np.array([0.0, 0.5, 2.0, 3.0])  # z >= 0: the truncated exp series has no cancellation there
    got = compiled()(zs)
    for e, g in zip(EXPANDED, got):
        want = [float(e.doit().subs(z, v)) for v in zs]
        np.testing.assert_allclose(g, want, rtol=1e-15, atol=1e-300, err_msg=str(e))


def test_sum_agrees_with_lambdify():
    ref = sp.lambdify(z, EXPANDED[:2])  # lambdify prints Sum as a Python loop (it cannot print Product)
    np.testing.assert_allclose(compiled()(0.75)[:2], ref(0.75), rtol=1e-15)


@pytest.mark.parametrize("expr, message", [
    (sp.Sum(z ** k, (k, 0, x)), "limits must be integers"),
    (sp.Sum(z, (k, 0, 10 ** 6)), "more than 10000 terms"),
    (sp.Sum(z * k, (k, 5, 2)), "upper limit below the lower"),
    (DotProduct(sp.MatrixSymbol("A", 3, 1), sp.MatrixSymbol("B", 3, 1)), "explicit matrices"),
])
def test_what_cannot_be_expanded_is_named(expr, message):
    with pytest.raises(sg.UnsupportedError, match=message):
        sg.compile([z, x], expr)
