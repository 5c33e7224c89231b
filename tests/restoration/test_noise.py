import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sk_sparse import NoiseEstimator, estimate_noise_sigma
from sk_sparse.datasets import add_noise


@pytest.mark.parametrize("sigma", [10, 20, 30])
def test_within_ten_percent_on_camera(camera, sigma):
    noisy = add_noise(camera, sigma / 255, random_state=sigma)
    estimate = NoiseEstimator().estimate(noisy) * 255
    assert abs(estimate - sigma) / sigma < 0.10


@pytest.mark.parametrize("method", ["mad", "std"])
@pytest.mark.parametrize("flat_fraction", [0.3, 0.5, 1.0])
def test_unbiased_on_pure_noise(method, flat_fraction):
    noise = np.random.default_rng(0).normal(0.5, 0.05, size=(3, 256, 256))
    estimates = NoiseEstimator(method=method, flat_fraction=flat_fraction).estimate(noise)
    np.testing.assert_allclose(estimates, 0.05, rtol=0.03)


def test_global_estimate_matches_the_formula(camera):
    noisy = add_noise(camera[:200, :300], 0.1, random_state=1, clip=False)
    differences = np.concatenate([(noisy[:, 1:] - noisy[:, :-1]).ravel(),
                                  (noisy[1:] - noisy[:-1]).ravel()])
    mad = np.median(np.abs(differences - np.median(differences))) / (0.67449 * np.sqrt(2))
    std = differences.std() / np.sqrt(2)
    assert NoiseEstimator(flat_fraction=1.0).estimate(noisy) == pytest.approx(mad)
    assert NoiseEstimator("std", flat_fraction=1.0).estimate(noisy) == pytest.approx(std)


def test_flat_blocks_reduce_texture_bias(camera):
    noisy = add_noise(camera, 10 / 255, random_state=3)
    global_error = abs(NoiseEstimator(flat_fraction=1.0).estimate(noisy) * 255 - 10)
    flat_error = abs(NoiseEstimator().estimate(noisy) * 255 - 10)
    assert flat_error < global_error / 2


def test_shapes_and_small_images():
    rng = np.random.default_rng(2)
    stack = rng.normal(0, 0.1, size=(4, 40, 40))
    estimator = NoiseEstimator()
    assert estimator.estimate(stack).shape == (4,)
    assert isinstance(estimator.estimate(stack[0]), float)
    assert estimator.fit_transform(stack).shape == (4, 1)
    assert list(estimator.get_feature_names_out()) == ["noise_sigma"]
    # Smaller than one 16 x 16 block: falls back to all differences, still unbiased (64
    # pixels give 112 differences: about 10% relative spread).
    small = np.mean([estimate_noise_sigma(rng.normal(0, 0.1, size=(8, 8)))
                     for _ in range(50)])
    assert small == pytest.approx(0.1, rel=0.05)
    # One pixel says nothing; a 1 x 2 image has one difference.
    with pytest.raises(ValueError, match="at least 2 pixels"):
        estimator.estimate(np.ones((1, 1)))
    assert np.isfinite(estimator.estimate(np.array([[0.0, 0.2]])))


@pytest.mark.parametrize(
    "kwargs, X, error",
    [
        ({}, np.ones(10), ValueError),
        ({}, np.ones((10, 10, 3)), ValueError),
        ({}, np.full((10, 10), np.nan), ValueError),
        ({"method": "iqr"}, np.ones((10, 10)), InvalidParameterError),
        ({"flat_fraction": 0.0}, np.ones((10, 10)), InvalidParameterError),
    ],
)
def test_bad_input(kwargs, X, error):
    with pytest.raises(error):
        NoiseEstimator(**kwargs).estimate(X)


def test_colour_noise_is_estimated_per_channel():
    from skimage import data

    clean = data.astronaut()[:256, :256].astype(np.float64) / 255
    sigmas = np.array([0.02, 0.05, 0.1])
    noisy = clean + np.random.default_rng(0).normal(size=clean.shape) * sigmas
    estimator = NoiseEstimator(channel_axis=-1).fit(noisy)
    estimate = estimator.estimate(noisy)
    assert estimate.shape == (3,)
    np.testing.assert_allclose(estimate, sigmas, rtol=0.15)
    for c in range(3):
        assert estimate[c] == NoiseEstimator().estimate(noisy[..., c])
    stacked = estimator.transform(np.stack([noisy, noisy]))
    assert stacked.shape == (2, 3)
    assert list(estimator.get_feature_names_out()) == ["noise_sigma_0", "noise_sigma_1",
                                                       "noise_sigma_2"]
    assert estimator.transform(noisy).shape == (1, 3)
