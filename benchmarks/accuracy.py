"""Bits of error of classic ill-conditioned formulas, as a user would type them, in one run:
sympy.lambdify (NumPy), SymPy's optimize(expr, optims_c99) + lambdify, and symgraph (float64).

    python benchmarks/accuracy.py [--quick] [--n 2000] [--only SUBSTRING]

Error of one result = log2(1 + ulps distance to the correctly rounded exact value) (Herbie's measure);
the exact value is the typed formula evaluated with mpmath at the digits its inputs call for (60 to
several hundred), confirmed with 40 more. The table also gives the run time of symgraph's rewritten
kernel over the kernel of the formula exactly as typed (sg.compile(..., rewrite=False)), on the same
inputs.
Exit status 1 when symgraph is not the most accurate on some case (ties within TIE_BITS, the noise
of sub-ulp libm differences, are reported as ties), or is at 1 bit or more on a case where a stable
formula exists.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from sympy import (acos, acosh, asin, asinh, atan, atanh, cbrt, cos, cosh, cot, erf, erfc, exp, log, sin, sinh, sqrt,
                   tan, tanh)
from sympy.codegen.rewriting import optimize, optims_c99

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import symgraph as sg  # noqa: E402
from symgraph.reference import either, log_uniform, negated, one_minus, signed, uniform  # noqa: E402

x, y, z = sp.symbols("x y z")
n, e = sp.symbols("n e")
U3, V3 = sp.symbols("u1:4"), sp.symbols("v1:4")


@dataclass
class Case:
    name: str
    args: list
    expr: object
    domain: str
    samplers: object  # one sampler per argument, or a function (rng, n) -> list of columns
    stable: bool = True  # a formula accurate to < 1 bit exists (symgraph must reach it)

    def sample(self, rng, n):
        if callable(self.samplers):
            return [np.asarray(c, float) for c in self.samplers(rng, n)]
        return [np.asarray(s(rng, n), float) for s in self.samplers]


def _descending_pair(rng, n):
    a = rng.uniform(-700, 700, n)
    return [a, a - np.exp(rng.uniform(math.log(1e-10), math.log(100), n))]


def _close_pair(base, lo, hi):
    """(x, y) with y a relative distance in [lo, hi] from x: the difference cancels."""
    def draw(rng, count):
        first = base(rng, count)
        return [first, first * (1 + signed(log_uniform(lo, hi))(rng, count))]
    return draw


def _below_twice(rng, count):
    """(x, y): y log-uniform in [1, 1e3], x below 2y by a relative 1e-12 to 1e-3 (2/x - 1/y cancels)."""
    y = log_uniform(1, 1e3)(rng, count)
    return [2 * y * (1 - log_uniform(1e-12, 1e-3)(rng, count)), y]


def _nearly_parallel(rng, count):
    """(a, b, c, d): two plane vectors (a, b) and (c, d) = k (a, b), each component off by a relative
    1e-10 to 1e-3: their cosine is within about 1e-6 of 1."""
    a, b = uniform(-10, 10)(rng, count), uniform(-10, 10)(rng, count)
    k = log_uniform(0.1, 10)(rng, count)
    wobble = signed(log_uniform(1e-10, 1e-3))
    return [a, b, k * a * (1 + wobble(rng, count)), k * b * (1 + wobble(rng, count))]


def _nearly_parallel_3d(rng, count):
    """(a1, a2, a3, b1, b2, b3): b = k a with each component off by a relative 1e-10 to 1e-3."""
    a = [uniform(-10, 10)(rng, count) for _ in range(3)]
    k = log_uniform(0.1, 10)(rng, count)
    wobble = signed(log_uniform(1e-10, 1e-3))
    return a + [k * c * (1 + wobble(rng, count)) for c in a]


def _near_root(root):
    """root + signed offsets log-uniform in [1e-12, 1e-1] (of the root's size)."""
    def draw(rng, count):
        return root * (1 + signed(log_uniform(1e-12, 1e-1))(rng, count))
    return draw


def _near_roots(*roots):
    """Near one of the roots (each point's drawn uniformly), as _near_root."""
    def draw(rng, count):
        return np.choose(rng.integers(0, len(roots), count), [_near_root(r)(rng, count) for r in roots])
    return draw


def _near_angle(angle):
    """angle + signed offsets log-uniform in [1e-9, 1e-1], a quarter of the points up to 1000 periods away."""
    def draw(rng, count):
        k = np.where(rng.random(count) < 0.25, rng.integers(-1000, 1001, count), 0)
        return angle + 2 * math.pi * k + signed(log_uniform(1e-9, 1e-1))(rng, count)
    return draw


def cases() -> list:
    tiny_to_800 = signed(log_uniform(1e-3, 800))
    return [
        Case("log(1 + exp(x))", [x], log(1 + exp(x)), "|x| in [1e-3, 800]", [tiny_to_800]),
        Case("exp(x) - 1", [x], exp(x) - 1, "|x| in [1e-20, 700]", [signed(log_uniform(1e-20, 700))]),
        Case("log(1 + x)", [x], log(1 + x), "|x| in [1e-20, 0.9]", [signed(log_uniform(1e-20, 0.9))]),
        Case("log(1 - x)", [x], log(1 - x), "|x| in [1e-20, 0.9]", [signed(log_uniform(1e-20, 0.9))]),
        Case("sqrt(x + 1) - sqrt(x)", [x], sqrt(x + 1) - sqrt(x), "x in [1e-3, 1e15]", [log_uniform(1e-3, 1e15)]),
        Case("(1 - cos(x))/x**2", [x], (1 - cos(x)) / x**2, "|x| in [1e-12, 10]", [signed(log_uniform(1e-12, 10))]),
        Case("cos(x) - 1", [x], cos(x) - 1, "|x| in [1e-20, 10]", [signed(log_uniform(1e-20, 10))]),
        Case("log(exp(a) + exp(b))", [x, y], log(exp(x) + exp(y)), "a, b in [-800, 800]",
             [uniform(-800, 800), uniform(-800, 800)]),
        Case("log(exp(a) + exp(b) + exp(c))", [x, y, z], log(exp(x) + exp(y) + exp(z)), "a, b, c in [-800, 800]",
             [uniform(-800, 800)] * 3),
        Case("log(exp(a) - exp(b))", [x, y], log(exp(x) - exp(y)), "a in [-700, 700], a - b in [1e-10, 100]",
             _descending_pair),
        Case("exp(a)/(exp(a) + exp(b))", [x, y], exp(x) / (exp(x) + exp(y)), "a, b in [-800, 800]",
             [uniform(-800, 800), uniform(-800, 800)]),
        Case("log(1 + x) - log(x)", [x], log(1 + x) - log(x), "x in [1e-300, 1e300]", [log_uniform(1e-300, 1e300)]),
        # SymPy writes these log(x)/log(2), log(x)/log(10): three roundings as typed, one as log2, log10
        Case("log(x, 2)", [x], log(x, 2), "x in [1e-300, 1e300]", [log_uniform(1e-300, 1e300)]),
        Case("log(x, 10)", [x], log(x, 10), "x in [1e-300, 1e300]", [log_uniform(1e-300, 1e300)]),
        Case("sqrt(1 + x**2) - 1", [x], sqrt(1 + x**2) - 1, "|x| in [1e-200, 1e200]",
             [signed(log_uniform(1e-200, 1e200))]),
        Case("1/(x + 1) - 1/x", [x], 1 / (x + 1) - 1 / x, "x in [1, 1e150]", [log_uniform(1, 1e150)]),
        Case("1/(x + 1) - 2/x + 1/(x - 1)", [x], 1 / (x + 1) - 2 / x + 1 / (x - 1), "|x| in [2, 1e300]",
             [signed(log_uniform(2, 1e300))]),
        Case("x/(x + 1) - (x - 1)/x", [x], x / (x + 1) - (x - 1) / x, "|x| in [2, 1e300]",
             [signed(log_uniform(2, 1e300))]),
        Case("(-b + sqrt(b**2 - 4*a*c))/(2*a)", [x, y, z], (-y + sqrt(y**2 - 4 * x * z)) / (2 * x),
             "a, c in [-1, 1], |b| in [1e-3, 1e100]",
             [uniform(-1, 1), signed(log_uniform(1e-3, 1e100)), uniform(-1, 1)]),
        Case("sqrt(x**2 + 1) - x", [x], sqrt(x**2 + 1) - x, "x in [1e-3, 1e150]", [log_uniform(1e-3, 1e150)]),
        Case("x/(exp(x) - 1)", [x], x / (exp(x) - 1), "|x| in [1e-20, 700]", [signed(log_uniform(1e-20, 700))]),
        Case("(exp(x) - 1)/x", [x], (exp(x) - 1) / x, "|x| in [1e-20, 700]", [signed(log_uniform(1e-20, 700))]),
        Case("3*exp(x) - 3", [x], 3 * exp(x) - 3, "|x| in [1e-20, 1]", [signed(log_uniform(1e-20, 1))]),
        Case("log(exp(x) - 1)", [x], log(exp(x) - 1), "x in [1e-20, 800]", [log_uniform(1e-20, 800)]),
        Case("log(1 - exp(-x))", [x], log(1 - exp(-x)), "x in [1e-20, 700]", [log_uniform(1e-20, 700)]),
        Case("1/(1 + exp(-x))", [x], 1 / (1 + exp(-x)), "|x| in [1e-3, 800]", [tiny_to_800]),
        Case("exp(x)/(1 + exp(x))", [x], exp(x) / (1 + exp(x)), "|x| in [1e-3, 800]", [tiny_to_800]),
        Case("1/(1 + exp(x))", [x], 1 / (1 + exp(x)), "|x| in [1e-3, 800]", [tiny_to_800]),
        Case("1 - 1/(1 + exp(-x))", [x], 1 - 1 / (1 + exp(-x)), "|x| in [1e-3, 800]", [tiny_to_800]),
        Case("log(1/(1 + exp(-x)))", [x], log(1 / (1 + exp(-x))), "|x| in [1e-3, 800]", [tiny_to_800]),
        Case("log(1 - 1/(1 + exp(-x)))", [x], log(1 - 1 / (1 + exp(-x))), "|x| in [1e-3, 800]", [tiny_to_800]),
        Case("log(1 + exp(x)) - x", [x], log(1 + exp(x)) - x, "|x| in [1e-3, 800]", [tiny_to_800]),
        Case("log(x/(1 - x))", [x], log(x / (1 - x)), "x in (0, 1), near 0, 1/2 and 1",
             [either(log_uniform(1e-20, 0.5), one_minus(log_uniform(1e-16, 0.5)), uniform(0.49, 0.51))]),
        Case("1 - erf(x)", [x], 1 - erf(x), "x in [1e-3, 26]", [log_uniform(1e-3, 26)]),
        Case("1 + erf(x)", [x], 1 + erf(x), "x in [-26, -1e-3]", [negated(log_uniform(1e-3, 26))]),
        Case("erf(x) - 1", [x], erf(x) - 1, "x in [1e-3, 26]", [log_uniform(1e-3, 26)]),
        Case("log(erfc(x))", [x], log(erfc(x)), "x in [1e-2, 1e3]", [log_uniform(1e-2, 1e3)]),
        # the normal CDF and GELU as typed: erfc magnifies the rounding of x/sqrt(2) by ~x^2 (symgraph: ndtr)
        Case("(1 + erf(x/sqrt(2)))/2", [x], (1 + erf(x / sqrt(2))) / 2, "|x| in [1e-3, 38]",
             [signed(log_uniform(1e-3, 38))]),
        Case("erfc(-x/sqrt(2))/2", [x], erfc(-x / sqrt(2)) / 2, "|x| in [1e-3, 38]", [signed(log_uniform(1e-3, 38))]),
        Case("x/2*(1 + erf(x/sqrt(2)))", [x], x / 2 * (1 + erf(x / sqrt(2))), "|x| in [1e-3, 38]",
             [signed(log_uniform(1e-3, 38))]),
        Case("log((1 + erf(x/sqrt(2)))/2)", [x], log((1 + erf(x / sqrt(2))) / 2), "|x| in [1e-3, 38]",
             [signed(log_uniform(1e-3, 38))]),
        Case("sin(x)/x", [x], sin(x) / x, "|x| in [1e-20, 1e3]", [signed(log_uniform(1e-20, 1e3))]),
        Case("log(x + sqrt(x**2 + 1))", [x], log(x + sqrt(x**2 + 1)), "|x| in [1e-20, 1e200]",
             [signed(log_uniform(1e-20, 1e200))]),
        Case("log((1 + x)/(1 - x))/2", [x], log((1 + x) / (1 - x)) / 2, "|x| in (0, 1), near 0 and 1",
             [signed(either(log_uniform(1e-20, 0.5), one_minus(log_uniform(1e-16, 0.5))))]),
        Case("(exp(x) - exp(-x))/2", [x], (exp(x) - exp(-x)) / 2, "|x| in [1e-20, 700]",
             [signed(log_uniform(1e-20, 700))]),
        Case("(exp(x) - exp(-x))/(exp(x) + exp(-x))", [x], (exp(x) - exp(-x)) / (exp(x) + exp(-x)),
             "|x| in [1e-20, 800]", [signed(log_uniform(1e-20, 800))]),
        Case("sqrt(x**2 + y**2)", [x, y], sqrt(x**2 + y**2), "|x|, |y| in [1e-200, 1e200]",
             [signed(log_uniform(1e-200, 1e200))] * 2),
        Case("sqrt(1 + x**2)", [x], sqrt(1 + x**2), "|x| in [1e-20, 1e300]", [signed(log_uniform(1e-20, 1e300))]),
        Case("sqrt(x**2)", [x], sqrt(x**2), "|x| in [1e-300, 1e300]", [signed(log_uniform(1e-300, 1e300))]),
        Case("log(exp(x))", [x], log(exp(x)), "x in [-800, 800]", [uniform(-800, 800)]),
        Case("log(1 + x**2)", [x], log(1 + x**2), "|x| in [1e-20, 1e10]", [signed(log_uniform(1e-20, 1e10))]),
        Case("(1 - cos(x))/sin(x)", [x], (1 - cos(x)) / sin(x), "|x| in [1e-20, 3]", [signed(log_uniform(1e-20, 3))]),
        Case("x*log(x)", [x], x * log(x), "x in [1e-300, 1e3]", [log_uniform(1e-300, 1e3)]),
        # Herbie's hamming chapter (NMSE examples) and other classics
        Case("1/sqrt(x) - 1/sqrt(x + 1)", [x], 1 / sqrt(x) - 1 / sqrt(x + 1), "x in [1, 1e300]",
             [log_uniform(1, 1e300)]),
        Case("cbrt(x + 1) - cbrt(x)", [x], cbrt(x + 1) - cbrt(x), "x in [1, 1e200]", [log_uniform(1, 1e200)]),
        Case("(x + 1)**(1/n) - x**(1/n)", [x, n], (x + 1) ** (1 / n) - x ** (1 / n), "x in [1e-3, 1e15], n in [2, 10]",
             [log_uniform(1e-3, 1e15), uniform(2, 10)]),
        Case("(1 + 1/x)**x", [x], (1 + 1 / x) ** x, "x in [1, 1e15]", [log_uniform(1, 1e15)]),
        Case("(1 + x)**(1/x)", [x], (1 + x) ** (1 / x), "x in [1e-15, 1]", [log_uniform(1e-15, 1)]),
        Case("(1 + 1/x)**x - E", [x], (1 + 1 / x) ** x - sp.E, "x in [1e3, 1e15]", [log_uniform(1e3, 1e15)]),
        Case("exp(x) - (1 + x/n)**n", [x, n], exp(x) - (1 + x / n) ** n, "|x| in [1e-3, 10], n in [1e3, 1e12]",
             [signed(log_uniform(1e-3, 10)), log_uniform(1e3, 1e12)]),
        Case("sin(x + e) - sin(x)", [x, e], sin(x + e) - sin(x), "x in [-10, 10], |e| in [1e-20, 1e-3]",
             [uniform(-10, 10), signed(log_uniform(1e-20, 1e-3))]),
        Case("cos(x + e) - cos(x)", [x, e], cos(x + e) - cos(x), "x in [-10, 10], |e| in [1e-20, 1e-3]",
             [uniform(-10, 10), signed(log_uniform(1e-20, 1e-3))]),
        Case("tan(x + e) - tan(x)", [x, e], tan(x + e) - tan(x), "x in [-1.5, 1.5], |e| in [1e-20, 1e-3]",
             [uniform(-1.5, 1.5), signed(log_uniform(1e-20, 1e-3))]),
        # Herbie's own domain for 2tan: x + e rounds by ulp(x)/2 ~ 1e-12 at x = 1e4, inside cos(x + e) too
        Case("tan(x + e) - tan(x), large x", [x, e], tan(x + e) - tan(x), "x in [-1e4, 1e4], e in [1e-12, 1]",
             [uniform(-1e4, 1e4), log_uniform(1e-12, 1)]),
        Case("atan(x + 1) - atan(x)", [x], atan(x + 1) - atan(x), "x in [1, 1e150]", [log_uniform(1, 1e150)]),
        Case("exp(x) - 2 + exp(-x)", [x], exp(x) - 2 + exp(-x), "|x| in [1e-10, 700]",
             [signed(log_uniform(1e-10, 700))]),
        Case("cosh(x) - 1", [x], cosh(x) - 1, "|x| in [1e-10, 700]", [signed(log_uniform(1e-10, 700))]),
        Case("log((1 - x)/(1 + x))", [x], log((1 - x) / (1 + x)), "|x| in [1e-20, 0.99]",
             [signed(log_uniform(1e-20, 0.99))]),
        Case("log(x/(x + 1))", [x], log(x / (x + 1)), "x in [1, 1e300]", [log_uniform(1, 1e300)]),
        Case("(-b - sqrt(b**2 - 4*a*c))/(2*a)", [x, y, z], (-y - sqrt(y**2 - 4 * x * z)) / (2 * x),
             "a, c in [-1, 1], |b| in [1e-3, 1e100]",
             [uniform(-1, 1), signed(log_uniform(1e-3, 1e100)), uniform(-1, 1)]),
        # Herbie's quadp and quadm as it samples them: every double
        Case("(-b + sqrt(b**2 - 4*a*c))/(2*a) (all doubles)", [x, y, z], (-y + sqrt(y**2 - 4 * x * z)) / (2 * x),
             "|a|, |b|, |c| in [1e-300, 1e300]", [signed(log_uniform(1e-300, 1e300))] * 3),
        Case("(-b - sqrt(b**2 - 4*a*c))/(2*a) (all doubles)", [x, y, z], (-y - sqrt(y**2 - 4 * x * z)) / (2 * x),
             "|a|, |b|, |c| in [1e-300, 1e300]", [signed(log_uniform(1e-300, 1e300))] * 3),
        Case("x - sqrt(x**2 - 1)", [x], x - sqrt(x**2 - 1), "x in [1, 1e150]", [log_uniform(1, 1e150)]),
        Case("sqrt(x**2 + 1) + x", [x], sqrt(x**2 + 1) + x, "x in [-1e150, -1e-3]", [negated(log_uniform(1e-3, 1e150))]),
        Case("sqrt(x + 1) - sqrt(x - 1)", [x], sqrt(x + 1) - sqrt(x - 1), "x in [1, 1e300]", [log_uniform(1, 1e300)]),
        Case("1/(1 - x) - 1/(1 + x)", [x], 1 / (1 - x) - 1 / (1 + x), "|x| in [1e-20, 0.99]",
             [signed(log_uniform(1e-20, 0.99))]),
        Case("1 - tanh(x)", [x], 1 - tanh(x), "x in [1e-3, 700]", [log_uniform(1e-3, 700)]),
        Case("log(cosh(x))", [x], log(cosh(x)), "|x| in [1e-10, 800]", [signed(log_uniform(1e-10, 800))]),
        Case("tan(x) - sin(x)", [x], tan(x) - sin(x), "|x| in [1e-10, 1.5]", [signed(log_uniform(1e-10, 1.5))]),
        Case("x - sin(x)", [x], x - sin(x), "|x| in [1e-10, 100]", [signed(log_uniform(1e-10, 100))]),
        Case("sin(x) - x", [x], sin(x) - x, "|x| in [1e-10, 100]", [signed(log_uniform(1e-10, 100))]),
        Case("(x - sin(x))/(x - tan(x))", [x], (x - sin(x)) / (x - tan(x)), "|x| in [1e-10, 1.5]",
             [signed(log_uniform(1e-10, 1.5))]),
        Case("1/x - 1/tan(x)", [x], 1 / x - 1 / tan(x), "|x| in [1e-10, 3]", [signed(log_uniform(1e-10, 3))]),
        Case("1/x - cot(x)", [x], 1 / x - cot(x), "|x| in [1e-10, 3]", [signed(log_uniform(1e-10, 3))]),
        Case("tan(x) - x", [x], tan(x) - x, "|x| in [1e-10, 1.5]", [signed(log_uniform(1e-10, 1.5))]),
        Case("atan(x) - x", [x], atan(x) - x, "|x| in [1e-10, 100]", [signed(log_uniform(1e-10, 100))]),
        Case("asinh(x) - x", [x], asinh(x) - x, "|x| in [1e-10, 100]", [signed(log_uniform(1e-10, 100))]),
        Case("asin(x) - x", [x], asin(x) - x, "|x| in [1e-10, 1]", [signed(log_uniform(1e-10, 1))]),
        Case("atanh(x) - x", [x], atanh(x) - x, "|x| in [1e-10, 1]", [signed(log_uniform(1e-10, 1))]),
        Case("sin(x) - x*cos(x)", [x], sin(x) - x * cos(x), "|x| in [1e-10, 4]", [signed(log_uniform(1e-10, 4))]),
        Case("x*cosh(x) - sinh(x)", [x], x * cosh(x) - sinh(x), "|x| in [1e-10, 700]",
             [signed(log_uniform(1e-10, 700))]),
        Case("exp(x) - 1 - x - x**2/2", [x], exp(x) - 1 - x - x**2 / 2, "|x| in [1e-10, 700]",
             [signed(log_uniform(1e-10, 700))]),
        Case("cos(x) - 1 + x**2/2", [x], cos(x) - 1 + x**2 / 2, "|x| in [1e-10, 100]",
             [signed(log_uniform(1e-10, 100))]),
        Case("tanh(x) - x", [x], tanh(x) - x, "|x| in [1e-10, 20]", [signed(log_uniform(1e-10, 20))]),
        Case("sinh(x) - x", [x], sinh(x) - x, "|x| in [1e-10, 700]", [signed(log_uniform(1e-10, 700))]),
        Case("exp(x) - 1 - x", [x], exp(x) - 1 - x, "|x| in [1e-10, 700]", [signed(log_uniform(1e-10, 700))]),
        Case("log(1 + x) - x", [x], log(1 + x) - x, "x in (-1, 1e300), near 0 and -1",
             [either(signed(log_uniform(1e-10, 0.9)), log_uniform(0.9, 1e300),
                     negated(one_minus(log_uniform(1e-15, 0.1))))]),
        Case("exp(x) - exp(y)", [x, y], exp(x) - exp(y), "x in [-700, 700], |y/x - 1| in [1e-15, 1e-3]",
             _close_pair(uniform(-700, 700), 1e-15, 1e-3)),
        Case("log(x) - log(y)", [x, y], log(x) - log(y), "x in [1e-300, 1e300], |y/x - 1| in [1e-15, 1e-3]",
             _close_pair(log_uniform(1e-300, 1e300), 1e-15, 1e-3)),
        Case("(1 + x)**n - 1", [x, n], (1 + x) ** n - 1, "|x| in [1e-15, 0.5], n in [-50, 50]",
             [signed(log_uniform(1e-15, 0.5)), uniform(-50, 50)]),
        Case("1 - (1 - x)**n", [x, n], 1 - (1 - x) ** n, "|x| in [1e-15, 0.5], n in [-50, 50]",
             [signed(log_uniform(1e-15, 0.5)), uniform(-50, 50)]),
        Case("2**x - 1", [x], 2**x - 1, "|x| in [1e-20, 1000]", [signed(log_uniform(1e-20, 1000))]),
        # fractions cancelling near a root, conjugates found by exact symbolic cancellation
        Case("1 - 1/(1 + x)", [x], 1 - 1 / (1 + x), "|x| in [1e-15, 0.5]", [signed(log_uniform(1e-15, 0.5))]),
        Case("(1 + x)/(1 - x) - 1", [x], (1 + x) / (1 - x) - 1, "|x| in [1e-15, 0.5]",
             [signed(log_uniform(1e-15, 0.5))]),
        Case("x**2 - 2*x + 1", [x], x**2 - 2 * x + 1, "|x - 1| in [1e-8, 0.5]",
             [one_minus(signed(log_uniform(1e-8, 0.5)))]),
        Case("1 - sqrt(1 - x**2)", [x], 1 - sqrt(1 - x**2), "|x| in [1e-15, 0.9]", [signed(log_uniform(1e-15, 0.9))]),
        Case("1/sqrt(1 - x**2) - 1", [x], 1 / sqrt(1 - x**2) - 1, "|x| in [1e-15, 0.9]",
             [signed(log_uniform(1e-15, 0.9))]),
        Case("(-b/2 + sqrt((b/2)**2 - a*c))/a", [x, y, z], (-y / 2 + sqrt((y / 2) ** 2 - x * z)) / x,
             "|a|, |c| in [1e-3, 1e3], |b| in [1e2, 1e8]",
             [signed(log_uniform(1e-3, 1e3)), signed(log_uniform(1e2, 1e8)), signed(log_uniform(1e-3, 1e3))]),
        Case("(-b/2 - sqrt((b/2)**2 - a*c))/a", [x, y, z], (-y / 2 - sqrt((y / 2) ** 2 - x * z)) / x,
             "|a|, |c| in [1e-3, 1e3], |b| in [1e2, 1e8]",
             [signed(log_uniform(1e-3, 1e3)), signed(log_uniform(1e2, 1e8)), signed(log_uniform(1e-3, 1e3))]),
        # arguments that round near 1, squares that overflow, differences of x log x
        Case("(n + 1)*log(n + 1) - n*log(n) - 1", [n], (n + 1) * log(n + 1) - n * log(n) - 1, "n in [1, 1e15]",
             [log_uniform(1, 1e15)]),
        Case("acos(1 - x)", [x], acos(1 - x), "x in [1e-15, 1]", [log_uniform(1e-15, 1)]),
        Case("acosh(1 + x)", [x], acosh(1 + x), "x in [1e-15, 1e10]", [log_uniform(1e-15, 1e10)]),
        Case("x/(x**2 + 1)", [x], x / (x**2 + 1), "|x| in [1e-3, 1e300]", [signed(log_uniform(1e-3, 1e300))]),
        Case("x/(1 + x)**2", [x], x / (1 + x)**2, "x in [1e-3, 1e300]", [log_uniform(1e-3, 1e300)]),
        Case("(x**2 + 1)/(x**2 - 2)", [x], (x**2 + 1) / (x**2 - 2), "|x| in [2, 1e300]", [signed(log_uniform(2, 1e300))]),
        Case("x**3/(x**2 + 1)", [x], x**3 / (x**2 + 1), "|x| in [1e-3, 1e300]", [signed(log_uniform(1e-3, 1e300))]),
        Case("log(1 + x**2)", [x], log(1 + x**2), "|x| in [1e-10, 1e200]", [signed(log_uniform(1e-10, 1e200))]),
        Case("log(cos(x))", [x], log(cos(x)), "|x| in [1e-10, 1]", [signed(log_uniform(1e-10, 1))]),
        Case("log(sin(x)/x)", [x], log(sin(x) / x), "|x| in [1e-10, 1]", [signed(log_uniform(1e-10, 1))]),
        Case("log((exp(x) - 1)/x)", [x], log((exp(x) - 1) / x), "|x| in [1e-15, 700]", [signed(log_uniform(1e-15, 700))]),
        Case("log(x/(exp(x) - 1))", [x], log(x / (exp(x) - 1)), "|x| in [1e-15, 700]", [signed(log_uniform(1e-15, 700))]),
        Case("log(exp(x) - x)", [x], log(exp(x) - x), "|x| in [1e-10, 1]", [signed(log_uniform(1e-10, 1))]),
        Case("log(x) - log(x + 1)", [x], log(x) - log(x + 1), "x in [1e-3, 1e15]", [log_uniform(1e-3, 1e15)]),
        # functions sharing a leading term, close hyperbolic arguments, sigmoid's midpoint, 1 + cos near pi
        Case("sinh(x) - sin(x)", [x], sinh(x) - sin(x), "|x| in [1e-6, 2]", [signed(log_uniform(1e-6, 2))]),
        Case("cosh(x) - cos(x)", [x], cosh(x) - cos(x), "|x| in [1e-6, 2]", [signed(log_uniform(1e-6, 2))]),
        Case("cosh(x) - cosh(y)", [x, y], cosh(x) - cosh(y), "|x| in [1e-3, 100], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 100)), 1e-12, 1e-3)),
        Case("exp(x)/(1 + exp(x)) - 1/2", [x], exp(x) / (1 + exp(x)) - sp.Rational(1, 2), "|x| in [1e-15, 10]",
             [signed(log_uniform(1e-15, 10))]),
        Case("exp(x)*(1 - exp(-x))", [x], exp(x) * (1 - exp(-x)), "|x| in [1e-15, 700]",
             [signed(log_uniform(1e-15, 700))]),
        Case("1 + cos(x)", [x], 1 + cos(x), "|x - pi| in [1e-10, 1]",
             lambda rng, count: [math.pi + signed(log_uniform(1e-10, 1))(rng, count)]),
        # squares near 1, 3-vectors, double angles and contracted angle sums, quotients near 1
        Case("log(1 - x**2)", [x], log(1 - x**2), "|x| in [1e-15, 1)", [signed(log_uniform(1e-15, 1))]),
        Case("sqrt(x**2 + y**2 + z**2)", [x, y, z], sqrt(x**2 + y**2 + z**2), "|x|, |y|, |z| in [1e-200, 1e200]",
             [signed(log_uniform(1e-200, 1e200))] * 3),
        Case("cos(x)**2 - sin(x)**2", [x], cos(x)**2 - sin(x)**2, "x in [0.7, 0.87] (pi/4)", [uniform(0.7, 0.87)]),
        Case("sin(x)*cos(y) - cos(x)*sin(y)", [x, y], sin(x) * cos(y) - cos(x) * sin(y),
             "x in [1e-3, 3], |y/x - 1| in [1e-12, 1e-3]", _close_pair(log_uniform(1e-3, 3), 1e-12, 1e-3)),
        Case("cos(x)*cos(y) + sin(x)*sin(y) - 1", [x, y], cos(x) * cos(y) + sin(x) * sin(y) - 1,
             "x in [1e-3, 3], |y/x - 1| in [1e-12, 1e-3]", _close_pair(log_uniform(1e-3, 3), 1e-12, 1e-3)),
        Case("x/sin(x) - 1", [x], x / sin(x) - 1, "|x| in [1e-8, 3]", [signed(log_uniform(1e-8, 3))]),
        Case("x/tanh(x) - 1", [x], x / tanh(x) - 1, "|x| in [1e-8, 3]", [signed(log_uniform(1e-8, 3))]),
        Case("1/(1 + x**2) - 1", [x], 1 / (1 + x**2) - 1, "|x| in [1e-10, 1]", [signed(log_uniform(1e-10, 1))]),
        Case("exp(-x) - 1 + x", [x], exp(-x) - 1 + x, "|x| in [1e-8, 1]", [signed(log_uniform(1e-8, 1))]),
        # entropy, divergence and log-sum terms
        Case("(1 + x)*log(1 + x) - x", [x], (1 + x) * log(1 + x) - x, "|x| in [1e-8, 0.9]",
             [signed(log_uniform(1e-8, 0.9))]),
        Case("x*log(x) - x + 1", [x], x * log(x) - x + 1, "|x - 1| in [1e-8, 0.5]",
             [one_minus(signed(log_uniform(1e-8, 0.5)))]),
        Case("log(x) - x + 1", [x], log(x) - x + 1, "|x - 1| in [1e-8, 0.5]",
             [one_minus(signed(log_uniform(1e-8, 0.5)))]),
        Case("x*log(x) - x*log(y)", [x, y], x * log(x) - x * log(y), "x in [1e-3, 1], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(log_uniform(1e-3, 1), 1e-12, 1e-3)),
        Case("log(exp(a) + exp(b)) - a", [x, y], log(exp(x) + exp(y)) - x, "a, b in [-700, 700]",
             [uniform(-700, 700), uniform(-700, 700)]),
        Case("log(1 + exp(x)) - log(2)", [x], log(1 + exp(x)) - log(2), "|x| in [1e-12, 700]",
             [signed(log_uniform(1e-12, 700))]),
        Case("sinh(x)/cosh(x) - x", [x], sinh(x) / cosh(x) - x, "|x| in [1e-8, 1]", [signed(log_uniform(1e-8, 1))]),
        Case("1/(1 - exp(-x)) - 1/x", [x], 1 / (1 - exp(-x)) - 1 / x, "|x| in [1e-8, 10]",
             [signed(log_uniform(1e-8, 10))]),
        # trigonometric sums near the angles where they cancel (offsets 1e-9 to 0.1, some 2k pi away)
        Case("1 - sin(x)", [x], 1 - sin(x), "pi/2 + offsets", [_near_angle(math.pi / 2)]),
        Case("1 + sin(x)", [x], 1 + sin(x), "-pi/2 + offsets", [_near_angle(-math.pi / 2)]),
        Case("sin(x) - cos(x)", [x], sin(x) - cos(x), "pi/4 + offsets", [_near_angle(math.pi / 4)]),
        Case("cos(x) - sin(x)", [x], cos(x) - sin(x), "5pi/4 + offsets", [_near_angle(5 * math.pi / 4)]),
        Case("sin(x) + cos(x)", [x], sin(x) + cos(x), "3pi/4 + offsets", [_near_angle(3 * math.pi / 4)]),
        Case("tan(x) - 1", [x], tan(x) - 1, "pi/4 + offsets", [_near_angle(math.pi / 4)]),
        Case("1 - tan(x)", [x], 1 - tan(x), "5pi/4 + offsets", [_near_angle(5 * math.pi / 4)]),
        Case("tan(x) + 1", [x], tan(x) + 1, "-pi/4 + offsets", [_near_angle(-math.pi / 4)]),
        Case("cot(x) - 1", [x], cot(x) - 1, "pi/4 + offsets", [_near_angle(math.pi / 4)]),
        Case("1 - sin(x)**2", [x], 1 - sin(x)**2, "pi/2 + offsets", [_near_angle(math.pi / 2)]),
        Case("2*sin(x)**2 - 1", [x], 2 * sin(x)**2 - 1, "3pi/4 + offsets", [_near_angle(3 * math.pi / 4)]),
        Case("sin(x)**2 + cos(x) - 1", [x], sin(x)**2 + cos(x) - 1, "0 + offsets", [_near_angle(0.0)]),
        Case("sec(x) - 1", [x], sp.sec(x) - 1, "0 + offsets", [_near_angle(0.0)]),
        Case("csc(x) - 1", [x], sp.csc(x) - 1, "pi/2 + offsets", [_near_angle(math.pi / 2)]),
        Case("log(sin(x))", [x], log(sin(x)), "pi/2 + offsets", [_near_angle(math.pi / 2)]),
        Case("log(tan(x))", [x], log(tan(x)), "pi/4 + offsets", [_near_angle(math.pi / 4)]),
        Case("tan(x) - tan(y)", [x, y], tan(x) - tan(y), "|x| in [1e-3, 100], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 100)), 1e-12, 1e-3)),
        Case("pi/2 - atan(x)", [x], sp.pi / 2 - atan(x), "x in [1, 1e15]", [log_uniform(1, 1e15)]),
        # the Cauchy distribution function in its left tail
        Case("atan(x)/pi + 1/2", [x], atan(x) / sp.pi + sp.Rational(1, 2), "x in [-1e15, -1]",
             [negated(log_uniform(1, 1e15))]),
        Case("2*atan(exp(x)) - pi/2", [x], 2 * atan(exp(x)) - sp.pi / 2, "|x| in [1e-10, 10] (Gudermannian)",
             [signed(log_uniform(1e-10, 10))]),
        Case("log(tan(x/2 + pi/4))", [x], log(sp.tan(x / 2 + sp.pi / 4)), "|x| in [1e-10, 1] (inverse Gudermannian)",
             [signed(log_uniform(1e-10, 1))]),
        Case("log(tan(x/2 + pi/4)) near the pole", [x], log(sp.tan(x / 2 + sp.pi / 4)),
             "x - pi/2 - 2 pi k in +-[1e-9, 0.1] (Mercator's y near the pole)", [_near_angle(math.pi / 2)]),
        Case("atan2(y, x) - pi/2", [x, y], sp.atan2(y, x) - sp.pi / 2, "|x| in [1e-10, 1e-3], y in [1, 1e3]",
             [signed(log_uniform(1e-10, 1e-3)), log_uniform(1, 1e3)]),
        Case("atan(x) - pi/4", [x], atan(x) - sp.pi / 4, "|x - 1| in [1e-12, 0.1]",
             [one_minus(signed(log_uniform(1e-12, 0.1)))]),
        Case("acos(x) - pi/2", [x], acos(x) - sp.pi / 2, "|x| in [1e-12, 0.5]", [signed(log_uniform(1e-12, 0.5))]),
        Case("pi/2 - asin(x)", [x], sp.pi / 2 - asin(x), "1 - x in [1e-15, 0.5]", [one_minus(log_uniform(1e-15, 0.5))]),
        Case("pi - acos(x)", [x], sp.pi - acos(x), "1 + x in [1e-15, 0.5]",
             [negated(one_minus(log_uniform(1e-15, 0.5)))]),
        # exp of a rounded argument: the argument's last rounding is |u| ulps of the result (compensated)
        Case("exp(-x**2)", [x], exp(-x**2), "|x| in [1e-3, 27]", [signed(log_uniform(1e-3, 27))]),
        Case("exp(-x**2/2)/sqrt(2*pi)", [x], exp(-x**2 / 2) / sqrt(2 * sp.pi), "|x| in [1e-3, 38]",
             [signed(log_uniform(1e-3, 38))]),
        Case("exp(-(x - y)**2/(2*z**2))", [x, y, z], exp(-(x - y)**2 / (2 * z**2)), "x, y in [-10, 10], z in [0.1, 10]",
             [uniform(-10, 10), uniform(-10, 10), log_uniform(0.1, 10)]),
        Case("exp(x/y)", [x, y], exp(x / y), "|x| in [1e-3, 700], y in [0.5, 10]",
             [signed(log_uniform(1e-3, 700)), log_uniform(0.5, 10)]),
        Case("1/(1 + exp(-(x*y + z)))", [x, y, z], 1 / (1 + exp(-(x * y + z))), "x, y, z in [-10, 10] (logistic)",
             [uniform(-10, 10), uniform(-10, 10), uniform(-10, 10)]),
        Case("log(1 + exp(x*y))", [x, y], log(1 + exp(x * y)), "x, y in [-30, 30]",
             [uniform(-30, 30), uniform(-30, 30)]),
        Case("10**(x/10)", [x], 10 ** (x / 10), "x in [-300, 300] (decibels)", [uniform(-300, 300)]),
        Case("sinh(x/y)", [x, y], sinh(x / y), "|x| in [1e-3, 700], y in [0.5, 10]",
             [signed(log_uniform(1e-3, 700)), log_uniform(0.5, 10)]),
        Case("exp(x**2)*erfc(x)", [x], exp(x**2) * erfc(x), "x in [-26, 1e4]",
             [either(uniform(-26, 0), log_uniform(1e-3, 1e4))]),
        # the Gaussian Mills ratio and exp(x)*erfc(sqrt(x)): the square in other spellings
        Case("exp(x**2/2)*erfc(x/sqrt(2))", [x], exp(x**2 / 2) * erfc(x / sqrt(2)), "x in [-37, 1e4]",
             [either(uniform(-37, 0), log_uniform(1e-3, 1e4))]),
        Case("exp(x)*erfc(sqrt(x))", [x], exp(x) * erfc(sqrt(x)), "x in [1e-3, 2e3]", [log_uniform(1e-3, 2e3)]),
        # differences of exponentials and products sharing a term or a factor
        Case("exp(x + y) - exp(x)", [x, y], exp(x + y) - exp(x), "x in [-700, 700], |y| in [1e-15, 1e-3]",
             [uniform(-700, 700), signed(log_uniform(1e-15, 1e-3))]),
        Case("(exp(-x*z) - exp(-y*z))/(y - x)", [x, y, z], (exp(-x * z) - exp(-y * z)) / (y - x),
             "x in [1e-3, 10], |y/x - 1| in [1e-12, 1e-3], z in [1e-2, 10] (Bateman)",
             lambda rng, count: _close_pair(log_uniform(1e-3, 10), 1e-12, 1e-3)(rng, count)
             + [log_uniform(1e-2, 10)(rng, count)]),
        Case("x*y - x*z", [x, y, z], x * y - x * z, "|x| in [1e-3, 1e3], |z/y - 1| in [1e-12, 1e-3]",
             lambda rng, count: [signed(log_uniform(1e-3, 1e3))(rng, count)]
             + _close_pair(signed(log_uniform(1e-3, 1e3)), 1e-12, 1e-3)(rng, count)),
        Case("x**2 - 2*x*y + y**2", [x, y], x**2 - 2 * x * y + y**2, "x in [1e-3, 1e3], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(log_uniform(1e-3, 1e3), 1e-12, 1e-3)),
        Case("x*y - x", [x, y], x * y - x, "|x| in [1e-3, 1e3], |y - 1| in [1e-12, 1e-3]",
             [signed(log_uniform(1e-3, 1e3)), one_minus(signed(log_uniform(1e-12, 1e-3)))]),
        Case("sin(x) - sin(y)", [x, y], sin(x) - sin(y), "|x| in [1e-3, 100], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 100)), 1e-12, 1e-3)),
        Case("cos(x) - cos(y)", [x, y], cos(x) - cos(y), "|x| in [1e-3, 100], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 100)), 1e-12, 1e-3)),
        # hyperbolic and sinc forms
        Case("cosh(x)/sinh(x) - 1/x", [x], cosh(x) / sinh(x) - 1 / x, "|x| in [1e-8, 300] (Langevin)",
             [signed(log_uniform(1e-8, 300))]),
        Case("1 - sin(x)/x", [x], 1 - sin(x) / x, "|x| in [1e-8, 1]", [signed(log_uniform(1e-8, 1))]),
        # session 10: reciprocals of functions that vanish at 0 against their poles (Laurent series)
        Case("1/(exp(x) - 1) - 1/x + 1/2", [x], 1 / (exp(x) - 1) - 1 / x + sp.Rational(1, 2),
             "|x| in [1e-8, 700]", [signed(log_uniform(1e-8, 700))]),
        Case("1/(1 - cos(x)) - 2/x**2", [x], 1 / (1 - cos(x)) - 2 / x**2, "|x| in [1e-8, 3]",
             [signed(log_uniform(1e-8, 3))]),
        Case("1/sin(x) - 1/x", [x], 1 / sin(x) - 1 / x, "|x| in [1e-8, 3]", [signed(log_uniform(1e-8, 3))]),
        Case("1/log(1 + x) - 1/x", [x], 1 / log(1 + x) - 1 / x, "|x| in [1e-8, 0.9]",
             [signed(log_uniform(1e-8, 0.9))]),
        Case("2*coth(2*x) - coth(x)", [x], 2 * sp.coth(2 * x) - sp.coth(x), "|x| in [1e-8, 300]",
             [signed(log_uniform(1e-8, 300))]),
        Case("log(cosh(x)) - x**2/2", [x], log(cosh(x)) - x**2 / 2, "|x| in [1e-8, 1e3]",
             [signed(log_uniform(1e-8, 1e3))]),
        # session 10: sums that cancel as |x| grows (asymptotic series in 1/x)
        Case("asinh(x) - log(2*x)", [x], asinh(x) - log(2 * x), "x in [1, 1e100]", [log_uniform(1, 1e100)]),
        Case("acosh(x) - log(2*x)", [x], acosh(x) - log(2 * x), "x in [1, 1e100]", [log_uniform(1, 1e100)]),
        Case("log(x + 1) - log(x) - 1/x", [x], log(x + 1) - log(x) - 1 / x, "x in [1e-3, 1e15]",
             [log_uniform(1e-3, 1e15)]),
        Case("sqrt(x**2 + x) - x - 1/2", [x], sqrt(x**2 + x) - x - sp.Rational(1, 2), "x in [1e-3, 1e15]",
             [log_uniform(1e-3, 1e15)]),
        Case("x**2*(1 - cos(1/x)) - 1/2", [x], x**2 * (1 - cos(1 / x)) - sp.Rational(1, 2), "|x| in [0.1, 1e15]",
             [signed(log_uniform(0.1, 1e15))]),
        Case("cbrt(x**3 + 1) - x", [x], cbrt(x**3 + 1) - x, "x in [1e-3, 1e100]", [log_uniform(1e-3, 1e100)]),
        Case("atan(x) - pi/2 + 1/x", [x], atan(x) - sp.pi / 2 + 1 / x, "x in [1e-3, 1e15]",
             [log_uniform(1e-3, 1e15)]),
        Case("x*(sqrt(x**2 + 1) - x) - 1/2", [x], x * (sqrt(x**2 + 1) - x) - sp.Rational(1, 2), "x in [1e-3, 1e15]",
             [log_uniform(1e-3, 1e15)]),
        Case("sqrt(x + 1) - sqrt(x) - 1/(2*sqrt(x))", [x], sqrt(x + 1) - sqrt(x) - 1 / (2 * sqrt(x)),
             "x in [1e-3, 1e15]", [log_uniform(1e-3, 1e15)]),
        Case("log(1 + x**2) - 2*log(x)", [x], log(1 + x**2) - 2 * log(x), "x in [1e-3, 1e100]",
             [log_uniform(1e-3, 1e100)]),
        Case("log(sinh(x))", [x], log(sinh(x)), "x in [1e-8, 1e4]", [log_uniform(1e-8, 1e4)]),
        # session 5: differences near 1, of logs of 1 + x, of functions at close arguments, overflows
        Case("log(1 + x) - log(1 + y)", [x, y], log(1 + x) - log(1 + y), "x in [1e-10, 1e3], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(log_uniform(1e-10, 1e3), 1e-12, 1e-3)),
        Case("1 - cos(x)*cos(y)", [x, y], 1 - cos(x) * cos(y), "|x|, |y| in [1e-8, 1]",
             [signed(log_uniform(1e-8, 1)), signed(log_uniform(1e-8, 1))]),
        Case("exp(x)*cos(y) - 1", [x, y], exp(x) * cos(y) - 1, "|x| in [1e-12, 1], |y| in [1e-8, 1]",
             [signed(log_uniform(1e-12, 1)), signed(log_uniform(1e-8, 1))]),
        Case("x - log(exp(x) - 1)", [x], x - log(exp(x) - 1), "x in [1e-10, 700]", [log_uniform(1e-10, 700)]),
        Case("log(2) - log(1 + exp(-x))", [x], log(2) - log(1 + exp(-x)), "|x| in [1e-10, 700]",
             [signed(log_uniform(1e-10, 700))]),
        Case("log(x**2 + y**2)", [x, y], log(x**2 + y**2), "|x|, |y| in [1e-200, 1e200]",
             [signed(log_uniform(1e-200, 1e200)), signed(log_uniform(1e-200, 1e200))]),
        Case("tanh(x) - tanh(y)", [x, y], tanh(x) - tanh(y), "|x| in [1e-3, 20], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 20)), 1e-12, 1e-3)),
        # Herbie's moogVCF: a tanh difference whose arguments mostly differ in sign (nothing cancels there)
        Case("x + y*z*(tanh(t/y) - tanh(x/y))", [x, y, z, e], x + y * z * (tanh(e / y) - tanh(x / y)),
             "x, z, t in [-1, 1], y in [0.1, 10] (moogVCF)",
             [uniform(-1, 1), log_uniform(0.1, 10), uniform(-1, 1), uniform(-1, 1)]),
        Case("1/(1 + exp(-x)) - 1/(1 + exp(-y))", [x, y], 1 / (1 + exp(-x)) - 1 / (1 + exp(-y)),
             "|x| in [1e-3, 30], |y/x - 1| in [1e-12, 1e-3]", _close_pair(signed(log_uniform(1e-3, 30)), 1e-12, 1e-3)),
        Case("asinh(x) - asinh(y)", [x, y], asinh(x) - asinh(y), "|x| in [1e-3, 1e3], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 1e3)), 1e-12, 1e-3)),
        Case("acosh(x) - acosh(y)", [x, y], acosh(x) - acosh(y), "x in [1.001, 1e300], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(log_uniform(1.001, 1e300), 1e-12, 1e-3)),
        Case("atanh(x) - atanh(y)", [x, y], atanh(x) - atanh(y), "|x| in [1e-3, 0.999], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 0.999)), 1e-12, 1e-3)),
        Case("erf(x) - erf(y)", [x, y], erf(x) - erf(y), "|x| in [1e-3, 5], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 5)), 1e-12, 1e-3)),
        Case("erfc(x) - erfc(y)", [x, y], erfc(x) - erfc(y), "x in [1e-3, 26], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(log_uniform(1e-3, 26), 1e-12, 1e-3)),
        Case("sin(x)**2/x**2", [x], sin(x)**2 / x**2, "|x| in [1e-200, 1e3]", [signed(log_uniform(1e-200, 1e3))]),
        Case("1/x**2", [x], 1 / x**2, "|x| in [1e-100, 1e100]", [signed(log_uniform(1e-100, 1e100))]),
        Case("x**2/(1 + x**2)", [x], x**2 / (1 + x**2), "|x| in [1e-200, 1e200]", [signed(log_uniform(1e-200, 1e200))]),
        Case("1 - x**2/(1 + x**2)", [x], 1 - x**2 / (1 + x**2), "|x| in [1e-3, 1e150]",
             [signed(log_uniform(1e-3, 1e150))]),
        Case("exp(x)*exp(-y)", [x, y], exp(x) * exp(-y), "x, y in [700, 800]", [uniform(700, 800), uniform(700, 800)]),
        Case("x - x**3/6 + x**5/120 - x**7/5040", [x], x - x**3 / 6 + x**5 / 120 - x**7 / 5040, "x in [-1.57, 1.57]",
             [uniform(-1.57, 1.57)]),
        Case("(x**2 + y**2 + z**2)/3 - ((x + y + z)/3)**2", [x, y, z], (x**2 + y**2 + z**2) / 3 - ((x + y + z) / 3)**2,
             "x, y, z in [1000, 1001] (a variance)", [uniform(1000, 1001)] * 3),
        Case("x*log(x/y) - x + y", [x, y], x * log(x / y) - x + y, "x in [1e-3, 1e3], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(log_uniform(1e-3, 1e3), 1e-12, 1e-3)),
        Case("x*log(x/y) + (1 - x)*log((1 - x)/(1 - y))", [x, y],
             x * log(x / y) + (1 - x) * log((1 - x) / (1 - y)), "x in [0.01, 0.99], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(uniform(0.01, 0.99), 1e-12, 1e-3)),
        Case("log(1 + exp(x)) - log(1 + exp(y))", [x, y], log(1 + exp(x)) - log(1 + exp(y)),
             "|x| in [1e-3, 700], |y/x - 1| in [1e-12, 1e-3]", _close_pair(signed(log_uniform(1e-3, 700)), 1e-12, 1e-3)),
        Case("log(x + 1) - log(x - 1)", [x], log(x + 1) - log(x - 1), "x in [1.5, 1e15]", [log_uniform(1.5, 1e15)]),
        Case("-log(exp(x)/(exp(x) + exp(y)))", [x, y], -log(exp(x) / (exp(x) + exp(y))), "x, y in [-800, 800] "
             "(two-class cross-entropy)", [uniform(-800, 800), uniform(-800, 800)]),
        Case("exp(x)/(exp(x) + exp(y) + exp(z))", [x, y, z], exp(x) / (exp(x) + exp(y) + exp(z)), "x, y, z in [-800, 800]",
             [uniform(-800, 800)] * 3),
        # pi*x rounds: near the integers sin(pi*x) is mostly that rounding (symgraph: sinpi, cospi, exact reduction)
        Case("sin(pi*x)", [x], sin(sp.pi * x), "x in [-1e3, 1e3]", [uniform(-1e3, 1e3)]),
        Case("cos(pi*x)", [x], cos(sp.pi * x), "x in [-1e3, 1e3]", [uniform(-1e3, 1e3)]),
        # tanh written through the logistic function, and the log-odds of a sigmoid
        Case("1 - 2/(exp(2*x) + 1)", [x], 1 - 2 / (exp(2 * x) + 1), "|x| in [1e-10, 400]",
             [signed(log_uniform(1e-10, 400))]),
        Case("2/(1 + exp(-2*x)) - 1", [x], 2 / (1 + exp(-2 * x)) - 1, "|x| in [1e-10, 400]",
             [signed(log_uniform(1e-10, 400))]),
        Case("log(s/(1 - s)), s = 1/(1 + exp(-x))", [x], log((1 / (1 + exp(-x))) / (1 - 1 / (1 + exp(-x)))),
             "|x| in [1e-6, 30]", [signed(log_uniform(1e-6, 30))]),
        Case("exp(x) - exp(-x) - 2*x", [x], exp(x) - exp(-x) - 2 * x, "|x| in [1e-6, 2]", [signed(log_uniform(1e-6, 2))]),
        Case("cos(x) - cos(3*x)", [x], cos(x) - cos(3 * x), "|x| in [1e-8, 1]", [signed(log_uniform(1e-8, 1))]),
        Case("asin(x) - asin(y)", [x, y], asin(x) - asin(y), "|x| in [1e-3, 0.99], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 0.99)), 1e-12, 1e-3)),
        Case("acos(x) - acos(y)", [x, y], acos(x) - acos(y), "|x| in [1e-3, 0.99], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(signed(log_uniform(1e-3, 0.99)), 1e-12, 1e-3)),
        Case("log(x) - log(sin(x))", [x], log(x) - log(sin(x)), "x in [1e-8, 1]", [log_uniform(1e-8, 1)]),
        Case("log(x/y)", [x, y], log(x / y), "x, y in [1e-300, 1e300]",
             [log_uniform(1e-300, 1e300), log_uniform(1e-300, 1e300)]),
        Case("(x - 2)**9 expanded", [x], sp.expand((x - 2)**9), "x in [1.9, 2.1]", [uniform(1.9, 2.1)]),
        Case("sqrt(exp(x))", [x], sqrt(exp(x)), "x in [-1400, 1400]", [uniform(-1400, 1400)]),
        # products that cancel: a 2x2 determinant, a discriminant, a product near 1
        Case("a*d - b*c", [x, y, z, n], x * n - y * z, "a, b, c, d in [1, 2]", [uniform(1, 2)] * 4),
        Case("b**2 - 4*a*c", [x, y, z], y**2 - 4 * x * z, "a, c in [1, 2], b in [2, 4]",
             [uniform(1, 2), uniform(2, 4), uniform(1, 2)]),
        Case("x*y - 1", [x, y], x * y - 1, "|1 - x|, |1 - y| in [1e-10, 1e-3]",
             [one_minus(signed(log_uniform(1e-10, 1e-3)))] * 2),
        Case("(x + y)**2 - x**2 - y**2", [x, y], (x + y)**2 - x**2 - y**2, "|x| in [1e-3, 1e3], |y| in [1e-8, 1e-3]",
             [signed(log_uniform(1e-3, 1e3)), signed(log_uniform(1e-8, 1e-3))]),
        Case("1/sqrt(1 - v**2/c**2) - 1", [x, y], 1 / sqrt(1 - x**2 / y**2) - 1, "|v| in [1e-8, 0.9], c in [1, 2]",
             [signed(log_uniform(1e-8, 0.9)), uniform(1, 2)]),
        Case("log(1 + x) - log(1 - x)", [x], log(1 + x) - log(1 - x), "|x| in [1e-12, 0.999]",
             [signed(log_uniform(1e-12, 0.999))]),
        Case("log(x**y)", [x, y], log(x**y), "x in [1e-300, 1e300], y in [-10, 10]",
             [log_uniform(1e-300, 1e300), uniform(-10, 10)]),
        Case("log(x**2)", [x], log(x**2), "|x| in [1e-300, 1e300]", [signed(log_uniform(1e-300, 1e300))]),
        Case("exp(y*log(x))", [x, y], exp(y * log(x)), "x in [1e-300, 1e300], y in [-1, 1]",
             [log_uniform(1e-300, 1e300), uniform(-1, 1)]),
        Case("sqrt(x**2 + y**2) - x", [x, y], sqrt(x**2 + y**2) - x, "x in [1e100, 1e300], y in [1e90, 1e290]",
             [log_uniform(1e100, 1e300), log_uniform(1e90, 1e290)]),
        # the real part of the complex square root, sqrt(x + iy), for x < 0 (a common factor, then hypot + x)
        Case("sqrt(2*(sqrt(x**2 + y**2) + x))/2", [x, y], sqrt(2 * (sqrt(x**2 + y**2) + x)) / 2,
             "x in [-1e10, -1], |y| in [1e-10, 1]", [negated(log_uniform(1, 1e10)), signed(log_uniform(1e-10, 1))]),
        # the probability of at most one Poisson event, and its complement
        Case("exp(-x)*(1 + x) - 1", [x], exp(-x) * (1 + x) - 1, "|x| in [1e-8, 1]", [signed(log_uniform(1e-8, 1))]),
        Case("1 - (1 + x)*exp(-x)", [x], 1 - (1 + x) * exp(-x), "x in [1e-8, 700]", [log_uniform(1e-8, 700)]),
        # Planck's and Einstein's: (e^x - 1)^2 overflows from x = 355
        Case("exp(x)/(exp(x) - 1)**2", [x], exp(x) / (exp(x) - 1)**2, "|x| in [1e-5, 700]",
             [signed(log_uniform(1e-5, 700))]),
        Case("x**2*exp(x)/(exp(x) - 1)**2", [x], x**2 * exp(x) / (exp(x) - 1)**2, "x in [1e-5, 700]",
             [log_uniform(1e-5, 700)]),
        # geometry: a thin triangle's third side, an angle from cos or from a vector's components
        Case("sqrt(a**2 + b**2 - 2*a*b*cos(c))", [x, y, z], sqrt(x**2 + y**2 - 2 * x * y * cos(z)),
             "a, b in [1, 2], c in [1e-8, 1e-2]", [uniform(1, 2), uniform(1, 2), log_uniform(1e-8, 1e-2)]),
        Case("acos(cos(x))", [x], acos(cos(x)), "x in [1e-8, 1]", [log_uniform(1e-8, 1)]),
        Case("acos(1 - x**2/2)", [x], acos(1 - x**2 / 2), "x in [1e-8, 1]", [log_uniform(1e-8, 1)]),
        Case("sqrt(2 - 2*cos(x))", [x], sqrt(2 - 2 * cos(x)), "x in [1e-8, 1]", [log_uniform(1e-8, 1)]),
        Case("acos(x/sqrt(x**2 + y**2))", [x, y], acos(x / sqrt(x**2 + y**2)), "x in [1, 1e3], y in [1e-10, 1e-3]",
             [log_uniform(1, 1e3), log_uniform(1e-10, 1e-3)]),
        Case("1 - (a*c + b*d)/(sqrt(a**2 + b**2)*sqrt(c**2 + d**2))", [x, y, z, n],
             1 - (x * z + y * n) / (sqrt(x**2 + y**2) * sqrt(z**2 + n**2)), "nearly parallel (a, b), (c, d) "
             "(cosine distance)", _nearly_parallel),
        Case("acos((a*c + b*d)/(sqrt(a**2 + b**2)*sqrt(c**2 + d**2)))", [x, y, z, n],
             acos((x * z + y * n) / (sqrt(x**2 + y**2) * sqrt(z**2 + n**2))), "nearly parallel (a, b), (c, d)",
             _nearly_parallel),
        Case("1 - u.v/(|u|*|v|) in 3d", list(U3 + V3), 1 - sum(a * b for a, b in zip(U3, V3)) /
             (sqrt(sum(a**2 for a in U3)) * sqrt(sum(b**2 for b in V3))), "nearly parallel u, v in R^3",
             _nearly_parallel_3d),
        Case("sqrt(x*y)", [x, y], sqrt(x * y), "x, y in [1e-300, 1e300]",
             [log_uniform(1e-300, 1e300), log_uniform(1e-300, 1e300)]),
        # second-order cancellations inside longer sums: the VAE's KL term (log-variance and sigma forms),
        # Itakura-Saito, x - 1 - log(x)
        Case("-(1 + v - m**2 - exp(v))/2", [x, y], -(1 + y - x**2 - exp(y)) / 2, "|m|, |v| in [1e-8, 1e-2]",
             [signed(log_uniform(1e-8, 1e-2))] * 2),
        Case("(s**2 + m**2 - 1 - log(s**2))/2", [x, y], (y**2 + x**2 - 1 - log(y**2)) / 2,
             "|m|, |1 - s| in [1e-8, 1e-2]", [signed(log_uniform(1e-8, 1e-2)), one_minus(signed(log_uniform(1e-8, 1e-2)))]),
        Case("x - 1 - log(x)", [x], x - 1 - log(x), "|1 - x| in [1e-10, 0.5]", [one_minus(signed(log_uniform(1e-10, 0.5)))]),
        Case("x/y - log(x/y) - 1", [x, y], x / y - log(x / y) - 1, "x in [1e-3, 1e3], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(log_uniform(1e-3, 1e3), 1e-12, 1e-3)),
        Case("log(y/x) + x/y - 1", [x, y], log(y / x) + x / y - 1, "x in [1e-3, 1e3], |y/x - 1| in [1e-12, 1e-3]",
             _close_pair(log_uniform(1e-3, 1e3), 1e-12, 1e-3)),
        Case("(x - y)/y - log(x/y)", [x, y], (x - y) / y - log(x / y), "x in [1e-3, 1e3], |y/x - 1| in [1e-12, 1e-3] "
             "(gamma deviance)", _close_pair(log_uniform(1e-3, 1e3), 1e-12, 1e-3)),
        # the gamma family: overflow of gamma, quotients and differences at a constant gap, Poisson, log-beta
        Case("log(gamma(x))", [x], log(sp.gamma(x)), "x in [1, 1000]", [uniform(1, 1000)]),
        Case("gamma(x + 1)/gamma(x)", [x], sp.gamma(x + 1) / sp.gamma(x), "x in [1, 1000]", [uniform(1, 1000)]),
        Case("gamma(x + 1/2)/gamma(x)", [x], sp.gamma(x + sp.Rational(1, 2)) / sp.gamma(x), "x in [1, 1000]",
             [uniform(1, 1000)]),
        Case("loggamma(x + 1) - loggamma(x)", [x], sp.loggamma(x + 1) - sp.loggamma(x), "x in [1, 1e10]",
             [log_uniform(1, 1e10)]),
        Case("k*log(lam) - lam - loggamma(k + 1)", [x, n], n * log(x) - x - sp.loggamma(n + 1),
             "lam in [1e-3, 1e3], k in 0..100",
             [log_uniform(1e-3, 1e3), lambda rng, m: rng.integers(0, 101, m).astype(float)]),
        Case("x*log(x) - x - loggamma(x + 1)", [x], x * log(x) - x - sp.loggamma(x + 1), "x in [1, 1e10] "
             "(Stirling's error)", [log_uniform(1, 1e10)]),
        Case("loggamma(x + 1) - (x*log(x) - x + log(2*pi*x)/2)", [x],
             sp.loggamma(x + 1) - (x * log(x) - x + log(2 * sp.pi * x) / 2), "x in [1, 1e10]", [log_uniform(1, 1e10)]),
        Case("loggamma(a) + loggamma(b) - loggamma(a + b)", [x, y], sp.loggamma(x) + sp.loggamma(y) - sp.loggamma(x + y),
             "a, b in [1, 1e6]", [log_uniform(1, 1e6), log_uniform(1, 1e6)]),
        Case("loggamma(n + 1) - loggamma(k + 1) - loggamma(n - k + 1)", [x, y],
             sp.loggamma(x + 1) - sp.loggamma(y + 1) - sp.loggamma(x - y + 1), "n in [10, 1e6], k in [0, 10]",
             [log_uniform(10, 1e6), uniform(0, 10)]),
        # Taylor remainders and other sums of one value cancelling at 0 without a primitive of their own
        Case("sin(3*x) - 3*sin(x)", [x], sin(3 * x) - 3 * sin(x), "|x| in [1e-8, 1]", [signed(log_uniform(1e-8, 1))]),
        Case("log(1 + x) - x + x**2/2", [x], log(1 + x) - x + x**2 / 2, "|x| in [1e-6, 0.5]",
             [signed(log_uniform(1e-6, 0.5))]),
        Case("sin(x) - x + x**3/6", [x], sin(x) - x + x**3 / 6, "|x| in [1e-4, 1]", [signed(log_uniform(1e-4, 1))]),
        Case("exp(2*x) - 2*exp(x) + 1", [x], exp(2 * x) - 2 * exp(x) + 1, "|x| in [1e-8, 1]",
             [signed(log_uniform(1e-8, 1))]),
        Case("2*x/(2 + x) - log(1 + x)", [x], 2 * x / (2 + x) - log(1 + x), "|x| in [1e-4, 0.5]",
             [signed(log_uniform(1e-4, 0.5))]),
        # the Bernoulli generating function past its second term (Debye, Planck): x/(e^x - 1) is a primitive
        Case("x/(exp(x) - 1) - 1 + x/2", [x], x / (exp(x) - 1) - 1 + x / 2, "|x| in [1e-8, 1]",
             [signed(log_uniform(1e-8, 1))]),
        Case("sin(x)/x - 1 + x**2/6", [x], sin(x) / x - 1 + x**2 / 6, "|x| in [1e-5, 0.5]",
             [signed(log_uniform(1e-5, 0.5))]),
        # a term another rule has guarded against overflow (x/(1 + x**2) as a quotient of selects)
        Case("atan(x) - x/(1 + x**2)", [x], atan(x) - x / (1 + x**2), "|x| in [1e-6, 1]",
             [signed(log_uniform(1e-6, 1))]),
        Case("sin(x + y) - sin(x)*cos(y)", [x, y], sin(x + y) - sin(x) * cos(y), "x in [0.5, 1.5], |y| in [1e-10, 1e-3]",
             [uniform(0.5, 1.5), signed(log_uniform(1e-10, 1e-3))]),
        # the spherical Bessel functions j1 and j2: terms with poles at 0 that cancel to x/3, x^2/15
        Case("sin(x)/x**2 - cos(x)/x", [x], sin(x) / x**2 - cos(x) / x, "|x| in [1e-6, 10] (j1)",
             [signed(log_uniform(1e-6, 10))]),
        Case("(3/x**3 - 1/x)*sin(x) - 3*cos(x)/x**2", [x], (3 / x**3 - 1 / x) * sin(x) - 3 * cos(x) / x**2,
             "|x| in [1e-4, 10] (j2)", [signed(log_uniform(1e-4, 10))]),
        Case("x/(1 + exp(-x))", [x], x / (1 + exp(-x)), "|x| in [1e-6, 700] (swish)", [signed(log_uniform(1e-6, 700))]),
        Case("erf(x) - erf(y)", [x, y], sp.erf(x) - sp.erf(y), "x, y in [2, 6] (tails)",
             [uniform(2, 6), uniform(2, 6)]),
        Case("sqrt(s*(s - a)*(s - b)*(s - c)), s = (a + b + c)/2", [x, y, z],
             sp.sqrt((x + y + z) / 2 * ((x + y + z) / 2 - x) * ((x + y + z) / 2 - y) * ((x + y + z) / 2 - z)),
             "a, c in [1, 1 + 1e-10], b in [1e-10, 1e-4] (Heron: a needle)",
             [uniform(1, 1 + 1e-10), log_uniform(1e-10, 1e-4), uniform(1, 1 + 1e-10)]),
        Case("acos(sin(a)*sin(b) + cos(a)*cos(b)*cos(d))", [x, y, z],
             acos(sin(x) * sin(y) + cos(x) * cos(y) * cos(z)),
             "a, b in [0.1, 1.2], |d| in [1e-8, 1e-3] (spherical law of cosines)",
             [uniform(0.1, 1.2), uniform(0.1, 1.2), signed(log_uniform(1e-8, 1e-3))]),
        # x f(1/x) - 1 for large x: f(t)/t with t = 1/x, near 1
        Case("x*log(1 + 1/x) - 1", [x], x * log(1 + 1 / x) - 1, "x in [1e-3, 1e10]", [log_uniform(1e-3, 1e10)]),
        # HyperLogLog's size estimate: 1 - y/x rounds to 1 for small y/x
        Case("x*log(1 - y/x)", [x, e], x * log(1 - e / x), "x in [1, 1e10], e in [1e-10, 0.1]",
             [log_uniform(1, 1e10), log_uniform(1e-10, 0.1)]),
        # Jacobi polynomials' first coefficient near a = b = -1: a + b + 2 cancels its rounded partial sum
        Case("((b - a)/(a + b + 2) + 1)/2", [x, y], ((y - x) / (x + y + 2) + 1) / 2, "a, b in [-1, -0.999] (jcobi)",
             [uniform(-1, -0.999), uniform(-1, -0.999)]),
        Case("1 - p - q", [x, y], 1 - x - y, "p, q in [0.3, 0.7]", [uniform(0.3, 0.7), uniform(0.3, 0.7)]),
        # 1 + y/x near y = -x: the rounded quotient near -1 has kept only its ulps of the distance
        Case("log(1 + y/x), y near -x", [x, y], log(1 + y / x), "x in [1, 1 + 1e-6], -y in [1 - 1e-6, 1]",
             [uniform(1, 1 + 1e-6), negated(uniform(1 - 1e-6, 1))]),
        Case("x*sin(1/x) - 1", [x], x * sin(1 / x) - 1, "|x| in [1, 1e10]", [signed(log_uniform(1, 1e10))]),
        # Taylor remainders about a point the formula names (x - 1, log(x/2)): polynomials in x - c there
        Case("log(x) - (x - 1) + (x - 1)**2/2", [x], log(x) - (x - 1) + (x - 1)**2 / 2, "|1 - x| in [1e-9, 0.5]",
             [one_minus(signed(log_uniform(1e-9, 0.5)))]),
        Case("exp(x - 1) - x", [x], exp(x - 1) - x, "|1 - x| in [1e-9, 0.5]", [one_minus(signed(log_uniform(1e-9, 0.5)))]),
        Case("exp(x - 1) - x - (x - 1)**2/2", [x], exp(x - 1) - x - (x - 1)**2 / 2, "|1 - x| in [1e-9, 0.5]",
             [one_minus(signed(log_uniform(1e-9, 0.5)))]),
        Case("tan(x - 1) - x + 1", [x], tan(x - 1) - x + 1, "|1 - x| in [1e-9, 0.5]",
             [one_minus(signed(log_uniform(1e-9, 0.5)))]),
        Case("log(x/2) - (x - 2)/2 + (x - 2)**2/8", [x], log(x / 2) - (x - 2) / 2 + (x - 2)**2 / 8,
             "|1 - x/2| in [1e-9, 0.5]", [lambda rng, n: 2 * one_minus(signed(log_uniform(1e-9, 0.5)))(rng, n)]),
        # the arithmetic minus the geometric mean, powers and reciprocals of close values (vis-viva)
        Case("(x + y)/2 - sqrt(x*y)", [x, y], (x + y) / 2 - sqrt(x * y), "x in [1e-3, 1e3], y/x - 1 in +-[1e-12, 1e-2]",
             _close_pair(log_uniform(1e-3, 1e3), 1e-12, 1e-2)),
        Case("x**3 - y**3", [x, y], x**3 - y**3, "|x| in [1e-3, 1e3], y/x - 1 in +-[1e-12, 1e-2]",
             _close_pair(signed(log_uniform(1e-3, 1e3)), 1e-12, 1e-2)),
        Case("sqrt(2/x - 1/y)", [x, y], sqrt(2 / x - 1 / y), "y in [1, 1e3], x/(2y) - 1 in [-1e-3, -1e-12]",
             _below_twice),
        Case("x*cot(x) - 1", [x], x * cot(x) - 1, "|x| in [1e-9, 3]", [signed(log_uniform(1e-9, 3))]),
        # the inverse Mills ratio (normal hazard) phi(x)/(1 - Phi(x))
        Case("phi(x)/(1 - Phi(x))", [x], exp(-x**2 / 2) / sqrt(2 * sp.pi) / (1 - (1 + erf(x / sqrt(2))) / 2),
             "x in [-5, 60]", [uniform(-5, 60)]),
        Case("log(tanh(x))", [x], log(tanh(x)), "x in [1e-3, 700]", [log_uniform(1e-3, 700)]),
        Case("log(1 + tanh(x))", [x], log(1 + tanh(x)), "|x| in [1e-3, 700]", [signed(log_uniform(1e-3, 700))]),
        # second differences (f(x + h) - 2 f(x) + f(x - h))/h^2, SymPy's spelling of them
        Case("(exp(x + h) - 2*exp(x) + exp(x - h))/h**2", [x, e], (exp(x + e) - 2 * exp(x) + exp(x - e)) / e**2,
             "x in [-5, 5], |h| in [1e-8, 0.1]", [uniform(-5, 5), signed(log_uniform(1e-8, 0.1))]),
        Case("(sin(x + h) - 2*sin(x) + sin(x - h))/h**2", [x, e], (sin(x + e) - 2 * sin(x) + sin(x - e)) / e**2,
             "x in [-5, 5], |h| in [1e-8, 0.1]", [uniform(-5, 5), signed(log_uniform(1e-8, 0.1))]),
        # exps beside hyperbolics, complex division past the squares' overflow
        Case("cosh(x) - exp(x)/2", [x], cosh(x) - exp(x) / 2, "x in [1, 700]", [log_uniform(1, 700)]),
        Case("exp(-x)*cosh(x) - 1/2", [x], exp(-x) * cosh(x) - sp.Rational(1, 2), "x in [1, 700]",
             [log_uniform(1, 700)]),
        Case("(a*c + b*d)/(c**2 + d**2)", [x, y, z, n], (x * z + y * n) / (z**2 + n**2), "|a|, |b|, |c|, |d| in "
             "[1e-300, 1e300]", [signed(log_uniform(1e-300, 1e300))] * 4),
        # a difference quotient; Hamming's NMSE 6.1 A (coefficients +-1/e cancel); Givens' rotation (the
        # half-angle's cosine); Linear.Quaternion's log, whose square overflows
        Case("(1/(x + h) - 1/x)/h", [x, e], (1 / (x + e) - 1 / x) / e, "x in [1, 10], h in [1e-10, 1e-2]",
             [uniform(1, 10), log_uniform(1e-10, 1e-2)]),
        Case("((1 + 1/e)*exp(-(1 - e)*x) - (1/e - 1)*exp(-(1 + e)*x))/2", [x, e],
             ((1 + 1 / e) * exp(-(1 - e) * x) - (1 / e - 1) * exp(-(1 + e) * x)) / 2,
             "x in [0.1, 10], e in [1e-8, 0.1]", [uniform(0.1, 10), log_uniform(1e-8, 0.1)]),
        Case("sqrt((1 + x/sqrt(4*p**2 + x**2))/2)", [n, x], sqrt((1 + x / sqrt(4 * n**2 + x**2)) / 2),
             "|p|, |x| in [1e-10, 1e10]", [signed(log_uniform(1e-10, 1e10))] * 2),
        Case("sqrt(x*x + y)", [x, y], sqrt(x * x + y), "|x| in [1e-3, 1e300], y in [1e-3, 1e3]",
             [signed(log_uniform(1e-3, 1e300)), log_uniform(1e-3, 1e3)]),
        # sec - cos near 0; Falkner and Boettcher's quantum walk near the root of 2 - 6 v^2
        Case("sec(x) - cos(x)", [x], sp.sec(x) - cos(x), "|x| in [1e-8, 0.1]", [signed(log_uniform(1e-8, 0.1))]),
        Case("4/(3*pi*(1 - v**2)*sqrt(2 - 6*v**2))", [x], 4 / (3 * sp.pi * (1 - x**2) * sqrt(2 - 6 * x**2)),
             "v in [0.5773, 0.57735]", [uniform(0.5773, 0.57735)]),
        # Vanden-Broeck and Keller's (20) (a log of coth through exps of pi f/4) and (24) (csc - x cot);
        # Maksimov and Kolovsky's dispersion, whose expanded square overflows
        Case("-(4/pi)*log((exp(pi*f/4) + exp(-pi*f/4))/(exp(pi*f/4) - exp(-pi*f/4)))", [x],
             -(4 / sp.pi) * log((exp(sp.pi * x / 4) + exp(-sp.pi * x / 4)) / (exp(sp.pi * x / 4) - exp(-sp.pi * x / 4))),
             "|f| in [1e-10, 400]", [signed(log_uniform(1e-10, 400))]),
        Case("1/sin(B) - x/tan(B)", [x, y], 1 / sin(x) - y / sp.tan(x), "|B| in [1e-8, 0.1], x in [0.999, 1.001]",
             [signed(log_uniform(1e-8, 0.1)), uniform(0.999, 1.001)]),
        Case("-2*J*cos(K/2)*sqrt(1 + (U/(2*J*cos(K/2)))**2)", [x, y, z],
             -2 * x * cos(y / 2) * sqrt(1 + (z / (2 * x * cos(y / 2)))**2),
             "|J|, |U| in [1e-200, 1e200], K in [-3, 3]",
             [signed(log_uniform(1e-200, 1e200)), uniform(-3, 3), signed(log_uniform(1e-200, 1e200))]),
        # Herbie's suites probed in session 19: pbrt (hair scattering, a trimmed logistic), basilisk
        # (Kepler, an atmospheric density fit), CoolProp (GERG terms, a 2-D Gaussian), Migdal's
        # multiphoton states, Herbie's demo (neg log), an ellipse's eccentricity
        # (not stable: the log is, 0.45 bits, but 1 + v*log(...) cancels near u = 1/2 for large v, where
        # v*log(...) is near -1 with its own rounding)
        Case("1 + v*log(u + (1 - u)*exp(-2/v))", [x, y], 1 + y * log(x + (1 - x) * exp(-2 / y)),
             "u in [1e-5, 1], v in [0, 110] (pbrt hair sampling)", [uniform(1e-5, 1), uniform(0, 109.7)],
             stable=False),
        Case("1/(1 + exp(-pi/s)) - 1/(1 + exp(pi/s))", [x], 1 / (1 + exp(-sp.pi / x)) - 1 / (1 + exp(sp.pi / x)),
             "s in [1e-3, 1.07] (pbrt's trimmed logistic)", [uniform(1e-3, 1.0651631)]),
        Case("E - e*sin(E)", [x, y], x - y * sin(x), "E in [-10, 10], e in [0, 1] (basilisk E2M)",
             [uniform(-10, 10), uniform(0, 1)]),
        Case("10**(polynomial of (alt - 526.8)/292.8563)", [x],
             10**sum(c * ((x - sp.Float(526.8)) / sp.Float(292.8563))**k
                     for k, c in enumerate([-12.575, -2.3024, 0.60713, 1.0036, -0.5269, -0.5889, 0.34047])),
             "alt in [0, 1000] (basilisk atmospheric density)", [uniform(0, 1000)]),
        Case("n*log(abs(sinh(t*tau)))", [x, y], x * log(sp.Abs(sinh(y))), "|n| in [1e-5, 1e5], |t tau| in [1e-5, 1e5]",
             [signed(log_uniform(1e-5, 1e5)), signed(log_uniform(1e-5, 1e5))]),
        Case("exp(-C*(d - 1)**2 - D*(t - 1)**2)", [x, y, z, e], exp(-x * (z - 1)**2 - y * (e - 1)**2),
             "C, D in [0.01, 1000], d, t in [0, 3] (CoolProp's PSI)",
             [log_uniform(1e-2, 1e3), log_uniform(1e-2, 1e3), uniform(0, 3), uniform(0, 3)]),
        Case("(2*pi*n)**((1 - k)/2)/sqrt(k)", [x, y], (2 * sp.pi * y)**((1 - x) / 2) / sqrt(x),
             "k, n in [1e-3, 1e3] (Migdal et al. (51))", [log_uniform(1e-3, 1e3), log_uniform(1e-3, 1e3)]),
        Case("sin(x*y)", [x, y], sin(x * y), "x, y in [0, 10]", [uniform(0, 10), uniform(0, 10)]),
        Case("log(x*y)", [x, y], log(x * y), "x - 1, y - 1 in +-[1e-12, 1e-2]",
             [lambda rng, count: 1 + signed(log_uniform(1e-12, 1e-2))(rng, count)] * 2),
        Case("(1 + r/n)**(n*t)", [x, y, z], (1 + x / y)**(y * z), "r in [1e-8, 1e-2], n in [1, 1e6], t in [0, 50] "
             "(compound interest)", [log_uniform(1e-8, 1e-2), log_uniform(1, 1e6), uniform(0, 50)]),
        Case("exp(-g*t)*cos(w*t + p)", [x, y, z, e], exp(-x * y) * cos(z * y + e),
             "g in [0, 2], t in [0, 10], w in [0, 20], p in [-3, 3] (a damped oscillator)",
             [uniform(0, 2), uniform(0, 10), uniform(0, 20), uniform(-3, 3)]),
        Case("-log(1/x - 1)", [x], -log(1 / x - 1), "x - 1/2 in +-[1e-15, 0.4] (Herbie's neg log)",
             [lambda rng, count: 0.5 + signed(log_uniform(1e-15, 0.4))(rng, count)]),
        Case("sqrt(abs((a**2 - b**2)/a**2))", [x, y], sqrt(sp.Abs((x**2 - y**2) / x**2)),
             "a in [1, 1e3], b/a in [0, 0.5] (an ellipse's eccentricity)",
             lambda rng, count: (lambda a: [a, a * uniform(0, 0.5)(rng, count)])(log_uniform(1, 1e3)(rng, count))),
        # residuals f(x) - c of an equation f(x) = c, evaluated near its root (as a solver does)
        Case("exp(x) - 2", [x], exp(x) - 2, "x/log(2) - 1 in +-[1e-12, 0.1]", [_near_root(math.log(2))]),
        Case("10**x - 3", [x], 10**x - 3, "x/log10(3) - 1 in +-[1e-12, 0.1]", [_near_root(math.log10(3))]),
        Case("2*exp(x) - 3", [x], 2 * exp(x) - 3, "x/log(3/2) - 1 in +-[1e-12, 0.1]", [_near_root(math.log(1.5))]),
        Case("log(x) - 1", [x], log(x) - 1, "x/e - 1 in +-[1e-12, 0.1]", [_near_root(math.e)]),
        Case("log(x, 2) - 3", [x], log(x, 2) - 3, "x/8 - 1 in +-[1e-12, 0.1]", [_near_root(8.0)]),
        Case("sin(x) - 1/2", [x], sin(x) - sp.Rational(1, 2), "x/(pi/6) - 1 in +-[1e-12, 0.1]",
             [_near_root(math.pi / 6)]),
        Case("cos(x) + 1/2", [x], cos(x) + sp.Rational(1, 2), "x/(2 pi/3) - 1 in +-[1e-12, 0.1]",
             [_near_root(2 * math.pi / 3)]),
        Case("atan(x) - 1", [x], atan(x) - 1, "x/tan(1) - 1 in +-[1e-12, 0.1]", [_near_root(math.tan(1))]),
        Case("sqrt(x) - 2", [x], sqrt(x) - 2, "x/4 - 1 in +-[1e-12, 0.1]", [_near_root(4.0)]),
        Case("tanh(x) - 1/2", [x], tanh(x) - sp.Rational(1, 2), "x/atanh(1/2) - 1 in +-[1e-12, 0.1]",
             [_near_root(math.atanh(0.5))]),
        Case("asinh(x) - 1", [x], asinh(x) - 1, "x/sinh(1) - 1 in +-[1e-12, 0.1]", [_near_root(math.sinh(1))]),
        Case("acos(x) - 1", [x], acos(x) - 1, "x/cos(1) - 1 in +-[1e-12, 0.1]", [_near_root(math.cos(1))]),
        Case("erf(x) - 1/2", [x], erf(x) - sp.Rational(1, 2), "x/erfinv(1/2) - 1 in +-[1e-12, 0.1] (a quantile's "
             "residual)", [_near_root(0.4769362762044699)]),
        Case("cosh(x) - 2", [x], cosh(x) - 2, "|x|/acosh(2) - 1 in +-[1e-12, 0.1], both roots",
             [lambda rng, count: _near_root(math.acosh(2))(rng, count) * rng.choice([-1.0, 1.0], count)]),
        Case("sqrt(x + y) - pi", [x, y], sqrt(x + y) - sp.pi, "x, y in [0.1, 10]", [uniform(0.1, 10)] * 2),
        Case("2*x/3 - 3", [x], 2 * x / 3 - 3, "x/4.5 - 1 in +-[1e-12, 0.1]", [_near_root(4.5)]),
        Case("pi*x - 1", [x], sp.pi * x - 1, "pi x - 1 in +-[1e-12, 0.1]", [_near_root(1 / math.pi)]),
        # a number the dtype cannot hold: x - fl(pi) is exact near pi and off by pi's own rounding
        Case("x - pi", [x], x - sp.pi, "x/pi - 1 in +-[1e-12, 0.1]", [_near_root(math.pi)]),
        Case("x**3 - pi", [x], x**3 - sp.pi, "x/pi^(1/3) - 1 in +-[1e-12, 0.1]", [_near_root(math.pi ** (1 / 3))]),
        Case("x + y - pi", [x, y], x + y - sp.pi, "x in [1, 2], (x + y)/pi - 1 in +-[1e-12, 0.1]",
             lambda rng, count: (lambda a: [a, _near_root(math.pi)(rng, count) - a])(uniform(1, 2)(rng, count))),
        Case("pi*x - 1/3", [x], sp.pi * x - sp.Rational(1, 3), "3 pi x - 1 in +-[1e-12, 0.1]",
             [_near_root(1 / (3 * math.pi))]),
        # polynomials near their irrational roots, expanded or factored as typed: the terms (the rounded factors)
        # cancel to their roundings; partial sums with rational roots (x**2 - 3x at 3) that a rule factors
        Case("x**2 + x - 3", [x], x**2 + x - 3, "x/r - 1 in +-[1e-12, 0.1], both roots r",
             [_near_roots(1.3027756377319946, -2.302775637731995)]),
        Case("x**2 - 3*x + 1", [x], x**2 - 3 * x + 1, "x/r - 1 in +-[1e-12, 0.1], both roots r",
             [_near_roots(0.3819660112501051, 2.618033988749895)]),
        Case("x**3 - 3*x + 1", [x], x**3 - 3 * x + 1, "x/r - 1 in +-[1e-12, 0.1], the three roots r",
             [_near_roots(-1.8793852415718169, 0.34729635533386066, 1.532088886237956)]),
        Case("x**3 + x**2 - 2*x - 1", [x], x**3 + x**2 - 2 * x - 1, "x/r - 1 in +-[1e-12, 0.1], the three roots r",
             [_near_roots(-1.8019377358048383, -0.4450418679126288, 1.246979603717467)]),
        Case("x**4 - 3*x**2 + x + 1", [x], x**4 - 3 * x**2 + x + 1, "x/r - 1 in +-[1e-12, 0.1], the four roots r",
             [_near_roots(-1.8019377358048383, -0.4450418679126288, 1.0, 1.246979603717467)]),
        Case("x*(x + 1) - 3", [x], x * (x + 1) - 3, "x/r - 1 in +-[1e-12, 0.1], both roots r",
             [_near_roots(1.3027756377319946, -2.302775637731995)]),
        Case("(x + 1)**2 - 3", [x], (x + 1)**2 - 3, "x/r - 1 in +-[1e-12, 0.1], both roots r",
             [_near_roots(0.7320508075688772, -2.732050807568877)]),
        Case("(x - 2)*(x - 1) - 1/2", [x], (x - 2) * (x - 1) - sp.Rational(1, 2),
             "x/r - 1 in +-[1e-12, 0.1], both roots r", [_near_roots(0.6339745962155614, 2.3660254037844384)]),
        Case("x/7 - y", [x, y], x / 7 - y, "x in [0.1, 10], 7y/x - 1 in +-[1e-12, 1e-3]",
             lambda rng, count: (lambda a: [a, a / 7 * (1 + signed(log_uniform(1e-12, 1e-3))(rng, count))])(
                 uniform(0.1, 10)(rng, count))),
        # exp's own rounding inside what it feeds
        Case("exp(exp(x))", [x], exp(exp(x)), "x in [-3, 5]", [uniform(-3, 5)]),
        Case("exp(-x - exp(-x))", [x], exp(-x - exp(-x)), "x in [-5, 5] (the Gumbel density)", [uniform(-5, 5)]),
        Case("exp(exp(x)) - 3", [x], exp(exp(x)) - 3, "x in [-3, 3]", [uniform(-3, 3)]),
    ]


# ---------------------------------------------------------------- measuring
def _ordered(values: np.ndarray) -> np.ndarray:
    bits = np.ascontiguousarray(values, np.float64).view(np.int64)
    return np.where(bits < 0, -(bits & 0x7FFFFFFFFFFFFFFF), bits)


def bits_of_error(computed, exact) -> np.ndarray:
    """log2(1 + ulps) per point; NaN against a number (or a number against NaN) is 64 bits."""
    computed = np.asarray(computed, np.float64)
    exact = np.asarray(exact, np.float64)
    a, b = _ordered(computed), _ordered(exact)
    same_side = (a >= 0) == (b >= 0)
    # int64 differences are exact on one side of zero; across zero they are huge, where float is enough
    ulps = np.where(same_side, np.abs(np.where(same_side, a - b, 0)).astype(np.float64),
                    np.abs(a.astype(np.float64) - b.astype(np.float64)))
    cn, en = np.isnan(computed), np.isnan(exact)
    bits = np.log2(1.0 + ulps)
    return np.where(cn & en, 0.0, np.where(cn | en, 64.0, bits))


def _to_float(value) -> float:
    if isinstance(value, mpmath.mpc):
        return math.nan if value.imag != 0 else float(value.real)
    return float(value)


def _digits_needed(point) -> int:
    """Working digits for the typed formula at `point`: mpmath rounds 1 + exp(-800) to 1 at 60 digits,
    1 - erf(26) to 0 below 300 digits, and x + sqrt(x*x + 1) cancels 2*log10|x| digits for x << 0, so
    the precision follows the inputs."""
    extra = 0.0
    for v in point:
        a = abs(float(v))
        if a == 0 or a != a or a == math.inf:
            continue
        extra = max(extra, a / math.log(10) if a < 1e4 else 0.0, a * a / math.log(10) if a < 40 else 0.0,
                    2 * abs(math.log10(a)))
    return 40 + int(extra)


def exact_values(case, columns) -> np.ndarray:
    """The typed formula at each point, correctly rounded to float64 (NaN where it is not real).

    Evaluated at the digits the inputs call for and again with 40 more; where the two roundings differ
    the precision doubles until they agree. A 0 or an infinity is confirmed at twice the digits and 400
    more: 1 - tanh(200) is 0 at any precision below 174 digits, so two evaluations agree on it (the
    float64 value is 4e-174), while a difference of order 1 that is below the smallest float64 (1e-324)
    needs at most 340; log(1 + tanh(-700)) is -inf below 608 digits (the float64 value is -1399.3)."""
    fn = sp.lambdify(case.args, case.expr, "mpmath")

    def at(point, dps):
        with mpmath.workdps(dps):
            try:
                return _to_float(fn(*[mpmath.mpf(float(v)) for v in point]))
            except (ZeroDivisionError, ValueError, OverflowError):
                return math.nan

    out = np.empty(len(columns[0]))
    for i, point in enumerate(zip(*columns)):
        dps = _digits_needed(point)
        first, second = at(point, dps), at(point, dps + 40)
        while not (first == second or (first != first and second != second)) and dps < 5000:
            dps *= 2
            first, second = second, at(point, dps)
        if second == 0 or math.isinf(second):
            # a limit reached at the working digits: 1 + tanh(-700) is 0 (its log -inf) below 608 digits,
            # twice what exp(-700) needs; confirmed at twice the digits and 400 more, and on while it moves
            dps = 2 * dps + 400
            confirmed = at(point, dps)
            while confirmed != second and dps < 5000 and not (confirmed != confirmed and second != second):
                second, dps = confirmed, 2 * dps
                confirmed = at(point, dps)
            second = confirmed
        out[i] = second
    return out


def _numpy_function(args, expr):
    """lambdify with NumPy; functions NumPy lacks (erf without SciPy) fall back to math, point by point."""
    fn = sp.lambdify(args, expr, "numpy")
    slow = np.vectorize(sp.lambdify(args, expr, ["math"]), otypes=[float])

    def call(*columns):
        with np.errstate(all="ignore"):
            try:
                return np.broadcast_to(np.asarray(fn(*columns), float), columns[0].shape)
            except (TypeError, AttributeError, NameError):
                return _safe(slow, columns)
    return call


def _safe(fn, columns):
    out = np.empty(len(columns[0]))
    for i, point in enumerate(zip(*columns)):
        try:
            out[i] = fn(*point)
        except (ValueError, OverflowError, ZeroDivisionError):
            out[i] = math.nan
    return out


def _best_time(fn, columns, repeat):
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn(*columns)
        best = min(best, time.perf_counter() - t)
    return best


def measure(case, n=2000, seed=0, timing_n=0, repeat=5):
    """Mean bits of error of the three implementations on `n` sampled points of the case's domain,
    and (if timing_n) the run-time ratio rewritten/typed for symgraph."""
    rng = np.random.default_rng(seed)
    columns = case.sample(rng, n)
    exact = exact_values(case, columns)
    keep = ~np.isnan(exact)  # points where the formula has no real value are outside the domain
    columns = [c[keep] for c in columns]
    exact = exact[keep]
    lambdified = _numpy_function(case.args, case.expr)
    c99 = _numpy_function(case.args, optimize(case.expr, optims_c99))
    compiled = sg.compile(case.args, case.expr)
    with np.errstate(all="ignore"):
        results = {"lambdify": lambdified(*columns), "c99": c99(*columns), "symgraph": compiled(*columns)}
    bits = {k: float(np.mean(bits_of_error(v, exact))) for k, v in results.items()}
    row = {"case": case, "points": int(keep.sum()), **bits}
    if timing_n:
        typed = sg.compile(case.args, case.expr, rewrite=False)
        big = [np.ascontiguousarray(c) for c in case.sample(np.random.default_rng(seed + 1), timing_n)]
        compiled(*big), typed(*big)  # warm
        with np.errstate(all="ignore"):
            row["time_ratio"] = _best_time(compiled, big, repeat) / _best_time(typed, big, repeat)
    return row


# NumPy's expm1/log1p/log (SVML loops) and symgraph's vectorised ones both err below one ulp, on
# different points: a mean 0.02 bits apart is one 1-ulp difference in 50 points, i.e. a tie
TIE_BITS = 0.02


def verdict(row) -> str:
    best_other = min(row["lambdify"], row["c99"])
    problems = []
    if row["symgraph"] > best_other + TIE_BITS:
        problems.append("not the most accurate")
    if row["case"].stable and row["symgraph"] >= 1.0:
        problems.append(">= 1 bit")
    if not problems and row["symgraph"] > best_other:
        return "ok (tie: sub-ulp libm differences)"
    return "; ".join(problems) or "ok"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer points (300) and a shorter timing run")
    parser.add_argument("--n", type=int, default=None, help="sampled points per case (default 2000)")
    parser.add_argument("--only", default=None, help="run only the cases whose name contains this text")
    options = parser.parse_args(argv)
    n = options.n or (300 if options.quick else 2000)
    timing_n, repeat = (20_000, 3) if options.quick else (200_000, 5)
    selected = [c for c in cases() if options.only is None or options.only in c.name]
    header = (f"{'formula':40s} {'domain':36s} {'lambdify':>9s} {'c99':>7s} {'symgraph':>9s}  "
              f"{'t_rw/t_typed':>12s}  verdict")
    print(f"mean bits of error (float64), {n} points per case; exact: mpmath, adaptive precision")
    print(header)
    print("-" * len(header))
    rows = []
    start = time.perf_counter()
    for case in selected:
        row = measure(case, n=n, timing_n=timing_n, repeat=repeat)
        rows.append(row)
        print(f"{case.name:40s} {case.domain:36s} {row['lambdify']:9.2f} {row['c99']:7.2f} {row['symgraph']:9.2f}"
              f"  {row['time_ratio']:12.2f}  {verdict(row)}", flush=True)
    print("-" * len(header))
    means = {k: float(np.mean([r[k] for r in rows])) for k in ("lambdify", "c99", "symgraph")}
    ratios = [r["time_ratio"] for r in rows]
    print(f"{'overall mean':77s} {means['lambdify']:9.2f} {means['c99']:7.2f} {means['symgraph']:9.2f}"
          f"  {math.exp(np.mean(np.log(ratios))):12.2f}  (geometric mean of time ratios)")
    failures = [r for r in rows if not verdict(r).startswith("ok")]
    print(f"{len(rows)} cases, {len(failures)} failing, {time.perf_counter() - start:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
