"""symgraph.rules.stability: every rule fires on its example (the rewritten graph holds the primitive),
is sound (typed and rewritten forms agree at high precision on hypothesis-drawn and boundary points, and
keep NaN outside the domain), and proves its worth: the typed formula compiled as typed loses precision
on the rule's domain (many ulps, inf or NaN) while the rewritten kernel is within a few ulps of the exact
value, in float64 and in float32."""
import math
import zlib
from dataclasses import dataclass, field
from typing import Optional

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import cos, erf, erfc, exp, log, sin

import symgraph as sg
from symgraph import ops
from symgraph.compensated import SCALED_EXPM1_PAIR
from symgraph.lower import lower
from symgraph.passes import optimize
from symgraph.reference import bits_of_error, either, evaluate, fixed, log_uniform, negated, signed, uniform
from symgraph.rules import stability
from rulecheck import accuracy_benchmark, bits_against_mpmath
from test_stable import ulps_to_exact

x, y = sympy.symbols("x y")
INF = math.inf


@dataclass
class Case:
    """A rule, a formula (as typed) on which it fires, and where it is checked.

    op       an op the rewritten graph must contain (None: the result is the symbol x itself)
    box      symbol -> (lo, hi) where the soundness check draws points (default: everywhere)
    accuracy symbol -> sampler of the domain where the typed form loses and the rewritten form must not
             (None: no accuracy claim; the rule is an exact simplification)
    limits   finite points where the typed form is NaN (0/0, 0*inf) and the rewritten form gives the limit
    """

    rule: str
    expr: object
    op: object
    box: dict = field(default_factory=dict)
    accuracy: Optional[dict] = None
    limits: tuple = ()
    tol: int = 4  # ulps allowed for the rewritten kernel
    loses: int = 64  # the typed form's worst error on the domain is at least this many ulps (or inf/NaN)
    extremes: tuple = ()  # points of x always checked for accuracy (where the typed form overflows ...)
    rel: float = 1e-30  # agreement at high precision (an asymptotic series is exact only to its truncation)


TO_800 = signed(log_uniform(1e-3, 800))
EDGES = (800.0, -800.0, 720.0, -720.0, 740.0, -740.0, 40.0, -40.0)
SMALL = signed(log_uniform(1e-20, 0.9))

def _below_half_pi(rng, n):
    return np.pi / 2 - log_uniform(1e-9, 0.5)(rng, n)


def _near(root):
    def sample(rng, n):
        return root + signed(log_uniform(1e-12, 0.1))(rng, n)
    return sample


def _near_quarter_pi(rng, n):
    return np.pi / 4 + signed(log_uniform(1e-9, 0.1))(rng, n)


