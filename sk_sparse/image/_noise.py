"""Noise-level estimation: from the highest-frequency DCT coefficients of the flattest
windows (the default), or from first differences ``z * [-1, 1]`` along rows and columns.

A measurement of images, below every estimator that needs a noise level (the denoisers'
``sigma="auto"``, :class:`~sk_sparse.restoration.NoiseEstimator`, the noise-matched zoom
of the multiscale anomaly detector)."""

from __future__ import annotations

from numbers import Real

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.fft import dct

from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._parallel import even_slices
from ..utils._validation import check_image_size, check_image_stack

# Phi^{-1}(3/4): the MAD of a standard normal variable.
_MAD_TO_STD = 0.67449
# The difference of two independent N(0, s^2) pixels has standard deviation s * sqrt(2).
_DIFF_TO_PIXEL = np.sqrt(2.0)
_BLOCK = 16
# The "dct" method: 8 x 8 windows every 2 pixels; the noise is read in the six
# coefficients with u + v >= 12, around the frequency (pi, pi), where natural images and
# most textures have the least energy.
_WINDOW = 8
_WINDOW_STEP = 2
_CORNER = 12
# Windows below which "dct" falls back to "mad" (about 22 x 22 pixels), and the fewest
# windows it measures in.
_MIN_WINDOWS = 64
# flat_fraction=None: the fraction each method was tuned with (bench_noise.py).
_DEFAULT_FRACTION = {"dct": 0.1, "mad": 0.5, "std": 0.5}


def _spread(values: np.ndarray, method: str) -> float:
    if method == "std":
        return float(values.std()) / _DIFF_TO_PIXEL
    deviation = np.abs(values - np.median(values))
    return float(np.median(deviation)) / (_MAD_TO_STD * _DIFF_TO_PIXEL)


def _band_blocks(differences: np.ndarray, block_rows: int, block_cols: int) -> np.ndarray:
    """Non-overlapping blocks of one band of a difference image, as rows."""
    n_cols = differences.shape[1] // block_cols
    return (differences.reshape(block_rows, n_cols, block_cols).swapaxes(0, 1)
            .reshape(n_cols, block_rows * block_cols))


def _band_differences(band: np.ndarray, first: int) -> np.ndarray:
    """Horizontal and vertical differences ``x[4k + first + 1] - x[4k + first]`` of one
    16-row band, one row per 16 x 16 block."""
    quarter = _BLOCK // 4
    return np.concatenate(
        [
            _band_blocks(band[:, first + 1::4] - band[:, first::4], _BLOCK, quarter),
            _band_blocks(band[first + 1::4] - band[first::4], quarter, _BLOCK),
        ],
        axis=1,
    )


