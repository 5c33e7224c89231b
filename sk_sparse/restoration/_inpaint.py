"""OMPInpainter: fill missing pixels by sparse coding of the observed part of each patch."""

from __future__ import annotations

from functools import partial
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sparse
from scipy import ndimage
from scipy.sparse.linalg import cg, spsolve
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..coding._omp import _masked_omp
from ..decomposition._resolve import (
    DICTIONARY_CONSTRAINT,
    LEARNED,
    dictionary_kind,
    resolve_dictionary,
)
from ..image._grid import (
    assemble_patch_grid,
    assemble_patch_weights,
    extract_patch_grid,
    patch_positions,
)
from ..image._strips import accumulate_strips
from ..utils._compat import Interval, StrOptions, _fit_context
from ..utils._random import own_stream
from ..utils._validation import (
    ImageInputMixin,
    check_colour_images,
    check_image_stack,
    check_patch_fits,
    check_stride,
)

# Patches a K-SVD dictionary is learned from at most (a random subset beyond that): more
# adds time, not quality, for 256 atoms of 8 x 8.
_MAX_TRAINING_PATCHES = 40_000
# Side of the patches of the shipped dictionary (64 features).
_SHIPPED_PATCH_SIZE = 8
# The residual target delta_i = _RESIDUAL_FACTOR * p * sigma * sqrt(observed fraction).
_RESIDUAL_FACTOR = 1.15
# blend="validated": the fraction of observed pixels held out to measure both methods,
# the fewest held-out pixels an image needs for it, and the relative tolerance of the
# conjugate gradients of the biharmonic fill.
_HELD_OUT = 0.1
_HELD_OUT_STREAM = 0x1B1E
_MIN_HELD_OUT = 20
_CG_RTOL = 1e-8
# The local errors are Gaussian means of width _ERROR_SCALE patch sides, and the weights
# compare their _WEIGHT_POWER-th powers. Measured on 10 images x 3 masks (30%, 70%, 32 px
# holes): width p and power 1 left a fundus image 0.8 dB behind biharmonic; 2p and 4
# (a sharper choice between the two methods) kept every case within 0.21 dB of it. With
# the errors shrunk towards the image's mean (_PRIOR_PIXELS) they are less noisy, and
# power 8 took moon's 30% random mask from 0.46 dB behind biharmonic to 0.29.
_ERROR_SCALE = 2
_WEIGHT_POWER = 8
# Missing pixels farther than _DEEP patch sides from every observed pixel are deep inside
# a hole. The observed pixels within _RING patch sides of them are held out too, where at
# least a fraction _RING_DENSITY of the pixels around is observed, so that each method is
# also measured on filling a hole from farther away, as it must inside. Measured on
# bench_inpaint.py --wide: rings of one patch side left moon's 32 px holes 3.7 dB behind
# Telea, two sides 0.5 dB; without the density condition, 90% random masks held out a
# quarter to three quarters of their observed pixels (brick lost 1.9 dB).
_DEEP = 0.5
_RING = 2.0
_RING_DENSITY = 0.5
# The Gaussian weight of ring pixels (a fraction of one) below which a deep pixel is
# judged by the other held-out pixels instead.
_RING_REACH = 1e-3
# Held-out pixels shaped like the missing ones (see _shaped_held_out): components of
# the shifted mask of up to _COMPONENT patch areas are held out whole, at least _APART
# pixels from the missing ones; and a fraction _SCATTERED of the observed pixels on top,
# scattered. Scattered single pixels alone had judged the harmonic fill as good as the
# biharmonic one on scratches and text over a smooth microscopy image (cell), where it
# is 3.7 times worse: 2.2 dB lost. Shaped pixels alone cost brick's 512 px scratches
# and text 1.2 dB.
_COMPONENT = 4
_APART = 3
_SCATTERED = 0.05
_SCATTERED_STREAM = 0x5CA7
# Each local error is shrunk towards the image's mean error as if _PRIOR_PIXELS held-out
# pixels of that mean were added to its neighbourhood (about four times what a
# neighbourhood holds at 10% held out), so that the blend follows the method that is best
# over the whole image unless the local evidence is strong. Measured on bench_inpaint.py
# --wide and --unseen: with no shrinkage and power 4, an image where the biharmonic fill
# wins everywhere (cell, 90% random) lost 1.6 dB to it.
_PRIOR_PIXELS = 640.0
# The directions a hole's twins are shifted in (rows, columns; see _twin_errors): the four
# diagonal ones and the four along the axes. With the diagonal ones alone, one hole of
# clock's 32 px layout (bench_inpaint.py --holes, seed 1) held 92% of the biharmonic
# fill's squared error, 2.7 times the harmonic fill's there, but its diagonal twins rated
# the biharmonic fill 3 times better and the blend lost 3.9 dB to Navier-Stokes; with
# all eight the hole is rated 1.8 times worse for the biharmonic fill (-0.14 dB). Over
# the 114 cases of --holes the median gain went from +0.35 to +0.42 dB; on the 38 hole
# cases of --wide and --unseen the change was neutral.
_TWIN_DIRECTIONS = np.array([(1, 1), (1, -1), (-1, 1), (-1, -1),
                             (1, 0), (-1, 0), (0, 1), (0, -1)])


def _neumann_laplacian(n):
    """Second differences of a length-``n`` signal, mirrored at both ends."""
    if n == 1:
        return sparse.csr_matrix((1, 1))
    main = np.full(n, -2.0)
    main[0] = main[-1] = -1.0
    return sparse.diags([np.ones(n - 1), main, np.ones(n - 1)], [-1, 0, 1])


