import numpy as np
import pytest
from scipy.fft import dctn, idctn
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from sk_sparse import NoiseEstimator, SlidingDCTDenoiser
from sk_sparse.datasets import add_noise, load_image, make_checkerboard
from sk_sparse.metrics import psnr, psnr_scorer

SIGMA = 20 / 255


def slow_reference(noisy, patch, tau, stride=1, sparsity=False):
    """Per-patch loop with scipy's DCT: independent of the vectorised kernel."""
    height, width = noisy.shape
    rows = list(range(0, height - patch + 1, stride))
    cols = list(range(0, width - patch + 1, stride))
    rows += [height - patch] if rows[-1] != height - patch else []
    cols += [width - patch] if cols[-1] != width - patch else []
    numerator = np.zeros_like(noisy)
    weights = np.zeros_like(noisy)
    for r in rows:
        for c in cols:
            coefficients = dctn(noisy[r:r + patch, c:c + patch], norm="ortho")
            keep = np.abs(coefficients) > tau
            keep[0, 0] = True
            weight = 1.0 / max(keep.sum(), 1) if sparsity else 1.0
            numerator[r:r + patch, c:c + patch] += weight * idctn(coefficients * keep,
                                                                  norm="ortho")
            weights[r:r + patch, c:c + patch] += weight
    return numerator / weights


@pytest.mark.parametrize("stride, weights", [(1, "uniform"), (1, "sparsity"), (3, "uniform"),
                                             (8, "sparsity")])
def test_matches_slow_reference_on_camera(camera, stride, weights):
    clean = camera[200:264, 230:300]
    noisy = add_noise(clean, SIGMA, random_state=0)
    denoised = SlidingDCTDenoiser(sigma=SIGMA, stride=stride, weights=weights).transform(noisy)
    reference = slow_reference(noisy, 8, 3 * SIGMA, stride, weights == "sparsity")
    assert abs(psnr(clean, denoised) - psnr(clean, reference)) < 0.1
    np.testing.assert_allclose(denoised, reference, atol=1e-10)
    assert psnr(clean, denoised) > psnr(clean, noisy) + 1


def test_dc_is_never_thresholded():
    # A constant patch has only a DC coefficient (p * 0.01 = 0.08), far below tau = 3.
    dark = np.full((16, 16), 0.01)
    np.testing.assert_allclose(SlidingDCTDenoiser(sigma=1.0).transform(dark), dark)


def test_universal_threshold(camera):
    noisy = add_noise(camera[:64, :64], SIGMA, random_state=1)
    tau = SIGMA * np.sqrt(2 * np.log(64))
    denoised = SlidingDCTDenoiser(sigma=SIGMA, threshold="universal").transform(noisy)
    np.testing.assert_allclose(denoised, slow_reference(noisy, 8, tau), atol=1e-10)


def test_checkerboard_shift_hurts_tiles_not_sliding_windows():
    # 136 = 8.5 squares, so both shifts put the same number of edges inside the image.
    results = {}
    for shift in (0, 1):
        clean = make_checkerboard(136, 16, low=0.2, high=0.8, shift=shift)
        noisy = add_noise(clean, SIGMA, random_state=0)
        for name, kwargs in {"tiles": {"stride": 8}, "sliding": {},
                             "sparsity": {"weights": "sparsity"}}.items():
            denoised = SlidingDCTDenoiser(sigma=SIGMA, **kwargs).transform(noisy)
            results[name, shift] = psnr(clean, denoised)
    assert results["tiles", 0] - results["tiles", 1] > 5
    assert abs(results["sliding", 0] - results["sliding", 1]) < 0.3
    assert abs(results["sparsity", 0] - results["sparsity", 1]) < 0.3
    # Sparsity-aware aggregation favours the many patches that are exactly constant.
    for shift in (0, 1):
        assert results["sparsity", shift] >= results["sliding", shift]


