"""ConvolutionalAnomalyDetector: local features of a convolutional sparse code."""

from __future__ import annotations

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..coding._cbpdn import _cbpdn
from ..decomposition._conv_coder import resolve_filters
from ..image._grid import patch_positions
from ..image._lowpass import split_detail
from ..utils._compat import HasMethods, Interval, StrOptions, _fit_context
from ..utils._validation import ImageInputMixin, check_image_stack, check_stride
from ._base import LOG_FLOOR, DensityThresholdMixin, window_sums

_FEATURES = ("error", "l1", "group")
# l1 weight relative to the RMS of the training images' detail (alpha="auto").
_AUTO_ALPHA = 0.1


def _box_sums(values, rows, cols, window):
    """Sums of ``values (..., H, W)`` over the windows with top-left corners on the grid.

    Summed over the window's rows first, at the grid's rows only, then over its columns:
    the second cumulative sum runs on ``stride`` times fewer rows than an integral image.
    """
    h, w = window
    sums = np.cumsum(values, axis=-2, dtype=np.float64)
    sums = np.concatenate([np.zeros_like(sums[..., :1, :]), sums], axis=-2)
    sums = sums[..., rows + h, :] - sums[..., rows, :]
    sums = np.cumsum(sums, axis=-1)
    sums = np.concatenate([np.zeros_like(sums[..., :1]), sums], axis=-1)
    return sums[..., cols + w] - sums[..., cols]


