"""Small linear-algebra helpers shared by the kernels and estimators."""

import numpy as np


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit Euclidean norm; all-zero rows are left as they are."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)
