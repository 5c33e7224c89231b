"""Test images, synthetic images and noise.

``camera`` (scikit-image's CC0 cameraman, by Lav Varshney) ships with sk_sparse, so the
demo and the tests run without optional dependencies; the other names are read from
scikit-image's bundled data when scikit-image is installed.
"""

from __future__ import annotations

from importlib import resources
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ._validation import as_pair, check_image_stack

__all__ = ["add_noise", "load_dictionary", "load_image", "make_checkerboard", "IMAGE_NAMES"]

IMAGE_NAMES = ("camera", "astronaut", "brick", "grass", "gravel", "moon")

# ITU-R BT.709 luma weights, as scikit-image's rgb2gray uses.
_LUMA = np.array([0.2125, 0.7154, 0.0721])


def load_image(name: str) -> np.ndarray:
    """Load a grey-level test image as float64 in [0, 1].

    Parameters
    ----------
    name : {"camera", "astronaut", "brick", "grass", "gravel", "moon"}
        ``astronaut`` is converted to grey levels with the BT.709 luma weights. Every name
        but ``camera`` needs scikit-image.

    Returns
    -------
    image : ndarray of shape (H, W)

    Examples
    --------
    >>> from sk_sparse.datasets import load_image
    >>> image = load_image("camera")
    >>> image.shape, image.dtype, float(image.min()) >= 0, float(image.max()) <= 1
    ((512, 512), dtype('float64'), True, True)
    """
    if name not in IMAGE_NAMES:
        raise ValueError(f"name must be one of {IMAGE_NAMES}; got {name!r}.")
    if name == "camera":
        with resources.files("sk_sparse").joinpath("data/camera.npz").open("rb") as handle:
            pixels = np.load(handle)["image"]
    else:
        try:
            from skimage import data
        except ImportError as error:
            raise ImportError(
                f"load_image({name!r}) needs scikit-image: pip install scikit-image"
            ) from error
        pixels = getattr(data, name)()
    image = pixels.astype(np.float64) / 255.0
    if image.ndim == 3:
        image = image[..., :3] @ _LUMA
    return image


def load_dictionary() -> np.ndarray:
    """The 8 x 8 patch dictionary shipped with sk_sparse.

    256 unit-norm atoms learned by K-SVD (6 atoms per patch, constant atom held fixed and
    not included) from patches of scikit-image's brick, grass, gravel, moon, coffee,
    chelsea, coins and rocket images; ``camera`` and ``astronaut`` were left out, so that
    results on them measure a cross-image dictionary. ``tools/make_dictionary.py``
    regenerates it.

    Returns
    -------
    dictionary : ndarray of shape (256, 64)
        Atoms as rows (flattened 8 x 8 patches, C order), float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.datasets import load_dictionary
    >>> atoms = load_dictionary()
    >>> atoms.shape, bool(np.allclose(np.linalg.norm(atoms, axis=1), 1, atol=1e-5))
    ((256, 64), True)
    """
    with resources.files("sk_sparse").joinpath("data/ksvd_8x8.npz").open("rb") as handle:
        return np.load(handle)["atoms"].astype(np.float64)


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