def test_grid_search_picks_about_three_sigma(camera):
    clean = camera.reshape(2, 256, 2, 256).swapaxes(1, 2).reshape(4, 256, 256)
    noisy = add_noise(clean, SIGMA, random_state=0)
    grid = {"threshold": [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0]}
    search = GridSearchCV(SlidingDCTDenoiser(sigma=SIGMA), grid, cv=2).fit(noisy, clean)
    assert search.best_params_["threshold"] in (2.5, 3.0, 3.5)
    scored = GridSearchCV(SlidingDCTDenoiser(sigma=SIGMA), grid, cv=2,
                          scoring=psnr_scorer).fit(noisy, clean)
    assert scored.best_params_ == search.best_params_


def test_auto_sigma_uses_noise_estimator(camera):
    noisy = add_noise(camera[:128, :128], SIGMA, random_state=2)
    sigma_hat = NoiseEstimator().estimate(noisy)
    np.testing.assert_allclose(SlidingDCTDenoiser().transform(noisy),
                               SlidingDCTDenoiser(sigma=sigma_hat).transform(noisy))


def test_stack_matches_single_images_and_n_jobs(camera):
    stack = add_noise(np.stack([camera[:96, :80], camera[300:396, 100:180]]), SIGMA,
                      random_state=3)
    denoiser = SlidingDCTDenoiser(sigma=SIGMA)
    together = denoiser.transform(stack)
    for image, result in zip(stack, together):
        np.testing.assert_allclose(denoiser.transform(image), result, atol=1e-12)
    np.testing.assert_allclose(SlidingDCTDenoiser(sigma=SIGMA, n_jobs=2).transform(stack),
                               together, atol=1e-12)


def test_dtypes_and_ranges(camera):
    clean = camera[:64, :64]
    noisy = add_noise(clean, SIGMA, random_state=4)
    reference = SlidingDCTDenoiser(sigma=SIGMA).transform(noisy)
    as32 = SlidingDCTDenoiser(sigma=SIGMA).transform(noisy.astype(np.float32))
    assert as32.dtype == np.float32
    np.testing.assert_allclose(as32, reference, atol=1e-5)
    # uint8 stays in its own range convention: sigma and output in grey levels.
    as8 = np.round(noisy * 255).astype(np.uint8)
    out8 = SlidingDCTDenoiser(sigma=20).transform(as8)
    assert out8.dtype == np.float64 and out8.max() > 1.5
    np.testing.assert_allclose(
        out8 / 255, SlidingDCTDenoiser(sigma=SIGMA).transform(as8 / 255.0), atol=1e-10
    )


def test_input_not_modified(camera):
    noisy = add_noise(camera[:32, :32], SIGMA, random_state=5)
    before = noisy.copy()
    SlidingDCTDenoiser(sigma=SIGMA, weights="sparsity").fit_transform(noisy)
    np.testing.assert_array_equal(noisy, before)


@pytest.mark.parametrize(
    "kwargs, X, error, message",
    [
        ({}, np.full((16, 16), np.nan), ValueError, "NaN"),
        ({}, np.full((16, 16), np.inf), ValueError, "infinity"),
        ({}, np.ones(16), ValueError, "single grey image of shape"),
        ({}, np.ones((16, 16, 3)), ValueError, "looks like a colour image"),
        ({"stride": 9}, np.ones((16, 16)), ValueError, "stride=9 is larger than patch_size"),
        ({"patch_size": 20}, np.ones((16, 16)), ValueError, "patch_size=\\(20, 20\\) is larger"),
        ({"sigma": 0.0}, np.ones((16, 16)), InvalidParameterError, "'sigma' parameter"),
        ({"sigma": -1.0}, np.ones((16, 16)), InvalidParameterError, "'sigma' parameter"),
        ({"weights": "median"}, np.ones((16, 16)), InvalidParameterError, "'weights'"),
        ({}, np.ones((16, 16), dtype=complex), ValueError, "Complex"),
    ],
)
def test_bad_input(kwargs, X, error, message):
    with pytest.raises(error, match=message):
        SlidingDCTDenoiser(**{"sigma": 0.1, **kwargs}).transform(X)


