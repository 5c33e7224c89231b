import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_sparse import SparseFeatureExtractor, bpdn, bpdn_dictionary_learning, bpdn_objective


@pytest.fixture(scope="module")
def patches():
    from sk_sparse import PatchExtractor
    from sk_sparse.datasets import load_image

    return PatchExtractor(patch_size=6, stride=3).fit_transform(load_image("camera")[:150])


def test_features_are_error_and_l1_of_the_bpdn_code(patches):
    extractor = SparseFeatureExtractor("mod", n_components=20, alpha=0.05, max_iter=3,
                                       transform_tol=1e-6, transform_max_iter=2000,
                                       random_state=0).fit(patches)
    features = extractor.transform(patches[:30])
    codes = bpdn(patches[:30], extractor.components_, alpha=0.05, tol=1e-6, max_iter=2000)
    residual = codes @ extractor.components_ - patches[:30]
    np.testing.assert_allclose(features[:, 0], np.sum(residual**2, axis=1), rtol=1e-6,
                               atol=1e-12)
    np.testing.assert_allclose(features[:, 1], np.abs(codes).sum(axis=1), rtol=1e-6)
    np.testing.assert_allclose(extractor.sparse_codes(patches[:30]), codes)


def test_group_feature(patches):
    groups = np.repeat([0, 1, 2, 3], 4)
    extractor = SparseFeatureExtractor(n_components=16, groups=groups, group_alpha=0.02,
                                       max_iter=2, random_state=0).fit(patches)
    features = extractor.transform(patches[:10])
    codes = extractor.sparse_codes(patches[:10])
    expected = np.sqrt((codes.reshape(10, 4, 4) ** 2).sum(axis=2)).sum(axis=1)
    np.testing.assert_allclose(features[:, 2], expected)
    assert list(extractor.get_feature_names_out()) == ["reconstruction_error", "l1_norm",
                                                        "group_l2_norm"]
    with pytest.raises(ValueError, match="one group label per atom"):
        SparseFeatureExtractor(n_components=16, groups=[0, 1], max_iter=1).fit(patches)


def test_given_dictionary_is_normalised_and_checked(patches):
    atoms = np.random.default_rng(0).normal(size=(12, 36)) * 3
    extractor = SparseFeatureExtractor(atoms).fit(patches)
    np.testing.assert_allclose(np.linalg.norm(extractor.components_, axis=1), 1.0)
    assert extractor.n_iter_ == 0
    with pytest.raises(ValueError, match="36"):
        SparseFeatureExtractor(atoms[:, :10]).fit(patches)


def test_learned_dictionary_explains_training_data_better_than_random(patches):
    learned, objectives = bpdn_dictionary_learning(patches, 24, alpha=0.05, max_iter=4,
                                                   random_state=0)
    random_atoms = np.random.default_rng(1).normal(size=(24, 36))
    random_atoms /= np.linalg.norm(random_atoms, axis=1, keepdims=True)
    value = np.mean(bpdn_objective(patches, learned, bpdn(patches, learned, alpha=0.05),
                                   alpha=0.05))
    baseline = np.mean(bpdn_objective(patches, random_atoms,
                                      bpdn(patches, random_atoms, alpha=0.05), alpha=0.05))
    assert value < 0.7 * baseline
    assert objectives[-1] < objectives[0]


@pytest.mark.parametrize("dictionary", ["mod", "minibatch", "ksvd"])
def test_unusual_rows_get_larger_features(patches, dictionary):
    extractor = SparseFeatureExtractor(dictionary, n_components=16, max_iter=2,
                                       random_state=0).fit(patches)
    noise = np.random.default_rng(0).normal(0.5, 0.3, size=(50, 36))
    assert np.median(extractor.transform(noise)[:, 0]) > 5 * np.median(
        extractor.transform(patches)[:, 0])


def test_pipeline_and_pandas_output(patches):
    pipeline = make_pipeline(SparseFeatureExtractor(n_components=8, max_iter=1,
                                                    random_state=0), StandardScaler())
    assert pipeline.fit_transform(patches).shape == (len(patches), 2)
    pd = pytest.importorskip("pandas")
    frame = SparseFeatureExtractor(n_components=8, max_iter=1, random_state=0).set_output(
        transform="pandas").fit_transform(patches)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["reconstruction_error", "l1_norm"]
