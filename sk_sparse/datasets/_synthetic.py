"""Synthetic images, noise and defects."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ..utils._validation import as_pair, check_image_stack


def make_checkerboard(size=128, square: int = 16, *, low: float = 0.0, high: float = 1.0,
                      shift: int = 0) -> np.ndarray:
    """A checkerboard image, the best case for block transforms when aligned.

    Parameters
    ----------
    size : int or (int, int), default=128
        Image shape.
    square : int, default=16
        Side of each square in pixels.
    low, high : float, default=0.0, 1.0
        Grey levels of the two colours.
    shift : int, default=0
        Shift of the pattern, in pixels, along both axes (the lecture's 1-pixel shift
        experiment moves the squares off the grid of non-overlapping tiles).

    Returns
    -------
    image : ndarray of shape ``size``
        Squares of grey levels ``low`` and ``high``.

    Examples
    --------
    >>> from sk_sparse.datasets import make_checkerboard
    >>> make_checkerboard(4, square=2)
    array([[0., 0., 1., 1.],
           [0., 0., 1., 1.],
           [1., 1., 0., 0.],
           [1., 1., 0., 0.]])
    """
    height, width = as_pair(size, "size")
    if not isinstance(square, Integral) or square < 1:
        raise ValueError(f"square must be a positive int; got {square!r}.")
    rows = (np.arange(height) + shift) // square
    cols = (np.arange(width) + shift) // square
    parity = (rows[:, np.newaxis] + cols[np.newaxis, :]) % 2
    return np.where(parity == 1, float(high), float(low))


def add_noise(y, sigma: float, random_state=None, clip: bool = True) -> np.ndarray:
    """Add white Gaussian noise: ``z = y + eta``, ``eta ~ N(0, sigma^2)``.

    Parameters
    ----------
    y : array-like of shape (H, W) or (n_images, H, W)
        Clean images in [0, 1] (or integer images in [0, 255]); not modified.
    sigma : float
        Noise standard deviation in the units of ``y`` (0 returns a float copy).
    random_state : int, RandomState instance or None
        Seed of the noise.
    clip : bool, default=True
        Clip the result to the valid range: [0, 1], or [0, 255] for integer ``y``. Clipping
        makes the noise slightly non-Gaussian near black and white.

    Returns
    -------
    z : ndarray of float64, same shape as ``y``
        The noisy images.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.datasets import add_noise
    >>> z = add_noise(np.full((100, 100), 0.5), 0.1, random_state=0)
    >>> round(float(z.std()), 2)
    0.1
    """
    if not isinstance(sigma, Real) or not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"sigma must be a finite number >= 0; got {sigma!r}.")
    integer = np.issubdtype(np.asarray(y).dtype, np.integer)
    stack, single = check_image_stack(y, name="y", dtype=np.float64, copy=True)
    rng = check_random_state(random_state)
    noisy = stack + rng.normal(0.0, sigma, size=stack.shape) if sigma > 0 else stack
    if clip:
        np.clip(noisy, 0.0, 255.0 if integer else 1.0, out=noisy)
    return noisy[0] if single else noisy


def make_defects(image, n_defects: int = 3, *, kinds=("blob", "scratch", "texture"),
                 foreign=None, contrast: float = 0.25, random_state=None):
    """Plant synthetic defects in a (normal) image and return their pixel mask.

    Parameters
    ----------
    image : array-like of shape (H, W)
        Grey-level image in [0, 1]; not modified.
    n_defects : int, default=3
        Number of defects, cycling through ``kinds``.
    kinds : sequence of {"blob", "scratch", "texture"}, default=("blob", "scratch", "texture")
        ``"blob"``: an elliptical spot shifted by +-``contrast``; ``"scratch"``: a line 2 to
        3 pixels wide shifted by +-``contrast``; ``"texture"``: a square (24 to 48 pixels)
        copied from ``foreign``.
    foreign : array-like of shape (H2, W2), default=None
        Image that foreign-texture squares are cut from; needed for ``"texture"``.
    contrast : float, default=0.25
        Grey-level change of blobs and scratches.
    random_state : int, RandomState instance or None
        Seeds positions, sizes and signs.

    Returns
    -------
    defective : ndarray of shape (H, W)
        The image with the defects, clipped to [0, 1].
    mask : ndarray of bool of shape (H, W)
        True on defect pixels.

    Examples
    --------
    >>> from sk_sparse.datasets import load_image, make_defects
    >>> brick = load_image("camera")[:128, :128]
    >>> defective, mask = make_defects(brick, 2, kinds=("blob", "scratch"), random_state=0)
    >>> defective.shape, mask.dtype, bool(mask.any())
    ((128, 128), dtype('bool'), True)
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W); got shape {image.shape}.")
    unknown = set(kinds) - {"blob", "scratch", "texture"}
    if unknown:
        raise ValueError(f"kinds must be among 'blob', 'scratch', 'texture'; got {unknown}.")
    if "texture" in kinds and foreign is None:
        raise ValueError("kinds includes 'texture': pass foreign= (an image to cut from).")
    rng = check_random_state(random_state)
    height, width = image.shape
    rows, cols = np.mgrid[0:height, 0:width]
    defective = image.copy()
    mask = np.zeros(image.shape, dtype=bool)
    for k in range(n_defects):
        kind = kinds[k % len(kinds)]
        sign = rng.choice([-1.0, 1.0])
        if kind == "blob":
            center = rng.uniform([16, 16], [height - 16, width - 16])
            radii = rng.uniform(6, 14, size=2)
            region = (((rows - center[0]) / radii[0]) ** 2
                      + ((cols - center[1]) / radii[1]) ** 2) <= 1
            defective[region] += sign * contrast
        elif kind == "scratch":
            start = rng.uniform([0, 0], [height, width])
            angle = rng.uniform(0, np.pi)
            length = rng.uniform(40, 120)
            direction = np.array([np.sin(angle), np.cos(angle)])
            offset_r, offset_c = rows - start[0], cols - start[1]
            along = np.clip(offset_r * direction[0] + offset_c * direction[1], 0, length)
            distance = np.hypot(offset_r - along * direction[0], offset_c - along * direction[1])
            region = distance <= rng.uniform(1.0, 1.5)
            defective[region] += sign * contrast
        else:
            source = np.asarray(foreign, dtype=np.float64)
            size = int(rng.randint(24, 49))
            r0, c0 = rng.randint(0, height - size), rng.randint(0, width - size)
            s0, t0 = rng.randint(0, source.shape[0] - size), rng.randint(0, source.shape[1] - size)
            region = np.zeros(image.shape, dtype=bool)
            region[r0:r0 + size, c0:c0 + size] = True
            defective[region] = source[s0:s0 + size, t0:t0 + size].ravel()
        mask |= region
    return np.clip(defective, 0.0, 1.0), mask
