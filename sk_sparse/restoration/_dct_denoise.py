"""The sliding-DCT hard-thresholding kernel, strip by strip.

The coefficients of *all* sliding ``p x p`` patches are computed as two batched 1-D DCTs,
since the 2-D DCT is separable: first along the rows of every row-window, then along the
columns of every column-window of that intermediate result. Each 1-D transform is a
single ``(N, p) @ (p, p)`` matrix product over the whole strip.

The inverse runs the other way round and aggregates as it goes: after inverting the
column transform the windows are overlap-added along columns, so the last inverse
transform acts on ``p`` times fewer values than a per-patch inverse would.
"""

from __future__ import annotations

from functools import partial
from numbers import Integral, Real

import numpy as np

from ..dictionaries import dct_matrix
from ..image._grid import assemble_patch_weights, gather_windows, overlap_add, patch_positions
from ..image._strips import accumulate_strips
from ..utils._compat import Interval, validate_params
from ..utils._validation import check_image_stack, check_patch_fits, check_stride


def _apply_last_axis(array: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``array @ matrix`` on the last axis as one 2-D product (BLAS gemm, not a batch loop)."""
    size = array.shape[-1]
    return (array.reshape(-1, size) @ matrix).reshape(*array.shape[:-1], matrix.shape[1])


def _threshold_task(index, local_rows, strip, *, col_positions, transform, thresholds,
                    sparsity):
    """The strip task of :func:`~sk_sparse.image.accumulate_strips` (picklable)."""
    return _threshold_strip(strip, local_rows, col_positions, transform, thresholds[index],
                            sparsity)


def _forward(strip, row_positions, col_positions, transform):
    """2-D DCT coefficients of every patch of a strip, shape ``(n_rows, n_cols, p, p)``.

    Rows of each row-window first, then columns of each column-window: two matrix
    products over the whole strip.
    """
    size = transform.shape[0]
    half = _apply_last_axis(gather_windows(strip, row_positions, size), transform.T)
    return _apply_last_axis(gather_windows(half, col_positions, size), transform.T)


def _inverse_aggregate(coefs, weights, row_positions, col_positions, transform, shape):
    """Weighted sum of the inverse transforms of ``coefs`` (modified in place) at their
    patches, and the per-pixel sum of the weights; both of ``shape``."""
    height, width = shape
    size = transform.shape[0]
    coefs *= weights[..., np.newaxis, np.newaxis]
    # Inverse the column transform, aggregate along columns, then inverse the rows: the
    # last inverse acts on p times fewer values than a per-patch inverse would.
    partial = overlap_add(_apply_last_axis(coefs, transform), col_positions, width)
    del coefs
    numerator = overlap_add(_apply_last_axis(partial, transform), row_positions, height)
    weight_sum = assemble_patch_weights(weights, row_positions, col_positions, (size, size),
                                        shape)
    return numerator, weight_sum


def _threshold_strip(strip, row_positions, col_positions, transform, threshold, sparsity):
    """Denoise one strip; return its weighted sum and weight sum, both ``strip.shape``.

    ``transform`` is the ``p x p`` DCT matrix in the working dtype.
    """
    coefs = _forward(strip, row_positions, col_positions, transform)
    keep = np.abs(coefs) > threshold
    keep[..., 0, 0] = True  # the DC coefficient carries the local mean: never threshold it
    coefs *= keep
    if sparsity:
        # 1 / ||x||_0 counting the DC; the floor at 1 covers an all-zero (black) patch.
        weights = 1.0 / np.maximum(keep.sum(axis=(-2, -1)), 1).astype(strip.dtype)
    else:
        weights = np.ones(coefs.shape[:2], dtype=strip.dtype)
    del keep
    return _inverse_aggregate(coefs, weights, row_positions, col_positions, transform,
                              strip.shape)


def _wiener_task(index, local_rows, strip, pilot, *, col_positions, transform, variances,
                 sparsity):
    """The strip task of the second (Wiener) stage (picklable)."""
    return _wiener_strip(strip, pilot, local_rows, col_positions, transform,
                         variances[index], sparsity)


def _wiener_strip(strip, pilot, row_positions, col_positions, transform, variance, sparsity):
    """Empirical Wiener shrinkage of one strip's DCT coefficients, with a pilot estimate.

    Each coefficient ``z`` of the noisy patch is scaled by ``p^2 / (p^2 + sigma^2)``, ``p``
    being the same coefficient of the pilot's patch. With ``sparsity``, patches are
    weighted by ``1 / sum(gain^2)``, the inverse of their estimate's noise variance (the
    Wiener counterpart of ``1 / ||x||_0``).
    """
    gain = _forward(pilot, row_positions, col_positions, transform)
    gain *= gain
    gain /= gain + variance
    coefs = _forward(strip, row_positions, col_positions, transform)
    coefs *= gain
    if sparsity:
        weights = 1.0 / np.maximum(np.einsum("rcuv,rcuv->rc", gain, gain),
                                   np.finfo(strip.dtype).tiny)
    else:
        weights = np.ones(coefs.shape[:2], dtype=strip.dtype)
    del gain
    return _inverse_aggregate(coefs, weights.astype(strip.dtype, copy=False), row_positions,
                              col_positions, transform, strip.shape)


def _sliding_dct_wiener(images, pilots, patch_size, sigmas, *, stride=1,
                        sparsity_weights=False, n_jobs=None):
    """Second stage: Wiener shrinkage of every patch's DCT with the ``pilots`` as oracle."""
    variances = (np.asarray(sigmas, dtype=np.float64) ** 2).astype(images.dtype)
    # Two coefficient arrays per strip: the noisy patches and the pilot's gains.
    return _run_stage(_wiener_task, (images, pilots.astype(images.dtype, copy=False)),
                      patch_size, stride, 2, n_jobs,
                      variances=np.broadcast_to(variances, (len(images),)),
                      sparsity=sparsity_weights)


