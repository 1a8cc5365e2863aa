"""Stable primitives (softplus, log1mexp, sigmoid, ...): ops with careful float64/float32 implementations."""