def _flat_region_differences(image: np.ndarray, flat_fraction: float) -> np.ndarray | None:
    """Differences measured in the flattest ``flat_fraction`` of 16 x 16 blocks.

    Flatness is judged on one set of differences (pixels ``4k + 1`` minus ``4k``) and the
    noise is measured on a disjoint one (``4k + 3`` minus ``4k + 2``). For pure noise the two
    sets are independent, so selecting blocks does not bias the estimate; on an image,
    blocks whose differences are dominated by edges and texture are left out.
    The image is read in bands of 16 rows, twice (judge, then measure the chosen blocks),
    so the working memory is about a quarter of the image, not several copies of it.
    Returns None when the image is too small to hold one block.
    """
    height, width = image.shape
    if height < _BLOCK or width < _BLOCK:
        return None
    image = image[: height // _BLOCK * _BLOCK, : width // _BLOCK * _BLOCK]
    bands = [image[top:top + _BLOCK] for top in range(0, image.shape[0], _BLOCK)]
    flatness = np.concatenate([_band_differences(band, 0).var(axis=1) for band in bands])
    # Clipped pixels (at the image's extreme values) carry truncated noise; blocks holding
    # them look flat but would bias the estimate low, so they are not candidates.
    low, high = image.min(), image.max()
    saturated = np.concatenate([
        _band_blocks((band == low) | (band == high), _BLOCK, _BLOCK).any(axis=1)
        for band in bands])
    candidates = np.flatnonzero(~saturated)
    if len(candidates) == 0:
        candidates = np.arange(len(flatness))
    n_keep = max(1, int(round(flat_fraction * len(candidates))))
    flattest = candidates[np.argsort(flatness[candidates], kind="stable")[:n_keep]]
    chosen = np.zeros(len(flatness), dtype=bool)
    chosen[flattest] = True
    per_band = chosen.reshape(len(bands), -1)
    return np.concatenate([_band_differences(band, 2)[keep].ravel()
                           for band, keep in zip(bands, per_band) if keep.any()])


def _n_windows(shape):
    """Windows of the "dct" method in an image of ``shape``."""
    return int(np.prod([max(0, (side - _WINDOW) // _WINDOW_STEP + 1) for side in shape]))


def _corner_basis():
    """Rows and columns (u, v) of the measured coefficients, and the 1-D DCT-II basis."""
    basis = dct(np.eye(_WINDOW), norm="ortho", axis=0)  # row u: the u-th basis vector
    pairs = [(u, v) for u in range(_WINDOW) for v in range(_WINDOW) if u + v >= _CORNER]
    return basis, pairs


def _corner_windows(rows, basis, pairs, saturated):
    """For the 8 x 8 windows (every 2 pixels) of a block of image rows: the corner
    coefficients ``(n_pairs, n_windows)``, the energy of every other AC coefficient (the
    flatness judge) and whether the window holds a clipped pixel."""
    # Separable: each window row against the needed 1-D basis vectors (the constant one
    # for the DC), then each window column of those against the other basis vector.
    horizontal = sliding_window_view(rows, _WINDOW, axis=1)[:, ::_WINDOW_STEP]
    columns = sorted({v for _, v in pairs})
    by_column = horizontal @ basis[[0, *columns]].T
    vertical = sliding_window_view(by_column, _WINDOW, axis=0)[::_WINDOW_STEP]
    corner = np.stack([vertical[:, :, 1 + columns.index(v)] @ basis[u] for u, v in pairs])
    dc = vertical[:, :, 0] @ basis[0]
    row_energy = np.einsum("rwk,rwk->rw", horizontal, horizontal)
    energy = sliding_window_view(row_energy, _WINDOW, axis=0)[::_WINDOW_STEP].sum(axis=-1)
    # Parseval: the AC energy of a window is its energy minus the DC coefficient's.
    judge = energy - dc**2 - np.sum(corner**2, axis=0)
    clipped = sliding_window_view(
        sliding_window_view(saturated, _WINDOW, axis=1)[:, ::_WINDOW_STEP].any(axis=-1),
        _WINDOW, axis=0)[::_WINDOW_STEP].any(axis=-1)
    return corner.reshape(len(pairs), -1), judge.ravel(), clipped.ravel()


def _corner_estimate(image, flat_fraction):
    """The "dct" method on a validated image of at least ``_MIN_WINDOWS`` windows.

    Under white noise the 64 coefficients of an orthonormal 8 x 8 DCT are independent,
    so choosing windows by the energy of the other AC coefficients does not bias the six
    corner coefficients measured in them; on an image, windows with edges or texture at
    any frequency are left out. Windows are read in blocks of rows within the shared
    work budget, twice (judge, then measure), so memory stays a fraction of the image.
    """
    basis, pairs = _corner_basis()
    low, high = image.min(), image.max()
    window_rows = np.arange(0, image.shape[0] - _WINDOW + 1, _WINDOW_STEP)
    n_cols = len(range(0, image.shape[1] - _WINDOW + 1, _WINDOW_STEP))
    blocks = even_slices(len(window_rows), n_cols * (len(pairs) + 4) * _WINDOW)

    def windows(block):
        top, bottom = window_rows[block][0], window_rows[block][-1] + _WINDOW
        rows = image[top:bottom]
        return _corner_windows(rows, basis, pairs, (rows == low) | (rows == high))

    judged = [windows(block)[1:] for block in blocks]
    judges = np.concatenate([judge for judge, _ in judged])
    candidates = ~np.concatenate([clipped for _, clipped in judged])
    if not candidates.any():  # every window clipped: keep them all rather than none
        candidates[:] = True
    # A few hundred values at least, so that the median is not itself noisy.
    n_keep = max(min(_MIN_WINDOWS, int(candidates.sum())),
                 int(round(flat_fraction * candidates.sum())))
    limit = np.partition(judges[candidates], n_keep - 1)[n_keep - 1]
    chosen = candidates & (judges <= limit)
    values, start = [], 0
    for block, (judge, _) in zip(blocks, judged):
        keep = chosen[start:start + len(judge)]
        start += len(judge)
        if keep.any():
            values.append(windows(block)[0][:, keep].ravel())
    return np.median(np.abs(np.concatenate(values))) / _MAD_TO_STD


@validate_params(
    {
        "image": ["array-like"],
        "method": [StrOptions({"dct", "mad", "std"})],
        "flat_fraction": [Interval(Real, 0, 1, closed="right"), None],
    },
    prefer_skip_nested_validation=True,
)
def estimate_noise_sigma(image, method="dct", flat_fraction=None) -> float:
    """Estimate the standard deviation of additive white Gaussian noise in one image.

    The function behind :class:`NoiseEstimator`, for one image; see there for the
    methods and the :ref:`user guide <noise>`.

    Parameters
    ----------
    image : array-like of shape (H, W)
        A finite grey-level image of at least two pixels.
    method : {"dct", "mad", "std"}, default="dct"
        "dct": median absolute value of the six highest-frequency coefficients of 8 x 8
        DCT windows (over ``0.67449``). "mad" / "std": median absolute deviation over
        ``0.67449 * sqrt(2)`` / standard deviation over ``sqrt(2)`` of first differences.
    flat_fraction : float in (0, 1] or None, default=None
        Fraction of the flattest windows (or 16 x 16 blocks for the difference methods)
        where the noise is measured; 1 uses the whole image. None means 0.1 for "dct"
        and 0.5 for "mad" and "std".

    Returns
    -------
    sigma : float
        In the units of ``image``.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.restoration import estimate_noise_sigma
    >>> noisy = 0.5 + np.random.default_rng(0).normal(0, 0.1, size=(128, 128))
    >>> round(estimate_noise_sigma(noisy), 2)
    0.1
    """
    stack, single = check_image_stack(image, name="image")
    if not single:
        raise ValueError(f"image must be one 2-D image; got shape {np.shape(image)}.")
    check_image_size(stack, 2, name="image")
    return float(_estimate_noise_sigma(stack[0], method, flat_fraction))


def sigma_per_image(stack, sigma):
    """The ``sigma`` parameter of the denoisers for each image of a validated stack:
    the given value, or ``"auto"`` estimated per image (the default estimator)."""
    if sigma == "auto":
        check_image_size(stack, 2)
        return np.array([_estimate_noise_sigma(image) for image in stack])
    return np.full(len(stack), float(sigma))


def _estimate_noise_sigma(image, method="dct", flat_fraction=None) -> float:
    """The computation of :func:`estimate_noise_sigma` on a validated image."""
    if flat_fraction is None:
        flat_fraction = _DEFAULT_FRACTION[method]
    if method == "dct":
        if _n_windows(image.shape) >= _MIN_WINDOWS:
            return float(_corner_estimate(image, flat_fraction))
        # Too small for a reliable count of windows: the robust difference estimate on
        # the whole image.
        method, flat_fraction = "mad", 1.0
    if flat_fraction < 1.0:
        values = _flat_region_differences(image, flat_fraction)
        if values is not None:
            return _spread(values, method)
    values = np.concatenate(
        [np.diff(image, axis=1).ravel(), np.diff(image, axis=0).ravel()]
    )
    return _spread(values, method)
