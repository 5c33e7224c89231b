"""CombinedAnomalyDetector: detectors calibrated on held-out normal pixels, largest rank."""

import pickle

import numpy as np
import pytest
from sklearn.covariance import EmpiricalCovariance
from sklearn.metrics import roc_auc_score

from sk_sparse import PatchExtractor
from sk_sparse.anomaly import (
    CombinedAnomalyDetector,
    ConvolutionalAnomalyDetector,
    SparseAnomalyDetector,
)
from sk_sparse.anomaly._combined import _Ranks
from sk_sparse.datasets import load_image, make_defects, make_nanofibres
from sk_sparse.image import assemble_patch_weights


def small_detectors():
    return [
        ("sparse", SparseAnomalyDetector(n_components=16, patch_size=9, stride=3,
                                         features=("error", "l1", "mean", "std"),
                                         max_iter=3)),
        ("convolutional", ConvolutionalAnomalyDetector(n_filters=6, filter_size=6,
                                                       window_size=9, stride=3,
                                                       max_iter=8)),
    ]


@pytest.fixture(scope="module")
def brick():
    return load_image("brick")


@pytest.fixture(scope="module")
def fitted(brick):
    # Three normal 128 x 512 strips of the brick texture: two to fit, one to calibrate.
    detector = CombinedAnomalyDetector(small_detectors(), calibration_fraction=0.34,
                                       fpr=0.05, random_state=0)
    return detector.fit(brick[:384].reshape(3, 128, 512))


def test_ranks_are_the_normal_fraction_and_keep_the_order_above_it():
    ranks = _Ranks(np.arange(100.0))
    np.testing.assert_allclose(ranks(np.array([-1.0, 0.0, 49.5, 99.0])),
                               [0.0, 0.01, 0.5, 1.0])
    above = ranks(np.array([100.0, 150.0, 1e6]))
    assert np.all(above > 1) and np.all(np.diff(above) > 0)


def test_threshold_flags_the_target_fraction_of_new_normal_pixels(fitted, brick):
    # Calibrated on held-out pixel maps, the union flags about fpr of the normal pixels
    # of the strip it never saw (the issue's [0.5 q, 1.5 q], with room for one strip).
    achieved = fitted.predict_mask(brick[384:]).mean()
    assert 0.3 * fitted.fpr <= achieved <= 2.0 * fitted.fpr
    assert np.mean(fitted.calibration_scores_ > fitted.offset_) == pytest.approx(
        fitted.fpr, abs=0.005)


def test_union_is_near_its_best_detector_and_beats_a_patch_peer(fitted, brick):
    # Pits and blur on brick: the union keeps close to the better detector (measured:
    # 0.840 against 0.850 and 0.785), and well above a Gaussian on patch mean and spread.
    test = brick[384:]
    cases = [make_defects(test, 1, kinds=(kind,), random_state=seed)
             for seed, kind in enumerate(["pit", "blur", "pit", "blur"])]
    truth = np.concatenate([mask.ravel() for _, mask in cases])

    def auc(score_maps):
        return roc_auc_score(truth, np.concatenate([m.ravel() for m in score_maps]))

    combined = auc([fitted.anomaly_map(image) for image, _ in cases])
    members = {name: auc([detector.anomaly_map(image) for image, _ in cases])
               for name, detector in fitted.detectors_}
    assert combined > 0.8
    assert combined >= max(members.values()) - 0.03
    assert combined >= min(members.values()) + 0.03
    # A peer on the same patches: a Gaussian on each patch's mean and spread.
    train = brick[:384].reshape(3, 128, 512)
    extractor = PatchExtractor(patch_size=9, stride=3)

    def moments(image):
        patches = extractor.fit_transform(image)
        return np.stack([patches.mean(axis=1), patches.std(axis=1)], axis=1)
    peer = EmpiricalCovariance().fit(np.concatenate([moments(image) for image in train]))
    peer_maps = []
    for image, _ in cases:
        grid = peer.mahalanobis(moments(image)).reshape(
            1, len(extractor.row_positions_), len(extractor.col_positions_))
        args = (extractor.row_positions_, extractor.col_positions_, (9, 9), image.shape)
        # Mean of the patch scores over the patches covering each pixel.
        peer_maps.append((assemble_patch_weights(grid, *args)
                          / assemble_patch_weights(np.ones_like(grid), *args))[0])
    assert combined > auc(peer_maps)


def test_single_image_is_split_by_rows_and_input_is_left_alone():
    normal = make_nanofibres(160, random_state=2)
    before = normal.copy()
    detector = CombinedAnomalyDetector(small_detectors(), random_state=0).fit(normal)
    np.testing.assert_array_equal(normal, before)
    scores = detector.anomaly_map(normal[:64])
    assert scores.shape == (64, 160) and np.all(np.isfinite(scores))
    restored = pickle.loads(pickle.dumps(detector))
    np.testing.assert_array_equal(restored.anomaly_map(normal[:64]), scores)


@pytest.mark.parametrize("detectors, match", [
    ([], "at least one"),
    ([("a", SparseAnomalyDetector()), ("a", ConvolutionalAnomalyDetector())], "distinct"),
    ([SparseAnomalyDetector()], "pairs"),
    ([("forest", EmpiricalCovariance())], "anomaly_map"),
])
def test_bad_detectors_are_refused(detectors, match):
    with pytest.raises(ValueError, match=match):
        CombinedAnomalyDetector(detectors).fit(np.zeros((64, 64)))


def test_detectors_run_concurrently_with_the_same_result(fitted, brick):
    # n_jobs only runs the detectors at the same time: seeds are drawn before, and each
    # detector computes alone, so the thresholds and maps are the same bits.
    parallel = CombinedAnomalyDetector(small_detectors(), calibration_fraction=0.34,
                                       fpr=0.05, random_state=0, n_jobs=2)
    parallel.fit(brick[:384].reshape(3, 128, 512))
    assert parallel.offset_ == fitted.offset_
    test = brick[384:512, :256]
    np.testing.assert_array_equal(parallel.anomaly_map(test), fitted.anomaly_map(test))


def test_grey_levels_give_the_maps_of_unit_range_images(fitted, brick):
    # The same texture as uint8 grey levels: the patch detector's weight follows the
    # patches' detail, the convolutional one's the images' detail and the ranks do not
    # see units, so the maps are those of [0, 1] images (with the patch detector's old
    # fixed weight of 0.1, they differed by up to 3.3).
    grey = np.round(brick * 255).astype(np.uint8)
    detector = CombinedAnomalyDetector(small_detectors(), calibration_fraction=0.34,
                                       fpr=0.05, random_state=0)
    detector.fit(grey[:384].reshape(3, 128, 512))
    assert detector.detectors_[0][1].alpha_ == pytest.approx(
        255 * fitted.detectors_[0][1].alpha_)
    test = brick[384:512, :256]
    np.testing.assert_allclose(detector.anomaly_map(grey[384:512, :256]),
                               fitted.anomaly_map(test), atol=0.05)


def test_default_patch_detector_is_the_patch_detectors_default():
    # On patches its defaults are the moment and cell features and a mixture density
    # (tested with SparseAnomalyDetector); here it must not be given other settings.
    from sk_sparse.anomaly._combined import _default_detectors

    sparse = dict(_default_detectors())["sparse"]
    assert isinstance(sparse, SparseAnomalyDetector)
    assert sparse.get_params() == SparseAnomalyDetector().get_params()
