"""Writes notebooks/tour.ipynb from the cells below (the notebook is generated, so it stays in step with
the API; tests/test_notebooks.py runs the same cells)."""
import json
import pathlib

CELLS = [
    ("markdown", """# A tour of symgraph

Write an equation in SymPy, compile it, and look at every stage: the graph, what was rewritten and why,
the generated code, the error against mpmath, and the gradient. Plots need matplotlib
(`pip install matplotlib`); everything else runs with symgraph's own dependencies."""),
    ("code", """import numpy as np
import sympy as sp
import symgraph as sg

x, y = sp.symbols("x y")
f = sg.compile([x, y], sp.exp(-x**2) * sp.sin(y) + sp.log(1 + x**2))
f"""),
    ("code", """xs = np.linspace(-2, 2, 1_000_001)
values = f(xs, 0.5)          # broadcasting: an array and a scalar, one fused loop
values[:3], f(0.3, 0.5)      # scalars in, a NumPy scalar out"""),
    ("markdown", """## The graph
Lowering builds a DAG with one node per distinct subexpression: `x**2` appears twice in the formula but
once in the graph."""),
    ("code", """g = sg.lower(sp.exp(-x**2) * sp.sin(y) + sp.log(1 + x**2))
print(len(g), "nodes")
g"""),
    ("code", """g.to_sympy()"""),
    ("markdown", """## What was rewritten, and why
`log(1 + exp(x))` overflows for x > 709 and loses everything for x < -37 when evaluated as typed. symgraph
rewrites it into a stable primitive; `explain()` shows each rule that fired, its catalogue entry and its
validity class."""),
    ("code", """softplus = sg.compile(x, sp.log(1 + sp.exp(x)))
softplus.explain()
naive = sg.compile(x, sp.log(1 + sp.exp(x)), rewrite=False)
print(softplus(800.0), naive(800.0))"""),
    ("markdown", """## The generated code
One SSA statement per node, one loop per dtype; the module runs with only NumPy and Numba."""),
    ("code", """print(softplus.source)"""),
    ("markdown", """## The error
Bits of error (log2 of 1 + the distance in ulps to the correctly rounded mpmath value), for the formula as
typed (lambdify) and as compiled by symgraph."""),
    ("code", """import mpmath
from symgraph.reference import bits_of_error

expr = sp.sqrt(x + 1) - sp.sqrt(x)
points = np.logspace(0, 18, 200)
lam = sp.lambdify(x, expr, "numpy")
ours = sg.compile(x, expr)
with mpmath.workdps(60):
    exact = np.array([float(mpmath.sqrt(mpmath.mpf(p) + 1) - mpmath.sqrt(mpmath.mpf(p))) for p in points])
err_lambdify = bits_of_error(lam(points), exact)
err_symgraph = bits_of_error(ours(points), exact)
print(f"mean bits of error: lambdify {np.mean(err_lambdify):.1f}, symgraph {np.mean(err_symgraph):.2f}")"""),
    ("code", """try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    plt.semilogx(points, err_lambdify, label="sympy.lambdify")
    plt.semilogx(points, err_symgraph, label="symgraph")
    plt.xlabel("x"); plt.ylabel("bits of error"); plt.title(str(expr)); plt.legend()
    plt.show()"""),
    ("markdown", """## The gradient
Reverse-mode AD on the graph: value and gradient in the same fused loop."""),
    ("code", """loss = (1 - x)**2 + 100 * (y - x**2)**2
fg = sg.compile([x, y], loss, grad=True)
value, (dx, dy) = fg(np.array([-1.2, 1.0]), np.array([1.0, 1.0]))
value, dx, dy"""),
    ("code", """sg.lower(loss).grad([x, y]).to_sympy()"""),
]


def notebook():
    cells = []
    for kind, text in CELLS:
        cell = {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True)}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        cells.append(cell)
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"},
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


if __name__ == "__main__":
    path = pathlib.Path(__file__).with_name("tour.ipynb")
    path.write_text(json.dumps(notebook(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")