CASES = [
    # ---- A
    Case("logsumexp", log(exp(x) + exp(y)), ops.LOGADDEXP, accuracy={x: uniform(-800, 800), y: uniform(-800, 800)}),
    Case("log1p", log(1 + x), ops.LOG1P, accuracy={x: SMALL}),
    Case("log1p-neg", log(1 - x), ops.LOG1P, accuracy={x: SMALL}),
    Case("expm1", exp(x) - 1, ops.EXPM1, accuracy={x: signed(log_uniform(1e-20, 700))}),
    Case("expm1-plus", exp(x) + y - 1, ops.EXPM1,
         accuracy={x: log_uniform(1e-20, 1e-3), y: log_uniform(1e-20, 1e-3)}),
    Case("expm1-minus-sum", exp(x) - 1 - y, ops.EXPM1,
         accuracy={x: log_uniform(1e-20, 1e-3), y: negated(log_uniform(1e-20, 1e-3))}),
    Case("expm1-one-minus", 1 - exp(x), ops.EXPM1, accuracy={x: signed(log_uniform(1e-20, 700))}),
    Case("expm1-scaled", 3 * exp(x) - 3, ops.SCALED_EXPM1, accuracy={x: signed(log_uniform(1e-20, 1))}),
    # c*exp(x) - d = d expm1(x - log(d/c)) near log(d/c); d - c*exp(x); exp(x)/c - d
    Case("expm1-scaled", 2 * exp(x) - 3, SCALED_EXPM1_PAIR, extremes=(709.0, -745.0, 0.0),
         accuracy={x: _near(math.log(1.5))}),
    Case("constant-minus-scaled-exp", 3 - 2 * exp(x), SCALED_EXPM1_PAIR, accuracy={x: _near(math.log(1.5))}),
    Case("exp-quotient-minus-constant", exp(x) / 2 - sympy.Rational(1, 3), SCALED_EXPM1_PAIR,
         accuracy={x: _near(math.log(2 / 3))}),
    Case("constant-minus-exp-quotient", 1 - exp(x) / 3, SCALED_EXPM1_PAIR, accuracy={x: _near(math.log(3))}),
    # exp(x) - c near log c: the typed difference keeps exp's rounding, 2^-53 c; c expm1(x - log c) with
    # log c's rounding carried (compensate) rounds once. A constant SymPy leaves unevaluated (2 sin(1/2))
    Case("exp-minus-constant", exp(x) - 2, SCALED_EXPM1_PAIR, extremes=(709.7, -745.0, 0.0),
         accuracy={x: _near(math.log(2))}),
    Case("constant-minus-exp", 2 * sin(sympy.Rational(1, 2)) - exp(x), SCALED_EXPM1_PAIR,
         accuracy={x: _near(math.log(2 * math.sin(0.5)))}),
    Case("power-minus-constant", 10**x - 3, SCALED_EXPM1_PAIR, extremes=(308.4, -330.0, 0.0),
         accuracy={x: _near(math.log10(3))}),
    Case("constant-minus-power", sympy.Rational(1, 2) - 2**(x / 3), SCALED_EXPM1_PAIR,
         accuracy={x: _near(-3.0)}),
    # log(x) - c near e^c: x - fl(e^c) over it, through log1p (log_ratio), e^c's rounding added back
    Case("log-minus-constant", log(x) - 1, ops.LOG_RATIO, extremes=(0.0, 1e-300, 1e300), accuracy={x: _near(math.e)}),
    Case("constant-minus-log", 2 - log(x), ops.LOG_RATIO, accuracy={x: _near(math.exp(2))}),
    Case("log-plus-constant", log(x) + 1, ops.LOG_RATIO, accuracy={x: _near(math.exp(-1))}),
    # log(x, 2), log(x, 10) are log2 and log10 by then (logs' log-base): log2(x/8) exactly, log_ratio/log(10)
    Case("log2-minus-constant", log(x) / log(2) - 3, ops.LOG2, extremes=(1e-308, 1e308, 5e-324),
         accuracy={x: _near(8.0)}),
    Case("constant-minus-log2", sympy.Rational(1, 2) - log(x) / log(2), ops.LOG_RATIO, accuracy={x: _near(math.sqrt(2))}),
    Case("log2-plus-constant", log(x) / log(2) + 3, ops.LOG2, accuracy={x: _near(0.125)}),
    Case("log10-minus-constant", log(x) / log(10) - 2, ops.LOG_RATIO, accuracy={x: _near(100.0)}),
    Case("constant-minus-log10", 3 - log(x) / log(10), ops.LOG_RATIO, accuracy={x: _near(1000.0)}),
    Case("log10-plus-constant", log(x) / log(10) + 1, ops.LOG_RATIO, accuracy={x: _near(0.1)}),
    Case("log-quotient-minus-constant", log(x) / log(3) - 2, ops.LOG_RATIO, accuracy={x: _near(9.0)}),
    Case("log-quotient-plus-constant", log(x) / log(3) + 2, ops.LOG_RATIO, accuracy={x: _near(1 / 9)}),
    # the typed forms below round twice (expm1, then the product or quotient): an ulp at worst, on about
    # a fifth of the points (tests/test_stable.py counts them); the fused forms round once
    Case("scaled-expm1", 3 * sg.expm1(x), ops.SCALED_EXPM1, loses=1, tol=1,
         accuracy={x: signed(log_uniform(1e-20, 700))}),
    Case("exprel", sg.expm1(x) / x, ops.EXPREL, limits=(0.0,), loses=1, tol=1,
         accuracy={x: either(signed(log_uniform(1e-20, 700)), fixed(0.0))}),
    Case("x-over-expm1", x / sg.expm1(x), ops.X_OVER_EXPM1, limits=(0.0,), loses=1, tol=1,
         accuracy={x: either(signed(log_uniform(1e-20, 700)), fixed(0.0))}),
    Case("cosm1", cos(x) - 1, ops.COSM1, box={x: (-1e6, 1e6)}, accuracy={x: signed(log_uniform(1e-20, 10))}),
    Case("one-minus-cos", 1 - cos(x), ops.COSM1, box={x: (-1e6, 1e6)},
         accuracy={x: signed(log_uniform(1e-20, 10))}),
    Case("log1p-expm1", sg.log1p(sg.expm1(x), evaluate=False), None, accuracy={x: uniform(-800, 800)}),
    # inverse pairs: the typed form amplifies the inner rounding by |inner| (up to 710): tens of ulps
    Case("expm1-log1p", sg.expm1(sg.log1p(x), evaluate=False), ops.SELECT, loses=8,
         accuracy={x: log_uniform(1e-3, 1e300)}),
    Case("exp-log1p", exp(sg.log1p(x), evaluate=False), ops.SELECT, loses=8, accuracy={x: log_uniform(1, 1e300)}),
    Case("expm1-log", sg.expm1(log(x), evaluate=False), ops.SELECT, loses=8,
         accuracy={x: log_uniform(1e-300, 1e300)}),
    # ---- B
    Case("softplus", log(1 + exp(x)), ops.SOFTPLUS, extremes=EDGES, accuracy={x: TO_800}),
    Case("log1mexp", sg.log1p(-exp(x)), ops.LOG1MEXP, accuracy={x: negated(log_uniform(1e-20, 700))}),
    Case("log1mexp-expm1", log(-sg.expm1(x), evaluate=False), ops.LOG1MEXP,
         accuracy={x: negated(log_uniform(1e-3, 700))}),
    Case("logdiffexp", log(exp(x) - exp(y)), ops.LOG1MEXP, accuracy={x: uniform(-700, 700), y: "below x"}),
    Case("log-expm1", log(sg.expm1(x), evaluate=False), ops.LOG1MEXP, accuracy={x: log_uniform(1e-20, 800)}),
    Case("shifted-softplus", log(1 + exp(x)) - log(2), ops.LOG1P, extremes=EDGES,
         accuracy={x: signed(log_uniform(1e-20, 800))}),
    Case("log2-minus-softplus", log(2) - log(1 + exp(-x)), ops.LOG1P, extremes=EDGES,
         accuracy={x: signed(log_uniform(1e-20, 800))}),
    Case("softplus-difference", log(1 + exp(x)) - log(1 + exp(y)), ops.LOG1P,
         accuracy={x: uniform(-700, 700), y: "below x"}),
    Case("softplus-odd-part", log(1 + exp(x)) - log(1 + exp(-x)), None, extremes=EDGES,
         accuracy={x: signed(log_uniform(1e-10, 1e-2))}),
    Case("log-sigmoid-odd-part", log(sg.sigmoid(x)) - log(1 - sg.sigmoid(x)), None, extremes=EDGES,
         accuracy={x: signed(log_uniform(1e-10, 1e-2))}),
    Case("log-sigmoid-difference", log(sg.sigmoid(x)) - log(sg.sigmoid(y)), ops.LOG1P,
         accuracy={x: uniform(-700, 700), y: "below x"}),
    Case("sigmoid-difference", sg.sigmoid(x) - sg.sigmoid(y), ops.EXPM1_PAIR,
         accuracy={x: uniform(-700, 700), y: "below x"}),
    # opposite signs: (tanh(x/2) - tanh(y/2))/2, where the typed difference of two values near 1/2 cancels
    Case("sigmoid-difference", sg.sigmoid(x) - sg.sigmoid(y), ops.TANH,
         accuracy={x: signed(log_uniform(1e-10, 30)), y: "toward -x"}),
    Case("softplus-minus-x", log(1 + exp(x)) - x, ops.SOFTPLUS, extremes=EDGES, accuracy={x: TO_800}),
    Case("x-minus-softplus", x - log(1 + exp(x)), ops.LOG_SIGMOID, extremes=EDGES, accuracy={x: TO_800}),
    # float32: softplus(x) is x itself above 16, where exp(x) needs nothing more; the loss is mid-range
    Case("exp-softplus", exp(sg.softplus(x)), ops.EXP, loses=4, accuracy={x: log_uniform(1, 700)}),
    Case("expm1-softplus", sg.expm1(sg.softplus(x)), ops.EXP, loses=4,
         accuracy={x: signed(log_uniform(1, 700))}),
    Case("softplus-log", sg.softplus(log(x)), ops.LOG1P, loses=8, accuracy={x: log_uniform(1e-300, 1e300)}),
    Case("log1mexp-log", sg.log1mexp(log(x)), ops.LOG1P, loses=8, accuracy={x: log_uniform(1e-300, 1)}),
    Case("exp-log1mexp", exp(sg.log1mexp(x)), ops.EXPM1, loses=8,
         accuracy={x: negated(log_uniform(1e-300, 1))}),
    Case("expm1-log1mexp", sg.expm1(sg.log1mexp(x)), ops.SELECT),
    Case("log1mexp-log1mexp", sg.log1mexp(sg.log1mexp(x)), ops.SELECT),
    Case("log1p-minus-log", log(1 + x) - log(x), ops.LOG1P, accuracy={x: log_uniform(1e-300, 1e300)}),
    Case("log-minus-log1p", log(x) - log(1 + x), ops.LOG1P, accuracy={x: log_uniform(1e-300, 1e300)}),
    # from 1e-10: below ~1e-15 the numerator x^3/6 (x^3/3) underflows float32 (the quotient does not)
    Case("quotient-minus-one", x / sympy.sin(x) - 1, ops.X_MINUS_SIN, box={x: (-3, 3)}, limits=(0.0,),
         accuracy={x: signed(log_uniform(1e-10, 3))}),
    Case("one-minus-quotient", 1 - x / sympy.tanh(x), ops.TANH_MINUS_X, limits=(0.0,),
         accuracy={x: signed(log_uniform(1e-10, 20))}),
    # x^2 - (x^2 + 1) cancels symbolically: 1/(x^2 + 1), where the typed form is 1 - 1 = 0 from x = 1e8 on
    # (float32: 1e4; from 1.8e19 x^2 itself overflows float32, and the result is below its least normal)
    Case("one-minus-quotient", 1 - x**2 / (1 + x**2), ops.DIV, accuracy={x: signed(log_uniform(1e-3, 1e18))}),
    # log(1 - 1/x) once 1 - 1/x is (x - 1)/x: log1p(-1/x), whose argument keeps the digits of 1/x (the
    # quotient near 1 rounds them away: x > 2^53 gives log(1) = 0)
    Case("log-one-minus-quotient", log(1 - 1 / x), ops.LOG1P, accuracy={x: log_uniform(2, 1e300)}),
    # log(1 + y/x) for y/x in [-1, -1/2]: log((x + y)/x) with x + y exact, where the rounded y/x has kept only
    # its ulps of the distance 1 + y/x (y = -x(1 - 1e-12): 40 bits lost)
    Case("log-one-plus-quotient", log(1 + y / x), ops.LOG_RATIO, accuracy={x: uniform(0.1, 1e3), y: "toward -x"}),
    Case("hypot-minus-one", sympy.sqrt(1 + x ** 2) - 1, ops.HYPOT, accuracy={x: signed(log_uniform(1e-200, 1e200))}),
    # y*y overflows float32 above 1.8e19 (in the typed formula too): the domains stop at 1e18
    Case("reciprocal-difference", 1 / (x + 1) - 1 / x, ops.DIV, accuracy={x: log_uniform(1e3, 1e18)}),
    # vis-viva's 2/r - 1/a near r = 2a
    Case("scaled-reciprocal-difference", 2 / x - 1 / y, ops.DIV,
         accuracy={x: uniform(1.9999, 2.0), y: uniform(1.0, 1.00001)}),
    Case("sqrt-minus-root", sympy.sqrt(y ** 2 - 4 * x) - y, ops.SQRT,
         accuracy={y: log_uniform(1e3, 1e18), x: uniform(-1, 1)}),
    Case("sqrt-plus-minus-root", sympy.sqrt(y ** 2 + x) - y, ops.SQRT,
         accuracy={y: log_uniform(1e3, 1e18), x: log_uniform(1e-3, 1)}),
    Case("root-plus-sqrt", y + sympy.sqrt(y ** 2 - 4 * x), ops.SQRT,
         accuracy={y: negated(log_uniform(1e3, 1e18)), x: uniform(-1, 1)}),
    # and past 1.3e154, where (x + 1)(x - 1) overflows and 1/(2x) is still a normal number
    Case("factored-root-minus", sympy.sqrt(x ** 2 - 1) - x, ops.SQRT, accuracy={x: log_uniform(1e3, 1e18)},
         extremes=(1e200, 1e300)),
    Case("minus-root", x - sympy.sqrt(x ** 2 - y), ops.SQRT, accuracy={x: log_uniform(1e3, 1e18), y: uniform(0.5, 2)}),
    Case("minus-factored-root", x - sympy.sqrt(x ** 2 - 1), ops.SQRT, accuracy={x: log_uniform(1e3, 1e18)},
         extremes=(1e200, 1e300)),
    Case("hypot-plus", sympy.sqrt(x ** 2 + 1) + x, ops.HYPOT, accuracy={x: negated(log_uniform(1e3, 1e18))}),
    Case("minus-hypot", y - sympy.sqrt(x ** 2 + y ** 2), ops.HYPOT,
         accuracy={y: log_uniform(1e3, 1e18), x: signed(log_uniform(1e-3, 10))}),
    Case("hypot-minus", sympy.sqrt(x ** 2 + y ** 2) - y, ops.HYPOT,
         accuracy={y: log_uniform(1e3, 1e18), x: signed(log_uniform(1e-3, 10))}),
    # ---- tanh's complements, log(cosh), tan - sin
    Case("one-minus-tanh", 1 - sympy.tanh(x), ops.SIGMOID, accuracy={x: log_uniform(1e-3, 300)}),
    Case("tanh-minus-one", sympy.tanh(x) - 1, ops.SIGMOID, accuracy={x: log_uniform(1e-3, 300)}),
    Case("one-plus-tanh", 1 + sympy.tanh(x), ops.SIGMOID, accuracy={x: negated(log_uniform(1e-3, 300))}),
    Case("log-cosh", log(sympy.cosh(x)), ops.SINH, extremes=EDGES, accuracy={x: signed(log_uniform(1e-10, 800))}),
    # tanh rounds to +-1 from |x| = 19: its log, and log(1 -+ tanh), keep nothing of the distance to 1 there
    Case("log-tanh", log(sympy.tanh(x)), ops.ATANH, extremes=(800.0, 40.0, 0.5, 0.75),
         accuracy={x: log_uniform(1, 700)}),
    Case("log-one-plus-tanh", log(1 + sympy.tanh(x)), ops.SOFTPLUS, extremes=(-800.0, -40.0, -1.0, 1e-300),
         accuracy={x: negated(log_uniform(1, 700))}),
    Case("log-one-minus-tanh", log(1 - sympy.tanh(x)), ops.SOFTPLUS, extremes=(800.0, 40.0, 1.0, -1e-300),
         accuracy={x: log_uniform(1, 700)}),
    Case("log-cosh-minus-log-sinh", log(sympy.cosh(x)) - log(sympy.sinh(x)), ops.ATANH,
         accuracy={x: log_uniform(1, 700)}),
    Case("log-sinh-minus-log-cosh", log(sympy.sinh(x)) - log(sympy.cosh(x)), ops.ATANH,
         accuracy={x: log_uniform(1, 700)}),
    Case("log-scaled-cosh", log(2 * sympy.cosh(x)), ops.SOFTPLUS, extremes=EDGES,
         accuracy={x: signed(log_uniform(700, 1e5))}),
    Case("log-sinh", log(sympy.sinh(x)), ops.LOG1MEXP, extremes=(800.0, 720.0, 2.5),
         accuracy={x: log_uniform(1e-10, 800)}),
    Case("tan-minus-sin", sympy.tan(x) - sin(x), ops.COSM1, box={x: (-1e6, 1e6)},
         accuracy={x: signed(log_uniform(1e-20, 1.5))}),
    Case("sin-minus-tan", sin(x) - sympy.tan(x), ops.COSM1, box={x: (-1e6, 1e6)},
         accuracy={x: signed(log_uniform(1e-20, 1.5))}),
    Case("sec-minus-cos", sympy.sec(x) - cos(x), ops.TAN, box={x: (-1e6, 1e6)},
         accuracy={x: signed(log_uniform(1e-20, 1.5))}),
    Case("cos-minus-sec", cos(x) - sympy.sec(x), ops.TAN, box={x: (-1e6, 1e6)},
         accuracy={x: signed(log_uniform(1e-20, 1.5))}),
    Case("csc-minus-sin", sympy.csc(x) - sin(x), ops.TAN, box={x: (-1e6, 1e6)},
         accuracy={x: _below_half_pi}),
    Case("sin-minus-csc", sin(x) - sympy.csc(x), ops.TAN, box={x: (-1e6, 1e6)},
         accuracy={x: _below_half_pi}),
    Case("tan-minus-cot", sympy.tan(x) - sympy.cot(x), ops.TAN, box={x: (-1e6, 1e6)},
         accuracy={x: _near_quarter_pi}),
    Case("cot-minus-tan", sympy.cot(x) - sympy.tan(x), ops.TAN, box={x: (-1e6, 1e6)},
         accuracy={x: _near_quarter_pi}),
    Case("log-coth-half", log(exp(x) + 1) - log(exp(x) - 1), ops.LOG1P, extremes=EDGES,
         accuracy={x: log_uniform(1e-3, 740)}),
    Case("log-tanh-half", log(exp(x) - 1) - log(exp(x) + 1), ops.LOG1P, extremes=EDGES,
         accuracy={x: log_uniform(1e-3, 740)}),
    # ---- C
    Case("softmax", exp(x) / (exp(x) + exp(y) + exp(x - y)), ops.ADD, extremes=EDGES,
         accuracy={x: uniform(-800, 800), y: uniform(-800, 800)}),
    Case("softmax2", exp(x) / (exp(x) + exp(y)), ops.SIGMOID_DIFF,
         accuracy={x: uniform(-800, 800), y: uniform(-800, 800)}),
    Case("sigmoid", exp(x) / (1 + exp(x)), ops.SIGMOID, extremes=EDGES, accuracy={x: TO_800}),
    Case("over-one-plus-exp", 1 / (1 + exp(-x)), ops.SIGMOID, extremes=EDGES, accuracy={x: TO_800}),
    # a value over it (swish): y*sigmoid(x), sigmoid rounding once (test_swish_... below)
    Case("over-one-plus-exp", x / (1 + exp(-x)), ops.SIGMOID),
    Case("one-minus-sigmoid", 1 - sg.sigmoid(x), ops.SIGMOID, accuracy={x: log_uniform(1e-3, 800)}),
    Case("sigmoid-minus-one", exp(x) / (exp(x) + 1) - 1, ops.SIGMOID, accuracy={x: log_uniform(1e-3, 800)}),
    Case("sigmoid-minus-half", exp(x) / (1 + exp(x)) - sympy.Rational(1, 2), ops.TANH,
         accuracy={x: signed(log_uniform(1e-20, 40))}),
    Case("half-minus-sigmoid", sympy.Rational(1, 2) - 1 / (1 + exp(-x)), ops.TANH,
         accuracy={x: signed(log_uniform(1e-20, 40))}),
    Case("one-minus-twice-sigmoid", 1 - 2 / (exp(2 * x) + 1), ops.TANH, accuracy={x: signed(log_uniform(1e-20, 40))}),
    Case("twice-sigmoid-minus-one", 2 / (1 + exp(-2 * x)) - 1, ops.TANH, accuracy={x: signed(log_uniform(1e-20, 40))}),
    # the log-odds of a sigmoid as typed: s/(1 - s) is sigmoid(x)(1 + e^-x)/... once 1 - s is sigmoid(-x)
    Case("sigmoid-times-one-plus-exp", log((1 / (1 + exp(-x))) / (1 - 1 / (1 + exp(-x)))), None, extremes=EDGES,
         accuracy={x: signed(log_uniform(1e-3, 700))}),
    Case("sigmoid-times-one-plus-exp-neg", sg.sigmoid(x) * (1 + exp(-x)), ops.SELECT, limits=(-800.0,)),
    Case("cosm1-scaled", 3 * cos(x) - 3, ops.COSM1, accuracy={x: signed(log_uniform(1e-10, 1))}),
    Case("cosm1-scaled-minus", 2 - 2 * cos(x), ops.COSM1, accuracy={x: signed(log_uniform(1e-10, 1))}),
    Case("over-expm1-squared", exp(x) / (exp(x) - 1) ** 2, ops.EXPM1, extremes=(400.0, -400.0, 700.0, -700.0),
         accuracy={x: signed(log_uniform(1e-5, 700))}),
    Case("log-sigmoid", log(sg.sigmoid(x)), ops.LOG_SIGMOID, extremes=EDGES, accuracy={x: TO_800}),
    Case("log1p-neg-sigmoid", sg.log1p(-sg.sigmoid(x)), ops.LOG_SIGMOID, accuracy={x: log_uniform(1e-3, 800)}),
    # a two-class cross-entropy: -inf once the quotient underflows, every digit lost where it rounds to 1
    Case("log-softmax2", log(exp(x) / (exp(x) + exp(y))), ops.LOG_SIGMOID,
         accuracy={x: uniform(-800, 800), y: uniform(-800, 800)}),
    Case("log1p-neg-softmax2", sg.log1p(-exp(x) / (exp(x) + exp(y))), ops.LOG_SIGMOID,
         accuracy={x: uniform(-800, 800), y: uniform(-800, 800)}),
    Case("sigmoid-derivative", exp(-x) / (1 + exp(-x)) ** 2, ops.SIGMOID, extremes=EDGES, loses=4,
         accuracy={x: TO_800}),
    # y - x rounds by up to half an ulp of |x| where x and y are not close, which softplus(y - x) ~ e^(y - x)
    # turns into |y - x| half-ulps of the result: up to ~40 ulps in float32 at |y - x| ~ 84 (the typed
    # form has lost every digit there); compensating it needs the rounding error of y - x as an op
    Case("logaddexp-minus-first", log(exp(x) + exp(y)) - x, ops.SOFTPLUS, tol=48,
         accuracy={x: uniform(-700, 700), y: "below x"}),
    Case("first-minus-logaddexp", x - log(exp(x) + exp(y)), ops.LOG_SIGMOID, tol=48,
         accuracy={x: uniform(-700, 700), y: "below x"}),
    # log(e^x + e^y) - max(x, y): softplus(-|x - y|) with x - y's rounding carried (a few ulps)
    Case("logaddexp-minus-max", log(exp(x) + exp(y)) - sympy.Max(x, y), ops.SOFTPLUS, tol=4,
         accuracy={x: uniform(-700, 700), y: uniform(-700, 700)}),
    Case("max-minus-logaddexp", sympy.Max(x, y) - log(exp(x) + exp(y)), ops.SOFTPLUS, tol=4,
         accuracy={x: uniform(-50, 50), y: uniform(-50, 50)}),
    Case("exp-times-expm1-neg", exp(x) * sg.expm1(-x), ops.EXPM1, loses=1, tol=1,
         accuracy={x: signed(log_uniform(1e-20, 700))}),
    Case("exp-times-neg-expm1-neg", exp(x) * (1 - exp(-x)), ops.EXPM1, accuracy={x: signed(log_uniform(1e-20, 700))}),
    Case("exp-times-sigmoid", exp(x) * sg.sigmoid(-x), ops.SIGMOID, extremes=EDGES, accuracy={x: TO_800}),
    Case("exp-neg-times-sigmoid", exp(-x) * sg.sigmoid(x), ops.SIGMOID, extremes=EDGES,
         accuracy={x: TO_800}),
    Case("odds", sg.sigmoid(x) / (1 - sg.sigmoid(x)), ops.EXP, accuracy={x: signed(log_uniform(1e-3, 700))}),
    Case("inverse-odds", (1 - sg.sigmoid(x)) / sg.sigmoid(x), ops.EXP,
         accuracy={x: signed(log_uniform(1e-3, 700))}),
    Case("logit", log(x / (1 - x)), ops.LOGIT,
         accuracy={x: either(log_uniform(1e-20, 0.5), lambda r, n: 1 - log_uniform(1e-16, 0.5)(r, n),
                             uniform(0.49, 0.51))}),
    Case("logit-logs", log(x) - log(1 - x), ops.LOGIT, accuracy={x: uniform(0.3, 0.7)}),
    Case("logit-complement", log((1 - x) / x), ops.LOGIT, accuracy={x: uniform(0.49, 0.51)}),
    Case("logit-reciprocal", log(1 / x - 1), ops.LOGIT, accuracy={x: uniform(0.49, 0.51)}),
    Case("sigmoid-logit", sg.sigmoid(sg.logit(x)), ops.SELECT, loses=8,
         accuracy={x: log_uniform(1e-300, 0.5)}),
    Case("logit-sigmoid", sg.logit(sg.sigmoid(x)), None, extremes=EDGES, accuracy={x: TO_800}),
    # ---- D
    Case("one-plus-erf", 1 + erf(x), ops.ERFC, accuracy={x: negated(log_uniform(1e-3, 26))}),
    Case("one-minus-erf", 1 - erf(x), ops.ERFC, accuracy={x: log_uniform(1e-3, 26)}),
    Case("erf-minus-one", erf(x) - 1, ops.ERFC, accuracy={x: log_uniform(1e-3, 26)}),
    Case("one-minus-erfc", 1 - erfc(x), ops.ERF, accuracy={x: signed(log_uniform(1e-20, 1))}),
    Case("erfc-minus-one", erfc(x) - 1, ops.ERF, accuracy={x: signed(log_uniform(1e-20, 1))}),
    Case("erfcx", exp(x**2) * erfc(x), ops.ERFCX, extremes=(30.0, 1e4, 1e6),
         accuracy={x: either(signed(log_uniform(1e-3, 26)), log_uniform(26, 1e6))}),
    Case("erfcx-times", x * exp(x**2) * erfc(x), ops.ERFCX, extremes=(30.0, 1e4),
         accuracy={x: log_uniform(1, 1e6)}),
    # exp(u)*erfc(v) for u = v**2 spelled otherwise: the Gaussian Mills ratio, exp(x)*erfc(sqrt(x))
    Case("erfcx-of-square", exp(x**2 / 2) * erfc(x / sympy.sqrt(2)), ops.ERFCX, extremes=(40.0, 1e4, 1e6),
         accuracy={x: either(signed(log_uniform(1e-3, 37)), log_uniform(37, 1e6))}),
    Case("erfcx-of-square-times", x * exp(x) * erfc(sympy.sqrt(x)), ops.ERFCX, extremes=(800.0, 1e8),
         accuracy={x: log_uniform(1, 1e12)}),
    Case("log-erfc", log(erfc(x)), ops.LOG_ERFC, accuracy={x: either(signed(log_uniform(1e-20, 0.5)),
                                                                   log_uniform(1e-2, 1e3))}),
    # ---- sinc, x*log(x)
    Case("sinc", sin(x) / x, ops.SINC, box={x: (-1e6, 1e6)}, limits=(0.0,),
         accuracy={x: either(signed(log_uniform(1e-20, 1e3)), fixed(0.0))}),
    Case("one-minus-sinc", 1 - sin(x) / x, ops.X_MINUS_SIN, box={x: (-1e6, 1e6)}, limits=(0.0,),
         accuracy={x: signed(log_uniform(1e-10, 10))}),
    Case("sinc-minus-one", sin(x) / x - 1, ops.X_MINUS_SIN, box={x: (-1e6, 1e6)}, limits=(0.0,),
         accuracy={x: signed(log_uniform(1e-10, 10))}),
    Case("xlogx", x * log(x), ops.XLOGY, limits=(0.0,),
         accuracy={x: either(log_uniform(1e-300, 1e3), fixed(0.0))}),
]
BY_RULE = {c.rule: c for c in CASES}


