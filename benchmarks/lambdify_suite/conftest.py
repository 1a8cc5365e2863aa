"""pytest conftest that points SymPy's own lambdify test-suite at symgraph.compile.

Usage (scratch dir outside the repo; SymPy's test file is SymPy's code, never commit it):
    mkdir -p /tmp/lcompat && cd /tmp/lcompat
    cp "$(python -c 'import sympy, os; print(os.path.dirname(sympy.__file__))')/utilities/tests/test_lambdify.py" .
    cp <repo>/benchmarks/lambdify_suite/conftest.py .
    SYMGRAPH_CACHE_DIR=/tmp/lcompat/cache python -m pytest -q -p no:cacheprovider test_lambdify.py
Results per test (outcome, how many lambdify calls went to symgraph / were delegated) are written to
/tmp/lcompat/results.json.

Routing: calls with modules None / 'numpy' / 'math' / 'mpmath' / 'cmath' (or lists of those, or the
math/numpy/mpmath/cmath module objects) and no custom printer go to sg.compile(args, expr); anything
else (scipy, numexpr, sympy, tensorflow, jax, cupy, dict namespaces, custom printers) is delegated to
the real sympy.lambdify, because those tests are about another backend.

LCOMPAT_MODE=direct instead replaces lambdify by sg.compile itself for every call (what a user who
writes `lambdify = sg.compile` gets: other backends then raise symgraph's clear errors).
"""
import json
import os
import types

import importlib


import symgraph as sg

_lambdify_module = importlib.import_module("sympy.utilities.lambdify")

ORIGINAL = _lambdify_module.lambdify
ROUTED_NAMES = {"numpy", "math", "mpmath", "cmath"}
CALLS = {"symgraph": 0, "delegated": 0}
RESULTS = {}


def _routable(modules):
    if modules is None:
        return True
    if isinstance(modules, str):
        return modules in ROUTED_NAMES
    if isinstance(modules, types.ModuleType):
        return modules.__name__ in ROUTED_NAMES
    if isinstance(modules, (list, tuple)):
        return len(modules) > 0 and all(_routable(m) for m in modules)
    return False  # dicts: user-supplied implementations


def lambdify(args, expr, modules=None, printer=None, use_imps=True, dummify=False, cse=False,
             docstring_limit=1000):
    if os.environ.get("LCOMPAT_MODE") == "direct":
        CALLS["symgraph"] += 1
        return sg.compile(args, expr, modules, printer=printer, use_imps=use_imps, dummify=dummify, cse=cse,
                          docstring_limit=docstring_limit)
    if printer is not None or not _routable(modules):
        CALLS["delegated"] += 1
        return ORIGINAL(args, expr, modules=modules, printer=printer, use_imps=use_imps, dummify=dummify,
                        cse=cse, docstring_limit=docstring_limit)
    CALLS["symgraph"] += 1
    return sg.compile(args, expr, dummify=dummify, cse=cse, docstring_limit=docstring_limit)


# the test module does `from sympy.utilities.lambdify import lambdify` at import: patch before collection
_lambdify_module.lambdify = lambdify
import sympy  # noqa: E402
import sympy.utilities  # noqa: E402
sympy.lambdify = lambdify
sympy.utilities.lambdify = lambdify


def pytest_runtest_setup(item):
    CALLS["symgraph"] = CALLS["delegated"] = 0


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        entry = {"outcome": report.outcome, **CALLS}
        if report.outcome == "failed":
            entry["error"] = str(report.longrepr.reprcrash.message)[:300] if hasattr(
                report.longrepr, "reprcrash") else str(report.longrepr)[-300:]
        if report.outcome == "skipped":
            entry["error"] = str(report.longrepr)[-200:]
        RESULTS[report.nodeid.split("::")[-1]] = entry


def pytest_sessionfinish(session, exitstatus):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")
    with open(path, "w") as fh:
        json.dump(RESULTS, fh, indent=1)