def _smooth_systems(shape):
    """``(-L, L^T L)`` for the image Laplacian ``L`` of images of ``shape`` (CSR): the
    quadratic forms of the harmonic (squared gradient) and biharmonic (squared
    Laplacian) fills."""
    height, width = shape
    laplacian = (sparse.kron(sparse.eye(height), _neumann_laplacian(width))
                 + sparse.kron(_neumann_laplacian(height), sparse.eye(width))).tocsr()
    return -laplacian, (laplacian.T @ laplacian).tocsr()


def _smooth_fill(image, observed, system=None, direct=False):
    """The missing pixels that minimise the squared Laplacian of the image, the observed
    ones fixed (biharmonic inpainting): conjugate gradients on the missing pixels, or a
    sparse LU factorisation with ``direct`` (faster on a few compact holes, far slower
    on the single sprawling region of a dense random mask). ``system`` is the quadratic
    form to minimise, the biharmonic one of :func:`_smooth_systems` if None (the
    harmonic one gives the harmonic fill)."""
    if system is None:
        system = _smooth_systems(image.shape)[1]
    unknown = ~observed.ravel()
    values = image.ravel().astype(np.float64)
    if not unknown.any():
        return values.reshape(image.shape)
    rows = system[unknown]
    known_values = np.where(unknown, 0.0, values)
    if direct:
        solution = spsolve(rows[:, unknown].tocsc(), -(rows @ known_values))
    else:
        solution, _ = cg(rows[:, unknown], -(rows @ known_values), rtol=_CG_RTOL,
                         maxiter=10 * int(unknown.sum()))
    filled = values.copy()
    filled[unknown] = solution
    return filled.reshape(image.shape)


def _boundary_range(image, observed, where):
    """``image`` clipped, at the pixels ``where``, to the range of the observed pixels
    around their hole (the connected missing region, within two pixels of it)."""
    labels, n_holes = ndimage.label(~observed)
    if n_holes == 0 or not where.any():
        return image
    # Every observed pixel next to a hole takes that hole's label.
    distance, nearest = ndimage.distance_transform_edt(observed, return_indices=True)
    edge = observed & (distance <= 2)
    edge_labels = labels[tuple(nearest)][edge]
    index = np.arange(1, n_holes + 1)
    low = ndimage.minimum(image[edge], edge_labels, index)
    high = ndimage.maximum(image[edge], edge_labels, index)
    low, high = np.append(-np.inf, low), np.append(np.inf, high)
    hole = np.where(where, labels, 0)
    return np.clip(image, low[hole], high[hole])


def _smooth_fills(image, observed, holes, systems, clip=None, direct=False):
    """The harmonic and the biharmonic fill of ``image`` (:func:`_smooth_fill` with each
    of ``systems``), the latter kept within the range around its hole at the pixels
    ``holes`` (:func:`_boundary_range`), both clipped to ``clip`` if given."""
    harmonic, biharmonic = (_smooth_fill(image, observed, system, direct=direct)
                            for system in systems)
    biharmonic = _boundary_range(biharmonic, observed, holes)
    if clip is not None:
        harmonic, biharmonic = (np.clip(fill, clip[0], clip[1])
                                for fill in (harmonic, biharmonic))
    return harmonic, biharmonic


def _shifted(length, step):
    """Slices ``(to, from)`` of an axis of ``length`` that move values by ``step``."""
    return (slice(max(step, 0), length + min(step, 0)),
            slice(max(-step, 0), length + min(-step, 0)))


def _thickness(mask):
    """The thickness of most regions of ``mask``: the 90th percentile of the shorter
    sides of their bounding boxes; None without regions."""
    boxes = ndimage.find_objects(ndimage.label(mask)[0])
    if not boxes:
        return None
    return np.percentile([min(b[0].stop - b[0].start, b[1].stop - b[1].start)
                          for b in boxes], 90)


def _held_out_shift(missing, p):
    """How far the shaped held-out pixels and the twins of thin missing regions lie from
    the missing ones: the thickness of most missing regions plus two pixels, between
    ``p`` and ``4 p`` (``p`` without missing regions)."""
    thickness = _thickness(missing)
    return p if thickness is None else int(np.clip(thickness + 2, p, 4 * p))


def _shaped_held_out(observed, p, seed, shift=None):
    """Observed pixels to hold out, shaped like the missing ones (strokes where strokes
    are missing, blocks where blocks are), so that the errors measured on them are those
    of the real task: the missing mask shifted diagonally, on the observed pixels.

    The shift (``shift``, or :func:`_held_out_shift` if None) is the thickness of most
    missing regions (the 90th percentile of the shorter side of their bounding boxes,
    plus two pixels, between ``p`` and ``4 p``), so that a shifted block does not merge
    with its original into a larger hole.
    Components of up to ``_COMPONENT`` patch areas are held out whole or not at all,
    pixels of larger ones (the single region of a dense random mask) one by one, with the
    probability that holds out about a fraction ``_HELD_OUT`` of the observed pixels.
    Only pixels more than ``_APART`` pixels from every missing one are candidates. The
    draws come from a stream of their own seeded by ``seed``, so that an image's pixels
    depend only on its own mask.
    """
    random = own_stream(seed, _HELD_OUT_STREAM)
    height, width = observed.shape
    missing = ~observed
    if shift is None:
        shift = _held_out_shift(missing, p)
    (rows_to, rows_from), (cols_to, cols_from) = (_shifted(height, min(shift, height - 1)),
                                                  _shifted(width, min(shift, width - 1)))
    shifted = np.zeros_like(missing)
    shifted[rows_to, cols_to] = missing[rows_from, cols_from]
    # Apart from the missing pixels, or a shifted stroke crossing a real one would make
    # a larger hole than any real one (on brick's scratches and text the validation
    # then rated the harmonic fill above the biharmonic one, 1.5 times worse there).
    candidates = shifted & observed & (ndimage.distance_transform_edt(observed) > _APART)
    n_candidates = int(candidates.sum())
    if n_candidates < _MIN_HELD_OUT:  # a dense random mask: scattered pixels then
        return observed & (random.random(observed.shape) < _HELD_OUT)
    q = min(1.0, _HELD_OUT * observed.sum() / n_candidates)
    labels, n_labels = ndimage.label(candidates)
    sizes = np.bincount(labels.ravel())
    whole = random.random(n_labels + 1) < q
    single = random.random(observed.shape) < q
    small = sizes <= _COMPONENT * p * p
    return candidates & np.where(small[labels], whole[labels], single)