def _rewritten(case):
    graph, trace = optimize(lower(case.expr))
    return graph, [f.rule for f in trace]


# ---------------------------------------------------------------- the rules fire
def test_every_rule_has_a_case_and_the_module_has_enough_rules():
    names = [r.name for r in stability.RULES]
    assert len(names) >= 20 and len(set(names)) == len(names)
    assert sorted(names) == sorted(BY_RULE)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_fires(case):
    graph, fired = _rewritten(case)
    assert case.rule in fired, f"{case.rule} did not fire on {case.expr}: {fired}"
    if case.op is None:
        assert graph.outputs[0].is_symbol and graph.outputs[0].attr == x
    else:
        assert any(n.op is case.op for n in graph.nodes), graph


def test_optimizing_twice_changes_nothing():
    # rules that keep the typed form as a fallback (select(ok, new, typed)) must not nest on a second run
    for case in CASES:
        once, _ = optimize(lower(case.expr))
        twice, fired = optimize(once)
        assert twice.outputs[0] is once.outputs[0], (case.rule, [f.rule for f in fired])


@pytest.mark.parametrize("expr, primitive", [
    (log(1 - exp(x)), ops.LOG1MEXP), (log(1 - exp(-x)), ops.LOG1MEXP), (log(1 + exp(-x)), ops.SOFTPLUS),
    (log(1 / (1 + exp(-x))), ops.LOG_SIGMOID), (log(1 - 1 / (1 + exp(-x))), ops.LOG_SIGMOID),
    (1 - 1 / (1 + exp(-x)), ops.SIGMOID), (log(exp(x) + exp(y) + exp(2 * x)), ops.LOGADDEXP),
    (log(1 + exp(x) + exp(y)), ops.LOGADDEXP), ((1 - cos(x)) / x ** 2, ops.COSM1), (x / (exp(x) - 1), ops.X_OVER_EXPM1),
    ((exp(x) - 1) / x, ops.EXPREL),
])
def test_chains_reach_the_primitive(expr, primitive):
    graph, _ = optimize(lower(expr))
    assert any(n.op is primitive for n in graph.nodes), graph
    assert not any(n.op is ops.EXP for n in graph.nodes if primitive in (ops.LOG1MEXP, ops.SOFTPLUS))


