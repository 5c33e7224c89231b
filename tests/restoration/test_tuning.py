"""Tuning without clean images: Monte-Carlo SURE (sure_mse, make_sure_scorer)."""

import pickle

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sk_sparse.datasets import add_noise, load_image
from sk_sparse.metrics import make_sure_scorer, psnr, psnr_scorer, sure_mse
from sk_sparse.restoration import NoiseEstimator, SlidingDCTDenoiser

SOFT = 0.15


def soft_threshold(z):
    return np.sign(z) * np.maximum(np.abs(z) - SOFT, 0.0)


def test_sure_of_soft_thresholding_matches_stein_and_is_unbiased():
    # Pixel-wise soft thresholding: the exact divergence is the number of values above
    # the threshold (Donoho and Johnstone's SURE), and the mean of SURE over noise draws
    # is the mean squared error against the clean signal.
    rng = np.random.default_rng(1)
    clean = np.where(rng.random((128, 128)) < 0.1, rng.normal(0, 1, (128, 128)), 0.0)
    sigma = 0.1
    denoiser = FunctionTransformer(soft_threshold)
    estimates, exact, errors = [], [], []
    for draw in range(60):
        noisy = clean + rng.normal(0, sigma, clean.shape)
        estimates.append(sure_mse(denoiser, noisy, sigma=sigma, epsilon=1e-3,
                                  random_state=draw))
        residual = noisy - soft_threshold(noisy)
        exact.append(np.mean(residual**2) - sigma**2
                     + 2 * sigma**2 * np.mean(np.abs(noisy) > SOFT))
        errors.append(np.mean((soft_threshold(noisy) - clean) ** 2))
    estimates, exact, errors = map(np.array, (estimates, exact, errors))
    # The Monte-Carlo divergence follows the exact one, draw by draw (its own error, from
    # the random direction, is about 2 sigma^2 sqrt(2 n_active) / n), and without bias.
    assert np.max(np.abs(estimates - exact)) < 0.05 * sigma**2
    assert abs(np.mean(estimates - exact)) < 0.01 * sigma**2
    # Unbiased: the means over draws agree to well within the spread of one draw.
    spread = np.std(estimates - errors)
    assert abs(np.mean(estimates) - np.mean(errors)) < 3 * spread / np.sqrt(len(errors))
    assert abs(np.mean(estimates) - np.mean(errors)) < 0.02 * np.mean(errors)


def test_sure_of_a_linear_denoiser_is_exact_in_expectation():
    # f(z) = a z: E SURE = a^2 (|y|^2/n + sigma^2) - sigma^2 + 2 a sigma^2.
    rng = np.random.default_rng(2)
    clean = rng.random((2, 48, 48))
    sigma, a = 0.2, 0.6
    estimates = [sure_mse(FunctionTransformer(lambda z: a * z),
                          clean + rng.normal(0, sigma, clean.shape), sigma=sigma,
                          random_state=draw) for draw in range(40)]
    expected = (1 - a) ** 2 * np.mean(clean**2) + a**2 * sigma**2
    assert np.mean(estimates) == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("name", ["camera", "astronaut", "grass"])
def test_sure_scorer_picks_the_threshold_clean_images_would(name):
    clean = load_image(name)
    clean = clean[:256, :256] if clean.ndim == 2 else clean[:256, :256].mean(axis=-1)
    sigma = 20 / 255
    # The noise seed equals the scorer's default seed on purpose: the probe directions
    # must not replay the noise.
    noisy = add_noise(clean, sigma, random_state=0, clip=False)[np.newaxis]
    grid = {"threshold": [1.8, 2.2, 2.6, 3.0, 3.4, 3.8]}
    both = [([0], [0])]
    blind = GridSearchCV(SlidingDCTDenoiser(sigma=sigma), grid, scoring=make_sure_scorer(),
                         cv=both).fit(noisy)
    oracle = GridSearchCV(SlidingDCTDenoiser(sigma=sigma), grid, scoring=psnr_scorer,
                          cv=both).fit(noisy, clean[np.newaxis])
    picked = blind.best_estimator_.transform(noisy)
    # One image and one probe: the benchmark's median loss is 0.0 dB, single cases reach
    # a few tenths.
    assert psnr(clean, picked[0]) > oracle.best_score_ - 0.2
    # The scores estimate the PSNR itself, not only its ranking.
    np.testing.assert_allclose(blind.cv_results_["mean_test_score"],
                               oracle.cv_results_["mean_test_score"], atol=0.6)