def _deep_holes(seen, p):
    """The holes of one observed mask and the distance of every pixel from their deep
    parts (missing pixels farther than ``_DEEP`` patch sides from every observed one);
    no holes and None when there is no deep part. The holes are every missing pixel a
    disk of radius ``_DEEP * p`` inside the missing region covers (the opening of the
    missing region)."""
    deep = ndimage.distance_transform_edt(~seen) > _DEEP * p
    if not deep.any():
        return np.zeros_like(seen), None
    from_deep = ndimage.distance_transform_edt(~deep)
    return ~seen & (from_deep <= _DEEP * p + 1), from_deep


def _hole_rings(observed, p):
    """Observed pixels near the deep parts of holes (see ``_DEEP`` and ``_RING``), and
    the holes, for every image of a stack of observed masks."""
    rings = np.zeros_like(observed)
    deeps = np.zeros_like(observed)
    for index, seen in enumerate(observed):
        if not seen.any():
            continue
        deeps[index], from_deep = _deep_holes(seen, p)
        if from_deep is not None:
            ring = seen & (from_deep <= _RING * p)
            # Holes in a mostly observed image, not the gaps of a sparse random mask
            # (at 90% missing, a few spots are that far from every observed pixel too):
            # where fewer than half of the pixels around are observed, there is nothing
            # to hold out.
            density = _local_mean(seen.astype(np.float64), from_deep > 0, p)  # off deep
            rings[index] = ring & (density >= _RING_DENSITY)
    return rings, deeps


def _twin_sums(image, seen, source, shift, systems, p, clip=None, deep_only=True):
    """The fills' squared errors on the twins of the missing pixels ``source``, moved back
    onto them: ``(sums, counts)`` with ``sums`` of shape ``(2, H, W)`` (the range-kept
    biharmonic fill, then the harmonic one) and ``counts`` the number of twin pixels
    whose error each pixel received; None when no twin pixel is measured.

    A twin is a copy of ``source`` shifted by ``shift`` pixels in one of
    ``_TWIN_DIRECTIONS``, on the observed pixels more than ``_APART`` pixels from every
    missing one; each twin is removed from the image and filled in turn, and measured on
    its deep part (see :func:`_deep_holes`) with ``deep_only``, on all its pixels
    otherwise. The fills are clipped to ``clip`` if given, and the biharmonic one kept
    within the range around the twin's deep part, as the real fills are.

    Twin pixels are more than two pixels from every missing one, farther than the reach
    of the biharmonic stencil, so their fill does not depend on the real missing
    pixels': it is solved for the twin pixels alone, by a sparse direct solver (compact
    blocks or thin strokes, which conjugate gradients converge on slowly).
    """
    height, width = image.shape
    far = ndimage.distance_transform_edt(seen) > _APART
    sums = np.zeros((2, height, width))
    counts = np.zeros((height, width))
    for dy, dx in shift * _TWIN_DIRECTIONS:
        if abs(dy) >= height or abs(dx) >= width:  # the copy leaves the image
            continue
        (rows_to, rows_from), (cols_to, cols_from) = _shifted(height, dy), _shifted(width, dx)
        twin = np.zeros_like(source)
        twin[rows_to, cols_to] = source[rows_from, cols_from]
        twin &= far
        if not twin.any():  # a dense random mask leaves no observed pixel that far
            continue
        twin_deep = twin & _deep_holes(seen & ~twin, p)[0]
        measured = twin_deep if deep_only else twin
        if not measured.any():
            continue
        harmonic, biharmonic = _smooth_fills(image, ~twin, twin_deep, systems, clip,
                                             direct=True)
        for k, fill in enumerate((biharmonic, harmonic)):
            squared = np.where(measured, (fill - image) ** 2, 0.0)
            sums[k, rows_from, cols_from] += squared[rows_to, cols_to]
        counts[rows_from, cols_from] += measured[rows_to, cols_to]
    if not counts.any():
        return None
    return sums, counts


def _twin_errors(image, seen, holes, systems, p, clip=None):
    """Local squared errors of the (range-kept) biharmonic and the harmonic fill deep
    inside ``holes`` (the holes with a deep part, see :func:`_deep_holes`), measured on
    their twins (:func:`_twin_sums`, shifted by the thickness of the holes, the 90th
    percentile of the shorter sides of their bounding boxes, plus two pixels; measured
    on their deep parts) and averaged as the held-out errors are (:func:`_local_mean`,
    shrunk towards their mean over the image; each twin pixel is one sample). None when
    no twin has a deep part.
    """
    thickness = _thickness(holes)
    if thickness is None or int(thickness) + 2 >= min(image.shape):
        return None
    twins = _twin_sums(image, seen, holes, int(thickness) + 2, systems, p, clip)
    if twins is None:
        return None
    sums, counts = twins
    # A pixel of a hole may have up to eight twin pixels: each counts as one held-out pixel.
    return [_pooled_local_mean(total, counts, _ERROR_SCALE * p) for total in sums]


