"""Small linear-algebra helpers shared by the kernels and estimators."""

import numpy as np

# Relative ridge added to Gram matrices before solving (MOD's dictionary update): keeps
# the solve defined when an atom is unused, without measurably biasing the fit.
GRAM_RIDGE = 1e-8


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit Euclidean norm; all-zero rows are left as they are."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def compact(keep, *arrays):
    """``array[keep]`` for each array (None stays None): drops finished rows of a working set.

    The batched solvers keep per-signal state in several arrays and shrink them all
    together as signals finish.
    """
    return tuple(None if array is None else array[keep] for array in arrays)
