"""Input checks shared by the image estimators.

Image estimators take a single image ``(H, W)`` or a stack ``(n_images, H, W)``. They
validate through these helpers so that every estimator reports bad input with the same
wording and the caller's array is never modified in place.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_array

FLOAT_DTYPES = (np.float64, np.float32)


def check_image_stack(
    X, *, name: str = "X", dtype=FLOAT_DTYPES, copy: bool = False
) -> tuple[np.ndarray, bool]:
    """Validate images and return them as a float stack.

    Parameters
    ----------
    X : array-like of shape (H, W) or (n_images, H, W)
        Images. Integer images are converted to float without rescaling.
    name : str
        Name used in error messages.
    dtype : dtype or tuple of dtypes
        Accepted float dtypes; other dtypes are converted to the first one.
    copy : bool
        Force a copy even when no conversion is needed.

    Returns
    -------
    stack : ndarray of shape (n_images, H, W)
        Finite float images.
    single : bool
        True when ``X`` was a single 2-D image.
    """
    arr = check_array(
        X,
        dtype=dtype,
        ensure_2d=False,
        allow_nd=True,
        ensure_all_finite=True,
        copy=copy,
        input_name=name,
    )
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"{name} must be a single image of shape (H, W) or a stack of images of shape "
            f"(n_images, H, W); got an array of shape {arr.shape}. Colour images: convert to "
            "grey levels or pass each channel as a separate image."
        )
    single = arr.ndim == 2
    stack = arr[np.newaxis] if single else arr
    if min(stack.shape) == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}.")
    return stack, single


def as_pair(value, name: str) -> tuple[int, int]:
    """Turn an int or a pair of ints into a validated ``(rows, cols)`` pair."""
    if isinstance(value, Integral):
        pair = (int(value), int(value))
    else:
        try:
            pair = tuple(int(v) for v in value)
        except TypeError:
            raise TypeError(f"{name} must be an int or a pair of ints; got {value!r}.") from None
        if len(pair) != 2 or any(p != v for p, v in zip(pair, value)):
            raise ValueError(f"{name} must be an int or a pair of ints; got {value!r}.")
    if min(pair) < 1:
        raise ValueError(f"{name} must be positive; got {value!r}.")
    return pair


def check_patch_fits(patch_shape: tuple[int, int], image_shape: tuple[int, ...]) -> None:
    """Raise a ValueError naming ``patch_size`` when a patch does not fit in the image."""
    if patch_shape[0] > image_shape[-2] or patch_shape[1] > image_shape[-1]:
        raise ValueError(
            f"patch_size={patch_shape} is larger than the images, which are "
            f"{tuple(image_shape[-2:])} pixels."
        )


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape; got {a.shape} and {b.shape}."
        )
