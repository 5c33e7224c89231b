"""CombinedAnomalyDetector: several detectors, each calibrated on held-out normal images,
flag a pixel when any of them finds it rare."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..image._patches import PatchExtractor
from ..utils._compat import Interval, _fit_context
from ..utils._parallel import run_tasks
from ..utils._validation import ImageInputMixin, check_image_stack
from ._base import DensityThresholdMixin
from ._conv_detector import ConvolutionalAnomalyDetector
from ._detector import SparseAnomalyDetector
from ._neighbours import NeighbourAnomalyDetector

# Calibration pixels kept per detector (an even subsample beyond): ranks need no more.
_MAX_CALIBRATION = 200_000
# Above the largest calibration score, ranks go on growing linearly with the score, in
# units of the gap between the largest score and this quantile of them.
_TAIL_QUANTILE = 0.99


def _default_detectors():
    # No n_jobs of their own: the combination runs them side by side, and work of their
    # own in further threads would then oversubscribe the cores (measured: maps a third
    # slower on two cores). The patch detector's defaults fit it on patches: the
    # moments and cell features, modelled by a mixture of Gaussians.
    return [
        ("sparse", SparseAnomalyDetector()),
        ("convolutional", ConvolutionalAnomalyDetector()),
        ("neighbours", NeighbourAnomalyDetector()),
    ]


def _as_images(stack):
    """A stack as the detectors take it: one image as ``(H, W)``, so that a narrow
    image is never mistaken for a colour one by the detector's own check."""
    return stack[0] if len(stack) == 1 else stack


def _takes_images(detector):
    """Whether ``fit`` takes images (else rows of patches of ``patch_size``)."""
    return detector.__sklearn_tags__().input_tags.three_d_array


