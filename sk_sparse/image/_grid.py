"""Patch-grid kernels: where patches sit, how to gather them, how to add them back.

Every patch operation in sk_sparse is separable along rows and columns, so it is written
with two primitives that are adjoints of each other:

* :func:`gather_windows` copies windows of length ``k`` along one axis,
* :func:`overlap_add` adds such windows back into an axis of a given length.

Applying them along rows and then columns extracts (or re-assembles) 2-D patches; the
DCT denoiser interleaves them with the 1-D transforms so that the inverse transform of the
second axis runs on already aggregated data.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def patch_positions(length: int, window: int, step: int, cover_border: bool = True) -> np.ndarray:
    """Start indices of windows along one axis.

    Windows start at ``0, step, 2*step, ...``. When the last regular window stops short of
    the end of the axis and ``cover_border`` is True, one more window aligned with the end
    is added so that every pixel is covered; its overlap with the previous window is simply
    averaged on reconstruction.

    Parameters
    ----------
    length : int
        Length of the axis.
    window : int
        Window (patch) length, at most ``length``.
    step : int
        Distance between consecutive window starts.
    cover_border : bool, default=True
        Add a final window flush with the end of the axis when the grid misses it.

    Returns
    -------
    positions : ndarray of int
        Strictly increasing start indices.

    Examples
    --------
    >>> from sk_sparse.image import patch_positions
    >>> patch_positions(10, 4, 3)
    array([0, 3, 6])
    >>> patch_positions(11, 4, 3)
    array([0, 3, 6, 7])
    >>> patch_positions(11, 4, 3, cover_border=False)
    array([0, 3, 6])
    """
    last = length - window
    positions = np.arange(0, last + 1, step)
    if cover_border and positions[-1] != last:
        positions = np.append(positions, last)
    return positions


def _as_slice(positions: np.ndarray, offset: int):
    """Index ``positions + offset`` as a slice when the positions are evenly spaced.

    A slice makes numpy use a strided view instead of a fancy-index copy, which matters on
    the hot path; positions are always strictly increasing, so both forms address distinct
    elements and ``+=`` through either is safe.
    """
    if len(positions) == 1:
        return slice(positions[0] + offset, positions[0] + offset + 1)
    step = positions[1] - positions[0]
    if np.all(np.diff(positions) == step):
        start = positions[0] + offset
        return slice(start, start + step * (len(positions) - 1) + 1, step)
    return positions + offset


def gather_windows(array: np.ndarray, positions: np.ndarray, window: int) -> np.ndarray:
    """Copy windows along axis ``-2``.

    ``out[..., i, m, t] = array[..., positions[i] + t, m]``.

    Parameters
    ----------
    array : ndarray of shape (..., length, M)
    positions : ndarray of int of shape (n_windows,)
    window : int

    Returns
    -------
    windows : ndarray of shape (..., n_windows, M, window)
        C-contiguous, so it can be reshaped to ``(-1, window)`` for a single matrix product.
    """
    view = sliding_window_view(array, window, axis=-2)
    # Always copy: a single window can already be contiguous, and the view is read-only.
    return view[..., _as_slice(positions, 0), :, :].copy(order="C")


def overlap_add(windows: np.ndarray, positions: np.ndarray, length: int) -> np.ndarray:
    """Add windows back along a new axis ``-2``; the adjoint of :func:`gather_windows`.

    ``out[..., positions[i] + t, m] += windows[..., i, m, t]`` for all ``i, t``.

    Parameters
    ----------
    windows : ndarray of shape (..., n_windows, M, window)
    positions : ndarray of int of shape (n_windows,)
    length : int
        Length of the output axis.

    Returns
    -------
    out : ndarray of shape (..., length, M)
    """
    *lead, n_windows, m, window = windows.shape
    out = np.zeros((*lead, length, m), dtype=windows.dtype)
    # One vectorised add per offset inside the window: ``window`` passes instead of one per
    # patch, and positions are distinct so no update is lost.
    for t in range(window):
        out[..., _as_slice(positions, t), :] += windows[..., t]
    return out


def extract_patch_grid(
    images: np.ndarray, row_positions: np.ndarray, col_positions: np.ndarray, patch_shape
) -> np.ndarray:
    """All patches on a grid, shape ``(n_images, n_rows, n_cols, ph, pw)``."""
    ph, pw = patch_shape
    rows = gather_windows(images, row_positions, ph)  # (n, nR, W, ph)
    return gather_windows(rows, col_positions, pw)  # (n, nR, nC, ph, pw)


def assemble_patch_grid(
    patches: np.ndarray, row_positions: np.ndarray, col_positions: np.ndarray, image_shape
) -> np.ndarray:
    """Sum patches ``(n_images, n_rows, n_cols, ph, pw)`` into images ``(n_images, H, W)``."""
    height, width = image_shape
    rows = overlap_add(patches, col_positions, width)  # (n, nR, W, ph)
    return overlap_add(rows, row_positions, height)  # (n, H, W)


def assemble_patch_weights(
    weights: np.ndarray, row_positions: np.ndarray, col_positions: np.ndarray, patch_shape,
    image_shape,
) -> np.ndarray:
    """Per-pixel sum of the weights of the patches covering it.

    Equal to ``assemble_patch_grid`` of every patch filled with its weight, but computed
    on ``(..., n_rows, n_cols)`` weights without materialising full patches.

    Parameters
    ----------
    weights : ndarray of shape (..., n_rows, n_cols)
    row_positions, col_positions : ndarray of int
    patch_shape : (int, int)
    image_shape : (int, int)

    Returns
    -------
    weight_sum : ndarray of shape (..., H, W)
    """
    ph, pw = patch_shape
    height, width = image_shape
    col_sums = overlap_add(
        np.broadcast_to(weights[..., np.newaxis, np.newaxis], (*weights.shape, 1, pw)),
        col_positions,
        width,
    )[..., 0]
    return overlap_add(
        np.broadcast_to(col_sums[..., np.newaxis], (*col_sums.shape, ph)),
        row_positions,
        height,
    )
