"""ConvolutionalAnomalyDetector."""

import numpy as np
import pytest

from sk_sparse.anomaly import ConvolutionalAnomalyDetector, SparseAnomalyDetector
from sk_sparse.anomaly._base import DensityThresholdMixin
from sk_sparse.datasets import make_defects, make_nanofibres


@pytest.fixture(scope="module")
def fitted():
    normal = make_nanofibres(192, random_state=0)
    detector = ConvolutionalAnomalyDetector(n_filters=8, max_iter=10, random_state=0)
    return detector.fit(np.stack([normal[:96, :], normal[96:, :]])), normal


def test_threshold_is_the_fpr_quantile_of_validation_windows(fitted):
    detector, _ = fitted
    assert detector.components_.shape == (8, 8, 8)
    np.testing.assert_allclose(
        np.mean(detector.validation_scores_ < detector.offset_), detector.fpr, atol=0.01)
    assert detector.alpha_ > 0 and detector.n_iter_ == 10


def test_defects_score_higher_than_normal_pixels(fitted):
    detector, normal = fitted
    other = make_nanofibres(192, random_state=1)[:96]
    defective, mask = make_defects(other, 2, kinds=("blur", "foreign"),
                                   foreign=np.rot90(other), random_state=0)
    scores = detector.anomaly_map(defective)
    assert scores.shape == defective.shape
    assert np.median(scores[mask]) > np.quantile(scores[~mask], 0.9)
    flagged = detector.predict_mask(other)
    assert flagged.dtype == bool and flagged.mean() < 0.1


def test_features_are_validated_and_selectable(fitted):
    detector, normal = fitted
    with pytest.raises(ValueError, match="features"):
        ConvolutionalAnomalyDetector(features=("error", "mean")).fit(normal)
    with pytest.raises(ValueError, match="stride"):
        ConvolutionalAnomalyDetector(stride=20, window_size=15).fit(normal)
    two = ConvolutionalAnomalyDetector(filters=detector.components_, features=("error", "l1"),
                                       random_state=0).fit(normal[:96])
    assert two.density_.means_.shape == (1, 2) and two.n_iter_ == 0


def test_one_image_is_split_in_two():
    normal = make_nanofibres(96, random_state=2)
    detector = ConvolutionalAnomalyDetector(n_filters=4, max_iter=2, random_state=0,
                                            window_size=9).fit(normal)
    assert detector.anomaly_map(normal).shape == normal.shape


def test_one_density_and_mask_implementation():
    # The density, threshold and mask machinery is written once.
    for cls in (ConvolutionalAnomalyDetector, SparseAnomalyDetector):
        assert issubclass(cls, DensityThresholdMixin)
        assert cls.predict_mask is DensityThresholdMixin.predict_mask
        assert cls._fit_density is DensityThresholdMixin._fit_density


def test_images_smaller_than_the_window_are_refused_by_name(fitted):
    detector, _ = fitted
    with pytest.raises(ValueError, match="window_size"):
        detector.anomaly_map(np.zeros((10, 40)))
    with pytest.raises(ValueError, match="window_size"):
        ConvolutionalAnomalyDetector().fit(np.zeros((20, 64)))  # halves of 10 rows


def test_window_sums_match_explicit_sums():
    # The features' window sums (rows first, at the grid's rows only), on a grid that
    # does not reach the last rows and columns, against summing every window.
    from sk_sparse.anomaly._conv_detector import _box_sums

    values = np.random.default_rng(0).normal(size=(2, 3, 23, 19))
    rows, cols = np.arange(0, 23 - 5, 3), np.arange(0, 19 - 4, 4)
    expected = np.array([[[[values[i, k, r:r + 5, c:c + 4].sum() for c in cols] for r in rows]
                          for k in range(3)] for i in range(2)])
    np.testing.assert_allclose(_box_sums(values, rows, cols, (5, 4)), expected, atol=1e-12)