def _fit_one(detector, fitting, calibration, train_stride):
    """Fit one detector on the fitting images; returns it with its scores of the
    calibration pixels (an even subsample beyond :data:`_MAX_CALIBRATION`)."""
    if _takes_images(detector):
        detector.fit(_as_images(fitting))
    else:
        extractor = PatchExtractor(patch_size=detector.get_params()["patch_size"],
                                   stride=train_stride)
        detector.fit(extractor.fit_transform(_as_images(fitting)))
    scores = _score_one(detector, calibration).ravel()
    if len(scores) > _MAX_CALIBRATION:
        scores = scores[:: -(-len(scores) // _MAX_CALIBRATION)]
    return detector, scores


def _score_one(detector, stack):
    """One fitted detector's map of a validated stack, as float64 of its shape."""
    return np.asarray(detector.anomaly_map(_as_images(stack)),
                      dtype=np.float64).reshape(stack.shape)


class _Ranks:
    """The normal-data rank of a score: the fraction of calibration scores at or below
    it, extended above the largest one so that the order of extreme scores survives."""

    def __init__(self, scores):
        self.sorted = np.sort(scores)
        top = self.sorted[-1]
        spread = top - np.quantile(self.sorted, _TAIL_QUANTILE)
        # A floor for calibration scores that are all equal (a detector that sees nothing).
        floor = np.finfo(np.float64).eps * max(1.0, abs(float(top)))
        self.top, self.spread = top, max(float(spread), floor)

    def __call__(self, scores):
        ranks = np.searchsorted(self.sorted, scores, side="right") / len(self.sorted)
        return np.where(scores > self.top, 1.0 + (scores - self.top) / self.spread, ranks)


class CombinedAnomalyDetector(ImageInputMixin, DensityThresholdMixin, BaseEstimator):
    """Flag pixels that any of several detectors finds rare among normal pixels.

    Detectors see different things: the patch features of
    :class:`SparseAnomalyDetector` (with the patch mean and spread, and the statistics of
    the cells tiling a patch, modelled by a mixture of Gaussians) find beads, pits,
    scratches and stains, the convolutional code of the image detail of
    :class:`ConvolutionalAnomalyDetector` finds blurred
    regions and films, which lower the local energy, and the nearest normal patches of
    :class:`NeighbourAnomalyDetector` find whatever breaks a texture that repeats. Their
    scores are on different scales, so each is first turned into a rank among normal
    pixels, calibrated on images the detectors did not learn from:

    1. the training images are split into a fitting part and a calibration part
       (``calibration_fraction`` of the images, or of the rows of a single image);
    2. every detector is fitted on the fitting part (image detectors on the images,
       patch detectors on their patches, every ``train_stride`` pixels);
    3. every detector's :meth:`anomaly_map` of the calibration part gives the reference
       distribution of its pixel scores on normal data; a score becomes its rank in it
       (the fraction of normal pixels scoring at most as much, growing on linearly above
       the largest);
    4. a pixel's combined score is the largest rank over the detectors, and the
       threshold ``offset_`` is the ``1 - fpr`` quantile of the combined scores of the
       calibration pixels, so that about a fraction ``fpr`` of normal pixels is flagged.

    See the :ref:`user guide <features_anomaly>`.

    Parameters
    ----------
    detectors : list of (str, estimator) or None, default=None
        The detectors, with names. Each has ``anomaly_map(images)``; image detectors
        (``fit`` on images, as :class:`ConvolutionalAnomalyDetector`) and patch
        detectors (``fit`` on rows of patches, with a ``patch_size`` parameter, as
        :class:`SparseAnomalyDetector`) may be mixed. None means
        ``SparseAnomalyDetector()`` (on patches: the moment and cell features, modelled
        by a mixture of Gaussians), ``ConvolutionalAnomalyDetector()`` and
        ``NeighbourAnomalyDetector()``. They are cloned.
    calibration_fraction : float in (0, 1), default=0.3
        Part of the training images held out to calibrate the ranks and the threshold:
        whole images when there are several, else the bottom rows of the one image.
    fpr : float in (0, 1), default=0.01
        Target fraction of normal pixels flagged.
    train_stride : int, default=4
        Step of the patches the patch detectors are fitted on.
    min_region_size : int, default=0
        Detected regions smaller than this many pixels are dropped by
        :meth:`predict_mask`.
    random_state : int, RandomState instance or None, default=None
        Chooses the calibration images and seeds the detectors that take a
        ``random_state``.
    n_jobs : int, default=None
        Detectors fitted and scored at the same time, by joblib (threads preferred).
        The default detectors then run their own work in one thread each (nested
        threads would compete for the same cores); detectors passed in ``detectors``
        keep their ``n_jobs``. The result does not depend on it.

    Attributes
    ----------
    detectors_ : list of (str, estimator)
        The fitted detectors.
    offset_ : float
        Threshold of the combined score: :meth:`anomaly_map` subtracts it.
    calibration_scores_ : ndarray of shape (n_pixels,)
        Combined scores of the calibration pixels (a subsample on large images).

    See Also
    --------
    SparseAnomalyDetector : features of the BPDN codes of patches.
    ConvolutionalAnomalyDetector : features of the convolutional code of the detail.
    NeighbourAnomalyDetector : the local outlier factor of patches.

    Notes
    -----
    Images are ``(H, W)`` or ``(n_images, H, W)``. Taking the largest rank is a union of
    the detectors' critical regions: a pixel is flagged when at least one detector finds
    it rarer than almost all normal pixels. Since the threshold is set on the combined
    score of held-out normal pixels, the union still flags about ``fpr`` of them. The
    benchmarks page measures it against the detectors alone and seven peers, on five
    textures and seven defect kinds.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.anomaly import CombinedAnomalyDetector
    >>> from sk_sparse.datasets import make_defects, make_woven
    >>> normal = make_woven(192, random_state=0)
    >>> detector = CombinedAnomalyDetector(random_state=0).fit(normal)
    >>> damaged, truth = make_defects(make_woven(128, random_state=1), 1, kinds=("blur",),
    ...                               random_state=0)
    >>> scores = detector.anomaly_map(damaged)
    >>> bool(scores[truth].mean() > scores[~truth].mean())
    True
    """

    _parameter_constraints: dict = {
        "detectors": [list, None],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
        "fpr": [Interval(Real, 0, 1, closed="neither")],
        "train_stride": [Interval(Integral, 1, None, closed="left")],
        "min_region_size": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, detectors=None, *, calibration_fraction=0.3, fpr=0.01, train_stride=4,
                 min_region_size=0, random_state=None, n_jobs=None):
        self.detectors = detectors
        self.calibration_fraction = calibration_fraction
        self.fpr = fpr
        self.train_stride = train_stride
        self.min_region_size = min_region_size
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _checked_detectors(self):
        detectors = (_default_detectors() if self.detectors is None
                     else self.detectors)
        if not detectors:
            raise ValueError("detectors must hold at least one (name, detector) pair.")
        names = []
        for entry in detectors:
            if (not isinstance(entry, tuple) or len(entry) != 2 or not isinstance(entry[0], str)
                    or not hasattr(entry[1], "anomaly_map")):
                raise ValueError(
                    "detectors must be a list of (name, detector) pairs whose detectors "
                    f"have an anomaly_map method; got {entry!r}.")
            if not _takes_images(entry[1]) and "patch_size" not in entry[1].get_params():
                raise ValueError(
                    f"detector {entry[0]!r} is fitted on rows, so it needs a patch_size "
                    "parameter to cut the training images into patches.")
            names.append(entry[0])
        if len(set(names)) != len(names):
            raise ValueError(f"detector names must be distinct; got {names}.")
        return detectors

    def _split(self, stack, rng):
        """The fitting images and the calibration images."""
        if len(stack) > 1:
            n_calibration = min(max(1, int(round(self.calibration_fraction * len(stack)))),
                                len(stack) - 1)
            order = rng.permutation(len(stack))
            return stack[np.sort(order[n_calibration:])], stack[np.sort(order[:n_calibration])]
        cut = stack.shape[1] - max(1, int(round(self.calibration_fraction * stack.shape[1])))
        if cut < 1:
            raise ValueError("One training image needs at least two rows to be split into "
                             "a fitting and a calibration part.")
        return stack[:, :cut], stack[:, cut:]

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the detectors on normal images and calibrate them on held-out ones.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Normal images; large enough, once split, for every detector's patches or
            windows.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : CombinedAnomalyDetector
            The fitted detector.
        """
        detectors = self._checked_detectors()
        stack, _ = check_image_stack(X)
        rng = check_random_state(self.random_state)
        fitting, calibration = self._split(stack, rng)
        # Seeds are drawn here, in order, so that the result does not depend on n_jobs.
        tasks = []
        for name, detector in detectors:
            detector = clone(detector)
            if "random_state" in detector.get_params():
                detector.set_params(random_state=rng.randint(np.iinfo(np.int32).max))
            tasks.append((detector, fitting, calibration, self.train_stride))
        self.detectors_, self._ranks = [], []
        combined = None
        for (name, _), (detector, scores) in zip(
                detectors, run_tasks(_fit_one, tasks, n_jobs=self.n_jobs)):
            ranks = _Ranks(scores)
            combined = ranks(scores) if combined is None else np.maximum(combined,
                                                                         ranks(scores))
            self.detectors_.append((name, detector))
            self._ranks.append(ranks)
        self.calibration_scores_ = combined
        self.offset_ = float(np.quantile(combined, 1 - self.fpr))
        return self

    def anomaly_map(self, images) -> np.ndarray:
        """Per-pixel combined score of whole images, minus the threshold.

        Parameters
        ----------
        images : array-like of shape (H, W) or (n_images, H, W)
            Grey-level images, large enough for every detector.

        Returns
        -------
        scores : ndarray of the shape of ``images``
            The largest normal-data rank over the detectors minus ``offset_``: positive
            means anomalous at the fitted false-positive rate.
        """
        check_is_fitted(self)
        stack, single = check_image_stack(images, name="images")
        combined = None
        tasks = [(detector, stack) for _, detector in self.detectors_]
        for ranks, scores in zip(self._ranks,
                                 run_tasks(_score_one, tasks, n_jobs=self.n_jobs)):
            scores = ranks(scores)
            combined = scores if combined is None else np.maximum(combined, scores)
        combined = combined - self.offset_
        return combined[0] if single else combined
