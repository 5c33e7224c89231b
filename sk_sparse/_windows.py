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
from sklearn.utils import gen_even_slices
from sklearn.utils.parallel import Parallel, delayed


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
    >>> from sk_sparse._windows import patch_positions
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


def strip_slices(row_positions: np.ndarray, values_per_row: int, budget: int) -> list[slice]:
    """Split patch rows into strips of at most about ``budget`` working values.

    Parameters
    ----------
    row_positions : ndarray of int
        Top rows of the patches.
    values_per_row : int
        Working values one row of patches needs (e.g. ``n_cols * p * p`` coefficients).
    budget : int
        Target number of values per strip; bounds peak memory whatever the image size.

    Returns
    -------
    slices : list of slice
        Even slices of ``row_positions``.
    """
    rows_per_strip = max(1, budget // max(values_per_row, 1))
    n_strips = -(-len(row_positions) // rows_per_strip)
    return list(gen_even_slices(len(row_positions), n_strips))


def accumulate_strips(strip_task, stacks, patch_height, row_positions, values_per_row,
                      budget, *, n_jobs=None, dtype=np.float64, progress=None):
    """Run ``strip_task`` on every strip of every image in parallel and sum the results.

    Image estimators process each image in horizontal strips of patch rows (bounded
    memory) and return, per strip, a partial weighted sum and a partial weight sum over the
    rows the strip's patches cover. This runs all (image, strip) tasks with joblib (threads
    preferred: the work is in NumPy calls that release the GIL; any backend of
    :func:`joblib.parallel_config`, Dask included, is honoured) and adds the partial sums
    into full-size arrays as they arrive, so only a few strips are alive at once. Each task
    receives only its own rows of the images, which is all a remote worker is sent. Sums
    are taken in task order, so the result does not depend on the backend or on which
    worker finishes first (bit for bit).

    Parameters
    ----------
    strip_task : callable ``(image_index, local_row_positions, *strips) -> (numerator, weights)``
        ``strips`` are the rows ``start:stop`` of each array of ``stacks`` for one image,
        ``start`` being the first patch row of the strip and ``stop`` the end of its last
        patch; ``local_row_positions`` are the strip's patch rows relative to ``start``.
        ``numerator`` and ``weights`` have the shape of the strip.
    stacks : tuple of ndarray of shape (n_images, H, W)
        The image stack, and any per-pixel companion (e.g. a mask).
    patch_height : int
    row_positions : ndarray of int
        Top rows of all patches of an image.
    values_per_row, budget : int
        Working values per row of patches and per strip (see :func:`strip_slices`).
    n_jobs : int, default=None
    dtype : dtype, default=np.float64
    progress : callable ``(n_done, n_tasks) -> None``, default=None
        Called in the calling process after each strip is added (progress reports).

    Returns
    -------
    numerator, weights : ndarray of shape ``(n_images, H, W)``
    """
    images_shape = stacks[0].shape
    strips = [(index, row_positions[rows][0], row_positions[rows][-1] + patch_height,
               row_positions[rows])
              for index in range(images_shape[0])
              for rows in strip_slices(row_positions, values_per_row, budget)]
    tasks = [delayed(strip_task)(index, positions - start,
                                 *(stack[index, start:stop] for stack in stacks))
             for index, start, stop, positions in strips]
    numerator = np.zeros(images_shape, dtype=dtype)
    weights = np.zeros(images_shape, dtype=dtype)
    # An ordered generator: a pixel shared by three or more strips would otherwise get its
    # partial sums added in an order that depends on timing.
    results = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(tasks)
    for n_done, ((index, start, stop, _), (strip_numerator, strip_weights)) in enumerate(
            zip(strips, results), start=1):
        numerator[index, start:stop] += strip_numerator
        weights[index, start:stop] += strip_weights
        if progress is not None:
            progress(n_done, len(tasks))
    return numerator, weights
