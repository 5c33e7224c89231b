"""Synthetic textures at any zoom: SEM-like nanofibre mats and woven fabric."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from scipy import ndimage
from sklearn.utils import check_random_state

from ..utils._compat import Interval, validate_params
from ..utils._validation import as_pair

# Points sampled per pixel of fibre length when rasterising a fibre.
_STEP = 0.5
# Depth-of-field classes: fibres are drawn in this many layers of similar blur.
_LAYERS = 6


def _curve(rng, height, width, length, turn_std, margin):
    """Points of a smooth random curve crossing the (padded) image."""
    start = rng.uniform([-margin, -margin], [height + margin, width + margin])
    n_points = int(length / _STEP)
    angle = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, turn_std * np.sqrt(_STEP),
                                                             n_points))
    steps = _STEP * np.stack([np.sin(angle), np.cos(angle)], axis=1)
    # Start in the middle of the curve so that it crosses the image in both directions.
    points = start + np.cumsum(steps, axis=0) - np.sum(steps[: n_points // 2], axis=0)
    return points


def _splat(points, weights, shape):
    """Add point masses into an image by bilinear weights."""
    image = np.zeros(shape)
    rows, cols = points[:, 0], points[:, 1]
    r0, c0 = np.floor(rows).astype(int), np.floor(cols).astype(int)
    fr, fc = rows - r0, cols - c0
    for dr, dc, w in ((0, 0, (1 - fr) * (1 - fc)), (0, 1, (1 - fr) * fc),
                      (1, 0, fr * (1 - fc)), (1, 1, fr * fc)):
        r, c = r0 + dr, c0 + dc
        inside = (r >= 0) & (r < shape[0]) & (c >= 0) & (c < shape[1])
        np.add.at(image, (r[inside], c[inside]), (weights * w)[inside])
    return image


@validate_params(
    {
        "shape": [Interval(Integral, 8, None, closed="left"), tuple, list],
        "zoom": [Interval(Real, 0, None, closed="neither")],
        "density": [Interval(Real, 0, None, closed="neither")],
        "width": [Interval(Real, 0, None, closed="neither")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_nanofibres(shape=256, *, zoom=1.0, density=1.0, width=3.0, noise=0.04,
                    random_state=None):
    """An SEM-like image of a mat of nanofibres, at any zoom.

    Long, smoothly curving bright fibres of varying width cross a dark background. Each
    fibre lies at a random depth: deeper fibres are dimmer and more blurred (the
    microscope's depth of field), and nearer ones are drawn over them. The image is then
    corrupted by SEM-like noise, Poisson (shot) noise plus Gaussian read noise.

    ``zoom`` is the magnification: every length (fibre width, blur, the distance over
    which a fibre bends) scales with it, and the number of fibres crossing the image
    scales with ``1 / zoom``, so the same mat seen at another zoom has the same
    statistics at the other scale. Images at several zooms are what the domain-shift
    experiments need.

    Parameters
    ----------
    shape : int or (int, int), default=256
        Image height and width (at least 8).
    zoom : float, default=1.0
        Magnification.
    density : float, default=1.0
        Fibres per unit length of the image border, relative to the default mat.
    width : float, default=3.0
        Mean fibre diameter in pixels at ``zoom=1`` (each fibre varies by +-40%).
    noise : float, default=0.04
        Standard deviation of the noise at mid-grey (half shot noise, half read noise
        in variance); 0 gives a clean image.
    random_state : int, RandomState instance or None, default=None
        Seeds the fibres and the noise.

    Returns
    -------
    image : ndarray of shape ``shape``
        Grey levels in [0, 1].

    References
    ----------
    D. Carrera, F. Manganini, G. Boracchi and E. Lanzarone, "Defect detection in SEM
    images of nanofibrous materials", IEEE Trans. Industrial Informatics 13(2), 2017
    (the application; the generator is written for sk_sparse).

    Examples
    --------
    >>> from sk_sparse.datasets import make_nanofibres
    >>> image = make_nanofibres(128, random_state=0)
    >>> image.shape, bool(0 <= image.min() and image.max() <= 1)
    ((128, 128), True)
    >>> zoomed = make_nanofibres(128, zoom=2.0, random_state=0)  # thicker, fewer fibres
    """
    height, width_px = as_pair(shape, "shape")
    if min(height, width_px) < 8:
        raise ValueError(f"shape must be at least 8 x 8 pixels; got {(height, width_px)}.")
    rng = check_random_state(random_state)
    n_fibres = max(1, int(round(density * 0.12 * (height + width_px) / zoom)))
    diagonal = np.hypot(height, width_px)
    margin = 0.25 * diagonal
    layers = np.zeros((_LAYERS, height, width_px))
    blurs = np.zeros(_LAYERS)
    for _ in range(n_fibres):
        depth = rng.uniform()
        layer = min(int(depth * _LAYERS), _LAYERS - 1)
        sigma_w = 0.5 * width * zoom * rng.uniform(0.6, 1.4)  # the fibre's radius
        brightness = 0.95 - 0.55 * depth
        points = _curve(rng, height, width_px, 1.5 * diagonal, 0.02 / zoom, margin)
        # Point masses along the path, scaled so that the profile of a fibre of radius
        # sigma_w, once blurred by sigma_w, peaks at its brightness.
        mass = brightness * _STEP * sigma_w * np.sqrt(2 * np.pi)
        image = _splat(points, np.full(len(points), mass), (height, width_px))
        # Each layer is blurred once: the fibre's own profile and the depth blur.
        depth_blur = (0.3 + 2.5 * (layer + 0.5) / _LAYERS) * zoom
        blurs[layer] = np.hypot(0.5 * width * zoom, depth_blur)
        layers[layer] += image * (blurs[layer] / sigma_w)
    mat = np.zeros((height, width_px))
    for layer in range(_LAYERS - 1, -1, -1):  # far to near: nearer fibres cover farther
        if blurs[layer] == 0:
            continue
        drawn = np.clip(ndimage.gaussian_filter(layers[layer], blurs[layer]), 0, 1)
        mat = drawn + mat * (1 - drawn)
    background = 0.06 + 0.04 * ndimage.gaussian_filter(rng.standard_normal((height, width_px)),
                                                       16 * zoom)
    clean = np.clip(background + (1 - background) * mat, 0, 1)
    if noise == 0:
        return clean
    # Shot noise with the variance of half the target at mid-grey, read noise the rest.
    photons = 0.5 / (0.5 * noise**2)
    shot = rng.poisson(clean * photons) / photons
    return np.clip(shot + rng.normal(0, noise / np.sqrt(2), clean.shape), 0, 1)


@validate_params(
    {
        "shape": [Interval(Integral, 8, None, closed="left"), tuple, list],
        "zoom": [Interval(Real, 0, None, closed="neither")],
        "period": [Interval(Real, 2, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_woven(shape=256, *, zoom=1.0, period=12.0, noise=0.03, random_state=None):
    """A woven fabric: warp and weft threads in a plain over-under weave, at any zoom.

    Threads have a rounded profile, jitter in position and width from thread to
    thread, and a slow variation of brightness along their length; crossings alternate
    which thread is on top. ``zoom`` scales the thread period.

    Parameters
    ----------
    shape : int or (int, int), default=256
        Image height and width (at least 8).
    zoom : float, default=1.0
        Magnification.
    period : float, default=12.0
        Distance between neighbouring threads in pixels at ``zoom=1``.
    noise : float, default=0.03
        Standard deviation of additive Gaussian noise.
    random_state : int, RandomState instance or None, default=None
        Seeds the jitter and the noise.

    Returns
    -------
    image : ndarray of shape ``shape``
        Grey levels in [0, 1].

    Examples
    --------
    >>> from sk_sparse.datasets import make_woven
    >>> make_woven(64, random_state=0).shape
    (64, 64)
    """
    height, width_px = as_pair(shape, "shape")
    rng = check_random_state(random_state)
    step = period * zoom

    def threads(length, across):
        """Per-pixel thread index and position across the thread in [-1, 1]."""
        n = int(np.ceil(across / step)) + 2
        centres = (np.arange(n) - 0.5) * step + rng.normal(0, 0.08 * step, n)
        half = 0.5 * step * rng.uniform(0.75, 0.95, n)
        coordinate = np.arange(across)
        index = np.clip(np.searchsorted(centres, coordinate), 1, n - 1)
        nearest = np.where(coordinate - centres[index - 1] < centres[index] - coordinate,
                           index - 1, index)
        offset = (coordinate - centres[nearest]) / half[nearest]
        shade = 0.75 + 0.15 * ndimage.gaussian_filter1d(rng.standard_normal((n, length)),
                                                        4 * step, axis=1)
        return nearest, offset, shade

    rows, cols = np.arange(height), np.arange(width_px)
    warp_index, warp_offset, warp_shade = threads(height, width_px)  # vertical threads
    weft_index, weft_offset, weft_shade = threads(width_px, height)  # horizontal threads

    def profile(offset):
        return np.sqrt(np.clip(1 - offset**2, 0, 1))

    warp = profile(warp_offset)[np.newaxis, :] * warp_shade[warp_index][:, rows].T
    weft = profile(weft_offset)[:, np.newaxis] * weft_shade[weft_index][:, cols]
    warp_on_top = (warp_index[np.newaxis, :] + weft_index[:, np.newaxis]) % 2 == 0
    top = np.where(warp_on_top, warp, weft)
    bottom = np.where(warp_on_top, weft, warp)
    image = np.where(top > 0, top, 0.6 * bottom) * 0.85 + 0.05
    image = ndimage.gaussian_filter(image, 0.5 * zoom)
    return np.clip(image + rng.normal(0, noise, image.shape), 0, 1)