def test_log_one_plus_exp_at_the_extremes():
    f = sg.compile([x], log(1 + exp(x)))
    assert f(800.0) == 800.0
    assert f(-700.0) == math.exp(-700.0)
    assert f(np.float32(-100.0)) == np.float32(math.exp(-100.0))
    assert f(np.float32(100.0)) == np.float32(100.0)
    assert f(1e-20) == math.log(2.0)


def test_wrong_catalogue_rules_are_not_ported():
    # B9 (max + log1p(exp(min))) is not the logsumexp; arccosh(cosh(x)) is |x|, not x
    f = sg.compile([x, y], log(exp(x) + exp(y)))
    assert f(1.0, 0.0) == pytest.approx(math.log(math.e + 1), rel=1e-15)
    names = {r.name for r in stability.RULES}
    assert not any("acosh" in n for n in names)


# ---------------------------------------------------------------- soundness at high precision
def digits_needed(env) -> int:
    """mpmath rounds 1 + exp(-800) to 1 at 50 digits: the working precision follows the inputs."""
    extra = 0.0
    for v in env.values():
        a = abs(float(v))
        if a == 0 or a != a or a == INF:
            continue
        extra = max(extra, a / math.log(10) if a < 1e4 else 0.0, a * a / math.log(10) if a < 40 else 0.0,
                    2 * abs(math.log10(a)))
    return 50 + int(min(extra, 1500))


