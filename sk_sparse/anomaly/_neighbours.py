"""NeighbourAnomalyDetector: how far a patch is from its nearest normal patches."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.neighbors import LocalOutlierFactor

from ..utils._compat import Interval, _fit_context, validate_data
from ._base import DensityThresholdMixin, PatchScoresMixin


class NeighbourAnomalyDetector(DensityThresholdMixin, PatchScoresMixin, OutlierMixin,
                               BaseEstimator):
    """Anomaly detection from the local density of the nearest normal patches.

    A patch is anomalous when it lies farther from its ``n_neighbors`` nearest normal
    patches than those patches lie from theirs: the local outlier factor (Breunig et
    al., 2000) of :class:`~sklearn.neighbors.LocalOutlierFactor`, on raw patches.
    Where a texture repeats (bricks, weaves, meshes), every normal patch has close
    copies, and a defect of any kind is far from all of them, whether it adds energy or
    removes it; on random textures (grass) the nearest copies are far for normal patches
    too, and the sparse-coding features of :class:`SparseAnomalyDetector` see more. It is
    the third default detector of :class:`CombinedAnomalyDetector`, which calibrates
    every detector's scores on held-out normal pixels.

    It keeps every training row, and scoring searches among all of them: time and memory
    grow with the number of training patches (a training stride of 4 on two 128 x 320
    images gives about 4,500, and a 512 x 512 map then takes about a second).

    See the :ref:`user guide <features_anomaly>`.

    Parameters
    ----------
    n_neighbors : int, default=20
        Neighbours defining a patch's local density. With fewer training rows, all the
        other rows are used, with a warning (as :class:`~sklearn.neighbors.LocalOutlierFactor`
        does).
    fpr : float in (0, 0.5], default=0.01
        Target false-positive rate on normal patches; sets ``offset_`` from the
        leave-one-out scores of the training rows.
    patch_size : int, default=15
        Side of the square patches of :meth:`anomaly_map`; the rows given to ``fit`` must be
        such patches (``patch_size ** 2`` features) to use the image methods.
    stride : int, default=4
        Patch stride of :meth:`anomaly_map`, at most ``patch_size``.
    min_region_size : int, default=0
        :meth:`predict_mask` removes detected regions with fewer pixels than this.
    n_jobs : int, default=None
        Parallel neighbour searches and strips of images in :meth:`anomaly_map`; None
        means 1 unless in a :func:`joblib.parallel_config` context.

    Attributes
    ----------
    neighbours_ : LocalOutlierFactor
        Fitted on the training rows (``novelty=True``); its ``n_neighbors_`` is the
        number of neighbours used.
    offset_ : float
        Threshold on ``score_samples``: ``decision_function = score_samples - offset_``.
    validation_scores_ : ndarray of shape (n_samples,)
        Leave-one-out ``score_samples`` of the training rows (each row's neighbours are
        the other rows).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    See Also
    --------
    SparseAnomalyDetector : features of the BPDN codes of patches.
    CombinedAnomalyDetector : several detectors, each calibrated on held-out images.

    References
    ----------
    M. M. Breunig, H.-P. Kriegel, R. T. Ng and J. Sander, "LOF: identifying
    density-based local outliers", ACM SIGMOD, 2000.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.anomaly import NeighbourAnomalyDetector
    >>> rng = np.random.default_rng(0)
    >>> normal = rng.normal(size=(400, 9))
    >>> detector = NeighbourAnomalyDetector().fit(normal)
    >>> detector.predict(np.vstack([normal[:2], normal[:1] + 10]))
    array([ 1,  1, -1])
    """

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "fpr": [Interval(Real, 0, 0.5, closed="right")],
        "patch_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "min_region_size": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, n_neighbors=20, *, fpr=0.01, patch_size=15, stride=4,
                 min_region_size=0, n_jobs=None):
        self.n_neighbors = n_neighbors
        self.fpr = fpr
        self.patch_size = patch_size
        self.stride = stride
        self.min_region_size = min_region_size
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit on normal patches only.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Normal patches, one per row (e.g. from :class:`PatchExtractor`); at least
            two.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : NeighbourAnomalyDetector
            The fitted detector.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        # LocalOutlierFactor itself warns and uses n_samples - 1 neighbours when there are
        # too few rows.
        self.neighbours_ = LocalOutlierFactor(n_neighbors=self.n_neighbors, novelty=True,
                                              n_jobs=self.n_jobs).fit(X)
        self.validation_scores_ = self.neighbours_.negative_outlier_factor_
        self.offset_ = float(np.quantile(self.validation_scores_, self.fpr))
        return self

    def _score_samples(self, X) -> np.ndarray:
        """``score_samples`` of validated rows."""
        return self.neighbours_.score_samples(X)

    def score_samples(self, X) -> np.ndarray:
        """Opposite of the local outlier factor of each row (higher = more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score (e.g. flattened patches).

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            About -1 for rows as dense as their normal neighbours, lower for outliers.
        """
        return self._score_samples(self._checked_rows(X))
