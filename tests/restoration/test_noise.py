import numpy as np
import pytest
from scipy.fft import dctn
from sklearn.utils._param_validation import InvalidParameterError

from sk_sparse import NoiseEstimator, estimate_noise_sigma
from sk_sparse.datasets import add_noise


@pytest.mark.parametrize("sigma", [10, 20, 30])
def test_within_ten_percent_on_camera(camera, sigma):
    noisy = add_noise(camera, sigma / 255, random_state=sigma)
    estimate = NoiseEstimator().estimate(noisy) * 255
    assert abs(estimate - sigma) / sigma < 0.10


@pytest.mark.parametrize("method, flat_fraction", [
    ("dct", 0.1), ("dct", 0.3), ("dct", 1.0), ("mad", 0.3), ("mad", 0.5), ("mad", 1.0),
    ("std", 0.3), ("std", 0.5), ("std", 1.0)])
def test_unbiased_on_pure_noise(method, flat_fraction):
    # 512 x 512: "dct" at flat_fraction=0.1 measures 6 coefficients of a tenth of the
    # windows, and its relative spread is then about 1%.
    noise = np.random.default_rng(0).normal(0.5, 0.05, size=(3, 512, 512))
    estimates = NoiseEstimator(method=method, flat_fraction=flat_fraction).estimate(noise)
    np.testing.assert_allclose(estimates, 0.05, rtol=0.03)


def test_global_estimate_matches_the_formula(camera):
    noisy = add_noise(camera[:200, :300], 0.1, random_state=1, clip=False)
    differences = np.concatenate([(noisy[:, 1:] - noisy[:, :-1]).ravel(),
                                  (noisy[1:] - noisy[:-1]).ravel()])
    mad = np.median(np.abs(differences - np.median(differences))) / (0.67449 * np.sqrt(2))
    std = differences.std() / np.sqrt(2)
    assert NoiseEstimator("mad", flat_fraction=1.0).estimate(noisy) == pytest.approx(mad)
    assert NoiseEstimator("std", flat_fraction=1.0).estimate(noisy) == pytest.approx(std)


@pytest.mark.parametrize("flat_fraction", [0.1, 1.0])
def test_dct_estimate_matches_per_window_dctn(camera, flat_fraction):
    # Reference: scipy's 2-D DCT of every 8 x 8 window at even positions; windows ranked
    # by the energy of their AC coefficients outside the six measured ones, those
    # holding the image's extreme values left out.
    noisy = add_noise(camera[:60, :70], 0.1, random_state=2, clip=False)
    windows = np.lib.stride_tricks.sliding_window_view(noisy, (8, 8))[::2, ::2]
    extreme = ((windows == noisy.min()) | (windows == noisy.max())).any(axis=(-2, -1))
    coefficients = dctn(windows[~extreme], axes=(-2, -1), norm="ortho").reshape(-1, 64)
    frequency = np.add.outer(np.arange(8), np.arange(8)).ravel()
    corner, other = frequency >= 12, (frequency > 0) & (frequency < 12)
    judge = np.sum(coefficients[:, other] ** 2, axis=1)
    n_keep = max(64, round(flat_fraction * len(judge)))
    kept = coefficients[np.argsort(judge)[:n_keep]][:, corner]
    expected = np.median(np.abs(kept)) / 0.67449
    estimate = NoiseEstimator(flat_fraction=flat_fraction).estimate(noisy)
    assert estimate == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("method", ["dct", "mad"])
def test_flat_windows_reduce_texture_bias(camera, method):
    noisy = add_noise(camera, 10 / 255, random_state=3)
    global_error = abs(NoiseEstimator(method, flat_fraction=1.0).estimate(noisy) * 255 - 10)
    flat_error = abs(NoiseEstimator(method).estimate(noisy) * 255 - 10)
    assert flat_error < global_error / 2


@pytest.mark.parametrize("name", ["gravel", "hubble_deep_field"])
def test_dct_reads_less_texture_than_differences_and_wavelets(name):
    from skimage import data
    from skimage.restoration import estimate_sigma

    clean = getattr(data, name)().astype(np.float64)
    clean = (clean.mean(axis=-1) if clean.ndim == 3 else clean)[:384, :384] / 255
    noisy = add_noise(clean, 5 / 255, random_state=0, clip=False)
    errors = {method: abs(NoiseEstimator(method).estimate(noisy) * 255 / 5 - 1)
              for method in ("dct", "mad")}
    wavelet = abs(estimate_sigma(noisy) * 255 / 5 - 1)
    assert errors["dct"] < 0.2
    assert errors["dct"] < min(errors["mad"], wavelet) / 2


def test_shapes_and_small_images():
    rng = np.random.default_rng(2)
    stack = rng.normal(0, 0.1, size=(4, 40, 40))
    estimator = NoiseEstimator()
    assert estimator.estimate(stack).shape == (4,)
    assert isinstance(estimator.estimate(stack[0]), float)
    assert estimator.fit_transform(stack).shape == (4, 1)
    assert list(estimator.get_feature_names_out()) == ["noise_sigma"]
    # Smaller than 64 windows (or one 16 x 16 block): falls back to all differences,
    # still unbiased (64 pixels give 112 differences: about 10% relative spread).
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
