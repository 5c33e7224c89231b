"""Denoising by sparse coding: the whole image at once, or patches aggregated.

The lecture's comparison (Carrera, Boracchi, Foi and Wohlberg, SPARS 2017):

* :class:`ConvolutionalDenoiser` solves one CBPDN problem for the whole image: the
  estimate is ``sum_k d_k * a_k`` (global optimisation, no aggregation);
* :class:`PatchSparseDenoiser` codes every patch independently (BPDN or OMP) on a
  dictionary of patch atoms and averages the overlapping patch estimates per pixel
  (aggregation of partial estimates).

Both take the l1 weight relative to the noise, ``lambda = threshold * sigma``, so one
``threshold`` serves images of any noise level and ``GridSearchCV`` tunes it.
"""

from __future__ import annotations

from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..coding._bpdn import _bpdn
from ..coding._cbpdn import BOUNDARIES, _cbpdn
from ..coding._omp import _batch_omp
from ..decomposition._conv_coder import check_filters
from ..decomposition._resolve import DICTIONARY_CONSTRAINT, resolve_dictionary
from ..dictionaries import idct2
from ..image._grid import (
    assemble_patch_grid,
    assemble_patch_weights,
    extract_patch_grid,
    patch_positions,
)
from ..image._lowpass import split_detail
from ..image._noise import sigma_per_image
from ..image._strips import accumulate_strips
from ..metrics import psnr
from ..utils._compat import Interval, StrOptions, _fit_context
from ..utils._validation import (
    ImageInputMixin,
    check_image_stack,
    check_patch_fits,
    check_stride,
)

# ADMM tolerance and iteration cap of the patch BPDN (for the rare patches the exact
# homotopy path leaves to ADMM).
_PATCH_TOL = 1e-4
_PATCH_MAX_ITER = 500
# threshold="auto" of PatchSparseDenoiser: near the values GridSearchCV chose on the
# natural images of bench_conv_denoise.py (BPDN 1.4-1.7, OMP 1.0-1.1), and K-SVD
# denoising's 1.15 for OMP.
_AUTO_THRESHOLD = {"bpdn": 1.5, "omp": 1.15}


class _SparseDenoiserMixin:
    """``sigma`` per image and the PSNR ``score`` of the sparse-coding denoisers."""

    def _sigmas(self, stack):
        return sigma_per_image(stack, self.sigma)

    def score(self, X, y):
        """Mean PSNR of the denoised ``X`` against the clean images ``y``.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Noisy images.
        y : array-like of the same shape
            Clean images, in [0, 1] (or integers in [0, 255]).

        Returns
        -------
        psnr : float
            In dB; higher is better, as model selection expects.
        """
        return psnr(y, self.transform(X))


def dct_filters(size, dtype=np.float64):
    """The ``size**2`` 2-D DCT basis functions of ``size x size``, as filters."""
    eye = np.eye(size * size, dtype=dtype).reshape(-1, size, size)
    return np.stack([idct2(e) for e in eye]).astype(dtype)


