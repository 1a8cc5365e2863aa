"""symgraph.reference: high-precision evaluation and the ulps / bits-of-error measures."""
import math

import mpmath
import numpy as np
import sympy

from symgraph import ops
from symgraph.ir import symbol
from symgraph.reference import bits_of_error, evaluate, exact, ulps

xs = sympy.Symbol("x")
x = symbol(xs)


def test_evaluate_matches_mpmath():
    value = evaluate(ops.LOG(1 + x), {xs: 1e-20}, dps=50)
    with mpmath.workdps(50):
        assert abs(value - mpmath.log1p(mpmath.mpf(1e-20))) < mpmath.mpf(10) ** -65


def test_real_semantics_and_ieee_specials():
    assert mpmath.isnan(evaluate(ops.SQRT(x), {xs: -1.0}))
    assert evaluate(1 / x, {xs: 0.0}) == mpmath.inf
    assert evaluate(ops.LOG(x), {xs: 0.0}) == -mpmath.inf
    assert mpmath.isnan(evaluate(x - x, {xs: math.inf}))


def test_exact_raises_precision_for_cancellation():
    node = ops.SQRT(x + 1) - ops.SQRT(x)
    assert evaluate(node, {xs: 1e300}, dps=50) == 0
    assert abs(exact(node, {xs: 1e300}) / mpmath.mpf("5e-151") - 1) < 1e-20


def test_ulps_and_bits():
    assert ulps(1.0, mpmath.mpf(1)) == 0
    assert ulps(np.nextafter(1.0, 2), mpmath.mpf(1)) == 1
    assert ulps(-0.0, mpmath.mpf(0)) == 0
    assert ulps(np.float32(1) + np.float32(2 ** -23), mpmath.mpf(1), "float32") == 1
    assert ulps(float("nan"), mpmath.mpf("nan")) == 0 and ulps(1.0, mpmath.mpf("nan")) == 2.0 ** 64
    assert ulps(-5e-324, mpmath.mpf(5e-324)) == 2
    assert bits_of_error(np.nextafter(1.0, 2), mpmath.mpf(1)) == 1.0
    big = ulps(1.0, mpmath.mpf(1) + mpmath.mpf(2) ** -40)
    assert big == 2 ** 12


def test_pow_of_minus_infinity_to_an_infinite_power():
    # C99: pow(-inf, +inf) = +inf, pow(-inf, -inf) = +0 (neither is an odd integer; int(inf) would raise)
    ys = sympy.Symbol("y")
    node = ops.POW(x, symbol(ys))
    assert evaluate(node, {xs: -math.inf, ys: math.inf}) == mpmath.inf
    assert evaluate(node, {xs: -math.inf, ys: -math.inf}) == 0


def test_atan2_of_two_infinities_is_c99s_angle():
    # atan(x) - pi/4 is rewritten to atan2(x - 1, x + 1), which at x = inf is C99's atan2(inf, inf) = pi/4
    ys = sympy.Symbol("y")
    node = ops.ATAN2(symbol(ys), x)
    with mpmath.workdps(30):
        for (y_value, x_value), angle in [((math.inf, math.inf), mpmath.pi / 4),
                                          ((math.inf, -math.inf), 3 * mpmath.pi / 4),
                                          ((-math.inf, math.inf), -mpmath.pi / 4),
                                          ((-math.inf, -math.inf), -3 * mpmath.pi / 4)]:
            value = evaluate(node, {xs: x_value, ys: y_value}, dps=30)
            assert abs(value - angle) < mpmath.mpf(10) ** -25
            assert float(value) == math.atan2(y_value, x_value)
