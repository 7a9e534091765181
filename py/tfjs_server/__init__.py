"""The CPython-side server: serves the built app (dist/) and, under /api/, the model store."""