def _weights(errors):
    """Per pixel, weights proportional to the inverse of each method's local error to the
    power ``_WEIGHT_POWER`` (for two methods, ``E_2^4 / (E_1^4 + E_2^4)`` for the first),
    computed relative to the smallest error so that nothing overflows."""
    errors = np.maximum(errors, np.finfo(np.float64).tiny)
    ratios = (errors.min(axis=0) / errors) ** _WEIGHT_POWER
    return ratios / ratios.sum(axis=0)


def _local_mean(values, where, scale, prior=0.0, strength=0.0):
    """Gaussian-weighted mean of ``values`` over the pixels ``where`` (a mask, or the
    number of samples each pixel's value is the mean of), at every pixel; with
    ``strength`` > 0, shrunk towards ``prior`` as if that many samples of value
    ``prior`` were added to every neighbourhood."""
    counts = np.asarray(where, dtype=np.float64)
    weights = ndimage.gaussian_filter(counts, scale)
    total = ndimage.gaussian_filter(np.where(counts > 0, counts * values, 0.0), scale)
    pseudo = strength / (2 * np.pi * scale**2)  # pixels, in the units of ``weights``
    return (total + pseudo * prior) / np.maximum(weights + pseudo, np.finfo(np.float64).tiny)


def _pooled_local_mean(sums, counts, scale):
    """:func:`_local_mean` of squared errors pooled per pixel (``sums`` of ``counts``
    samples each, every sample weighing the same), shrunk towards their mean over the
    image by ``_PRIOR_PIXELS`` samples."""
    return _local_mean(sums / np.maximum(counts, 1), counts, scale,
                       prior=sums.sum() / counts.sum(), strength=_PRIOR_PIXELS)


def _values_and_missing(X, mask):
    """``(X, mask)`` or a masked array as plain values and a boolean missing mask."""
    if isinstance(X, np.ma.MaskedArray):
        if mask is not None:
            raise ValueError("Pass either a masked array or mask=, not both.")
        mask = np.ma.getmaskarray(X)
        X = X.filled(0.0)
    if mask is None:
        raise ValueError(
            "OMPInpainter.transform needs the missing pixels: pass mask= (True where a "
            "pixel is missing) or a numpy masked array."
        )
    missing = np.asarray(mask)
    if missing.dtype != bool:
        raise TypeError(f"mask must be a boolean array (True = missing); got {missing.dtype}.")
    if np.iscomplexobj(X):
        raise ValueError("X must be real-valued images; got complex values.")
    return X, missing


def _check_observed(observed):
    empty = ~observed.any(axis=(1, 2))
    if empty.any():
        raise ValueError(
            f"Every pixel of image(s) {np.flatnonzero(empty).tolist()} is missing: nothing "
            "to inpaint from."
        )


def _split_masked_colour(X, mask, channel_axis):
    """Colour images as a grey stack ``(n * C, H, W)``, its observed mask and a function
    restoring the layout of ``X``. ``mask`` is per value or per pixel (shared by the
    channels)."""
    X, missing = _values_and_missing(X, mask)
    values = np.asarray(X)
    if (missing.ndim == values.ndim - 1 and values.ndim in (3, 4)
            and -values.ndim <= channel_axis < values.ndim):
        # One mask per pixel, shared by the channels.
        per_pixel = np.expand_dims(missing, channel_axis % values.ndim)
        if all(m in (1, v) for m, v in zip(per_pixel.shape, values.shape)):
            missing = np.broadcast_to(per_pixel, values.shape)
    if missing.shape != values.shape:
        raise ValueError(f"mask must have the shape of X, {values.shape}, or that shape "
                         f"without the channel axis; got {missing.shape}.")
    colour, restore = check_colour_images(np.where(missing, 0, values), channel_axis)
    missing_colour, _ = check_colour_images(missing.astype(colour.dtype), channel_axis,
                                            name="mask")
    stack = colour.reshape(-1, *colour.shape[2:])
    observed = missing_colour.reshape(stack.shape) == 0
    _check_observed(observed)
    return stack, observed, colour.shape[1], restore


def _split_masked(X, mask):
    """Images and their *observed* mask from ``(X, mask)`` or a masked array."""
    X, missing = _values_and_missing(X, mask)
    # Missing pixels may hold anything (NaN included): they are replaced before validation.
    values = np.where(missing, 0, X) if missing.shape == np.shape(X) else X
    stack, single = check_image_stack(values)
    missing_stack = missing[np.newaxis] if missing.ndim == 2 else missing
    if missing_stack.shape != stack.shape:
        raise ValueError(
            f"mask must have the shape of X, {np.shape(X)}; got {missing.shape}."
        )
    observed = ~missing_stack
    _check_observed(observed)
    return stack, observed, single


