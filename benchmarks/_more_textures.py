"""Six synthetic textures that no detector of sk_sparse was developed on.

Used by ``bench_anomaly.py --unseen``. They stand in for the kinds of surface an
inspection system meets (the texture categories of MVTec AD: wood, a wire grid,
leather, tiles, carpet; and concrete) and differ from the benchmark's five in what
makes them hard: oriented grain that bends (wood), a periodic lattice, gently warped
(grid), blob-shaped wrinkles with sparse pores (leather), flat regions of random
brightness split by thin dark joints (tile), brightness that varies at every scale
(concrete, a 1/f field) and a dense tangle of short bright strands (carpet). Each
function returns a float image in [0, 1] with at most 0.13% of its pixels clipped
(carpet's brightest strand crossings): a saturated region would set a test image apart
from the training crops.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def _smooth_noise(rng, shape, sigma):
    """Gaussian noise low-passed by a Gaussian of ``sigma`` pixels, unit variance."""
    field = ndimage.gaussian_filter(rng.standard_normal(shape), sigma, mode="wrap")
    return field / field.std()


def wood(size=512, random_state=0):
    """Grain lines whose phase is bent by smooth noise, with fine streaks along them."""
    rng = np.random.default_rng(random_state)
    shape = (size, size)
    x = np.broadcast_to(np.arange(size, dtype=float), shape)
    bend = 25 * _smooth_noise(rng, shape, 40) + 6 * _smooth_noise(rng, shape, 10)
    grain = np.sin(2 * np.pi * (x + bend) / 23.0)
    streaks = ndimage.gaussian_filter(rng.standard_normal(shape), (6, 0.7))
    streaks /= streaks.std()
    image = 0.5 + 0.12 * grain + 0.05 * streaks + 0.02 * rng.standard_normal(shape)
    return np.clip(image, 0, 1)


def grid(size=512, random_state=0):
    """A wire mesh of period 17 pixels, turned by 7 degrees and gently warped, with
    uneven lighting of the wires."""
    rng = np.random.default_rng(random_state)
    shape = (size, size)
    y, x = np.mgrid[0:size, 0:size].astype(float)
    angle, period = np.deg2rad(7.0), 17.0
    u = np.cos(angle) * x + np.sin(angle) * y + 3 * _smooth_noise(rng, shape, 60)
    v = -np.sin(angle) * x + np.cos(angle) * y + 3 * _smooth_noise(rng, shape, 60)

    def distance_to_wire(t):
        return np.abs((t / period) % 1 - 0.5) * period

    wires = np.maximum(np.exp(-(distance_to_wire(u) / 1.6) ** 2),
                       np.exp(-(distance_to_wire(v) / 1.6) ** 2))
    lighting = 0.55 + 0.1 * _smooth_noise(rng, shape, 50)
    image = 0.2 + lighting * wires + 0.03 * rng.standard_normal(shape)
    return np.clip(image, 0, 1)


def leather(size=512, random_state=0):
    """Bright wrinkles (the zero set of band-passed noise) with sparse dark pores."""
    rng = np.random.default_rng(random_state)
    shape = (size, size)
    band = _smooth_noise(rng, shape, 3) - 0.6 * _smooth_noise(rng, shape, 6)
    wrinkles = np.exp(-(band / 0.35) ** 2)
    pores = ndimage.gaussian_filter((rng.random(shape) < 0.004).astype(float), 1.0)
    pores /= pores.max()
    image = (0.45 + 0.18 * wrinkles - 0.25 * pores + 0.05 * _smooth_noise(rng, shape, 30)
             + 0.025 * rng.standard_normal(shape))
    return np.clip(image, 0, 1)


def tile(size=512, random_state=0):
    """Voronoi tiles of random flat brightness with a fine speckle, split by dark
    joints."""
    rng = np.random.default_rng(random_state)
    shape = (size, size)
    n_tiles = max(4, round(90 * (size / 512) ** 2))
    centres = rng.random((n_tiles, 2)) * size
    y, x = np.mgrid[0:size, 0:size]
    labels = np.empty(shape, dtype=np.intp)
    joint = np.empty(shape)
    for start in range(0, size, 64):  # strips: the distance table is rows x n_tiles
        rows = slice(start, start + 64)
        d2 = ((y[rows, :, None] - centres[:, 0]) ** 2
              + (x[rows, :, None] - centres[:, 1]) ** 2)
        nearest = np.sort(d2, axis=-1)[..., :2]
        labels[rows] = np.argmin(d2, axis=-1)
        joint[rows] = np.sqrt(nearest[..., 1]) - np.sqrt(nearest[..., 0])
    levels = np.clip(0.45 + 0.12 * rng.standard_normal(n_tiles), 0.2, 0.7)
    speckle = ndimage.gaussian_filter(rng.standard_normal(shape), 0.8)
    speckle /= speckle.std()
    image = (levels[labels] + 0.05 * speckle - 0.15 * np.exp(-(joint / 2.0) ** 2)
             + 0.02 * rng.standard_normal(shape))
    return np.clip(image, 0, 1)


def concrete(size=512, random_state=0):
    """A 1/f^1.4 brightness field (variation at every scale) with small dark pores."""
    rng = np.random.default_rng(random_state)
    shape = (size, size)
    f = np.fft.fftfreq(size)
    radius = np.hypot(f[:, None], f[None, :])
    radius[0, 0] = 1.0
    spectrum = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / radius**1.4
    spectrum[0, 0] = 0.0
    field = np.real(np.fft.ifft2(spectrum))
    field = (field - field.mean()) / field.std()
    pores = ndimage.grey_dilation((rng.random(shape) < 0.002).astype(float), size=(3, 3))
    pores = ndimage.gaussian_filter(pores, 0.7)
    image = 0.55 + 0.08 * field - 0.3 * pores + 0.04 * rng.standard_normal(shape)
    return np.clip(image, 0, 1)


def carpet(size=512, random_state=0):
    """A dense tangle of short bright strands, mostly leaning one way."""
    rng = np.random.default_rng(random_state)
    shape = (size, size)
    n_strands = round(9000 * (size / 512) ** 2)
    centre_y, centre_x = rng.random(n_strands) * size, rng.random(n_strands) * size
    angle = rng.normal(0.6, 0.5, n_strands)
    half_length = rng.uniform(4, 9, n_strands)
    brightness = rng.uniform(0.5, 1.0, n_strands)
    t = np.linspace(-1, 1, 12)
    ys = centre_y[:, None] + (np.sin(angle) * half_length)[:, None] * t
    xs = centre_x[:, None] + (np.cos(angle) * half_length)[:, None] * t
    image = np.zeros(shape)
    np.add.at(image, (np.floor(ys).astype(int) % size, np.floor(xs).astype(int) % size),
              np.repeat(brightness, len(t)).reshape(ys.shape))
    image = ndimage.gaussian_filter(image, 0.9, mode="wrap")
    image = image / np.quantile(image, 0.99) * 0.7 + 0.1 + 0.02 * rng.standard_normal(shape)
    return np.clip(image, 0, 1)


MORE_TEXTURES = {"wood": wood, "grid": grid, "leather": leather, "tile": tile,
                 "concrete": concrete, "carpet": carpet}