def _close(a, b, digits=35):
    if mpmath.isnan(a) or mpmath.isnan(b):
        return mpmath.isnan(a) and mpmath.isnan(b)
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= max(abs(a), abs(b)) * mpmath.mpf(10) ** -digits


def exact(node, env):
    """The value at high precision: from the digits the inputs call for, doubled until two evaluations
    agree (a cancellation the heuristic misses shows up as a disagreement)."""
    dps = digits_needed(env)
    value = evaluate(node, env, dps=dps)
    while dps < 3000:
        dps *= 2
        finer = evaluate(node, env, dps=dps)
        if _close(value, finer):
            return finer
        value = finer
    return value


def agree(case, env, typed_value, new_value):
    if mpmath.isnan(typed_value):
        if any(float(v) == p for v in env.values() for p in case.limits):
            return True  # a documented limit point (sinc(0) = 1, 0*log(0) = 0)
        if all(math.isfinite(float(v)) for v in env.values()):
            return mpmath.isnan(new_value)  # NaN outside the domain must survive
        return True  # inf/inf and the like: the rewritten form may give the limit
    if mpmath.isinf(typed_value) or mpmath.isnan(new_value) or mpmath.isinf(new_value):
        return typed_value == new_value
    scale = max(abs(typed_value), abs(new_value), mpmath.mpf(10) ** -300)
    return abs(typed_value - new_value) <= scale * mpmath.mpf(case.rel)