def test_score_is_psnr(camera):
    clean = camera[:64, :64]
    noisy = add_noise(clean, SIGMA, random_state=6)
    denoiser = SlidingDCTDenoiser(sigma=SIGMA)
    assert denoiser.score(noisy, clean) == pytest.approx(psnr(clean, denoiser.transform(noisy)))
    with pytest.raises(ValueError, match="same shape"):
        denoiser.score(noisy, clean[:32])


@pytest.mark.parametrize("sigma", [0.1, "auto"])
def test_working_memory_beyond_the_result_does_not_grow_with_the_image(sigma):
    import tracemalloc

    def peak(size):
        noisy = np.random.default_rng(0).normal(0.5, 0.1, size=(size, size))
        tracemalloc.start()
        SlidingDCTDenoiser(sigma=sigma).transform(noisy)
        _, value = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return value

    # Growing the image from 512^2 to 1024^2 adds 6 MiB per full-size float64 array. The
    # result and the per-pixel weight sum are two such arrays (12 MiB); strips and the
    # noise estimation (band by band) must not add a third.
    growth = peak(1024) - peak(512)
    one_array = (1024**2 - 512**2) * 8
    assert 1.9 * one_array < growth < 2.5 * one_array


def wiener_reference(noisy, pilot, p, sigma, sparsity):
    """Per-patch empirical Wiener shrinkage with scipy's DCT, aggregated per pixel."""
    numerator = np.zeros_like(noisy)
    weights = np.zeros_like(noisy)
    for r in range(noisy.shape[0] - p + 1):
        for c in range(noisy.shape[1] - p + 1):
            window = (slice(r, r + p), slice(c, c + p))
            z = dctn(noisy[window], norm="ortho")
            q = dctn(pilot[window], norm="ortho") ** 2
            gain = q / (q + sigma**2)
            weight = 1 / np.sum(gain**2) if sparsity else 1.0
            numerator[window] += weight * idctn(z * gain, norm="ortho")
            weights[window] += weight
    return numerator / weights


@pytest.mark.parametrize("weights", ["uniform", "sparsity"])
def test_wiener_stage_matches_a_per_patch_reference(camera, weights):
    from sk_sparse.restoration._dct_denoise import _sliding_dct_wiener

    clean = camera[200:232, 100:140]
    noisy = add_noise(clean, SIGMA, random_state=3, clip=False)
    pilot = SlidingDCTDenoiser(sigma=SIGMA, patch_size=4).transform(noisy)
    ours = _sliding_dct_wiener(noisy[np.newaxis], pilot[np.newaxis], 4, [SIGMA],
                               sparsity_weights=weights == "sparsity")[0]
    reference = wiener_reference(noisy, pilot, 4, SIGMA, weights == "sparsity")
    np.testing.assert_allclose(ours, reference, atol=1e-12)
    # And the estimator chains the two stages.
    np.testing.assert_allclose(
        SlidingDCTDenoiser(sigma=SIGMA, patch_size=4, weights=weights, wiener=True)
        .transform(noisy),
        _sliding_dct_wiener(noisy[np.newaxis],
                            SlidingDCTDenoiser(sigma=SIGMA, patch_size=4, weights=weights)
                            .transform(noisy)[np.newaxis], 4, [SIGMA],
                            sparsity_weights=weights == "sparsity")[0], atol=1e-12)


@pytest.mark.parametrize("name", ["camera", "brick"])
def test_wiener_stage_lowers_the_error_of_hard_thresholding(name):
    clean = load_image(name)[100:228, 100:228]
    for level in (10, 30):
        noisy = add_noise(clean, level / 255, random_state=level, clip=False)
        first = SlidingDCTDenoiser(sigma=level / 255).transform(noisy)
        second = SlidingDCTDenoiser(sigma=level / 255, wiener=True).transform(noisy)
        assert psnr(clean, second) > psnr(clean, first) + 0.1
    float32 = SlidingDCTDenoiser(sigma=0.1, wiener=True).transform(noisy.astype(np.float32))
    assert float32.dtype == np.float32


