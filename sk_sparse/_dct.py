"""Orthonormal DCT kernels and the strip-wise sliding-DCT hard-thresholding kernel.

The 2-D DCT of a ``p x p`` patch ``P`` is ``T @ P @ T.T`` with the orthonormal DCT-II
matrix ``T``. Because it is separable, the coefficients of *all* sliding patches are
computed as two batched 1-D transforms: first along the rows of every row-window, then
along the columns of every column-window of that intermediate result. Each 1-D transform
is a single ``(N, p) @ (p, p)`` matrix product over the whole strip.

The inverse runs the other way round and aggregates as it goes: after inverting the
column transform the windows are overlap-added along columns, so the last inverse
transform acts on ``p`` times fewer values than a per-patch inverse would.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._windows import (
    accumulate_strips,
    assemble_patch_weights,
    gather_windows,
    overlap_add,
    patch_positions,
)

# Coefficients held per strip (about 8 MB in float64). Small enough to stay in cache-sized
# working sets and to keep peak memory independent of the image size.
_STRIP_COEFFICIENTS = 2**20


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

    Returns
    -------
    matrix : ndarray of shape (size, size)

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
    """Orthonormal 2-D DCT-II over the last two axes of ``patches`` (shape ``(..., h, w)``).

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
    """Inverse of :func:`dct2` over the last two axes."""
    coefficients = np.asarray(coefficients)
    dtype = np.result_type(coefficients.dtype, np.float32)
    rows = dct_matrix(coefficients.shape[-2], dtype)
    cols = dct_matrix(coefficients.shape[-1], dtype)
    return rows.T @ coefficients @ cols


def _apply_last_axis(array: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``array @ matrix`` on the last axis as one 2-D product (BLAS gemm, not a batch loop)."""
    size = array.shape[-1]
    return (array.reshape(-1, size) @ matrix).reshape(*array.shape[:-1], matrix.shape[1])


def _threshold_strip(strip, row_positions, col_positions, transform, threshold, sparsity):
    """Denoise one strip; return its weighted sum and weight sum, both ``strip.shape``.

    ``transform`` is the ``p x p`` DCT matrix in the working dtype.
    """
    height, width = strip.shape
    size = transform.shape[0]
    # Forward: rows of each row-window, then columns of each column-window.
    half = _apply_last_axis(gather_windows(strip, row_positions, size), transform.T)
    coefs = _apply_last_axis(gather_windows(half, col_positions, size), transform.T)
    del half  # (n_rows, n_cols, u, v) is the large array; free what precedes it
    keep = np.abs(coefs) > threshold
    keep[..., 0, 0] = True  # the DC coefficient carries the local mean: never threshold it
    coefs *= keep
    if sparsity:
        # 1 / ||x||_0 counting the DC; the floor at 1 covers an all-zero (black) patch.
        weights = 1.0 / np.maximum(keep.sum(axis=(-2, -1)), 1).astype(strip.dtype)
        coefs *= weights[..., np.newaxis, np.newaxis]
    else:
        weights = np.ones(coefs.shape[:2], dtype=strip.dtype)
    del keep
    # Inverse the column transform, aggregate along columns, then inverse the rows.
    partial = overlap_add(_apply_last_axis(coefs, transform), col_positions, width)
    del coefs
    numerator = overlap_add(_apply_last_axis(partial, transform), row_positions, height)
    weight_sum = assemble_patch_weights(weights, row_positions, col_positions, (size, size),
                                        strip.shape)
    return numerator, weight_sum


def sliding_dct_denoise(
    images: np.ndarray,
    patch_size: int,
    thresholds,
    *,
    stride: int = 1,
    sparsity_weights: bool = False,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Hard-threshold the 2-D DCT of every patch and aggregate the estimates.

    This is the numerical kernel behind :class:`~sk_sparse.SlidingDCTDenoiser`; it does
    no input validation.

    Parameters
    ----------
    images : ndarray of shape (n_images, H, W), float32 or float64
        Noisy images; the result has the same dtype.
    patch_size : int
        Side ``p`` of the square patches.
    thresholds : float or array-like of shape (n_images,)
        Coefficients with ``|c| <= threshold`` are set to zero (the DC coefficient never).
    stride : int, default=1
        Distance between patches; a final patch flush with the border is added when the grid
        misses it, so every pixel is covered.
    sparsity_weights : bool, default=False
        Weight each patch estimate by ``1 / max(||c||_0, 1)`` instead of uniformly.
    n_jobs : int, default=None
        Strips of all images are processed in parallel with joblib (threads preferred,
        since the work is in NumPy/BLAS calls that release the GIL).

    Returns
    -------
    denoised : ndarray of shape (n_images, H, W)
    """
    n_images, height, width = images.shape
    thresholds = np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (n_images,))
    transform = dct_matrix(patch_size, images.dtype)
    row_positions = patch_positions(height, patch_size, stride)
    col_positions = patch_positions(width, patch_size, stride)

    def strip_task(index, local_rows, strip):
        return _threshold_strip(strip, local_rows, col_positions, transform,
                                images.dtype.type(thresholds[index]), sparsity_weights)

    numerator, weight_sum = accumulate_strips(
        strip_task, (images,), patch_size, row_positions, len(col_positions) * patch_size**2,
        _STRIP_COEFFICIENTS, n_jobs=n_jobs, dtype=images.dtype,
    )
    numerator /= weight_sum
    return numerator


def overcomplete_dct_dictionary(patch_size: int = 8, n_atoms_per_axis: int = 16,
                                dtype=np.float64) -> np.ndarray:
    """Overcomplete 2-D DCT dictionary (separable cosines at ``n_atoms_per_axis``
    frequencies per axis), unit-norm atoms as rows; the first atom is the constant one.

    Each 1-D atom is ``cos(pi k t / n)`` for ``t < patch_size``, with the mean removed for
    ``k > 0``; 2-D atoms are their outer products.

    Parameters
    ----------
    patch_size : int, default=8
    n_atoms_per_axis : int, default=16
        At least ``patch_size``; ``n_atoms_per_axis ** 2`` atoms in all.
    dtype : dtype, default=np.float64

    Returns
    -------
    dictionary : ndarray of shape (n_atoms_per_axis ** 2, patch_size ** 2)

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