BOUNDARY = [0.0, -0.0, 5e-324, 1e-300, 1e-20, 1e-8, 0.25, 0.5, 0.6931471805599453, 1.0, 2.0, 9.0, 18.0, 26.0,
            33.3, 37.0, 40.0, 700.0, 710.0, 800.0, 1e20, 1e300, INF, math.nan]
BOUNDARY = BOUNDARY + [-v for v in BOUNDARY if v == v and v != 0]


# exp(-1e20) needs more digits than any evaluation can afford, and 1 + exp(-1e20) rounds to 1 at any
# precision below that: formulas with exponentials are checked for |x| <= 1000, plus +-inf and NaN
EXPONENTIAL = (sympy.exp, sympy.erf, sympy.erfc, sg.sigmoid, sg.softplus, sg.log1mexp, sg.expm1, sympy.tanh,
               sympy.cosh)


def bounds(case, sym):
    if sym in case.box:
        return case.box[sym]
    if any(case.expr.atoms(f) for f in EXPONENTIAL):
        return (-1e3, 1e3)
    return (-INF, INF)


def _in_box(case, sym, v):
    lo, hi = bounds(case, sym)
    return v != v or abs(v) == INF or lo <= v <= hi


def _check_point(case, typed, new, env):
    a, b = exact(typed, env), exact(new, env)
    assert agree(case, env, a, b), f"{case.rule} at {env}: typed {mpmath.nstr(a, 25)}, rewritten {mpmath.nstr(b, 25)}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_is_sound_at_boundary_points(case):
    typed = lower(case.expr).outputs[0]
    new = _rewritten(case)[0].outputs[0]
    symbols = sorted(case.expr.free_symbols, key=lambda s: s.name)
    grids = [[v for v in BOUNDARY if _in_box(case, s, v)] for s in symbols]
    if len(symbols) == 1:
        envs = [{symbols[0]: v} for v in grids[0]]
    else:
        envs = [{symbols[0]: a, symbols[1]: b} for a in grids[0][::3] for b in grids[1][::3]]
    for env in envs:
        _check_point(case, typed, new, env)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_is_sound_on_random_points(case):
    typed = lower(case.expr).outputs[0]
    new = _rewritten(case)[0].outputs[0]
    symbols = sorted(case.expr.free_symbols, key=lambda s: s.name)

    def floats(sym):
        lo, hi = bounds(case, sym)
        return st.one_of(st.floats(min_value=lo, max_value=hi),
                         st.floats(min_value=max(lo, -2.0), max_value=min(hi, 2.0)),
                         st.sampled_from([math.nan, INF, -INF]))

    @settings(max_examples=40, deadline=None, database=None)
    @given(st.tuples(*[floats(s) for s in symbols]))
    def run(values):
        _check_point(case, typed, new, dict(zip(symbols, values)))

    run()


