"""Convolutional dictionary learning and ConvolutionalSparseCoder."""

import numpy as np
import pytest
from scipy.signal import correlate

from sk_sparse.coding import cbpdn, cbpdn_objective
from sk_sparse.coding._cbpdn import filter_spectra, synthesize
from sk_sparse.datasets import load_image
from sk_sparse.decomposition import ConvolutionalSparseCoder
from sk_sparse.image import lowpass
from sk_sparse.restoration._sparse_denoise import dct_filters


def planted(seed=1, n_images=8, size=48, n_filters=3, filter_size=6):
    rng = np.random.default_rng(seed)
    filters = rng.normal(size=(n_filters, filter_size, filter_size))
    filters /= np.linalg.norm(filters.reshape(n_filters, -1), axis=1)[:, None, None]
    maps = np.zeros((n_images, n_filters, size, size))
    for image in maps:
        for plane in image:
            where = rng.integers(0, size, size=(5, 2))
            plane[where[:, 0], where[:, 1]] = rng.choice([-1, 1], 5) * rng.uniform(2, 4, 5)
    images = synthesize(maps, filter_spectra(filters, (size, size)), (size, size))
    return filters, images + 0.01 * rng.normal(size=images.shape)


def best_match(learned, truth):
    """Per true filter, the best normalised correlation with a learned one, any shift."""
    return np.array([max(np.abs(correlate(f, t, mode="full")).max() for f in learned)
                     for t in truth])


@pytest.mark.slow
def test_recovers_planted_filters():
    # Two planted filters, three learned (learning is non-convex: a spare filter makes
    # the outcome robust to the starting point; every seed 0-3 gives at least 0.87).
    truth, images = planted(n_images=12, n_filters=2, filter_size=5)
    coder = ConvolutionalSparseCoder(n_filters=3, filter_size=5, alpha=0.05,
                                     boundary="periodic", max_iter=100,
                                     random_state=0).fit(images)
    assert np.all(best_match(coder.components_, truth) > 0.85)
    assert coder.objective_[-1] < coder.objective_[0] / 2
    # Random filters do not match that well (the test can fail).
    random = np.random.default_rng(0).normal(size=(3, 5, 5))
    random /= np.linalg.norm(random.reshape(3, -1), axis=1)[:, None, None]
    assert best_match(random, truth).min() < 0.75


def test_learned_filters_beat_random_and_dct_on_new_images():
    camera, astronaut = (image - lowpass(image) for image in map(load_image,
                                                                 ("camera", "astronaut")))
    train = np.stack([camera[i:i + 128, j:j + 128]
                      for i, j in ((0, 0), (128, 128), (256, 256), (384, 384))])
    test = np.stack([camera[0:128, 384:512], camera[384:512, 0:128],
                     astronaut[100:228, 100:228], astronaut[300:428, 300:428]])
    coder = ConvolutionalSparseCoder(n_filters=16, filter_size=8, alpha=0.01, max_iter=10,
                                     boundary="periodic", random_state=0).fit(train)
    assert coder.objective_[-1] < 0.8 * coder.objective_[0]
    rng = np.random.default_rng(0)
    candidates = {"learned": coder.components_,
                  "random": rng.normal(size=(16, 8, 8)),
                  "dct": dct_filters(8)[1:17]}
    values = {}
    for name, filters in candidates.items():
        filters = filters / np.linalg.norm(filters.reshape(16, -1), axis=1)[:, None, None]
        maps = cbpdn(test, filters, alpha=0.01, boundary="periodic", tol=1e-3)
        values[name] = cbpdn_objective(test, filters, maps, alpha=0.01)
    # Per held-out image, at the same lambda and the same number of filters.
    assert np.all(values["learned"] < 0.95 * np.minimum(values["random"], values["dct"]))


def test_transform_inverse_transform_and_given_filters():
    rng = np.random.default_rng(2)
    images = rng.normal(size=(2, 20, 18))
    filters = rng.normal(size=(3, 4, 5))
    coder = ConvolutionalSparseCoder(filters=filters, alpha=0.1, boundary="periodic",
                                     transform_tol=1e-6, transform_max_iter=5000).fit(images)
    assert coder.n_iter_ == 0
    np.testing.assert_allclose(np.linalg.norm(coder.components_.reshape(3, -1), axis=1), 1)
    maps = coder.transform(images)
    assert maps.shape == (2, 3, 20, 18)
    expected = cbpdn(images, coder.components_, alpha=0.1, boundary="periodic", tol=1e-6,
                     max_iter=5000)
    np.testing.assert_allclose(maps, expected, atol=1e-8)
    synthesis = coder.inverse_transform(maps)
    # Periodic model: the synthesis is the coding's reconstruction, a denoised copy.
    assert synthesis.shape == images.shape
    assert np.mean((synthesis - images) ** 2) < np.mean(images**2)
    single = coder.transform(images[0])
    assert single.shape == (3, 20, 18)
    assert coder.inverse_transform(single).shape == (20, 18)


def test_reflect_synthesis_is_same_convolution():
    rng = np.random.default_rng(3)
    filters = rng.normal(size=(2, 3, 3))
    coder = ConvolutionalSparseCoder(filters=filters).fit(np.zeros((10, 10)))
    maps = np.zeros((2, 10, 10))
    maps[0, 0, 0] = 1.0  # at the corner: half the filter falls outside
    image = coder.inverse_transform(maps)
    np.testing.assert_allclose(image[:2, :2], coder.components_[0, 1:, 1:], atol=1e-12)
    assert np.abs(image).sum() == pytest.approx(np.abs(coder.components_[0, 1:, 1:]).sum())


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="filter_size"):
        ConvolutionalSparseCoder(filter_size=20).fit(np.zeros((10, 10)))
    coder = ConvolutionalSparseCoder(filters=np.ones((2, 3, 3))).fit(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="maps of shape"):
        coder.inverse_transform(np.zeros((3, 8, 8)))
    with pytest.raises(ValueError, match="all-zero"):
        ConvolutionalSparseCoder(filters=np.zeros((2, 3, 3))).fit(np.zeros((8, 8)))