class ConvolutionalAnomalyDetector(ImageInputMixin, DensityThresholdMixin, BaseEstimator):
    """Anomaly detection in images from local features of their convolutional sparse code.

    Fitted on normal images only (the lecture's convolutional anomaly detector):

    1. every image is split into a smooth part (:func:`~sk_sparse.image.lowpass`) and its
       detail, which is what is coded;
    2. the images are split into a training part S and a validation part V
       (``validation_fraction``; one image is cut into a top half S and a bottom half V);
       filters are learned on S by convolutional dictionary learning;
    3. every image of V is coded by CBPDN with the local group-sparsity term
       (:func:`~sk_sparse.coding.cbpdn`, blocks of ``block_size``; in float32, which
       halves the time of its FFTs), and every window
       ``c`` of ``window_size`` pixels on a grid of step ``stride`` is described by

           [ ||P_c (sum_k d_k * a_k - s)||^2,  sum_k ||P_c a_k||_1,  sum_k ||P_c a_k||_2 ]

       (error, sparsity, group sparsity), in log scale;
    4. a density (a Gaussian by default) is fitted to the windows of V, and the threshold
       ``offset_`` is its ``fpr`` quantile, exactly as in :class:`SparseAnomalyDetector`
       (the two share that machinery and the maps).

    The third feature sees how the coefficients are spread over the filters: the l1 norm
    alone cannot tell many small coefficients from a few large ones ("sparsity is too
    loose a criterion").

    Parameters
    ----------
    n_filters : int, default=16
        Filters learned on S.
    filter_size : int, default=8
        Side of the filters.
    alpha : float or "auto", default="auto"
        l1 weight of the coding (and of learning). "auto" is 0.1 times the RMS of the
        detail of the training images, so that the detector behaves the same on images
        of any contrast.
    group_alpha : float, default=1.0
        Weight of the group term in the coding, in units of ``alpha`` (0 codes with the
        l1 term only; the group feature is still computed).
    block_size : int, default=8
        Side of the blocks of the group term in the coding.
    window_size : int, default=15
        Side of the windows ``c`` the features describe.
    stride : int, default=4
        Step of the grid of windows, at most ``window_size``; pixels get the mean score
        of the windows covering them.
    features : sequence of {"error", "l1", "group"}, default=("error", "l1", "group")
        The features the density models (the three of the lecture by default).
    lowpass : float, default=5.0
        Weight of the low-pass split (see :func:`~sk_sparse.image.lowpass`): what it
        removes varies over more than about ``sqrt(lowpass)`` pixels, which makes the
        detector blind to slow changes of illumination, but also to the smooth part of
        large blobs. The user guide's anomaly page shows 5 and 500 on the benchmark.
    filters : array-like of shape (n_filters, h, w), default=None
        Given filters instead of learned ones (then all images go to V).
    validation_fraction : float in (0, 1), default=0.5
        Fraction of the images held out as V.
    fpr : float in (0, 0.5], default=0.01
        Target false-positive rate on normal windows; sets ``offset_``.
    density : estimator with ``fit`` and ``score_samples``, default=None
        Density of the log features; None is one full-covariance Gaussian.
    min_region_size : int, default=0
        :meth:`predict_mask` removes detected regions smaller than this.
    max_iter : int, default=30
        Rounds of convolutional dictionary learning.
    transform_max_iter : int, default=100
        ADMM iterations per image at most when coding.
    transform_tol : float, default=1e-2
        ADMM's relative tolerance when coding (features only need to be computed the same
        way in fit and when scoring).
    random_state : int, RandomState instance or None, default=None
        Seeds the S/V split, the initial filters and the density.
    n_jobs : int, default=None
        Parallel coding over groups of images; None means 1 unless in a
        :func:`joblib.parallel_config` context.
    verbose : int, default=0
        Print the stages of ``fit``.

    Attributes
    ----------
    components_ : ndarray of shape (n_filters, filter_size, filter_size)
        The filters.
    alpha_ : float
        The l1 weight used.
    density_ : estimator
        Fitted on the log features of V.
    offset_ : float
        Threshold on the log-density; windows below it are anomalous.
    validation_scores_ : ndarray
        Log-density of the windows of V.
    n_iter_ : int
        Rounds of dictionary learning run (0 for given filters).

    See Also
    --------
    SparseAnomalyDetector : the patch-based detector.
    sk_sparse.decomposition.ConvolutionalSparseCoder : the filters and maps.

    References
    ----------
    D. Carrera, G. Boracchi, A. Foi and B. Wohlberg, "Detecting anomalous structures by
    convolutional sparse models", IJCNN 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.anomaly import ConvolutionalAnomalyDetector
    >>> from sk_sparse.datasets import make_nanofibres
    >>> normal = make_nanofibres(96, random_state=0)
    >>> detector = ConvolutionalAnomalyDetector(n_filters=8, max_iter=5, random_state=0)
    >>> detector = detector.fit(normal)
    >>> defective = normal.copy(); defective[40:56, 40:56] = normal.mean()
    >>> scores = detector.anomaly_map(defective)
    >>> bool(scores[44:52, 44:52].mean() > scores[:20, :20].mean())
    True
    """

    _parameter_constraints: dict = {
        "n_filters": [Interval(Integral, 1, None, closed="left")],
        "filter_size": [Interval(Integral, 1, None, closed="left")],
        "alpha": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
        "block_size": [Interval(Integral, 1, None, closed="left")],
        "window_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "features": [tuple, list],
        "lowpass": [Interval(Real, 0, None, closed="left")],
        "filters": ["array-like", None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "fpr": [Interval(Real, 0, 0.5, closed="right")],
        "density": [HasMethods(["fit", "score_samples"]), None],
        "min_region_size": [Interval(Integral, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "transform_max_iter": [Interval(Integral, 1, None, closed="left")],
        "transform_tol": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, n_filters=16, *, filter_size=8, alpha="auto", group_alpha=1.0,
                 block_size=8, window_size=15, stride=4, features=_FEATURES, lowpass=5.0,
                 filters=None, validation_fraction=0.5, fpr=0.01, density=None,
                 min_region_size=0, max_iter=30, transform_max_iter=100, transform_tol=1e-2,
                 random_state=None, n_jobs=None, verbose=0):
        self.n_filters = n_filters
        self.filter_size = filter_size
        self.alpha = alpha
        self.group_alpha = group_alpha
        self.block_size = block_size
        self.window_size = window_size
        self.stride = stride
        self.features = features
        self.lowpass = lowpass
        self.filters = filters
        self.validation_fraction = validation_fraction
        self.fpr = fpr
        self.density = density
        self.min_region_size = min_region_size
        self.max_iter = max_iter
        self.transform_max_iter = transform_max_iter
        self.transform_tol = transform_tol
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit on normal images only.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Normal images, each at least ``window_size`` pixels per side (a single image
            at least twice that high, since it is cut in two).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : ConvolutionalAnomalyDetector
            The fitted detector.
        """
        if (set(self.features) - set(_FEATURES) or not self.features
                or len(set(self.features)) != len(self.features)):
            raise ValueError(f"features must be distinct names among {_FEATURES}; got "
                             f"{self.features!r}.")
        stack, _ = check_image_stack(X)
        check_stride(self.stride, self.window_size)
        rng = check_random_state(self.random_state)
        started = time.perf_counter()
        _, detail = split_detail(stack, self.lowpass)
        if self.filters is not None:
            train, validation = detail, detail
        elif len(detail) == 1:
            half = detail.shape[1] // 2
            train, validation = detail[:, :half], detail[:, half:]
        else:
            order = rng.permutation(len(detail))
            n_validation = min(max(1, int(round(self.validation_fraction * len(detail)))),
                               len(detail) - 1)
            train, validation = detail[order[n_validation:]], detail[order[:n_validation]]
        self._check_window(validation.shape, "the validation part (V) of X")
        rms = float(np.sqrt(np.mean(train**2)))
        self.alpha_ = (_AUTO_ALPHA * rms if self.alpha == "auto" else float(self.alpha))
        self._report(f"fit: learning filters on {len(train)} image(s) (S)", started)
        self.components_, _, self.n_iter_ = resolve_filters(
            self.filters, self.n_filters, self.filter_size, train, alpha=self.alpha_,
            group_alpha=self.group_alpha * self.alpha_, block_size=self.block_size,
            boundary="reflect", max_iter=self.max_iter, random_state=rng,
            verbose=max(0, self.verbose - 1))
        self._report(f"fit: coding {len(validation)} image(s) (V)", started)
        features = self._window_features(validation)
        self._fit_density(features.reshape(-1, features.shape[-1]), rng)
        self._report(f"fit: density fitted, threshold {self.offset_:.4g}; done", started)
        return self

    def _check_window(self, shape, what):
        if min(shape[-2:]) < self.window_size or min(shape[-2:]) < self.filter_size:
            raise ValueError(
                f"window_size={self.window_size} and filter_size={self.filter_size} need "
                f"{what} of at least that many pixels per side; got {tuple(shape[-2:])} "
                "(one training image is cut in two halves).")

    def _report(self, message, started):
        if self.verbose:
            print(f"[ConvolutionalAnomalyDetector] {message} "
                  f"({time.perf_counter() - started:.1f} s)", flush=True)

    def _grid(self, shape):
        w = self.window_size
        return patch_positions(shape[-2], w, self.stride), patch_positions(shape[-1], w,
                                                                           self.stride)

    def _window_features(self, detail):
        """Log features ``(n_images, n_rows, n_cols, n_features)`` of detail images."""
        # The coding runs in float32, in fit and when scoring alike: its FFTs take half
        # the time of float64 ones, and ADMM stops at a relative tolerance (1e-2 by
        # default) far above float32's rounding. The window sums are taken in float64.
        coded = detail.astype(np.float32)
        maps, _, reconstruction = _cbpdn(
            coded, self.components_.astype(np.float32), self.alpha_,
            mu=self.group_alpha * self.alpha_, block_size=self.block_size,
            boundary="reflect", max_iter=self.transform_max_iter, tol=self.transform_tol,
            n_jobs=self.n_jobs, return_reconstruction=True)
        maps = maps.astype(np.float64)
        reconstruction = reconstruction.astype(np.float64)
        rows, cols = self._grid(detail.shape)
        window = (self.window_size, self.window_size)
        columns = []
        for name in self.features:
            if name == "error":
                value = _box_sums((reconstruction - detail) ** 2, rows, cols, window)
            elif name == "l1":
                value = _box_sums(np.abs(maps).sum(axis=1), rows, cols, window)
            else:
                value = np.sqrt(np.maximum(_box_sums(maps**2, rows, cols, window), 0)).sum(
                    axis=1)
            columns.append(np.log(value + LOG_FLOOR))
        return np.stack(columns, axis=-1)

    def anomaly_map(self, images) -> np.ndarray:
        """Per-pixel anomaly score of whole images.

        Every window on the grid is scored (``offset_`` minus its log-density) and each
        pixel gets the mean over the windows covering it: positive means anomalous at the
        fitted false-positive rate.

        Parameters
        ----------
        images : array-like of shape (H, W) or (n_images, H, W)
            Grey-level images of at least ``window_size`` pixels per side.

        Returns
        -------
        scores : ndarray of the shape of ``images``
            Mean of ``-decision`` over the windows covering each pixel.
        """
        check_is_fitted(self)
        stack, single = check_image_stack(images, name="images")
        self._check_window(stack.shape, "images")
        _, detail = split_detail(stack, self.lowpass)
        features = self._window_features(detail)
        anomaly = self.offset_ - self.density_.score_samples(
            features.reshape(-1, features.shape[-1])).reshape(features.shape[:-1])
        rows, cols = self._grid(stack.shape)
        numerator, counts = window_sums(anomaly, rows, cols,
                                        (self.window_size, self.window_size),
                                        stack.shape[1:])
        scores = numerator / counts
        return scores[0] if single else scores
