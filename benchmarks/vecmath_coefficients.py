"""Derives the polynomial coefficients used by symgraph/vecmath.py (run: python benchmarks/vecmath_coefficients.py).

A plain Remez exchange in mpmath at 160 bits: for each reduced function it finds the polynomial of the
given degree minimising the maximum *relative* error on the reduction interval, then rounds the
coefficients to float64 and reports the error of the rounded polynomial (what the kernels really use).
The printed tuples are pasted into symgraph/vecmath.py; the accuracy tests there are the real check.
"""
import mpmath
from mpmath import mp, mpf

mp.prec = 160


def remez(f, a, b, degree, iterations=30, grid=3000):
    """Coefficients c[0..degree] (lowest first) minimising max |p(x)/f(x) - 1| on [a, b]."""
    n = degree
    points = [(a + b) / 2 - (b - a) / 2 * mpmath.cos(mpmath.pi * i / (n + 1)) for i in range(n + 2)]
    samples = [a + (b - a) * mpf(i) / grid for i in range(grid + 1)]
    fvals = {s: f(s) for s in samples}
    coeffs = None
    for iteration in range(iterations):
        # p(x_i) + (-1)^i E f(x_i) = f(x_i): equioscillating relative error E
        rows = [[x ** j for j in range(n + 1)] + [(-1) ** i * f(x)] for i, x in enumerate(points)]
        sol = mpmath.lu_solve(mpmath.matrix(rows), mpmath.matrix([f(x) for x in points]))
        coeffs = [sol[j] for j in range(n + 1)]

        def err(x, fx=None):
            fx = f(x) if fx is None else fx
            return mpmath.polyval(coeffs[::-1], x) / fx - 1

        errs = [err(s, fvals[s]) for s in samples]
        # one extremum per run of equal sign: the new reference set
        new_points, best, best_x, sign = [], 0, None, None
        for s, e in zip(samples, errs):
            sg = e > 0
            if sign is None or sg == sign:
                if abs(e) >= best:
                    best, best_x = abs(e), s
            else:
                new_points.append(best_x)
                best, best_x = abs(e), s
            sign = sg
        new_points.append(best_x)
        if len(new_points) < n + 2:
            break  # no full alternation on the grid: keep the last solution
        # keep the n+2 consecutive extrema with the largest error
        while len(new_points) > n + 2:
            if abs(err(new_points[0])) < abs(err(new_points[-1])):
                new_points.pop(0)
            else:
                new_points.pop()
        points = new_points
    return coeffs


def chebyshev(f, a, b, degree):
    """Coefficients c[0..degree] (lowest first) of the polynomial interpolating f at the Chebyshev
    nodes of [a, b]: within a small factor of the minimax error, where the exchange above stalls."""
    n = degree + 1
    nodes = [(a + b) / 2 + (b - a) / 2 * mpmath.cos(mpmath.pi * (2 * i + 1) / (2 * n)) for i in range(n)]
    rows = [[x ** j for j in range(n)] for x in nodes]
    sol = mpmath.lu_solve(mpmath.matrix(rows), mpmath.matrix([f(x) for x in nodes]))
    return [sol[j] for j in range(n)]


def rounded_error(f, coeffs, a, b, grid=20000):
    c = [mpf(float(x)) for x in coeffs]
    worst = 0
    for i in range(grid + 1):
        x = a + (b - a) * mpf(i) / grid
        worst = max(worst, abs(mpmath.polyval(c[::-1], x) / f(x) - 1))
    return worst


def _q_exp(r):
    # (e^r - 1 - r) / r^2, the part of e^r a float64 kernel evaluates as a polynomial
    if r == 0:
        return mpf(1) / 2
    return (mpmath.exp(r) - 1 - r) / r ** 2


def _c_exp(r):
    # (e^r - 1 - r - r^2/2) / r^3: float64 exp adds r^2/2 exactly and this part as a polynomial
    if r == 0:
        return mpf(1) / 6
    return (mpmath.exp(r) - 1 - r - r ** 2 / 2) / r ** 3


def _e_exp(r):
    # (e^r - 1 - r - r^2/2 - r^3/6 - r^4/24) / r^5: float64 expm1 carries the terms up to r^4 as pairs
    if r == 0:
        return mpf(1) / 120
    return (mpmath.exp(r) - 1 - r - r ** 2 / 2 - r ** 3 / 6 - r ** 4 / 24) / r ** 5


def _p_log(z):
    # (2 atanh(s) - 2 s) / s^3 as a function of z = s^2: log1p(f) = 2s + s*z*P(z), s = f / (2 + f)
    if z == 0:
        return mpf(2) / 3
    s = mpmath.sqrt(z)
    return (2 * mpmath.atanh(s) - 2 * s) / (s * z)


def _p_log32(z):
    # 2 atanh(s) / s as a function of z = s^2 (float32 kernels evaluate in float64: no split needed)
    if z == 0:
        return mpf(2)
    s = mpmath.sqrt(z)
    return 2 * mpmath.atanh(s) / s


REDUCED_EXP = mpmath.log(2) / 2 * (1 + mpf(2) ** -20)   # |r| after r = x - rint(x/ln2) ln2, with slack
REDUCED_LOG = (mpmath.sqrt(2) - 1) / (mpmath.sqrt(2) + 1) * (1 + mpf(2) ** -20)  # |s| for m in [1/sqrt2, sqrt2)

TABLE = [
    # name, function, interval, degree (and the fit, Remez unless named)
    ("EXP64_C", _c_exp, (-REDUCED_EXP, REDUCED_EXP), 10),
    ("EXP64_E", _e_exp, (-REDUCED_EXP, REDUCED_EXP), 9, "chebyshev"),
    ("EXP32_P", mpmath.exp, (-REDUCED_EXP, REDUCED_EXP), 7),
    ("EXPM1_32_Q", _q_exp, (-REDUCED_EXP, REDUCED_EXP), 6),
    ("LOG64_P", _p_log, (mpf(0), REDUCED_LOG ** 2), 7),
    ("LOG32_P", _p_log32, (mpf(0), REDUCED_LOG ** 2), 4),
]

if __name__ == "__main__":
    import sys
    only = set(sys.argv[1:])
    for name, f, (a, b), degree, *fit in TABLE:
        if only and name not in only:
            continue
        c = chebyshev(f, a, b, degree) if fit == ["chebyshev"] else remez(f, a, b, degree)
        e = rounded_error(f, c, a, b, grid=4000)
        print(f"# {name}: degree {degree} on [{float(a):.6g}, {float(b):.6g}], "
              f"max relative error of the float64-rounded polynomial {float(e):.3g} (2^{float(mpmath.log(e, 2)):.1f})")
        print(f"{name} = ({', '.join(repr(float(x)) for x in c)})")
