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