def _run_stage(task, stacks, patch_size, stride, arrays_per_strip, n_jobs, **options):
    """Run a strip task of a stage over every image and return the aggregated estimate.

    ``task(index, local_rows, *strips, col_positions=, transform=, **options)`` returns a
    strip's weighted sum and weight sum; ``arrays_per_strip`` coefficient arrays of the
    strip's patches are alive at once, which sets the strip size.
    """
    images = stacks[0]
    _, height, width = images.shape
    row_positions = patch_positions(height, patch_size, stride)
    col_positions = patch_positions(width, patch_size, stride)
    strip_task = partial(task, col_positions=col_positions,
                         transform=dct_matrix(patch_size, images.dtype), **options)
    numerator, weight_sum = accumulate_strips(
        strip_task, stacks, patch_size, row_positions,
        arrays_per_strip * len(col_positions) * patch_size**2, n_jobs=n_jobs,
        dtype=images.dtype,
    )
    numerator /= weight_sum
    return numerator


@validate_params(
    {
        "images": ["array-like"],
        "patch_size": [Interval(Integral, 1, None, closed="left")],
        "thresholds": [Interval(Real, 0, None, closed="left"), "array-like"],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "sparsity_weights": ["boolean"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def sliding_dct_denoise(images, patch_size, thresholds, *, stride=1, sparsity_weights=False,
                        n_jobs=None):
    """Hard-threshold the 2-D DCT of every patch and aggregate the estimates.

    The function behind :class:`~sk_sparse.restoration.SlidingDCTDenoiser`, with the
    thresholds given directly.

    Parameters
    ----------
    images : array-like of shape (H, W) or (n_images, H, W)
        Noisy images; float32 stays float32, other dtypes are processed in float64.
    patch_size : int
        Side ``p`` of the square patches.
    thresholds : float or array-like of shape (n_images,)
        Coefficients with ``|c| <= threshold`` are set to zero (the DC coefficient never).
    stride : int, default=1
        Distance between patches, at most ``patch_size``; a final patch flush with the
        border is added when the grid misses it, so every pixel is covered.
    sparsity_weights : bool, default=False
        Weight each patch estimate by ``1 / max(||c||_0, 1)`` instead of uniformly.
    n_jobs : int, default=None
        Strips of all images are processed in parallel with joblib (threads preferred,
        since the work is in NumPy/BLAS calls that release the GIL).

    Returns
    -------
    denoised : ndarray of the shape of ``images``
        The aggregated patch estimates.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.restoration import sliding_dct_denoise
    >>> noisy = 0.5 + np.random.default_rng(0).normal(0, 0.1, size=(64, 64))
    >>> denoised = sliding_dct_denoise(noisy, 8, 0.3)
    >>> bool(np.abs(denoised - 0.5).mean() < np.abs(noisy - 0.5).mean() / 3)
    True
    """
    stack, single = check_image_stack(images, name="images")
    check_patch_fits((patch_size, patch_size), stack.shape)
    check_stride(stride, patch_size)
    thresholds = np.asarray(thresholds, dtype=np.float64)
    if thresholds.ndim > 1 or (thresholds.ndim == 1 and thresholds.shape != (len(stack),)):
        raise ValueError(
            f"thresholds must be a float or one per image, shape ({len(stack)},); got "
            f"shape {thresholds.shape}."
        )
    if np.any(thresholds < 0) or not np.all(np.isfinite(thresholds)):
        raise ValueError("thresholds must be finite and non-negative.")
    denoised = _sliding_dct_denoise(stack, patch_size, thresholds, stride=stride,
                                    sparsity_weights=sparsity_weights, n_jobs=n_jobs)
    return denoised[0] if single else denoised


def _sliding_dct_denoise(images, patch_size, thresholds, *, stride=1, sparsity_weights=False,
                         n_jobs=None):
    """The computation of :func:`sliding_dct_denoise` on a validated stack."""
    thresholds = np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (len(images),))
    return _run_stage(_threshold_task, (images,), patch_size, stride, 1, n_jobs,
                      thresholds=thresholds.astype(images.dtype), sparsity=sparsity_weights)
