"""Shared plumbing: scikit-learn compatibility, input validation, linear algebra, the
parallel runner, random streams of their own, and :mod:`~sk_sparse.utils.discovery`."""
