"""MultiscaleSparseAnomalyDetector."""

import numpy as np
import pytest

from sk_sparse.anomaly import MultiscaleSparseAnomalyDetector, SparseAnomalyDetector
from sk_sparse.anomaly._multiscale import rescale
from sk_sparse.datasets import make_defects, make_nanofibres


@pytest.fixture(scope="module")
def fitted():
    normal = make_nanofibres((128, 256), random_state=0)
    detector = MultiscaleSparseAnomalyDetector(n_components=8, max_iter=2, random_state=0)
    return detector.fit(normal), normal


def test_rescale_zooms_and_antialiases():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(2, 40, 60))
    assert rescale(images, 2.0).shape == (2, 80, 120)
    assert rescale(images, 0.5).shape == (2, 20, 30)
    # Shrinking white noise without anti-aliasing keeps its variance; with it, it drops.
    assert rescale(images, 0.5).std() < 0.6
    ramp = np.tile(np.linspace(0, 1, 64), (1, 32, 1))
    np.testing.assert_allclose(rescale(ramp, 1.0), ramp, atol=1e-12)


def test_one_dictionary_per_scale_with_group_labels(fitted):
    detector, _ = fitted
    features = detector.features_
    assert features.components_.shape == (24, 225)
    np.testing.assert_array_equal(features.groups, np.repeat([0, 1, 2], 8))
    assert detector.n_features_in_ == 225
    assert detector.density_.means_.shape == (1, 3)
    np.testing.assert_allclose(
        np.mean(detector.validation_scores_ < detector.offset_), detector.fpr, atol=0.01)


def test_scores_patches_and_maps(fitted):
    detector, normal = fitted
    other = make_nanofibres((96, 192), zoom=1.5, random_state=1)
    # Foreign texture, not blur: a blurred region looks like the texture at a larger
    # zoom, which is what this detector is built to accept.
    defective, mask = make_defects(other, 2, kinds=("foreign",), foreign=np.rot90(other),
                                   random_state=0)
    scores = detector.anomaly_map(defective)
    assert scores.shape == defective.shape
    assert np.median(scores[mask]) > np.median(scores[~mask]) + 0.3
    patches = normal[:15, :15].reshape(1, -1)
    assert detector.predict(patches).shape == (1,)
    # The map machinery is the patch detector's.
    assert type(detector).anomaly_map is SparseAnomalyDetector.anomaly_map


def test_bad_parameters_are_named():
    image = make_nanofibres(64, random_state=0)
    with pytest.raises(ValueError, match="scales"):
        MultiscaleSparseAnomalyDetector(scales=(1.0, -1.0)).fit(image)
    with pytest.raises(ValueError, match="features"):
        MultiscaleSparseAnomalyDetector(features=("group", "x")).fit(image)
    with pytest.raises(ValueError, match="patch_size"):
        MultiscaleSparseAnomalyDetector(scales=(0.1,)).fit(image)
