"""Benchmarks run by `python3 build.py bench`: figures side by side with TF.js, never assertions."""