class ConvolutionalDenoiser(ImageInputMixin, _SparseDenoiserMixin, TransformerMixin,
                            BaseEstimator):
    """Denoise whole images by convolutional sparse coding (one CBPDN problem per image).

    The noisy image ``z`` is split into a smooth part ``l`` (a Tikhonov low-pass, see
    :func:`~sk_sparse.image.lowpass`) and its detail ``z - l``; the detail is coded by
    :func:`~sk_sparse.coding.cbpdn` on the filters with ``lambda = threshold * sigma``,
    and the estimate is ``l + sum_k d_k * a_k``. Every pixel is estimated once, by one
    global optimisation, not by averaging overlapping patch estimates.

    Parameters
    ----------
    sigma : float or "auto", default="auto"
        Noise standard deviation in the units of the images; "auto" estimates it per
        image with :class:`NoiseEstimator`.
    threshold : float, default=3.0
        The l1 weight of CBPDN in units of ``sigma`` (the benchmark's tuned values were
        2.5 to 3 with the DCT filters on natural images).
    filters : "dct" or array-like of shape (n_filters, h, w), default="dct"
        "dct": the ``filter_size**2`` 2-D DCT basis functions; an array: given filters
        (normalised to unit norm), e.g. the ``components_`` of a fitted
        :class:`~sk_sparse.decomposition.ConvolutionalSparseCoder`.
    filter_size : int, default=8
        Size of the "dct" filters.
    lowpass : float, default=5.0
        Weight of the low-pass split (0 codes the whole image).
    boundary : {"reflect", "periodic"}, default="reflect"
        Border handling of the convolutions (see :func:`~sk_sparse.coding.cbpdn`).
    max_iter : int, default=200
        ADMM iterations per image at most.
    tol : float, default=1e-3
        ADMM's relative tolerance.
    n_jobs : int, default=None
        Parallel coding over groups of images; None means 1 unless in a
        :func:`joblib.parallel_config` context.

    See Also
    --------
    PatchSparseDenoiser : the patch-aggregation counterpart.
    sk_sparse.metrics.psnr_scorer : scorer for model selection.

    Notes
    -----
    The estimator learns nothing (``fit`` only validates), so it is tuned with
    :class:`~sklearn.model_selection.GridSearchCV` on noisy/clean pairs;
    ``score(X_noisy, Y_clean)`` is the mean PSNR. The user guide compares it with
    :class:`PatchSparseDenoiser` on natural and on very sparse synthetic images.

    References
    ----------
    D. Carrera, G. Boracchi, A. Foi and B. Wohlberg, "Sparse overcomplete denoising:
    aggregation versus global optimization", IEEE Signal Processing Letters, 24(10),
    2017, pp. 1468-1472.

    Examples
    --------
    >>> from sk_sparse.restoration import ConvolutionalDenoiser
    >>> from sk_sparse.datasets import add_noise, load_image
    >>> from sk_sparse.metrics import psnr
    >>> clean = load_image("camera")[:96, :96]
    >>> noisy = add_noise(clean, 20 / 255, random_state=0)
    >>> denoised = ConvolutionalDenoiser(sigma=20 / 255).fit_transform(noisy)
    >>> psnr(clean, denoised) > psnr(clean, noisy) + 4
    True
    """

    _parameter_constraints: dict = {
        "sigma": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "threshold": [Interval(Real, 0, None, closed="left")],
        "filters": [StrOptions({"dct"}), "array-like"],
        "filter_size": [Interval(Integral, 1, None, closed="left")],
        "lowpass": [Interval(Real, 0, None, closed="left")],
        "boundary": [StrOptions(set(BOUNDARIES))],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, sigma="auto", *, threshold=3.0, filters="dct", filter_size=8,
                 lowpass=5.0, boundary="reflect", max_iter=200, tol=1e-3, n_jobs=None):
        self.sigma = sigma
        self.threshold = threshold
        self.filters = filters
        self.filter_size = filter_size
        self.lowpass = lowpass
        self.boundary = boundary
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate parameters and input; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images; only validated.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : ConvolutionalDenoiser
            The estimator.
        """
        stack, _ = check_image_stack(X)
        self._filters(stack)
        return self

    def _filters(self, stack):
        if isinstance(self.filters, str):
            filters = dct_filters(self.filter_size, stack.dtype)
            check_patch_fits(filters.shape[1:], stack.shape)
            return filters
        return check_filters(self.filters, stack)

    def transform(self, X):
        """Denoise images.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Noisy images; not modified.

        Returns
        -------
        denoised : ndarray of the same shape as ``X``
            float32 for float32 input, float64 otherwise.
        """
        self._validate_params()
        stack, single = check_image_stack(X)
        filters = self._filters(stack)
        sigmas = self._sigmas(stack)
        low, detail = split_detail(stack, self.lowpass)
        _, _, detail = _cbpdn(detail, filters, self.threshold * sigmas,
                              boundary=self.boundary, max_iter=self.max_iter, tol=self.tol,
                              n_jobs=self.n_jobs, return_reconstruction=True)
        denoised = low + detail
        return denoised[0] if single else denoised

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _patch_task(index, local_rows, strip, *, col_positions, patch_size, dictionary, coding,
                lambdas, tolerances):
    """Strip task: code the strip's mean-removed patches, return their sums (picklable)."""
    p = patch_size
    grid = extract_patch_grid(strip[np.newaxis], local_rows, col_positions, (p, p))
    patches = grid.reshape(-1, p * p)
    means = patches.mean(axis=1, keepdims=True)
    centred = patches - means
    if coding == "bpdn":
        codes = _bpdn(centred, dictionary, np.full(len(centred), lambdas[index]),
                      max_iter=_PATCH_MAX_ITER, tol=_PATCH_TOL)
    else:
        codes = _batch_omp(centred, dictionary, min(dictionary.shape),
                           np.full(len(centred), tolerances[index], dtype=strip.dtype))
    estimates = (codes @ dictionary + means).reshape(grid.shape)
    numerator = assemble_patch_grid(estimates, local_rows, col_positions, strip.shape)[0]
    counts = assemble_patch_weights(np.ones(grid.shape[1:3], dtype=strip.dtype), local_rows,
                                    col_positions, (p, p), strip.shape)
    return numerator, counts


