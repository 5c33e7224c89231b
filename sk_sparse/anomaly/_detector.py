"""SparseAnomalyDetector: density of sparse-coding features of normal patches."""

from __future__ import annotations

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from ..decomposition import SparseFeatureExtractor
from ..decomposition._resolve import DICTIONARY_CONSTRAINT
from ..utils._compat import HasMethods, Interval, StrOptions, _fit_context, validate_data
from ._base import _REG_COVAR, LOG_FLOOR, DensityThresholdMixin, PatchScoresMixin

# The features the density may model (see the ``features`` parameter); the first three
# are the columns of SparseFeatureExtractor ("group" only with groups of atoms).
_SPARSE_FEATURES = ("error", "l1", "group")
# Statistics of the cells that tile a patch (see ``cell_size``): how unevenly a patch's
# residual, brightness and spread are spread over it.
_CELL_FEATURES = ("cell_error", "cell_mean", "cell_std")
_FEATURES = ("error", "l1", "mean", "std") + _CELL_FEATURES
# features="auto": the lecture's two features for rows of any kind; for rows that are
# patches with room for cells, all of them. The cell features and the patch moments
# raised the pixel ROC AUC on every texture of the benchmark and on six images outside
# it (the user guide's anomaly page has both tables).
_LECTURE_FEATURES = ("error", "l1")
_PATCH_FEATURES = _FEATURES
# density=None with cell features: a mixture of Gaussians, one component per kind of
# normal patch (fibre and background, brick and mortar), at most this many, and at most
# one per _ROWS_PER_COMPONENT held-out rows (a full covariance of the nine columns has 54
# parameters).
_MIXTURE_COMPONENTS = 6
_ROWS_PER_COMPONENT = 100
# alpha="auto": the l1 weight relative to the RMS norm of the training rows about their
# means (their detail), so that the detector is the same on images of any contrast or
# range (uint8 or [0, 1]). With "cell_error" the weight is ten times smaller: the cell
# features did better with it on four textures of five (as well on the fifth), where
# the lecture's two features did worse on two (the user guide's anomaly page has the
# measurements).
_AUTO_ALPHA = 0.05
_AUTO_ALPHA_CELLS = 0.005


