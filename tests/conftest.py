"""Shared test set-up: kernels are cached on disk in one temporary directory per test session, so a
kernel compiled by one test is reused by every other test, in any pytest-xdist worker (and Numba compiles
stay few)."""
import os
import tempfile

# set once, by the first process that loads this file: pytest-xdist's workers inherit it, so a kernel that
# one worker compiled is loaded from disk by the others
if "SYMGRAPH_CACHE_DIR" not in os.environ:
    os.environ["SYMGRAPH_CACHE_DIR"] = tempfile.mkdtemp(prefix="symgraph-test-cache-")

# property tests draw the same examples on every run, so a CI result is reproducible
from hypothesis import settings  # noqa: E402

settings.register_profile("symgraph", derandomize=True, database=None)
settings.load_profile("symgraph")


# Worker seconds of the slowest test files (measured on 2 cores, Numba compiles dominating). pytest-xdist
# hands out whole files in collection order (--no-loadscope-reorder, pyproject.toml): longest first, so
# that the two workers finish together instead of one waiting on a long file handed out last.
FILE_SECONDS = {"test_rules_algebra.py": 267, "test_rules_stability.py": 162, "test_rules_rearrange.py": 158,
                "test_rules_series.py": 107, "test_autodiff.py": 102, "test_rules_trig.py": 96,
                "test_rules_gamma.py": 90, "test_rules_normal.py": 60, "test_codegen.py": 57,
                "test_rules_taylor.py": 55, "test_ops.py": 51, "test_passes.py": 50}


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: -FILE_SECONDS.get(os.path.basename(str(item.fspath)), 0))
