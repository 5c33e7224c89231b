"""A smooth low-pass component of images (what convolutional sparse coding leaves out)."""

from __future__ import annotations

from numbers import Real

import numpy as np
import scipy.fft as sp_fft

from ..utils._compat import Interval, validate_params
from ..utils._validation import check_image_stack


def _lowpass(stack, weight):
    """Tikhonov low-pass of a validated stack ``(n, H, W)`` (mirror-extended, periodic)."""
    if weight == 0:
        return stack.copy()
    _, height, width = stack.shape
    # Mirror extension makes the periodic DFT see a continuous image.
    extended = np.concatenate([stack, stack[:, ::-1]], axis=1)
    extended = np.concatenate([extended, extended[:, :, ::-1]], axis=2)
    rows = 2 - 2 * np.cos(2 * np.pi * np.fft.fftfreq(2 * height))
    cols = 2 - 2 * np.cos(2 * np.pi * np.fft.rfftfreq(2 * width))
    gain = 1.0 / (1.0 + weight * (rows[:, np.newaxis] + cols[np.newaxis, :]))
    spectrum = sp_fft.rfft2(extended) * gain.astype(stack.dtype)
    return sp_fft.irfft2(spectrum, s=extended.shape[1:])[:, :height, :width].astype(
        stack.dtype, copy=False)


@validate_params(
    {"images": ["array-like"], "weight": [Interval(Real, 0, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def lowpass(images, *, weight=5.0):
    """Smooth component of images by Tikhonov regularisation of the gradient.

    ``l = argmin_l 1/2 ||l - s||^2 + weight/2 ||grad l||^2``, solved in closed form in the
    DFT domain (the image is mirror-extended first, so borders are not wrapped around).
    Convolutional sparse coding represents the detail ``s - l`` and leaves this smooth part
    aside, since a few small filters represent flat regions and slow gradients poorly.

    Parameters
    ----------
    images : array-like of shape (H, W) or (n_images, H, W)
        Grey-level images.
    weight : float, default=5.0
        Weight of the gradient penalty: larger is smoother. 0 returns a copy of the images.

    Returns
    -------
    low : ndarray of the shape of ``images``
        The smooth component (float32 for float32 input, float64 otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.image import lowpass
    >>> ramp = np.tile(np.linspace(0, 1, 32), (32, 1))
    >>> bool(np.abs(lowpass(ramp) - ramp).max() < 0.1)  # slow gradients pass
    True
    """
    stack, single = check_image_stack(images, name="images")
    low = _lowpass(stack, float(weight))
    return low[0] if single else low


def split_detail(stack, weight):
    """``(low, detail)`` of a validated stack for the estimators' ``lowpass`` parameter:
    weight 0 means no split (everything is detail)."""
    if weight == 0:
        return np.zeros_like(stack), stack
    low = _lowpass(stack, float(weight))
    return low, stack - low
