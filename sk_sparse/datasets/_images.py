"""Test images: ``camera`` ships with sk_sparse, the others come from scikit-image."""

from __future__ import annotations

from importlib import resources

import numpy as np

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
        Grey levels in [0, 1].

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
