"""Random formulas: symgraph against sympy.lambdify and optims_c99 on expressions nobody chose.

    python benchmarks/random_formulas.py [--quick] [--wide] [--seed 1] [--count 80] [--depth 3] [--n 300]

Draws random expression trees over x and y (small numbers, + - * /, exp, log, sin, cos, sqrt, squares,
reciprocals, atan, tanh), samples x, y in [0.1, 10] (--wide: |x|, |y| log-uniform in [1e-3, 1e3], either
sign; points where the formula is not real are left out) and prints, for each formula where symgraph is not
the most accurate of the three (beyond TIE_BITS, the noise of sub-ulp libm differences), its mean bits of
error beside the other two (benchmarks/accuracy.py's measure). The hand-picked suite shows where the
rules help; this shows where a rule fires where it should not (a form that rounds more often than the
typed one where nothing cancels). Exit status 1 when symgraph is not the most accurate on some formula.
"""
from __future__ import annotations

import argparse
import os
import random
import sys

import sympy as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy import TIE_BITS, Case, measure  # noqa: E402
from symgraph.reference import log_uniform, signed, uniform  # noqa: E402

X, Y = sp.symbols("x y")
LEAVES = [X, Y, X, Y, sp.Integer(1), sp.Integer(2), sp.Rational(1, 2), sp.Integer(3)]
UNARY = [sp.exp, sp.log, sp.sin, sp.cos, sp.sqrt, lambda e: e**2, lambda e: 1 / e, sp.atan, sp.tanh]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b]


def random_formula(rng: random.Random, depth: int):
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(LEAVES)
    if rng.random() < 0.35:
        return rng.choice(UNARY)(random_formula(rng, depth - 1))
    return rng.choice(BINARY)(random_formula(rng, depth - 1), random_formula(rng, depth - 1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=80, help="formulas drawn (repeats and numbers skipped)")
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--n", type=int, default=300, help="sampled points per formula")
    parser.add_argument("--quick", action="store_true", help="30 formulas of 200 points")
    parser.add_argument("--wide", action="store_true", help="|x|, |y| in [1e-3, 1e3], either sign")
    options = parser.parse_args(argv)
    if options.quick:
        options.count, options.n = 30, 200
    rng = random.Random(options.seed)
    sampler, domain = ((signed(log_uniform(1e-3, 1e3)), "|x|, |y| in [1e-3, 1e3]") if options.wide
                       else (uniform(0.1, 10), "x, y in [0.1, 10]"))
    seen, measured, losses = set(), 0, 0
    for _ in range(options.count):
        expr = random_formula(rng, options.depth)
        if not expr.free_symbols or expr.has(sp.zoo, sp.nan, sp.oo) or str(expr) in seen:
            continue  # (1/(x - x) evaluates to zoo: no number to compare)
        seen.add(str(expr))
        args = sorted(expr.free_symbols, key=str)
        case = Case(str(expr), args, expr, domain, [sampler] * len(args))
        result = measure(case, n=options.n)
        if not result["points"]:
            continue  # (log(-x): NaN at every sampled point)
        measured += 1
        best_other = min(result["lambdify"], result["c99"])
        if result["symgraph"] > best_other + TIE_BITS:
            losses += 1
            print(f"{str(expr)[:60]:60s} lambdify {result['lambdify']:6.2f}  c99 {result['c99']:6.2f}  "
                  f"symgraph {result['symgraph']:6.2f}", flush=True)
    print(f"{measured} formulas, {losses} where symgraph is not the most accurate (seed {options.seed}, {domain})")
    return 1 if losses else 0


if __name__ == "__main__":
    sys.exit(main())
