"""Synthetic images, noise and defects."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from scipy import ndimage
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


# Defect kinds that are visible but not pure intensity outliers (the benchmark's set),
# and the three of earlier releases.
DEFECT_KINDS = ("bead", "pit", "curved_scratch", "foreign", "film", "blur", "stain")
_LEGACY_KINDS = ("blob", "scratch", "texture")
# A defect of DEFECT_KINDS must change its pixels by at least this fraction of
# ``contrast`` (root mean square over its mask: 0.01, about 2.5 grey levels of 255, at the
# default contrast). Blur, film and foreign texture change only what is there to change,
# and beads and pits depend on the brightness under them: on a flat region a blur changes
# nothing, yet its mask would still count as defective. Such draws are redrawn elsewhere.
_VISIBLE_FRACTION = 0.04
_MAX_DRAWS = 50


def _smooth_ellipse(rows, cols, rng, radii_range, margin, edge=2.0):
    """A soft elliptical mask in [0, 1] (Gaussian edge) at a random place."""
    height, width = rows.shape
    radii = rng.uniform(*radii_range, size=2)
    center = rng.uniform([margin, margin], [height - margin, width - margin])
    angle = rng.uniform(0, np.pi)
    dr, dc = rows - center[0], cols - center[1]
    u = (dr * np.cos(angle) + dc * np.sin(angle)) / radii[0]
    v = (-dr * np.sin(angle) + dc * np.cos(angle)) / radii[1]
    hard = (u**2 + v**2 <= 1).astype(float)
    return ndimage.gaussian_filter(hard, edge)


def _curved_path(rng, shape, length, zoom=1.0):
    """Pixels along a smooth random curve of ``length`` pixels at zoom 1, seen at ``zoom``."""
    height, width = shape
    start = rng.uniform([0.15 * height, 0.15 * width], [0.85 * height, 0.85 * width])
    n_points = int(2 * length)
    angle = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.06, n_points))
    # The same turns at every zoom (the curve's shape is drawn at zoom 1), steps of half
    # a pixel at zoom 1: zoomed in, the steps are resampled so the path has no gaps.
    steps = 0.5 * zoom * np.stack([np.sin(angle), np.cos(angle)], axis=1)
    points = start + np.cumsum(steps, axis=0)
    if zoom > 1:
        fine = np.linspace(0, n_points - 1, int(np.ceil((n_points - 1) * zoom)) + 1)
        points = np.stack([np.interp(fine, np.arange(n_points), points[:, axis])
                           for axis in range(2)], axis=1)
    points = np.round(points).astype(int)
    inside = ((points[:, 0] >= 0) & (points[:, 0] < height) & (points[:, 1] >= 0)
              & (points[:, 1] < width))
    path = np.zeros(shape, dtype=bool)
    path[points[inside, 0], points[inside, 1]] = True
    return path


def _foreign_square(rng, source, size, zoom, shape):
    """A square of ``source``, ``size`` pixels wide there, seen at ``zoom`` at a random
    place of an image of ``shape``: the square's pixels (resampled by cubic splines,
    anti-aliased when shrinking; smaller than the image), the slices of the image it
    covers and its region."""
    size = max(1, size)
    side = min(max(1, int(round(size * zoom))), min(shape) - 1)
    r0, c0 = rng.randint(0, shape[0] - side), rng.randint(0, shape[1] - side)
    s0, t0 = rng.randint(0, source.shape[0] - size), rng.randint(0, source.shape[1] - size)
    patch = source[s0:s0 + size, t0:t0 + size]
    if side != size:
        if side < size:
            patch = ndimage.gaussian_filter(patch, (size / side - 1) / 2)
        patch = ndimage.zoom(patch, side / size, order=3, grid_mode=True, mode="reflect")
    window = (slice(r0, r0 + side), slice(c0, c0 + side))
    region = np.zeros(shape, dtype=bool)
    region[window] = True
    return patch, window, region


def _new_defect(kind, defective, rows, cols, rng, contrast, foreign, zoom=1.0):
    """Apply one defect of a kind of :data:`DEFECT_KINDS`, its lengths multiplied by
    ``zoom``; return the image and region."""
    shape = defective.shape
    margin = min(16 * zoom, min(shape) // 4)
    if kind in ("bead", "pit"):
        soft = _smooth_ellipse(rows, cols, rng, (3 * zoom, 8 * zoom), margin,
                               edge=1.5 * zoom)
        if kind == "bead":  # a bright bead, brighter at its centre
            defective = defective + contrast * 1.6 * soft * (1 - defective)
        else:  # a dark pit: the surface is darkened, its texture still faintly there
            defective = defective * (1 - 0.7 * soft)
        return defective, soft > 0.5
    if kind == "curved_scratch":
        path = _curved_path(rng, shape, rng.uniform(40, 120), zoom)
        distance = ndimage.distance_transform_edt(~path)
        soft = np.clip(1.5 - distance / zoom, 0, 1)  # about 2 pixels wide at zoom 1
        sign = rng.choice([-1.0, 1.0])
        return defective + sign * contrast * soft, soft > 0.5
    if kind == "foreign":
        # The side is drawn at zoom 1; the foreign texture is zoomed with the square.
        size = int(rng.randint(24, 49))
        size = min(size, int((min(shape) - 1) / zoom), min(foreign.shape) - 1)
        patch, window, region = _foreign_square(rng, foreign, size, zoom, shape)
        local = defective[window]
        # Same mean and spread as what it replaces: only the texture differs.
        patch = (patch - patch.mean()) / max(patch.std(), 1e-6) * local.std() + local.mean()
        defective = defective.copy()
        defective[region] = patch.ravel()
        return defective, region
    radii = (8, 20) if kind != "stain" else (14, 30)
    soft = _smooth_ellipse(rows, cols, rng, (radii[0] * zoom, radii[1] * zoom), margin,
                           edge=2.0 * zoom)
    if kind == "film":  # semi-transparent: the texture shows through at reduced contrast
        alpha = rng.uniform(0.45, 0.65)
        cover = np.sum(defective * soft) / max(np.sum(soft), 1e-12)
        defective = defective * (1 - alpha * soft) + alpha * soft * cover
    elif kind == "blur":  # a smeared region: local energy lost, mean kept
        blurred = ndimage.gaussian_filter(defective, rng.uniform(1.5, 3.0) * zoom)
        defective = defective * (1 - soft) + blurred * soft
    else:  # "stain": a faint smooth change of brightness
        sign = rng.choice([-1.0, 1.0])
        defective = defective + sign * 0.3 * contrast * soft
    return defective, soft > 0.5


def _visible_defect(kind, defective, rows, cols, rng, contrast, foreign, zoom):
    """Draw defects of one kind until one changes its pixels visibly; apply that one."""
    floor = _VISIBLE_FRACTION * contrast
    before = np.clip(defective, 0.0, 1.0)
    for _ in range(_MAX_DRAWS):
        candidate, region = _new_defect(kind, defective, rows, cols, rng, contrast, foreign,
                                        zoom)
        change = np.clip(candidate[region], 0.0, 1.0) - before[region]
        if region.any() and np.sqrt(np.mean(change ** 2)) >= floor:
            return candidate, region
    raise ValueError(
        f"could not place a visible {kind!r} defect in {_MAX_DRAWS} draws: the image is "
        f"too flat for it (every draw changed its pixels by less than {floor:.3g} root mean "
        "square); lower contrast or choose other kinds."
    )


def make_defects(image, n_defects: int = 3, *, kinds=("blob", "scratch", "texture"),
                 foreign=None, contrast: float = 0.25, zoom: float = 1.0,
                 random_state=None):
    """Plant synthetic defects in a (normal) image and return their pixel mask.

    Parameters
    ----------
    image : array-like of shape (H, W)
        Grey-level image in [0, 1]; not modified.
    n_defects : int, default=3
        Number of defects, cycling through ``kinds``.
    kinds : sequence of str, default=("blob", "scratch", "texture")
        Kinds of :data:`DEFECT_KINDS`, each visible but not a pure intensity outlier
        (sizes at ``zoom=1``):

        * ``"bead"``: a bright round bead (3 to 8 pixels), brighter at its centre;
        * ``"pit"``: a dark round pit, the texture faintly visible in it;
        * ``"curved_scratch"``: a thin (about 2 pixels) curved line, +-``contrast``;
        * ``"foreign"``: a square (24 to 48 pixels) of ``foreign`` texture rescaled to the
          mean and standard deviation of what it replaces;
        * ``"film"``: a semi-transparent film, the texture seen at reduced contrast;
        * ``"blur"``: a blurred (smeared) region, mean kept, local energy lost;
        * ``"stain"``: a faint (0.3 ``contrast``) smooth change of brightness.

        Defects that lower the local energy (film, blur, stain) are the hard ones for
        detectors that look for unusual energy. How much film, blur and foreign texture
        change depends on what is under them (a blur on a flat region changes nothing), and
        so do beads on bright and pits on dark regions: a defect of these kinds that
        changes its pixels by less than ``0.04 * contrast`` (root mean square over its
        mask; about 2.5 grey levels of 255 at the default) is drawn again elsewhere, so
        that every pixel of the mask is part of a visible defect.

        The kinds of earlier releases are kept, placed without that check: ``"blob"`` (an
        elliptical spot shifted by +-``contrast``), ``"scratch"`` (a straight line 2 to 3
        pixels wide, +-``contrast``) and ``"texture"`` (a square of ``foreign`` copied as
        it is).
    foreign : array-like of shape (H2, W2), default=None
        Image that foreign-texture squares are cut from; needed for ``"texture"`` and
        ``"foreign"``.
    contrast : float, default=0.25
        Grey-level change of blobs, beads and scratches (stains: 0.3 of it).
    zoom : float, default=1.0
        Magnification of the defects: every length above (sizes, widths, lengths, the
        blur's width, the softness of edges) is multiplied by ``zoom``, and foreign
        texture is zoomed with its square (cubic splines, anti-aliased when shrinking).
        An image of a texture at another zoom (e.g. from
        :func:`make_nanofibres`) gets defects at the same zoom: the whole scene seen at
        another magnification. Positions, shapes and signs are the same draws at every
        zoom; at ``zoom=1`` the defects are those of earlier releases.
    random_state : int, RandomState instance or None
        Seeds positions, sizes and signs.

    Returns
    -------
    defective : ndarray of shape (H, W)
        The image with the defects, clipped to [0, 1].
    mask : ndarray of bool of shape (H, W)
        True on defect pixels.

    Raises
    ------
    ValueError
        If no visible defect of a kind could be placed in 50 draws (an image too flat
        for it).

    Examples
    --------
    >>> from sk_sparse.datasets import load_image, make_defects
    >>> brick = load_image("camera")[:128, :128]
    >>> defective, mask = make_defects(brick, 2, kinds=("blob", "scratch"), random_state=0)
    >>> defective.shape, mask.dtype, bool(mask.any())
    ((128, 128), dtype('bool'), True)

    The same defects seen at twice the magnification cover about four times the area:

    >>> _, zoomed = make_defects(brick, 2, kinds=("blob", "scratch"), zoom=2.0, random_state=0)
    >>> round(float(zoomed.sum() / mask.sum()), 1)
    3.6
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W); got shape {image.shape}.")
    unknown = set(kinds) - set(DEFECT_KINDS) - set(_LEGACY_KINDS)
    if unknown:
        raise ValueError(
            f"kinds must be among {DEFECT_KINDS + _LEGACY_KINDS}; got {sorted(unknown)}."
        )
    if (isinstance(zoom, bool) or not isinstance(zoom, Real) or not np.isfinite(zoom)
            or zoom <= 0):
        raise ValueError(f"zoom must be a finite number > 0; got {zoom!r}.")
    if {"texture", "foreign"} & set(kinds) and foreign is None:
        raise ValueError("kinds includes 'texture' or 'foreign': pass foreign= (an image to "
                         "cut from).")
    if foreign is not None:
        foreign = np.asarray(foreign, dtype=np.float64)
    rng = check_random_state(random_state)
    height, width = image.shape
    rows, cols = np.mgrid[0:height, 0:width]
    defective = image.copy()
    mask = np.zeros(image.shape, dtype=bool)
    for k in range(n_defects):
        kind = kinds[k % len(kinds)]
        if kind in DEFECT_KINDS:
            defective, region = _visible_defect(kind, defective, rows, cols, rng, contrast,
                                                foreign, zoom)
            mask |= region
            continue
        sign = rng.choice([-1.0, 1.0])
        if kind == "blob":
            center = rng.uniform([16, 16], [height - 16, width - 16])
            radii = rng.uniform(6, 14, size=2) * zoom
            region = (((rows - center[0]) / radii[0]) ** 2
                      + ((cols - center[1]) / radii[1]) ** 2) <= 1
            defective[region] += sign * contrast
        elif kind == "scratch":
            start = rng.uniform([0, 0], [height, width])
            angle = rng.uniform(0, np.pi)
            length = rng.uniform(40, 120) * zoom
            direction = np.array([np.sin(angle), np.cos(angle)])
            offset_r, offset_c = rows - start[0], cols - start[1]
            along = np.clip(offset_r * direction[0] + offset_c * direction[1], 0, length)
            distance = np.hypot(offset_r - along * direction[0], offset_c - along * direction[1])
            region = distance <= rng.uniform(1.0, 1.5) * zoom
            defective[region] += sign * contrast
        else:
            source = np.asarray(foreign, dtype=np.float64)
            patch, _, region = _foreign_square(rng, source, int(rng.randint(24, 49)), zoom,
                                               image.shape)
            defective[region] = patch.ravel()
        mask |= region
    return np.clip(defective, 0.0, 1.0), mask
