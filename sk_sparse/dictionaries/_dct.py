"""Analytic dictionaries: the orthonormal DCT-II and an overcomplete 2-D DCT.

The 2-D DCT of a ``p x p`` patch ``P`` is ``T @ P @ T.T`` with the orthonormal DCT-II
matrix ``T`` (:func:`dct_matrix`); :func:`dct2` / :func:`idct2` apply it over the last two
axes of a stack.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=32)
def _dct_matrix_cached(size: int) -> np.ndarray:
    k = np.arange(size)[:, np.newaxis]
    n = np.arange(size)[np.newaxis, :]
    matrix = np.sqrt(2.0 / size) * np.cos(np.pi * (2 * n + 1) * k / (2 * size))
    matrix[0] /= np.sqrt(2.0)
    matrix.setflags(write=False)
    return matrix


def dct_matrix(size: int, dtype=np.float64) -> np.ndarray:
    """Orthonormal DCT-II matrix ``T`` with ``T[k, n] = c_k cos(pi (2n + 1) k / (2 size))``.

    ``T @ x`` equals ``scipy.fft.dct(x, norm="ortho")`` and ``T.T`` is its inverse.

    Parameters
    ----------
    size : int
        Signal length.
    dtype : dtype, default=np.float64
        Floating dtype of the result.

    Returns
    -------
    matrix : ndarray of shape (size, size)
        Orthonormal: ``matrix @ matrix.T`` is the identity.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse import dct_matrix
    >>> T = dct_matrix(8)
    >>> np.allclose(T @ T.T, np.eye(8))
    True
    """
    return _dct_matrix_cached(int(size)).astype(dtype, copy=True)


def dct2(patches: np.ndarray) -> np.ndarray:
    """Orthonormal 2-D DCT-II over the last two axes of ``patches``.

    Parameters
    ----------
    patches : array-like of shape (..., h, w)
        Patches, or any stack of 2-D arrays.

    Returns
    -------
    coefficients : ndarray of shape (..., h, w)
        ``T_h @ patch @ T_w.T`` for each patch, in float32 for float32 input, else float64.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.fft import dctn
    >>> from sk_sparse import dct2
    >>> x = np.random.default_rng(0).random((3, 8, 8))
    >>> np.allclose(dct2(x), dctn(x, axes=(1, 2), norm="ortho"))
    True
    """
    patches = np.asarray(patches)
    dtype = np.result_type(patches.dtype, np.float32)
    rows = dct_matrix(patches.shape[-2], dtype)
    cols = dct_matrix(patches.shape[-1], dtype)
    return rows @ patches @ cols.T


def idct2(coefficients: np.ndarray) -> np.ndarray:
    """Inverse of :func:`dct2` over the last two axes.

    Parameters
    ----------
    coefficients : array-like of shape (..., h, w)
        2-D DCT coefficients.

    Returns
    -------
    patches : ndarray of shape (..., h, w)
        ``T_h.T @ coefficients @ T_w`` for each array of the stack.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.dictionaries import dct2, idct2
    >>> x = np.random.default_rng(0).random((8, 8))
    >>> np.allclose(idct2(dct2(x)), x)
    True
    """
    coefficients = np.asarray(coefficients)
    dtype = np.result_type(coefficients.dtype, np.float32)
    rows = dct_matrix(coefficients.shape[-2], dtype)
    cols = dct_matrix(coefficients.shape[-1], dtype)
    return rows.T @ coefficients @ cols


def overcomplete_dct_dictionary(patch_size: int = 8, n_atoms_per_axis: int = 16,
                                dtype=np.float64) -> np.ndarray:
    """Overcomplete 2-D DCT dictionary, unit-norm atoms as rows.

    Separable cosines at ``n_atoms_per_axis`` frequencies per axis; the first atom is the
    constant one.

    Each 1-D atom is ``cos(pi k t / n)`` for ``t < patch_size``, with the mean removed for
    ``k > 0``; 2-D atoms are their outer products.

    Parameters
    ----------
    patch_size : int, default=8
        Side of the square patches.
    n_atoms_per_axis : int, default=16
        At least ``patch_size``; ``n_atoms_per_axis ** 2`` atoms in all.
    dtype : dtype, default=np.float64
        Floating dtype of the result.

    Returns
    -------
    dictionary : ndarray of shape (n_atoms_per_axis ** 2, patch_size ** 2)
        Unit-norm atoms as rows, the constant atom first.

    Examples
    --------
    >>> from sk_sparse import overcomplete_dct_dictionary
    >>> overcomplete_dct_dictionary(8, 16).shape
    (256, 64)
    """
    t = np.arange(patch_size)[:, np.newaxis]
    k = np.arange(n_atoms_per_axis)[np.newaxis, :]
    atoms_1d = np.cos(np.pi * t * k / n_atoms_per_axis)
    atoms_1d[:, 1:] -= atoms_1d[:, 1:].mean(axis=0)
    atoms_1d /= np.linalg.norm(atoms_1d, axis=0)
    atoms = np.einsum("ik,jl->klij", atoms_1d, atoms_1d)
    return atoms.reshape(n_atoms_per_axis**2, patch_size**2).astype(dtype)