# Colour: channel_axis.
def _astronaut_crop():
    from skimage import data

    return data.astronaut()[100:228, 150:278].astype(np.float64) / 255


def _noisy(clean, sigma, seed):
    return clean + np.random.default_rng(seed).normal(0, sigma, clean.shape)


def test_opponent_transform_is_orthonormal():
    from sk_sparse.restoration._denoise import OPPONENT

    np.testing.assert_allclose(OPPONENT @ OPPONENT.T, np.eye(3), atol=1e-12)


def test_colour_is_denoised_in_opponent_space():
    from sk_sparse.restoration._denoise import OPPONENT

    clean = _astronaut_crop()
    noisy = _noisy(clean, 20 / 255, 0)
    result = SlidingDCTDenoiser(sigma=20 / 255, channel_axis=-1).fit_transform(noisy)
    opponent = np.einsum("dc,hwc->dhw", OPPONENT, noisy)
    expected = np.einsum("dc,dhw->hwc", OPPONENT,
                         SlidingDCTDenoiser(sigma=20 / 255).fit_transform(opponent))
    np.testing.assert_allclose(result, expected, atol=1e-12)
    assert result.shape == noisy.shape
    denoiser = SlidingDCTDenoiser(sigma=20 / 255, channel_axis=-1)
    assert denoiser.score(noisy, clean) > 10 * np.log10(1 / np.mean((noisy - clean) ** 2)) + 6


def test_channel_axis_layouts_agree():
    noisy = _noisy(_astronaut_crop(), 0.1, 1).astype(np.float32)
    last = SlidingDCTDenoiser(channel_axis=-1).fit_transform(noisy)
    first = SlidingDCTDenoiser(channel_axis=0).fit_transform(np.moveaxis(noisy, -1, 0))
    np.testing.assert_allclose(np.moveaxis(first, 0, -1), last, atol=1e-6)
    assert last.dtype == np.float32
    stack = SlidingDCTDenoiser(channel_axis=-1).fit_transform(np.stack([noisy, noisy[::-1]]))
    np.testing.assert_allclose(stack[0], last, atol=1e-6)
    # Four channels (e.g. RGBA) are denoised one by one.
    four = np.concatenate([noisy, noisy[..., :1]], axis=-1)
    result = SlidingDCTDenoiser(sigma=0.1, channel_axis=-1).fit_transform(four)
    alone = SlidingDCTDenoiser(sigma=0.1).fit_transform(noisy[..., 0])
    np.testing.assert_allclose(result[..., 3], alone, atol=1e-6)


def test_colour_without_channel_axis_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="channel_axis=-1"):
        SlidingDCTDenoiser(sigma=0.1).fit_transform(_astronaut_crop())
    with pytest.raises(ValueError, match="channel_axis"):
        SlidingDCTDenoiser(sigma=0.1, channel_axis=5).fit_transform(_astronaut_crop())
    with pytest.raises(ValueError, match="colour image"):
        SlidingDCTDenoiser(sigma=0.1, channel_axis=-1).fit_transform(np.zeros((16, 16)))


def test_colour_matches_opencv():
    cv2 = pytest.importorskip("cv2")
    if not hasattr(cv2, "xphoto"):
        pytest.skip("OpenCV without the contrib modules")
    clean = _astronaut_crop().astype(np.float32)
    noisy = _noisy(clean, 25 / 255, 2).astype(np.float32)
    ours = SlidingDCTDenoiser(sigma=25 / 255, channel_axis=-1).fit_transform(noisy)
    theirs = np.empty_like(noisy)
    cv2.xphoto.dctDenoising(noisy * 255, theirs, 25.0, 8)
    theirs /= 255
    # OpenCV leaves its last row and column of blocks out: compare the interior.
    inner = (slice(8, -8), slice(8, -8))

    def error(result):
        return np.mean((result[inner] - clean[inner]) ** 2)

    assert error(ours) <= error(theirs) * 10 ** (0.05 / 10)
