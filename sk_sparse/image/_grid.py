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
        Values windowed along axis ``-2``.
    positions : ndarray of int of shape (n_windows,)
        Start of each window.
    window : int
        Window length.

    Returns
    -------
    windows : ndarray of shape (..., n_windows, M, window)
        C-contiguous, so it can be reshaped to ``(-1, window)`` for a single matrix product.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.image import gather_windows
    >>> gather_windows(np.arange(5.0)[:, np.newaxis], np.array([0, 2]), 3)[:, 0]
    array([[0., 1., 2.],
           [2., 3., 4.]])
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
        Windows, as :func:`gather_windows` returns them.
    positions : ndarray of int of shape (n_windows,)
        Start of each window.
    length : int
        Length of the output axis.

    Returns
    -------
    out : ndarray of shape (..., length, M)
        Sum of the windows at their positions.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.image import overlap_add
    >>> overlap_add(np.ones((2, 1, 3)), np.array([0, 2]), 5)[:, 0]
    array([1., 1., 2., 1., 1.])
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
    """All patches on a grid of positions.

    Parameters
    ----------
    images : ndarray of shape (n_images, H, W)
        Images.
    row_positions : ndarray of int
        Top rows of the patches (e.g. from :func:`patch_positions`).
    col_positions : ndarray of int
        Left columns of the patches.
    patch_shape : (int, int)
        Patch height and width.

    Returns
    -------
    patches : ndarray of shape (n_images, n_rows, n_cols, ph, pw)
        A copy, C-contiguous.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.image import extract_patch_grid, patch_positions
    >>> images = np.arange(16.0).reshape(1, 4, 4)
    >>> grid = extract_patch_grid(images, patch_positions(4, 2, 2), patch_positions(4, 2, 2),
    ...                           (2, 2))
    >>> grid.shape, grid[0, 1, 0].tolist()
    ((1, 2, 2, 2, 2), [[8.0, 9.0], [12.0, 13.0]])
    """
    ph, pw = patch_shape
    rows = gather_windows(images, row_positions, ph)  # (n, nR, W, ph)
    return gather_windows(rows, col_positions, pw)  # (n, nR, nC, ph, pw)


def assemble_patch_grid(
    patches: np.ndarray, row_positions: np.ndarray, col_positions: np.ndarray, image_shape
) -> np.ndarray:
    """Sum patches on a grid into images: the adjoint of :func:`extract_patch_grid`.

    Parameters
    ----------
    patches : ndarray of shape (n_images, n_rows, n_cols, ph, pw)
        Patches, e.g. processed ones from :func:`extract_patch_grid`.
    row_positions : ndarray of int
        Top rows of the patches.
    col_positions : ndarray of int
        Left columns of the patches.
    image_shape : (int, int)
        Image height and width.

    Returns
    -------
    images : ndarray of shape (n_images, H, W)
        At each pixel, the sum of the patch values covering it (divide by
        :func:`assemble_patch_weights` to average).

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.image import assemble_patch_grid, patch_positions
    >>> positions = patch_positions(3, 2, 1)
    >>> assemble_patch_grid(np.ones((1, 2, 2, 2, 2)), positions, positions, (3, 3))[0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
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
        Weight of each patch of the grid.
    row_positions : ndarray of int
        Top rows of the patches.
    col_positions : ndarray of int
        Left columns of the patches.
    patch_shape : (int, int)
        Patch height and width.
    image_shape : (int, int)
        Image height and width.

    Returns
    -------
    weight_sum : ndarray of shape (..., H, W)
        Sum of the weights of the patches covering each pixel.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.image import assemble_patch_weights, patch_positions
    >>> positions = patch_positions(3, 2, 1)
    >>> assemble_patch_weights(np.ones((2, 2)), positions, positions, (2, 2), (3, 3))
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
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
