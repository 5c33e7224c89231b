"""ConvolutionalDenoiser and PatchSparseDenoiser."""

import numpy as np
import pytest
from scipy.fft import dctn, idctn
from sklearn.model_selection import GridSearchCV

from sk_sparse.datasets import add_noise, load_image
from sk_sparse.metrics import psnr
from sk_sparse.restoration import ConvolutionalDenoiser, PatchSparseDenoiser
from sk_sparse.restoration._sparse_denoise import dct_filters


@pytest.fixture(scope="module")
def pair():
    clean = load_image("camera")[64:160, 96:192]
    return clean, add_noise(clean, 20 / 255, random_state=0)


def test_dct_filters_are_the_orthonormal_dct_basis():
    filters = dct_filters(4).reshape(16, 16)
    np.testing.assert_allclose(filters @ filters.T, np.eye(16), atol=1e-12)
    np.testing.assert_allclose(filters[0], 0.25)  # the DC filter


def test_patch_bpdn_on_an_orthonormal_basis_is_soft_thresholding(pair):
    _, noisy = pair
    sigma, threshold, p = 20 / 255, 1.5, 8
    denoiser = PatchSparseDenoiser(sigma=sigma, threshold=threshold,
                                   dictionary=dct_filters(p), patch_size=p,
                                   stride=p).fit(noisy)
    result = denoiser.transform(noisy)
    expected = np.empty_like(noisy)
    lam = threshold * sigma
    for r in range(0, noisy.shape[0], p):
        for c in range(0, noisy.shape[1], p):
            patch = noisy[r:r + p, c:c + p]
            coefs = dctn(patch - patch.mean(), norm="ortho")
            coefs = np.sign(coefs) * np.maximum(np.abs(coefs) - lam, 0)
            expected[r:r + p, c:c + p] = idctn(coefs, norm="ortho") + patch.mean()
    np.testing.assert_allclose(result, expected, atol=1e-6)


@pytest.mark.parametrize("coding, threshold", [("bpdn", 1.5), ("omp", 1.15)])
def test_patch_denoiser_denoises(pair, coding, threshold):
    clean, noisy = pair
    denoiser = PatchSparseDenoiser(sigma=20 / 255, threshold=threshold, coding=coding,
                                   n_components=64, stride=2).fit(noisy)
    assert denoiser.components_.shape == (64, 64)
    assert psnr(clean, denoiser.transform(noisy)) > psnr(clean, noisy) + 6
    float32 = denoiser.transform(noisy.astype(np.float32))
    assert float32.dtype == np.float32


def test_patch_denoiser_learns_from_the_noisy_image(pair):
    clean, noisy = pair
    denoiser = PatchSparseDenoiser(sigma=20 / 255, threshold=1.15, coding="omp",
                                   dictionary="ksvd", n_components=32, max_iter=3,
                                   stride=4, random_state=0).fit(noisy)
    assert denoiser.n_iter_ >= 1
    assert psnr(clean, denoiser.transform(noisy)) > psnr(clean, noisy) + 5


def test_convolutional_denoiser_denoises_and_keeps_the_input(pair):
    clean, noisy = pair
    before = noisy.copy()
    denoised = ConvolutionalDenoiser(sigma=20 / 255, threshold=3.0).fit_transform(noisy)
    assert np.array_equal(noisy, before)
    assert psnr(clean, denoised) > psnr(clean, noisy) + 6
    auto = ConvolutionalDenoiser(threshold=3.0).transform(noisy.astype(np.float32))
    assert auto.dtype == np.float32 and psnr(clean, auto) > psnr(clean, noisy) + 5


def test_convolutional_denoiser_with_given_filters_and_no_lowpass(pair):
    clean, noisy = pair
    filters = dct_filters(6)
    denoised = ConvolutionalDenoiser(sigma=20 / 255, threshold=3.0, filters=filters * 3,
                                     lowpass=0.0).fit_transform(noisy)
    # Without the low-pass split the l1 term also shrinks the DC maps: a weaker result
    # (hence the split by default), but still a denoised image.
    assert psnr(clean, denoised) > psnr(clean, noisy) + 1.5
    with pytest.raises(ValueError, match="all-zero"):
        ConvolutionalDenoiser(sigma=0.1, filters=np.zeros((2, 3, 3))).fit(noisy)
    with pytest.raises(ValueError, match="filters"):
        ConvolutionalDenoiser(sigma=0.1, filters=np.ones((3, 3))).fit(noisy)


def test_grid_search_tunes_the_threshold():
    clean = np.stack([load_image("camera")[r:r + 48, 200:248] for r in (100, 200, 300, 400)])
    noisy = add_noise(clean, 25 / 255, random_state=1)
    for estimator in (ConvolutionalDenoiser(sigma=25 / 255, max_iter=100),
                      PatchSparseDenoiser(sigma=25 / 255, n_components=64, stride=4)):
        search = GridSearchCV(estimator, {"threshold": [0.1, 2.0]}, cv=2).fit(noisy, clean)
        assert search.best_params_["threshold"] == 2.0