def _cell_means(rows, patch_size, cell_size):
    """Mean of each row (a flattened square patch) over the cells that tile it: ``cell_size``
    squares, the last row and column of cells taking the remainder. Shape
    ``(n_rows, n_cells)``."""
    starts = np.arange(patch_size // cell_size) * cell_size
    sums = np.add.reduceat(np.add.reduceat(
        rows.reshape(-1, patch_size, patch_size), starts, axis=1), starts, axis=2)
    sizes = np.diff(np.r_[starts, patch_size])
    return (sums / np.multiply.outer(sizes, sizes)).reshape(len(rows), -1)


def _spread_floor(rows):
    """What the cells' standard deviations get before their log: 1% of the median
    standard deviation of the (training) rows. Quantised or saturated images have
    perfectly flat cells, whose log(0) would sit far below every other value."""
    return max(0.01 * float(np.median(rows.std(axis=1))), LOG_FLOOR)


def _auto_alpha(rows, features):
    """The l1 weight that ``alpha="auto"`` gives for the training rows."""
    detail = rows - rows.mean(axis=1, keepdims=True)
    scale = float(np.sqrt(np.mean(np.sum(detail * detail, axis=1))))
    if scale == 0:  # constant rows: any positive weight codes them alike
        scale = float(np.sqrt(np.mean(np.sum(rows * rows, axis=1)))) or 1.0
    return (_AUTO_ALPHA_CELLS if "cell_error" in features else _AUTO_ALPHA) * scale


def _cell_columns(rows, residual, names, patch_size, cell_size, spread_floor):
    """The cell features ``names`` (of :data:`_CELL_FEATURES`) of validated rows, with
    their residuals: a defect covering part of a patch leaves some cells unlike the rest
    even when the whole patch's error, mean and spread look normal."""
    columns = []
    if "cell_error" in names:
        energy = _cell_means(residual * residual, patch_size, cell_size)
        columns.append(np.log(energy.max(axis=1) + LOG_FLOOR))
    if "cell_mean" in names or "cell_std" in names:
        means = _cell_means(rows, patch_size, cell_size)
    if "cell_mean" in names:
        offsets = means - rows.mean(axis=1, keepdims=True)
        columns += [offsets.max(axis=1), offsets.min(axis=1)]
    if "cell_std" in names:
        spread = np.sqrt(np.maximum(_cell_means(rows * rows, patch_size, cell_size)
                                    - means * means, 0))
        columns += [np.log(spread.min(axis=1) + spread_floor),
                    np.log(spread.max(axis=1) + spread_floor)]
    return np.stack(columns, axis=1)


class SparseAnomalyDetector(DensityThresholdMixin, PatchScoresMixin, OutlierMixin,
                            BaseEstimator):
    """Anomaly detection from how sparsely a dictionary of normal patches explains a patch.

    Fitted on normal data only:

    1. the rows of ``X`` are split at random into a training part S and a disjoint
       validation part V (``validation_fraction``);
    2. a dictionary is learned on S and each row of V is described by the features of
       :class:`SparseFeatureExtractor` (error and l1 norm of its BPDN code), in log scale,
       and, for rows that are image patches, by the patch's mean and spread and the
       statistics of the cells that tile it;
    3. a density is fitted to the features of V: the lecture's Gaussian, or with the
       cell features a mixture of Gaussians;
    4. the threshold ``offset_`` (gamma) is the ``fpr`` quantile of the log-density of V,
       so that about a fraction ``fpr`` of normal patches is flagged.

    Rows are patches (``(n_samples, n_features)``), so the estimator works in a
    :class:`~sklearn.pipeline.Pipeline` and with scikit-learn's outlier tools;
    :meth:`anomaly_map` and :meth:`predict_mask` score whole images by cutting them into
    ``patch_size x patch_size`` patches and averaging patch scores per pixel.

    Parameters
    ----------
    n_components : int, default=64
        Atoms of the dictionary learned on S.
    alpha : float or "auto", default="auto"
        l1 weight of the BPDN coding (and of dictionary learning). "auto" is 0.05 times
        the RMS norm of the training rows about their means (0.005 times with
        "cell_error" among the features used), so that the detector behaves the same on
        images of any contrast, in [0, 1] or in grey levels; the fitted weight is
        ``alpha_``. A number is used as it is, in the units of the rows.
    dictionary : {"mod", "minibatch", "ksvd", "dct", "shipped"} or array-like, \
            default="mod"
        Where the atoms come from (see
        :func:`~sk_sparse.decomposition.resolve_dictionary`); "mod" (BPDN coding + MOD
        updates) learns with the same coding problem that describes the patches.
    validation_fraction : float in (0, 1), default=0.5
        Fraction of the rows held out as V.
    fpr : float in (0, 0.5], default=0.01
        Target false-positive rate on normal patches; sets ``offset_``.
    features : "auto" or sequence of {"error", "l1", "mean", "std", "cell_error", \
            "cell_mean", "cell_std"}, default="auto"
        What the density models, for each row. "auto": all seven for rows that are
        square patches of ``patch_size`` (``patch_size ** 2`` values) with room for two
        cells a side, as :class:`PatchExtractor` cuts them and :meth:`anomaly_map` needs
        them; ("error", "l1") for rows of any other length. The fitted choice is
        ``features_used_``. The features: the representation error
        ``||x D - s||^2`` and the l1 norm of the BPDN code (the lecture's features, in log
        scale), and optionally the row's mean and (log) standard deviation. Error and l1
        norm see rows the dictionary explains badly or expensively; mean and spread also
        see rows that lost energy (pits, stains, films), which the dictionary may explain
        *better* than normal ones, but the mean also follows slow changes of
        illumination, which raise false positives. The cell features describe the
        ``cell_size`` squares that tile the patch: "cell_error" the largest mean squared
        residual of a cell (log), "cell_mean" the largest and smallest cell mean minus
        the patch mean, "cell_std" the smallest and largest cell standard deviation
        (log). They see defects that cover only part of a patch (small spots, the edge
        of a faint stain), whose share of the whole patch's statistics is small; they
        need rows that are square patches of ``patch_size``. The user guide's anomaly
        page shows the trade-offs measured on five textures and six other images. At
        least one of "error" and "l1".
    density : estimator with ``fit`` and ``score_samples``, default=None
        Density of the log features of normal patches. None means, with cell features, a
        mixture of full-covariance Gaussians (:class:`~sklearn.mixture.GaussianMixture`)
        with six components, or one per 100 rows of V when V is smaller, on the
        standardised features (a :class:`~sklearn.pipeline.Pipeline` with a
        :class:`~sklearn.preprocessing.StandardScaler`, so that the model does not depend
        on the image's units): a texture has several kinds of normal patch (fibre and
        background, brick and mortar), one cluster of features each, and defects between
        the clusters look normal to a single broad Gaussian. Without cell features it
        means the lecture's single full-covariance Gaussian. A
        :class:`~sklearn.neighbors.KernelDensity` also works; an estimator whose
        ``random_state`` is None (also inside a pipeline) is seeded from
        ``random_state``.
    patch_size : int, default=15
        Side of the square patches of :meth:`anomaly_map`; the rows given to ``fit`` must be
        such patches (``patch_size ** 2`` features) to use the image methods.
    stride : int, default=4
        Patch stride of :meth:`anomaly_map`, at most ``patch_size`` (so that every pixel
        is scored).
    cell_size : int, default=3
        Side of the square cells of the cell features (the last row and column of cells
        of a patch take the remainder); a patch holds at least two cells per side. Not
        used without cell features.
    min_region_size : int, default=0
        :meth:`predict_mask` removes detected regions with fewer pixels than this
        (isolated detections); 0 keeps everything.
    max_iter : int, default=5
        Rounds (or passes) of dictionary learning.
    transform_max_iter : int, default=200
        ADMM iterations per patch at most. Patches are coded exactly (the homotopy path,
        or the active-set method with a group term); ADMM only codes the rare patches
        whose exact code could not be certified.
    transform_tol : float, default=1e-2
        ADMM relative tolerance for those patches. Features only need to be computed
        the same way in ``fit`` and when scoring, so a loose tolerance is enough.
    random_state : int, RandomState instance or None, default=None
        Seeds the S/V split and dictionary learning.
    n_jobs : int, default=None
        Parallel coding (chunks of patches) in ``fit`` and scoring, and strips of images in
        :meth:`anomaly_map`; None means 1 unless in a :func:`joblib.parallel_config`
        context (a Dask backend then spreads image strips over the cluster). It pays for
        many images or large ones; a small image is a few strips.
    verbose : int, default=0
        Progress messages: 1 prints the stages of ``fit`` and the strips scored by
        :meth:`anomaly_map` (about ten lines per call, with elapsed time); 2 also prints
        each pass of dictionary learning.

    Attributes
    ----------
    alpha_ : float
        The l1 weight used (``alpha``, or what "auto" gave).
    features_used_ : tuple of str
        The features the density models (``features``, or what "auto" gave).
    features_ : SparseFeatureExtractor
        Fitted on S.
    density_ : estimator
        Fitted on the log features of V.
    offset_ : float
        Threshold gamma on ``score_samples``: ``decision_function = score_samples - offset_``.
    validation_scores_ : ndarray
        ``score_samples`` of V.
    spread_floor_ : float
        Added to the cells' standard deviations before their log ("cell_std"): 1% of
        the median standard deviation of the rows of S, so that the flat cells of
        quantised or saturated images stay near the others rather than at log(0).
    n_iter_ : int
        Passes of dictionary learning run.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    See Also
    --------
    sklearn.ensemble.IsolationForest : the same outlier-detector contract.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.anomaly import SparseAnomalyDetector
    >>> rng = np.random.default_rng(0)
    >>> normal = rng.normal(size=(400, 9)) @ rng.normal(size=(9, 9)) * 0.1
    >>> detector = SparseAnomalyDetector(n_components=16, random_state=0).fit(normal)
    >>> detector.predict(np.vstack([normal[:2], normal[:1] + 5]))
    array([ 1,  1, -1])

    Rows that are image patches of ``patch_size`` get the patch features:

    >>> from sk_sparse import PatchExtractor
    >>> from sk_sparse.datasets import make_nanofibres
    >>> patches = PatchExtractor(patch_size=15, stride=4).fit_transform(
    ...     make_nanofibres(96, random_state=0))
    >>> fibres = SparseAnomalyDetector(n_components=16, random_state=0).fit(patches)
    >>> fibres.features_used_
    ('error', 'l1', 'mean', 'std', 'cell_error', 'cell_mean', 'cell_std')
    >>> fibres.anomaly_map(make_nanofibres(96, random_state=1)).shape
    (96, 96)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "dictionary": DICTIONARY_CONSTRAINT,
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "fpr": [Interval(Real, 0, 0.5, closed="right")],
        "density": [HasMethods(["fit", "score_samples"]), None],
        "patch_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "cell_size": [Interval(Integral, 1, None, closed="left")],
        "min_region_size": [Interval(Integral, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "transform_max_iter": [Interval(Integral, 1, None, closed="left")],
        "transform_tol": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "features": [StrOptions({"auto"}), tuple, list],
    }

    def __init__(self, n_components=64, *, alpha="auto", dictionary="mod",
                 validation_fraction=0.5, fpr=0.01, features="auto", density=None,
                 patch_size=15, stride=4, cell_size=3, min_region_size=0, max_iter=5,
                 transform_max_iter=200, transform_tol=1e-2, random_state=None, n_jobs=None,
                 verbose=0):
        self.n_components = n_components
        self.alpha = alpha
        self.dictionary = dictionary
        self.validation_fraction = validation_fraction
        self.fpr = fpr
        self.features = features
        self.density = density
        self.patch_size = patch_size
        self.stride = stride
        self.cell_size = cell_size
        self.min_region_size = min_region_size
        self.max_iter = max_iter
        self.transform_max_iter = transform_max_iter
        self.transform_tol = transform_tol
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit on normal patches only.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Normal patches, one per row (e.g. from :class:`PatchExtractor`).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : SparseAnomalyDetector
            The fitted detector.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        self.features_used_ = self._resolved_features(X.shape[1])
        self._check_features(_FEATURES)
        self._check_cells(X.shape[1])
        n_samples = X.shape[0]
        n_validation = int(round(self.validation_fraction * n_samples))
        if n_samples < 2 or not 0 < n_validation < n_samples:
            raise ValueError(
                "SparseAnomalyDetector splits the rows into a training and a validation "
                f"part and needs at least one row in each; got n_samples = {n_samples} with "
                f"validation_fraction={self.validation_fraction}."
            )
        rng = check_random_state(self.random_state)
        order = rng.permutation(n_samples)
        validation, train = order[:n_validation], order[n_validation:]
        train = X[train]  # S, copied once for the weight, the dictionary and the floor
        started = time.perf_counter()
        self._report(f"fit: learning {self.n_components} atoms on {len(train)} rows (S)",
                     started)
        self.alpha_ = (_auto_alpha(train, self.features_used_) if self.alpha == "auto"
                       else float(self.alpha))
        self.features_ = SparseFeatureExtractor(
            self.dictionary, n_components=self.n_components, alpha=self.alpha_,
            max_iter=self.max_iter, transform_max_iter=self.transform_max_iter,
            transform_tol=self.transform_tol, random_state=rng, n_jobs=self.n_jobs,
            verbose=max(0, self.verbose - 1),
        ).fit(train)
        self.n_iter_ = max(1, self.features_.n_iter_)
        self.spread_floor_ = _spread_floor(train)
        self._report(f"fit: dictionary learned in {self.n_iter_} passes; coding "
                     f"{len(validation)} held-out rows (V)", started)
        self._fit_density(self._log_features(X[validation]), rng)
        self._report(f"fit: density fitted, threshold {self.offset_:.4g} for "
                     f"fpr={self.fpr}; done", started)
        return self

    def _resolved_features(self, n_features):
        """The features the density models, for rows of ``n_features`` values: those
        given, or what ``features="auto"`` means for them."""
        if not isinstance(self.features, str):
            return tuple(self.features)
        p = self.patch_size
        if n_features == p * p and p // self.cell_size >= 2:
            return _PATCH_FEATURES
        return _LECTURE_FEATURES

    def _check_features(self, allowed, auto=True):
        """``features_used_`` must be distinct names of ``allowed`` with "error" or "l1"
        (``auto``: the estimator also takes "auto", which the message then names)."""
        features = self.features_used_
        unknown = set(features) - set(allowed)
        if (unknown or len(set(features)) != len(features)
                or not {"error", "l1"} & set(features)):
            choices = '"auto" or ' if auto else ""
            raise ValueError(
                f"features must be {choices}distinct names among {allowed}, with 'error' "
                f"or 'l1'; got {self.features!r}."
            )

    def _check_cells(self, n_features):
        """With cell features: rows must be square patches of at least two cells a side."""
        if not self._uses_cells():
            return
        if n_features != self.patch_size**2:
            raise ValueError(
                f"The cell features need rows that are square patches of patch_size="
                f"{self.patch_size} ({self.patch_size**2} features); got {n_features} "
                "features.")
        if self.patch_size // self.cell_size < 2:
            raise ValueError(
                f"cell_size={self.cell_size} leaves fewer than two cells per side of a "
                f"patch of patch_size={self.patch_size}; use at most "
                f"{self.patch_size // 2}.")

    def _uses_cells(self):
        """Whether any cell feature is among ``features_used_``."""
        return bool(set(_CELL_FEATURES) & set(self.features_used_))

    def _n_mixture_components(self, n_rows):
        """Components of the default density for ``n_rows`` held-out rows: with cell
        features a mixture (see :data:`_MIXTURE_COMPONENTS`), otherwise the one Gaussian
        of the lecture."""
        if not self._uses_cells():
            return 1
        return int(np.clip(n_rows // _ROWS_PER_COMPONENT, 1, _MIXTURE_COMPONENTS))

    def _default_density(self, n_rows, seed):
        """With cell features, a mixture of Gaussians (:meth:`_n_mixture_components`);
        otherwise the one Gaussian of the lecture."""
        if not self._uses_cells():
            return super()._default_density(n_rows, seed)
        n_components = self._n_mixture_components(n_rows)
        # Standardised first: the mixture's k-means initialisation and its covariance
        # ridge depend on the features' units, and the mean features are in the image's
        # (grey levels or [0, 1]); standardised, the maps do not depend on them.
        return make_pipeline(
            StandardScaler(),
            GaussianMixture(n_components=n_components, covariance_type="full",
                            reg_covar=_REG_COVAR, random_state=seed))

    def _report(self, message, started):
        if self.verbose:
            print(f"[{type(self).__name__}] {message} ({time.perf_counter() - started:.1f} s)",
                  flush=True)

    def _progress_printer(self, method, unit):
        started = time.perf_counter()
        # About ten lines per call, whatever the number of strips.
        def report(n_done, n_total):
            if n_done == n_total or n_done % max(1, n_total // 10) == 0:
                self._report(f"{method}: {n_done}/{n_total} {unit}", started)
        return report

    def _log_features(self, X) -> np.ndarray:
        """The features the density models, of validated rows (logs of the positive ones)."""
        residual = None
        if "cell_error" in self.features_used_:
            sparse, residual = self.features_._features(X, return_residual=True)
        elif set(_SPARSE_FEATURES) & set(self.features_used_):
            sparse = self.features_._features(X)
        else:
            sparse = None
        return self._log_columns(X, sparse, residual)

    def _log_columns(self, X, sparse, residual=None) -> np.ndarray:
        """:meth:`_log_features` from the rows, their sparse-coding features and, for
        "cell_error", their residuals."""
        columns = []
        if sparse is not None:
            sparse = np.log(sparse + LOG_FLOOR)
            columns += [sparse[:, [_SPARSE_FEATURES.index(name)]]
                        for name in self.features_used_ if name in _SPARSE_FEATURES]
        if "mean" in self.features_used_:
            columns.append(X.mean(axis=1, keepdims=True))
        if "std" in self.features_used_:
            columns.append(np.log(X.std(axis=1, keepdims=True) + LOG_FLOOR))
        cells = [name for name in self.features_used_ if name in _CELL_FEATURES]
        if cells:
            columns.append(_cell_columns(X, residual, cells, self.patch_size,
                                         self.cell_size, self.spread_floor_))
        return np.concatenate(columns, axis=1).astype(np.float64, copy=False)

    def _score_samples(self, X) -> np.ndarray:
        """``score_samples`` of validated rows."""
        return self.density_.score_samples(self._log_features(X))

    def score_samples(self, X) -> np.ndarray:
        """Log-density of each row's features under the normal model (higher = more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score (e.g. flattened patches).

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Log-density of the rows' log features; lower is more abnormal.
        """
        return self._score_samples(self._checked_rows(X))

    def _map_progress(self):
        return self._progress_printer("anomaly_map", "strips") if self.verbose else None