# ---------------------------------------------------------------- accuracy: the typed form loses, the rewrite does not
ACCURATE = [c for c in CASES if c.accuracy is not None]


@pytest.fixture(scope="module")
def kernels():
    exprs = [c.expr for c in ACCURATE]
    return sg.compile([x, y], exprs, rewrite=False), sg.compile([x, y], exprs)


def _points(case, dtype, n=300):
    rng = np.random.default_rng(zlib.crc32(case.rule.encode()))
    columns = {}
    for s in (x, y):
        sampler = case.accuracy.get(s)
        if sampler == "below x":
            columns[s] = columns[x] - np.exp(rng.uniform(math.log(1e-10), math.log(100), n))
        elif sampler == "toward -x":
            columns[s] = -columns[x] * (1 - np.exp(rng.uniform(math.log(1e-12), math.log(0.4), n)))
        elif sampler is None:
            columns[s] = np.full(n, 0.5)
        else:
            columns[s] = sampler(rng, n)
    if case.extremes:
        columns[x] = np.concatenate([columns[x], case.extremes])
        columns[y] = np.concatenate([columns[y], np.full(len(case.extremes), 0.5)])
    with np.errstate(over="ignore"):
        return [columns[x].astype(dtype), columns[y].astype(dtype)]


def _exact_values(case, columns):
    """The typed formula's exact value; at a limit point (sin(0)/0) the limit, from the rewritten form."""
    typed = lower(case.expr).outputs[0]
    new = _rewritten(case)[0].outputs[0]
    values = []
    for a, b in zip(*columns):
        env = {x: float(a), y: float(b)}
        value = exact(typed, env)
        if mpmath.isnan(value) and float(a) in case.limits:
            value = exact(new, env)
        values.append(value)
    return values


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", ACCURATE, ids=lambda c: c.rule)
def test_typed_form_loses_and_rewritten_form_is_accurate(kernels, case, dtype):
    typed_kernel, rewritten_kernel = kernels
    index = ACCURATE.index(case)
    columns = _points(case, dtype)
    exact_values = _exact_values(case, columns)
    real = [not mpmath.isnan(e) for e in exact_values]
    columns = [c[real] for c in columns]
    exact_values = [e for e, r in zip(exact_values, real) if r]
    with np.errstate(all="ignore"):
        typed = typed_kernel(*columns)[index]
        rewritten = rewritten_kernel(*columns)[index]
    typed_err = ulps_to_exact(typed, exact_values, dtype)
    new_err = ulps_to_exact(rewritten, exact_values, dtype)
    worst = int(np.argmax(new_err))
    assert new_err.max() <= case.tol, (f"{case.rule}: rewritten off by {new_err[worst]} ulps at "
                                       f"{[c[worst] for c in columns]}: {rewritten[worst]!r}")
    assert typed_err.max() >= case.loses, f"{case.rule}: the typed form is already accurate ({typed_err.max()} ulps)"


