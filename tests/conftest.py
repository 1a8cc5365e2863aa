"""Shared test set-up: kernels are cached on disk in one temporary directory per test session, so a
kernel compiled by one test is reused by every other test (and Numba compiles stay few)."""
import os
import tempfile

_CACHE = tempfile.mkdtemp(prefix="symgraph-test-cache-")
os.environ.setdefault("SYMGRAPH_CACHE_DIR", _CACHE)

# property tests draw the same examples on every run, so a CI result is reproducible
from hypothesis import settings  # noqa: E402

settings.register_profile("symgraph", derandomize=True, database=None)
settings.load_profile("symgraph")
