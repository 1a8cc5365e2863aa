"""symgraph.stable_erfcx: erfcx(x) = e^(x^2) erfc(x) within 3 ulps of mpmath in float64 (1 in float32) from
-26 to 1e300, where the typed exp(x**2)*erfc(x) is off by x^2 ulps below 26.6 and NaN (inf*0) beyond;
its limits, its SymPy side (evalf, fdiff, rewrite, lowering), the rule that rewrites the product, and that
ndtr and log_ndtr evaluate erfcx with this op's helper, not a copy of their own."""
import math

import mpmath
import numpy as np
import pytest
import sympy

import symgraph as sg
from symgraph import ops
from symgraph.reference import ulps
from symgraph.stable_erfcx import ERFCX, mp_erfcx

x = sympy.Symbol("x")


@pytest.fixture(scope="module")
def kernels():
    typed = sympy.exp(x**2) * sympy.erfc(x)
    return sg.compile(x, typed, rewrite=False), sg.compile(x, typed)


def _points(dtype):
    rng = np.random.default_rng(5)
    top = 1e300 if dtype is np.float64 else 1e30
    near = rng.uniform(-26.0 if dtype is np.float64 else -9.0, 26.0, 300)
    far = np.exp(rng.uniform(math.log(20.0), math.log(top), 200))
    edges = [0.0, 1e-300, 25.999999, 26.0, 26.000001, 26.6, 1e154, 2e154]
    return np.concatenate([near, far, [e for e in edges if e < top]]).astype(dtype)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 3), (np.float32, 1)], ids=["float64", "float32"])
def test_erfcx_is_accurate_where_the_product_is_not(kernels, dtype, tol):
    typed_kernel, kernel = kernels
    xs = _points(dtype)
    with mpmath.workdps(40):
        exact = [mp_erfcx(mpmath.mpf(float(v))) for v in xs]
    with np.errstate(all="ignore"):
        got, typed = kernel(xs), typed_kernel(xs)
    err = ulps(got, exact, dtype)
    assert err.max() <= tol, (xs[np.argmax(err)], err.max())
    assert np.isnan(typed[xs > 27]).all()               # inf*0 as typed
    assert ulps(typed, exact, dtype)[(xs > 10) & (xs < 26)].max() > 16 * tol


def test_limits_and_special_values(kernels):
    _, kernel = kernels
    with np.errstate(all="ignore"):
        got = kernel(np.array([np.inf, -np.inf, np.nan, 0.0, -30.0]))
    assert got[0] == 0.0 and got[1] == np.inf and np.isnan(got[2]) and got[3] == 1.0 and got[4] == np.inf


def test_sympy_side():
    e = sg.erfcx(x)
    assert sg.erfcx(0) == 1 and sg.erfcx(sympy.oo) == 0
    assert abs(e.subs(x, 30).evalf(30) - sympy.Float("0.018795888861416751") ) < 1e-17
    assert sympy.simplify(e.diff(x) - (2 * x * e - 2 / sympy.sqrt(sympy.pi))) == 0
    assert e.rewrite(sympy.erfc) == sympy.exp(x**2) * sympy.erfc(x)
    assert any(n.op is ERFCX for n in sg.compile(x, e).graph.nodes)
    assert ERFCX is ops.ERFCX


def test_the_product_becomes_erfcx_with_more_factors():
    graph = sg.compile(x, 2 * sympy.exp(x**2) * sympy.erfc(x) / sympy.sqrt(sympy.pi)).graph
    assert any(n.op is ERFCX for n in graph.nodes) and not any(n.op is ops.ERFC for n in graph.nodes)


def test_one_erfcx_evaluation_serves_the_op_and_the_normal_cdf():
    import symgraph.stable_normal  # noqa: F401  (registers the ndtr helpers)
    assert "@erfcx_pair_f64(" in ops.HELPERS["erfcx_f64"]
    assert "@erfcx_pair_f64(" in ops.HELPERS["ndtr_erfcx_half_f64"]
    tables = [name for name, text in ops.PREAMBLES.items() if "erfcx" in name.lower() or "ERFCX" in text]
    assert tables == ["erfcx_table"], tables