class PatchSparseDenoiser(ImageInputMixin, _SparseDenoiserMixin, TransformerMixin,
                          BaseEstimator):
    """Denoise images by sparse coding of every patch and averaging of the estimates.

    Each ``p x p`` patch on a grid of step ``stride`` loses its mean, is coded on a
    dictionary of patch atoms, and gets its mean back; overlapping patch estimates are
    averaged per pixel. Coding is

    * ``coding="bpdn"``: ``min_x 1/2 ||x D - s||^2 + lambda ||x||_1`` with
      ``lambda = threshold * sigma`` (:func:`~sk_sparse.coding.bpdn`);
    * ``coding="omp"``: the sparsest code found by OMP with ``||x D - s||^2 <=
      (threshold * sigma)^2 p^2`` (K-SVD denoising's rule, where ``threshold`` is about
      1.15; :func:`~sk_sparse.coding.batch_omp`).

    Parameters
    ----------
    sigma : float or "auto", default="auto"
        Noise standard deviation in the units of the images; "auto" estimates it per
        image with :class:`NoiseEstimator`.
    threshold : float or "auto", default="auto"
        l1 weight (BPDN) or residual bound per pixel (OMP), in units of ``sigma``.
        "auto" is 1.5 for BPDN and 1.15 (K-SVD denoising's value) for OMP.
    dictionary : {"dct", "shipped", "mod", "ksvd", "minibatch"} or array-like, \
            default="dct"
        The atoms (see :func:`~sk_sparse.decomposition.resolve_dictionary`); the learned
        kinds learn from the patches of the images given to ``fit`` (K-SVD denoising
        learns from the noisy image itself). An array of shape
        ``(n_atoms, p * p)`` or ``(n_atoms, p, p)``, e.g. the filters of a
        :class:`~sk_sparse.decomposition.ConvolutionalSparseCoder` used as patch atoms.
    n_components : int, default=256
        Atoms of the "dct" dictionary or of a learned one.
    coding : {"bpdn", "omp"}, default="bpdn"
        The sparse coding of each patch.
    patch_size : int, default=8
        Side ``p`` of the square patches (the atoms' size).
    stride : int, default=1
        Grid step, at most ``patch_size``.
    max_iter : int, default=10
        Rounds of dictionary learning for the learned kinds.
    random_state : int, RandomState instance or None, default=None
        Seeds dictionary learning.
    n_jobs : int, default=None
        Parallel strips of images; None means 1 unless in a :func:`joblib.parallel_config`
        context.

    Attributes
    ----------
    components_ : ndarray of shape (n_atoms, patch_size ** 2)
        Unit-norm atoms.

    See Also
    --------
    ConvolutionalDenoiser : the global-optimisation counterpart.
    SlidingDCTDenoiser : hard thresholding of an orthonormal DCT (no coding problem).

    References
    ----------
    M. Elad and M. Aharon, "Image denoising via sparse and redundant representations over
    learned dictionaries", IEEE Transactions on Image Processing, 15(12), 2006.

    Examples
    --------
    >>> from sk_sparse.restoration import PatchSparseDenoiser
    >>> from sk_sparse.datasets import add_noise, load_image
    >>> from sk_sparse.metrics import psnr
    >>> clean = load_image("camera")[:64, :64]
    >>> noisy = add_noise(clean, 20 / 255, random_state=0)
    >>> denoiser = PatchSparseDenoiser(sigma=20 / 255, n_components=64, stride=2)
    >>> psnr(clean, denoiser.fit_transform(noisy)) > psnr(clean, noisy) + 3
    True
    """

    _parameter_constraints: dict = {
        "sigma": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "threshold": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "dictionary": DICTIONARY_CONSTRAINT,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "coding": [StrOptions({"bpdn", "omp"})],
        "patch_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, sigma="auto", *, threshold="auto", dictionary="dct", n_components=256,
                 coding="bpdn", patch_size=8, stride=1, max_iter=10, random_state=None,
                 n_jobs=None):
        self.sigma = sigma
        self.threshold = threshold
        self.dictionary = dictionary
        self.n_components = n_components
        self.coding = coding
        self.patch_size = patch_size
        self.stride = stride
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Set the dictionary, learning it from the patches of ``X`` for learned kinds.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Images (noisy ones are fine: K-SVD denoising learns from the image itself).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : PatchSparseDenoiser
            The fitted denoiser.
        """
        stack, _ = check_image_stack(X)
        p = self.patch_size
        check_patch_fits((p, p), stack.shape)
        check_stride(self.stride, p)
        spec = self.dictionary
        if not isinstance(spec, str):
            spec = np.asarray(spec)
            spec = spec.reshape(len(spec), -1) if spec.ndim == 3 else spec
        patches = None
        if isinstance(spec, str) and spec not in ("dct", "shipped"):
            grid = extract_patch_grid(stack, patch_positions(stack.shape[1], p, p),
                                      patch_positions(stack.shape[2], p, p), (p, p))
            patches = grid.reshape(-1, p * p)
            patches = patches - patches.mean(axis=1, keepdims=True)
        self.components_, self.n_iter_ = resolve_dictionary(
            spec, patches, n_features=p * p, n_components=self.n_components,
            alpha=0.1 * float(np.std(patches)) if patches is not None else 0.1,
            max_iter=self.max_iter, random_state=self.random_state, n_jobs=self.n_jobs)
        return self

    def transform(self, X):
        """Denoise images.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Noisy images; not modified.

        Returns
        -------
        denoised : ndarray of the same shape as ``X``
            float32 for float32 input, float64 otherwise.
        """
        check_is_fitted(self)
        stack, single = check_image_stack(X)
        p = self.patch_size
        check_patch_fits((p, p), stack.shape)
        sigmas = self._sigmas(stack)
        dictionary = self.components_.astype(stack.dtype, copy=False)
        rows = patch_positions(stack.shape[1], p, self.stride)
        cols = patch_positions(stack.shape[2], p, self.stride)
        threshold = (_AUTO_THRESHOLD[self.coding] if self.threshold == "auto"
                     else float(self.threshold))
        task = partial(_patch_task, col_positions=cols, patch_size=p, dictionary=dictionary,
                       coding=self.coding, lambdas=threshold * sigmas,
                       tolerances=(threshold * sigmas) ** 2 * p * p)
        numerator, counts = accumulate_strips(
            task, (stack,), p, rows, len(cols) * (p * p + len(dictionary)),
            n_jobs=self.n_jobs, dtype=stack.dtype)
        denoised = numerator / counts
        return denoised[0] if single else denoised

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