# ---------------------------------------------------------------- the accuracy benchmark, on a few of its cases
@pytest.mark.parametrize("name", ["log(1 + exp(x))", "log(1 - exp(-x))", "sqrt(x + 1) - sqrt(x)",
                                  "log(exp(a) + exp(b))", "1 - erf(x)"])
def test_benchmark_case_symgraph_beats_lambdify(name):
    bench = accuracy_benchmark()
    case = next(c for c in bench.cases() if c.name == name)
    row = bench.measure(case, n=150, seed=3)
    assert row["symgraph"] < row["lambdify"], row
    assert row["symgraph"] <= min(row["lambdify"], row["c99"]), row
    assert row["symgraph"] < 1.0, row


def _swish(v):
    with mpmath.workdps(50):
        v = mpmath.mpf(float(v))
        return v / (1 + mpmath.exp(-v))


def test_swish_rounds_no_more_than_typed_and_keeps_its_tail():
    # x/(1 + exp(-x)) is x*sigmoid(x), sigmoid rounding once: two roundings, where the typed form has 1 +
    # exp(-x) and the division (0.26 mean bits over [-30, 30] against 0.31); where exp(-x) overflows
    # (float32: from x = -88.7) the typed form is -0, the rewritten one x*e^x (of subnormal precision: e^x
    # is subnormal there too)
    f, typed = sg.compile(x, x / (1 + exp(-x))), sg.compile(x, x / (1 + exp(-x)), rewrite=False)
    rng = np.random.default_rng(3)
    xs = signed(log_uniform(1e-6, 700))(rng, 400)
    want = [_swish(v) for v in xs]
    ours, theirs = ulps_to_exact(f(xs), want, np.float64), ulps_to_exact(typed(xs), want, np.float64)
    assert ours.max() <= 2 and ours.mean() <= theirs.mean() + 0.02
    tail = np.linspace(-100.0, -89.0, 12).astype(np.float32)
    want = np.array([float(_swish(v)) for v in tail])
    assert np.all(typed(tail) == 0) and np.all(np.abs(f(tail) / want - 1) < 0.05)


def test_logs_of_one_minus_a_quotient_keep_their_digits_at_both_ends():
    # log(1 - y/x): for y/x near 1 the rounded quotient has lost the distance 1 - y/x, for small y/x the
    # typed 1 - y/x has lost y/x itself: 15 bits or more typed, at both ends
    expr = sympy.log(1 - y / x)
    f, typed = sg.compile([x, y], expr), sg.compile([x, y], expr, rewrite=False)
    xs = np.array([1.1, 3.0, 1e10, 7.3, 1.5])
    close = xs * (1 - np.array([1e-9, 3e-12, 1e-7, 1e-11, 2e-6]))
    small = xs * np.array([1e-12, -3e-15, 1e-5, 2e-13, -1e-11])
    for ys in (close, small):
        ok, lost = bits_against_mpmath(expr, [x, y], [xs, ys], f, typed)
        assert max(ok) <= 1.5, (ys, ok)
        assert max(lost) > 15, (ys, lost)


def test_logs_of_one_plus_a_quotient_keep_their_digits_near_minus_one_and_stay_log1p_elsewhere():
    # log(1 + y/x) for y near -x: the rounded quotient near -1 has lost the distance 1 + y/x (15 bits or
    # more typed, and in log1p(y/x) too); for small y/x it is log1p's
    expr = sympy.log(1 + y / x)
    f, typed = sg.compile([x, y], expr), sg.compile([x, y], expr, rewrite=False)
    xs = np.array([1.1, 3.0, 1e10, 7.3, 1.5])
    close = -xs * (1 - np.array([1e-9, 3e-12, 1e-7, 1e-11, 2e-6]))
    small = xs * np.array([1e-12, -3e-15, 1e-5, 2e-13, -1e-11])
    for ys in (close, small):
        ok, lost = bits_against_mpmath(expr, [x, y], [xs, ys], f, typed)
        assert max(ok) <= 1.5, (ys, ok)
        assert max(lost) > 15, (ys, lost)
    with np.errstate(all="ignore"):
        assert np.isneginf(f(np.array([2.0]), np.array([-2.0]))[0])
        assert np.isnan(f(np.array([2.0]), np.array([-3.0]))[0])


def test_a_quotient_far_from_one_minus_one_stays_typed():
    # log(y)/9 - 1 over y in [0.1, 10]: x/y is within [-0.26, 0.26], nothing cancels, and (x - y)/y would
    # round once more (0.26 bits against the typed 0.14); near x = y it is (x - y)/y (every digit kept)
    y = sympy.Symbol("y")
    exprs = [log(y) / 9 - 1, y / sympy.Float(3.0) - 1]
    f, typed = sg.compile([y], exprs), sg.compile([y], exprs, rewrite=False)
    rng = np.random.default_rng(21)
    for k, ys in enumerate([rng.uniform(0.1, 10, 400), 3.0 * (1 + rng.uniform(-1e-9, 1e-9, 400))]):
        fn = sympy.lambdify([y], exprs[k], "mpmath")
        with mpmath.workdps(50):
            want = [fn(mpmath.mpf(float(v))) for v in ys]
        ok = [bits_of_error(g, w) for g, w in zip(f(ys)[k], want)]
        base = [bits_of_error(t, w) for t, w in zip(typed(ys)[k], want)]
        assert np.mean(ok) <= np.mean(base) + 0.02, (exprs[k], np.mean(ok), np.mean(base))
        if k == 1:
            assert max(ok) <= 1.0 and np.mean(base) > 10, (np.mean(ok), np.mean(base))
