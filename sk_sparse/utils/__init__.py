"""Shared plumbing: scikit-learn compatibility, input validation, linear algebra, the
parallel runner, and :mod:`~sk_sparse.utils.discovery`."""