class OMPInpainter(ImageInputMixin, TransformerMixin, BaseEstimator):
    """Inpaint missing pixels with sparse codes of the observed part of every patch.

    Every ``p x p`` patch ``x_i`` (stride 1 by default) is coded by orthogonal matching
    pursuit against the dictionary restricted to its observed pixels, ``P_i D``, until the
    residual on those pixels falls to

    ``delta_i = 1.15 * p * sigma * sqrt((p^2 - m_i) / p^2)``,

    ``m_i`` being the number of missing pixels of the patch; the patch is then synthesised
    with the full dictionary, ``D^T c_i``, clipped to the valid range, and the overlapping
    estimates are averaged. A constant atom is added to the dictionary and patches are not
    mean-subtracted.

    With ``blend="validated"`` (the default) the result is then blended, pixel by pixel,
    with two smooth fills: biharmonic interpolation (the missing pixels minimising the
    squared Laplacian), which wins in smooth regions, and harmonic interpolation (the
    squared gradient; it never leaves the range of the surrounding pixels), which wins
    deep inside large holes of textured or noisy images, where the biharmonic fill
    overshoots:

    1. observed pixels are held out in the shape of the missing ones (about a tenth of
       them: the missing mask shifted diagonally by the thickness of most missing
       regions, at least 3 pixels from every missing one; strokes where strokes are
       missing, blocks where blocks are; scattered pixels for a dense random mask), a
       further 5% at random, and the observed pixels within ``2 p`` of the parts of
       holes deeper than ``p / 2``, where at least half of the pixels around are
       observed ("rings": on them each method fills a hole from farther away, as it
       must inside); the three methods inpaint the image without the held-out pixels;
    2. their squared errors on the held-out pixels are averaged locally (a Gaussian of
       width ``2 p``, which also reaches into holes from their borders) and shrunk
       towards the image's mean error (as if 640 held-out pixels of that mean were
       added to every neighbourhood, so that the method best over the whole image is
       followed unless the local evidence is strong), and two choices are made, each
       with weights ``E_2^8 / (E_1^8 + E_2^8)`` and ``E_1^8 / (E_1^8 + E_2^8)`` (``E``:
       the methods' local errors): between the two smooth fills, inside holes by their
       errors on "twins" of the holes (copies shifted onto observed pixels, one per
       diagonal and axis direction, each filled in turn, their errors moved back onto
       the hole they copy) and elsewhere by the held-out pixels off the rings together
       with the twins of the missing pixels outside holes (strokes, text); then
       between OMP and that smooth fill, by the errors on the held-out pixels off the
       rings, and inside holes by the geometric mean of those and the rings'. Deep
       inside holes the biharmonic fill is kept within the range of the observed pixels
       around the hole, and the fills are judged clipped to ``clip``, as they are used.

    This costs a second OMP pass and four sparse solves, plus up to sixteen small ones
    for the twins of holes and as many for the twins of the other missing pixels
    (``blend="none"`` skips it).

    Parameters
    ----------
    dictionary : {"shipped", "dct", "ksvd", "mod", "minibatch"} or array-like of shape \
            (n_atoms, p * p), default="shipped"
        Where the atoms come from (the vocabulary every estimator shares, see
        :func:`~sk_sparse.decomposition.resolve_dictionary`). "shipped": the K-SVD
        dictionary shipped with sk_sparse (8 x 8, learned on other images, see
        :func:`~sk_sparse.dictionaries.load_dictionary`); "dct": an overcomplete DCT
        dictionary (``n_components`` atoms); "ksvd", "mod", "minibatch": learned by
        ``fit`` on the patches of the (complete) training images; or an array of atoms
        as rows.
    sigma : float, default=0.01
        Noise level of the observed pixels (images in [0, 1]); sets the residual target.
        For clean 8-bit images it is a tolerance rather than a noise level (the user
        guide's benchmarks page shows how it was chosen). For noisy images, pass the
        noise level.
    patch_size : int, default=8
        Patch side for "dct" and the learned dictionaries; otherwise taken from the
        dictionary.
    stride : int, default=1
        Distance between patches, at most the patch side.
    n_nonzero_coefs : int, default=None
        Cap on atoms per patch; None means ``p * p // 8`` (8 for 8 x 8 patches). Texture
        rarely meets the residual target; more atoms then cost time and overfit the
        observed pixels.
    n_components : int, default=256
        Atoms of the "dct" and learned dictionaries (for "dct", a square number).
    keep_observed : bool, default=True
        Return the observed pixels unchanged; only missing pixels are replaced.
    clip : (float, float) or None, default=(0.0, 1.0)
        Valid range each patch estimate is clipped to before aggregation (an atom that is
        nearly zero on the observed pixels can otherwise produce wild values); None
        disables clipping.
    norm_floor : float, default=0.1
        Floor of the observed-pixel norm of an atom when ranking atoms (see
        :func:`~sk_sparse.coding.masked_omp`).
    max_iter : int, default=10
        Rounds (or passes) of dictionary learning for the learned dictionaries.
    random_state : int, RandomState instance or None, default=None
        Seeds dictionary learning (and the choice of training patches). The held-out
        pixels of ``blend`` are drawn from each image's own mask, seeded by an int
        ``random_state`` (else by 0), so that results are reproducible and do not depend
        on the batch.
    n_jobs : int, default=None
        Strips of patches coded in parallel by joblib (threads preferred), in
        ``transform``; None means 1 unless in a :func:`joblib.parallel_config` context.
    channel_axis : int or None, default=None
        The axis of colour channels (scikit-image's convention), e.g. -1 for ``(H, W, 3)``
        or ``(n_images, H, W, 3)``; None reads grey images. Each channel is inpainted as
        a grey image; the mask may be per value or per pixel (without the channel axis,
        shared by the channels).
    blend : {"validated", "none"}, default="validated"
        Blend OMP with biharmonic and harmonic interpolation by their errors on held-out
        observed pixels (above), or return OMP's result alone. Images with fewer than
        200 observed pixels are not blended.

    Attributes
    ----------
    components_ : ndarray of shape (n_atoms, p * p)
        Atoms used, constant atom first.
    patch_size_ : int

    See Also
    --------
    masked_omp : the coding kernel.
    skimage.restoration.inpaint_biharmonic : diffusion-type inpainting.

    Notes
    -----
    Missing pixels are given either as ``transform(X, mask=mask)`` with a boolean ``mask``
    of the shape of ``X`` that is **True where a pixel is missing**, or as a
    :class:`numpy.ma.MaskedArray` ``X`` (same convention: masked = missing). The masked
    array form works inside a :class:`~sklearn.pipeline.Pipeline`, which passes only
    ``X``. Images are ``(H, W)`` or ``(n_images, H, W)``; a patch with no observed pixel
    contributes nothing, and a pixel no patch estimates (a hole wider than a patch)
    takes the value of the nearest estimated pixel, so the output has no NaN (with
    ``blend="validated"``, that value is blended with the smooth fills).

    Each smooth fill solves one sparse system per image (conjugate gradients over the
    missing pixels), not strip by strip: during the blend, memory grows by roughly half
    a kilobyte per pixel (about 0.6 GB at the peak for a 1024 x 1024 image).
    ``blend="none"`` keeps the strip-bounded memory of the OMP pass for very large images.

    References
    ----------
    J. Mairal, M. Elad and G. Sapiro, "Sparse representation for color image
    restoration", IEEE Trans. Image Processing 17(1), 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.restoration import OMPInpainter
    >>> from sk_sparse.datasets import load_image
    >>> from sk_sparse.metrics import psnr
    >>> clean = load_image("camera")[100:164, 100:164]
    >>> missing = np.random.default_rng(0).random(clean.shape) < 0.5
    >>> inpainted = OMPInpainter().fit().transform(clean, mask=missing)
    >>> psnr(clean, inpainted) > 25
    True
    """

    _parameter_constraints: dict = {
        "dictionary": DICTIONARY_CONSTRAINT,
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "patch_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "n_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "keep_observed": ["boolean"],
        "clip": [tuple, list, None],
        "norm_floor": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "channel_axis": [Integral, None],
        "blend": [StrOptions({"validated", "none"})],
    }

    def __init__(self, dictionary="shipped", *, sigma=0.01, patch_size=8, stride=1,
                 n_nonzero_coefs=None, n_components=256, keep_observed=True, clip=(0.0, 1.0),
                 norm_floor=0.1, max_iter=10, random_state=None, n_jobs=None,
                 channel_axis=None, blend="validated"):
        self.dictionary = dictionary
        self.sigma = sigma
        self.patch_size = patch_size
        self.stride = stride
        self.n_nonzero_coefs = n_nonzero_coefs
        self.n_components = n_components
        self.keep_observed = keep_observed
        self.clip = clip
        self.norm_floor = norm_floor
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.channel_axis = channel_axis
        self.blend = blend

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Set up the dictionary (learn it from ``X`` for the learned kinds).

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W), default=None
            Complete training images; needed only for the learned dictionaries
            (``"ksvd"``, ``"mod"``, ``"minibatch"``).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : OMPInpainter
            The fitted inpainter.
        """
        if self.clip is not None and (len(self.clip) != 2 or self.clip[0] >= self.clip[1]):
            raise ValueError(f"clip must be None or a (low, high) pair; got {self.clip!r}.")
        patches = None
        if X is not None and self.channel_axis is not None:
            colour, _ = check_colour_images(X, self.channel_axis)
            stack = colour.reshape(-1, *colour.shape[2:])  # every channel a grey image
        elif X is not None:
            stack, _ = check_image_stack(X)
        kind = dictionary_kind(self.dictionary)
        if kind == "shipped":
            size = _SHIPPED_PATCH_SIZE
        elif kind is not None:
            size = self.patch_size
        else:
            n_features = np.shape(self.dictionary)[-1] if np.ndim(self.dictionary) == 2 else 0
            size = int(round(np.sqrt(n_features)))
            if size < 1 or size**2 != n_features:
                raise ValueError(
                    "dictionary must be atoms of square patches, shape (n_atoms, p * p); got "
                    f"shape {np.shape(self.dictionary)}."
                )
        if kind in LEARNED:
            if X is None:
                raise ValueError(f"dictionary={self.dictionary!r} learns from images: pass "
                                 "them to fit(X).")
            patches = self._training_patches(stack, size)
        # A constant atom is held fixed while learning (K-SVD): the mean of a patch is
        # always coded by it, so the learned atoms spend themselves on structure.
        constant = np.full((1, size * size), 1.0 / size)
        atoms, _ = resolve_dictionary(
            self.dictionary, patches, n_features=size * size, n_components=self.n_components,
            max_iter=self.max_iter, fixed_atoms=constant, random_state=self.random_state,
            n_jobs=self.n_jobs,
        )
        self.patch_size_ = size
        self.components_ = self._with_constant_atom(atoms)
        return self

    def _training_patches(self, stack, p):
        check_patch_fits((p, p), stack.shape)
        rows = patch_positions(stack.shape[1], p, 1)
        cols = patch_positions(stack.shape[2], p, 1)
        patches = extract_patch_grid(stack, rows, cols, (p, p)).reshape(-1, p * p)
        rng = np.random.default_rng(check_random_state(self.random_state).randint(2**31))
        if len(patches) > _MAX_TRAINING_PATCHES:
            patches = patches[rng.choice(len(patches), _MAX_TRAINING_PATCHES, replace=False)]
        return patches

    @staticmethod
    def _with_constant_atom(atoms: np.ndarray) -> np.ndarray:
        atoms = np.asarray(atoms, dtype=np.float64)
        norms = np.linalg.norm(atoms, axis=1, keepdims=True)
        atoms = atoms[norms[:, 0] > 0] / norms[norms[:, 0] > 0]
        constant = np.full((1, atoms.shape[1]), 1.0 / np.sqrt(atoms.shape[1]))
        is_constant = np.abs(atoms @ constant[0]) > 1 - 1e-9
        return np.concatenate([constant, atoms[~is_constant]])

    def transform(self, X, mask=None) -> np.ndarray:
        """Inpaint the missing pixels.

        Parameters
        ----------
        X : array-like or numpy masked array of shape (H, W) or (n_images, H, W)
            Images (with a channel axis when ``channel_axis`` is set); values at missing
            pixels are ignored (NaN allowed there).
        mask : array-like of bool of the shape of ``X``, default=None
            True where a pixel is missing. Not needed for a masked array. With
            ``channel_axis``, it may also lack the channel axis (one mask for all
            channels).

        Returns
        -------
        inpainted : ndarray of the shape of ``X``
            float32 for float32 input, else float64.
        """
        check_is_fitted(self)
        if self.channel_axis is not None:
            stack, observed, n_channels, restore = _split_masked_colour(X, mask,
                                                                        self.channel_axis)
            result = self._inpaint(stack, observed)
            return restore(result.reshape(-1, n_channels, *result.shape[1:]))
        stack, observed, single = _split_masked(X, mask)
        result = self._inpaint(stack, observed)
        return result[0] if single else result

    def _inpaint(self, stack, observed):
        """Inpaint a validated grey stack given its observed mask (and blend)."""
        result = self._omp_inpaint(stack, observed)
        if self.blend == "validated":
            result = self._blend(stack, observed, result)
        return result

    def _blend(self, stack, observed, result):
        """Blend OMP's ``result`` with the biharmonic and harmonic fills by their local
        errors on held-out observed pixels (see the class docstring)."""
        p = self.patch_size_
        # Held-out pixels drawn per image from its own mask and a fixed seed, so that an
        # image's result depends neither on the others in its batch nor on the call.
        seed = self.random_state if isinstance(self.random_state, Integral) else 0
        shifts = [_held_out_shift(~seen, p) for seen in observed]
        pattern = np.stack([_shaped_held_out(seen, p, seed, shift)
                            for seen, shift in zip(observed, shifts)]) | (
            own_stream(seed, _SCATTERED_STREAM).random(stack.shape[1:]) < _SCATTERED)
        rings, deep = _hole_rings(observed, p)
        held = observed & (pattern | rings)
        blended = (held.sum(axis=(1, 2)) >= _MIN_HELD_OUT) & (observed & ~held).any(
            axis=(1, 2))
        if not blended.any():
            return result
        reduced = observed & ~held
        # The OMP kernel reads missing pixels as zeros (P_i x): hide the held-out values.
        validation = self._omp_inpaint(np.where(reduced, stack, 0)[blended],
                                       reduced[blended])
        systems = _smooth_systems(stack.shape[1:])  # one pair for every fill of the stack
        scale = _ERROR_SCALE * p
        for k, index in enumerate(np.flatnonzero(blended)):
            image, seen, ring = stack[index], observed[index], rings[index]
            off_ring = held[index] & ~ring
            # Deep inside holes the biharmonic fill may overshoot far beyond the values
            # around the hole (moon's 32 px holes: 16 times the harmonic fill's error in
            # one of them, which the rings did not reveal): it is kept within their range.
            # The fills are judged as they are used, clipped like the result (on the
            # Shepp-Logan phantom's scratches the biharmonic fill leaves [0, 1] across
            # edges, and clipped it is 0.57 dB better).
            harmonic_check, biharmonic_check = _smooth_fills(
                image, reduced[index], _deep_holes(reduced[index], p)[0], systems,
                self.clip)
            # Two choices, each by local errors on held-out pixels: which smooth fill
            # (biharmonic or harmonic), judged inside holes that have a ring within reach
            # on the holes' twins (on the rings if no twin fits in the image) and on the
            # other held-out pixels elsewhere; then OMP or that smooth fill, judged on the
            # other held-out pixels (growing a thin stroke into a wide validation hole
            # would misjudge OMP, whose patches still see both sides of the real stroke).
            # A ring makes a hole wider than the real one and measures the fills near
            # its border: over 16 images with 16 or 32 px holes, the ratio of the two
            # fills' errors on the rings pointed the wrong way in 9 (the Shepp-Logan
            # phantom's 32 px holes: 1.57 where the real holes give 0.67), on twins in 4,
            # all where the fills' errors in the real holes are within 20% of each other.
            by_ring = deep[index] & (ndimage.gaussian_filter(ring.astype(np.float64), scale)
                                     > _RING_REACH)

            def local_errors(check, extra=None):
                """A fill's local errors off the rings, and on the rings (None where no
                hole has one within reach), from one squared error map; ``extra`` adds
                samples off the rings: ``(sums, counts)`` of squared errors per pixel."""
                squared = (check - image) ** 2

                def around(where):
                    prior = squared[where].mean() if where.any() else 0.0
                    return _local_mean(squared, where, scale, prior=prior,
                                       strength=_PRIOR_PIXELS)

                on = around(ring) if by_ring.any() else None
                if extra is None:
                    return around(off_ring), on
                # Each held-out pixel and each twin pixel is one sample.
                return _pooled_local_mean(np.where(off_ring, squared, 0.0) + extra[0],
                                          off_ring + extra[1], scale), on

            twins = (_twin_errors(image, seen, deep[index], systems, p, self.clip)
                     if by_ring.any() else None)
            # Outside the deep holes (scratches, text, small holes) the smooth fills are
            # also judged on twins of the missing pixels there, as far from them as the
            # shaped held-out pixels and in all eight directions, not only in the
            # held-out pixels' one. On the 19 images of bench_inpaint.py --wide and
            # --unseen with scratches and text, the held-out pixels alone rated the
            # harmonic fill 1.04 times the biharmonic one's error on coffee, where it is
            # 1.55 times (the twins: 1.22), and the blend lost 0.32 dB to biharmonic;
            # with the twins' samples added, 0.15 dB. Twins alone (without the held-out
            # pixels) were as good there but, where only a few of them fit (the corners
            # of square holes), lost up to 4 dB.
            thin = ~seen & ~deep[index]
            thin_twins = (_twin_sums(image, seen, thin, shifts[index], systems, p,
                                     self.clip, deep_only=False)
                          if thin.any() else None)
            extras = ((None, None) if thin_twins is None
                      else [(total, thin_twins[1]) for total in thin_twins[0]])
            smooth_errors = [off if on is None else np.where(by_ring, on, off)
                             for off, on in map(local_errors,
                                                (biharmonic_check, harmonic_check), extras)]
            if twins is not None:
                for errors, twin in zip(smooth_errors, twins):
                    errors[by_ring] = twin[by_ring]
            share = _weights(smooth_errors)[0]  # of the biharmonic fill
            smooth_check = share * biharmonic_check + (1 - share) * harmonic_check
            omp_errors = [off if on is None else np.where(by_ring, np.sqrt(off * on), off)
                          for off, on in map(local_errors, (validation[k], smooth_check))]
            omp_share = _weights(omp_errors)[0]
            harmonic, biharmonic = _smooth_fills(image, seen, deep[index], systems)
            smooth = share * biharmonic + (1 - share) * harmonic
            if self.clip is not None:
                np.clip(smooth, self.clip[0], self.clip[1], out=smooth)
            missing = ~seen
            result[index][missing] = (omp_share[missing] * result[index][missing]
                                      + (1 - omp_share[missing]) * smooth[missing])
        return result

    def _omp_inpaint(self, stack, observed):
        """OMP inpainting of a validated grey stack given its observed mask."""
        p = self.patch_size_
        check_patch_fits((p, p), stack.shape)
        check_stride(self.stride, p)
        atoms = self.components_.astype(stack.dtype, copy=False)
        height, width = stack.shape[1:]
        rows = patch_positions(height, p, self.stride)
        cols = patch_positions(width, p, self.stride)
        numerator, weight_sum = accumulate_strips(
            partial(self._inpaint_strip, col_positions=cols, atoms=atoms),
            (stack, observed), p, rows, len(cols) * p * p, n_jobs=self.n_jobs,
            dtype=stack.dtype,
        )
        result = np.empty(stack.shape, dtype=stack.dtype)
        for i in range(len(stack)):
            result[i] = self._finish(numerator[i], weight_sum[i], stack[i], observed[i])
        return result

    def _inpaint_strip(self, index, local_rows, strip, observed, *, col_positions, atoms):
        """Strip task of :func:`~sk_sparse.image.accumulate_strips` (picklable)."""
        p = self.patch_size_
        grid_shape = (1, len(local_rows), len(col_positions), p, p)
        values = extract_patch_grid(strip[np.newaxis], local_rows, col_positions,
                                    (p, p)).reshape(-1, p * p)
        seen = extract_patch_grid(observed[np.newaxis], local_rows, col_positions,
                                  (p, p)).reshape(-1, p * p)
        n_observed = seen.sum(axis=1)
        # delta_i = 1.15 p sigma sqrt((p^2 - m_i) / p^2); OMP takes the squared norm.
        tol = ((_RESIDUAL_FACTOR * p * self.sigma) ** 2 * n_observed / (p * p)).astype(
            strip.dtype)
        cap = min(self.n_nonzero_coefs or max(1, (p * p) // 8), len(atoms), p * p)
        codes = _masked_omp(values, seen, atoms, cap, tol, norm_floor=self.norm_floor)
        estimates = codes @ atoms
        if self.clip is not None:
            np.clip(estimates, self.clip[0], self.clip[1], out=estimates)
        weights = (n_observed > 0).astype(strip.dtype).reshape(grid_shape[:3])
        estimates *= weights.reshape(-1, 1)
        numerator = assemble_patch_grid(estimates.reshape(grid_shape), local_rows,
                                        col_positions, strip.shape)[0]
        weight_sum = assemble_patch_weights(weights, local_rows, col_positions, (p, p),
                                            strip.shape)[0]
        return numerator, weight_sum

    def _finish(self, numerator, weight_sum, image, observed):
        estimated = weight_sum > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            result = numerator / weight_sum
        if not estimated.all():
            # Holes wider than a patch: copy the nearest estimated pixel.
            nearest = ndimage.distance_transform_edt(
                ~estimated, return_distances=False, return_indices=True
            )
            result = result[tuple(nearest)]
        if self.keep_observed:
            result[observed] = image[observed]
        return result

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