def test_scorer_averages_the_psnr_of_each_image_like_psnr_scorer(camera):
    clean = camera.reshape(2, 256, 2, 256).swapaxes(1, 2).reshape(4, 256, 256)
    noisy = add_noise(clean, 20 / 255, random_state=1, clip=False)
    denoiser = SlidingDCTDenoiser(sigma=20 / 255)
    blind, true = make_sure_scorer()(denoiser, noisy), psnr_scorer(denoiser, noisy, clean)
    assert blind == pytest.approx(true, abs=0.15)
    # The PSNR of the pooled error differs from the mean PSNR by more than that here.
    pooled = -10 * np.log10(np.mean((denoiser.transform(noisy) - clean) ** 2))
    assert abs(pooled - true) > 0.15


def test_sure_scorer_in_a_pipeline_reads_the_step_sigma():
    clean = load_image("camera")[64:192, 64:192]
    noisy = add_noise(clean, 0.1, random_state=3, clip=False)[np.newaxis]
    pipe = Pipeline([("denoise", SlidingDCTDenoiser(sigma=0.1))])
    search = GridSearchCV(pipe, {"denoise__threshold": [0.5, 3.0]},
                          scoring=make_sure_scorer(), cv=[([0], [0])]).fit(noisy)
    assert search.best_params_ == {"denoise__threshold": 3.0}


def test_sigma_given_as_callable_per_image_or_per_colour():
    rng = np.random.default_rng(4)
    clean = load_image("camera")[:2 * 96].reshape(2, 96, 512)[:, :, :96]
    sigmas = np.array([0.05, 0.15])
    noisy = clean + rng.normal(0, 1, clean.shape) * sigmas[:, None, None]
    denoiser = SlidingDCTDenoiser()  # sigma="auto": estimated per image
    # A callable is called on X; its per-image values align with X's first axis.
    assert sure_mse(denoiser, noisy, sigma=NoiseEstimator().estimate) == sure_mse(
        denoiser, noisy, sigma=NoiseEstimator().estimate(noisy))
    true = np.mean((denoiser.transform(noisy) - clean) ** 2)
    # SURE's own spread is a fraction of the noise variance, not of the error.
    noise_variance = np.mean(sigmas**2)
    assert abs(sure_mse(denoiser, noisy, sigma=sigmas) - true) < 0.03 * noise_variance
    # One sigma for both images is wrong for both, and SURE says so.
    assert abs(sure_mse(denoiser, noisy, sigma=0.1) - true) > 0.1 * noise_variance
    colour = np.stack([clean[0], clean[0][::-1], clean[0].T], axis=-1)
    noisy_colour = colour + rng.normal(0, 0.1, colour.shape)
    denoiser = SlidingDCTDenoiser(sigma=0.1, channel_axis=-1)
    true = np.mean((denoiser.transform(noisy_colour) - colour) ** 2)
    assert abs(sure_mse(denoiser, noisy_colour) - true) < 0.03 * 0.1**2


def test_scorer_is_picklable_reproducible_and_leaves_input_alone():
    noisy = add_noise(load_image("camera")[:64, :64], 0.1, random_state=0, clip=False)
    before = noisy.copy()
    scorer = pickle.loads(pickle.dumps(make_sure_scorer(random_state=7)))
    denoiser = SlidingDCTDenoiser(sigma=0.1)
    assert scorer(denoiser, noisy) == scorer(denoiser, noisy)
    np.testing.assert_array_equal(noisy, before)
    assert "random_state=7" in repr(scorer)
    # Integer images: the peak is 255 and sigma in grey levels.
    grey = np.clip(noisy * 255, 0, 255).astype(np.uint8)
    assert 20 < make_sure_scorer(sigma=25.0)(SlidingDCTDenoiser(sigma=25.0), grey) < 50


def test_bad_sigma_and_non_image_transformers_are_refused():
    noisy = np.random.default_rng(0).random((2, 32, 32))
    with pytest.raises(ValueError, match="sigma"):
        sure_mse(SlidingDCTDenoiser(), noisy)  # sigma="auto" and none given
    with pytest.raises(ValueError, match="leading axes"):
        sure_mse(SlidingDCTDenoiser(sigma=0.1), noisy, sigma=[0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="positive"):
        sure_mse(SlidingDCTDenoiser(sigma=0.1), noisy, sigma=lambda X: -1.0)
    with pytest.raises(ValueError, match="image-to-image"):
        sure_mse(FunctionTransformer(lambda z: z[:, :8]), noisy, sigma=0.1)
    with pytest.raises(ValueError, match="epsilon"):
        make_sure_scorer(epsilon=0)
