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


def check_real_array(value, name, **check_array_params):
    """:func:`sklearn.utils.check_array` whose errors always name the argument.

    scikit-learn's own messages for complex or non-numeric input ("Complex data not
    supported", numpy's "could not convert string to float") do not say which argument
    was wrong.
    """
    try:
        return check_array(value, input_name=name, **check_array_params)
    except (ValueError, TypeError) as error:
        message = str(error)
        if name in message:
            raise
        first_line = message.splitlines()[0] if message else type(error).__name__
        raise type(error)(f"{name} must be an array of real numbers: {first_line}.") from error


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
    arr = check_real_array(X, name, dtype=dtype, ensure_2d=False, allow_nd=True,
                           ensure_all_finite=True, copy=copy)
    if arr.ndim not in (2, 3) or _looks_like_colour(arr):
        raise ValueError(
            f"{name} must be a single grey image of shape (H, W) or a stack of grey images "
            f"of shape (n_images, H, W); got an array of shape {arr.shape}"
            + (", which looks like a colour image (a last axis of 3 or 4 channels)"
               if _looks_like_colour(arr) else "")
            + ". Estimators with a channel_axis parameter (SlidingDCTDenoiser, OMPInpainter, "
            "NoiseEstimator) read colour images when given channel_axis=-1; elsewhere "
            "convert them to grey levels, or move the channels to the first axis "
            "(np.moveaxis(image, -1, 0)) to process each channel as a separate grey image."
        )
    single = arr.ndim == 2
    stack = arr[np.newaxis] if single else arr
    if min(stack.shape) == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}.")
    return stack, single


def _looks_like_colour(arr: np.ndarray) -> bool:
    """A trailing axis of 3 or 4 entries on a 3-D or 4-D array: RGB(A), not image columns.

    A stack of grey images only 3 or 4 pixels wide would also match; such images are too
    narrow for any patch-based method, so reading them as colour is the safe guess.
    """
    return arr.ndim in (3, 4) and arr.shape[-1] in (3, 4)


def check_image_size(stack: np.ndarray, min_pixels: int, name: str = "X") -> None:
    """Raise a ValueError naming ``name`` when images have fewer than ``min_pixels``."""
    if stack.shape[-2] * stack.shape[-1] < min_pixels:
        raise ValueError(
            f"{name} has images of {stack.shape[-2]}x{stack.shape[-1]} pixels; at least "
            f"{min_pixels} pixels are needed."
        )


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
    """Raise a ValueError naming both arrays when their shapes differ."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape; got {a.shape} and {b.shape}."
        )


def check_signals_and_dictionary(X, dictionary, *, name: str = "X"):
    """Validate signals ``(n_signals, n_features)`` and atoms ``(n_atoms, n_features)``.

    Both must be finite, real and 2-D, with the same number of features. They are
    returned in one float dtype: float32 when both are float32, else float64.
    """
    X = check_real_array(X, name, dtype=FLOAT_DTYPES, ensure_min_samples=0)
    dictionary = check_real_array(dictionary, "dictionary", dtype=FLOAT_DTYPES)
    if dictionary.shape[1] != X.shape[1]:
        raise ValueError(
            f"dictionary atoms have {dictionary.shape[1]} features but {name} has "
            f"{X.shape[1]}; atoms are the rows of dictionary, shape (n_atoms, n_features)."
        )
    dtype = np.result_type(X.dtype, dictionary.dtype)
    return X.astype(dtype, copy=False), dictionary.astype(dtype, copy=False)


def check_stride(stride: int, patch_size: int) -> None:
    """Raise a ValueError naming ``stride`` when patches would leave pixels uncovered."""
    if stride > patch_size:
        raise ValueError(
            f"stride={stride} is larger than patch_size={patch_size}: the pixels between "
            "patches would belong to no patch and get no estimate. Use a stride of at most "
            "the patch size."
        )


def check_colour_images(X, channel_axis, *, name="X", dtype=FLOAT_DTYPES):
    """Validate colour images with channels on ``channel_axis``.

    Returns ``(stack, restore)``: ``stack`` of shape ``(n_images, n_channels, H, W)``
    (a copy or a view of finite floats) and ``restore(array)``, which puts an array of
    that shape back into the layout of ``X``.
    """
    arr = check_real_array(X, name, dtype=dtype, ensure_2d=False, allow_nd=True,
                           ensure_all_finite=True)
    if arr.ndim not in (3, 4):
        raise ValueError(
            f"{name} must be one colour image (H, W, C) or a stack (n_images, H, W, C) with "
            f"the channels on channel_axis={channel_axis}; got shape {arr.shape}.")
    if not -arr.ndim <= channel_axis < arr.ndim:
        raise ValueError(f"channel_axis={channel_axis} is out of range for {name} of shape "
                         f"{arr.shape}.")
    axis = channel_axis % arr.ndim
    single = arr.ndim == 3
    if min(arr.shape) == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}.")
    moved = np.moveaxis(arr, axis, -1)
    stack = moved[np.newaxis] if single else moved
    stack = np.moveaxis(stack, -1, 1)  # (n, C, H, W)

    def restore(result):
        out = np.moveaxis(result, 1, -1)
        out = out[0] if single else out
        return np.moveaxis(out, -1, axis)

    return stack, restore


class ImageInputMixin:
    """Input tags of the image estimators, written once: they take an image ``(H, W)``
    or a stack ``(n_images, H, W)``, not a table ``(n_samples, n_features)``, so
    scikit-learn's common checks, which pass tables, do not apply to them. Put it first
    among the bases; an estimator adds its other tags in its own ``__sklearn_tags__``
    on top of ``super().__sklearn_tags__()``."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
