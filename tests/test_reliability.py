"""Reliability across the library: no silent garbage, the same bits on every backend,
persistence, and bad input met by a clear error naming what is wrong."""

import pickle
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joblib import parallel_config
from sklearn.datasets import load_digits

from sk_sparse import (
    KSVD,
    CombinedAnomalyDetector,
    ConvolutionalAnomalyDetector,
    ConvolutionalDenoiser,
    ConvolutionalSparseCoder,
    DictionaryAdapter,
    MultiscaleSparseAnomalyDetector,
    NeighbourAnomalyDetector,
    NoiseEstimator,
    OMPInpainter,
    PatchExtractor,
    PatchSparseDenoiser,
    SlidingDCTDenoiser,
    SparseAnomalyDetector,
    SparseFeatureExtractor,
    SRCClassifier,
    batch_omp,
    bpdn,
    bpdn_objective,
    cbpdn,
    constrained_l1,
    estimate_noise_sigma,
    ksvd,
    masked_omp,
    mod,
    sliding_dct_denoise,
)
from sk_sparse.datasets import add_noise, load_image
from sk_sparse.dictionaries import load_dictionary
from sk_sparse.metrics import psnr
from sk_sparse.utils.discovery import all_estimators


@pytest.fixture(scope="module")
def workload():
    """Small instances of every parallel code path, and a function running them all."""
    image = add_noise(load_image("camera")[:96, :128], 0.1, random_state=0)
    patches = PatchExtractor(8, stride=4).fit_transform(image)
    patches -= patches.mean(axis=1, keepdims=True)
    observed = np.random.default_rng(1).random(patches.shape) > 0.3
    missing = np.random.default_rng(0).random(image.shape) < 0.5
    brick = load_image("brick")
    detector = SparseAnomalyDetector(n_components=8, max_iter=2, random_state=0).fit(
        PatchExtractor(15, stride=8).fit_transform(brick[:128]))
    atoms = load_dictionary()
    inpainter = OMPInpainter().fit()
    patch_denoiser = PatchSparseDenoiser(sigma=0.1, n_components=64, stride=2).fit(image)

    def run():
        return {
            "denoise": SlidingDCTDenoiser(sigma=0.1).transform(image),
            "batch_omp": batch_omp(patches, atoms, n_nonzero_coefs=6),
            "masked_omp": masked_omp(patches, observed, atoms, n_nonzero_coefs=4),
            "bpdn": bpdn(patches, atoms, alpha=0.05),
            "inpaint": inpainter.transform(image, mask=missing),
            "anomaly_map": detector.anomaly_map(brick[300:400, :160]),
            "cbpdn": cbpdn(np.stack([image[:, :64], image[:, 64:]]), atoms[:8].reshape(8, 8, 8),
                           alpha=0.05, max_iter=20),
            "patch_denoise": patch_denoiser.transform(image),
        }
    return run


@pytest.mark.parametrize("backend", ["threading", "loky", "multiprocessing"])
def test_every_backend_gives_the_same_bits(workload, backend):
    reference = workload()
    with parallel_config(backend=backend, n_jobs=2):
        result = workload()
    for name, value in reference.items():
        np.testing.assert_array_equal(result[name], value, err_msg=name)


def _fitted_estimators():
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(120, 9))
    X, y = load_digits(return_X_y=True)
    image = load_image("camera")[:40, :40]
    return [
        (KSVD(n_components=6, max_iter=2, random_state=0).fit(rows), "transform", rows),
        (SparseFeatureExtractor(n_components=6, max_iter=2, random_state=0).fit(rows),
         "transform", rows),
        (SparseAnomalyDetector(n_components=6, max_iter=2, random_state=0).fit(rows),
         "score_samples", rows),
        (NeighbourAnomalyDetector().fit(rows), "score_samples", rows),
        (SRCClassifier().fit(X[:200], y[:200]), "predict", X[200:260]),
        (PatchExtractor(patch_size=5, stride=3).fit(image), "transform", image),
        (SlidingDCTDenoiser(sigma=0.1).fit(image), "transform", image),
        (NoiseEstimator().fit(image), "transform", image),
        (OMPInpainter().fit(), "transform",
         np.ma.masked_array(image, rng.random(image.shape) < 0.3)),
        (ConvolutionalSparseCoder(n_filters=3, filter_size=4, max_iter=2,
                                  random_state=0).fit(image), "transform", image),
        (ConvolutionalDenoiser(sigma=0.1, max_iter=10).fit(image), "transform", image),
        (PatchSparseDenoiser(sigma=0.1, n_components=64, stride=4).fit(image), "transform",
         image),
        (ConvolutionalAnomalyDetector(n_filters=3, filter_size=4, window_size=7, max_iter=2,
                                      random_state=0).fit(image), "anomaly_map", image),
        (MultiscaleSparseAnomalyDetector(n_components=4, patch_size=7, max_iter=1,
                                         random_state=0).fit(image), "anomaly_map", image),
        (DictionaryAdapter(n_components=4, max_iter=1, random_state=0).fit(rows, rows[::-1]),
         "transform", rng.normal(size=(3, 9))),
        (CombinedAnomalyDetector([
            ("sparse", SparseAnomalyDetector(n_components=4, patch_size=7, max_iter=1)),
            ("convolutional", ConvolutionalAnomalyDetector(n_filters=3, filter_size=4,
                                                           window_size=7, max_iter=2))],
            random_state=0).fit(image), "anomaly_map", image),
    ]


def test_every_estimator_is_covered_by_the_pickle_test():
    covered = {type(estimator).__name__ for estimator, _, _ in _fitted_estimators()}
    assert covered == {name for name, _ in all_estimators()}


@pytest.mark.parametrize("estimator, method, X", _fitted_estimators(),
                         ids=lambda value: type(value).__name__ if hasattr(value, "fit") else "")
def test_pickle_round_trip_gives_the_same_outputs(estimator, method, X):
    restored = pickle.loads(pickle.dumps(estimator))
    np.testing.assert_array_equal(getattr(restored, method)(X), getattr(estimator, method)(X))


# Every image estimator: whatever the shape, dtype, patch size and stride, the answer is a
# finite image of the input's shape, or a ValueError/TypeError that says what is wrong.
IMAGE_FACTORIES = {
    "denoise": lambda p, s: SlidingDCTDenoiser(sigma=0.1, patch_size=p, stride=s),
    "denoise_auto": lambda p, s: SlidingDCTDenoiser(patch_size=p, stride=s,
                                                    weights="sparsity"),
    "denoise_colour": lambda p, s: SlidingDCTDenoiser(sigma=0.1, patch_size=p, stride=s,
                                                      channel_axis=-1),
    "patches": lambda p, s: PatchExtractor(patch_size=p, stride=s),
    "inpaint": lambda p, s: OMPInpainter("dct", patch_size=p, stride=s, n_components=p * p),
    "noise": lambda p, s: NoiseEstimator(),
    "conv_denoise": lambda p, s: ConvolutionalDenoiser(sigma=0.1, filter_size=p, max_iter=5),
    "patch_denoise": lambda p, s: PatchSparseDenoiser(sigma=0.1, patch_size=p, stride=s,
                                                      n_components=p * p),
    "conv_code": lambda p, s: ConvolutionalSparseCoder(n_filters=2, filter_size=p,
                                                       max_iter=2, transform_max_iter=5),
}
# Words an error must contain one of: the parameter or the property that is wrong.
NAMED = ("patch_size", "stride", "pixel", "shape", "colour", "dtype", "missing", "X ", "X has",
         "filter_size", "filters")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(IMAGE_FACTORIES)),
    shape=st.one_of(
        st.tuples(st.integers(1, 24), st.integers(1, 24)),
        st.tuples(st.integers(1, 2), st.integers(1, 24), st.integers(1, 24)),
        st.tuples(st.integers(1, 24), st.integers(1, 24), st.sampled_from([3, 4])),
    ),
    dtype=st.sampled_from([np.float64, np.float32, np.uint8, np.int16]),
    patch=st.integers(1, 9),
    stride=st.integers(1, 12),
    seed=st.integers(0, 100),
)
def test_image_estimators_give_finite_images_or_clear_errors(kind, shape, dtype, patch,
                                                             stride, seed):
    rng = np.random.default_rng(seed)
    values = rng.random(shape)
    X = (values * 255).astype(dtype) if np.issubdtype(dtype, np.integer) else values.astype(
        dtype)
    estimator = IMAGE_FACTORIES[kind](patch, stride)
    if kind == "inpaint":
        X = np.ma.masked_array(X, rng.random(shape) < 0.3)
    try:
        with warnings.catch_warnings():
            # A RuntimeWarning (mean of nothing, division by zero) is a silent wrong answer.
            warnings.simplefilter("error", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)  # integer images with sigma < 1
            output = estimator.fit(X).transform(X)
            if kind in ("patches", "conv_code"):
                output = estimator.inverse_transform(output)
    except (ValueError, TypeError) as error:
        assert any(word in str(error) for word in NAMED), str(error)
        return
    assert np.all(np.isfinite(output))
    if kind == "noise":
        assert output.shape == ((1, 1) if len(shape) == 2 else (shape[0], 1))
    else:
        assert output.shape == shape


# Public kernels: bad arrays raise ValueError or TypeError naming the argument; nothing
# crashes deep inside numpy and nothing returns NaN.
_rng = np.random.default_rng(0)
SIGNALS = _rng.normal(size=(6, 4))
ATOMS = np.linalg.qr(_rng.normal(size=(4, 4)))[0]
MASK = np.ones((6, 4), dtype=bool)
IMAGE = _rng.random((16, 16))
KERNELS = {
    "batch_omp": lambda X, D: batch_omp(X, D, n_nonzero_coefs=2),
    "masked_omp": lambda X, D: masked_omp(X, MASK[: len(X)] if np.ndim(X) == 2 and len(
        X) <= 6 and np.shape(X)[-1] == 4 else MASK, D, n_nonzero_coefs=2),
    "bpdn": lambda X, D: bpdn(X, D, alpha=0.1),
    "bpdn_objective": lambda X, D: bpdn_objective(X, D, np.zeros((len(X), len(D))),
                                                  alpha=0.1),
    "constrained_l1": lambda X, D: constrained_l1(X, D, 0.1),
    "ksvd": lambda X, D: ksvd(X, 4, n_nonzero_coefs=1, max_iter=1, random_state=0),
    "mod": lambda X, D: mod(X, 4, alpha=0.1, max_iter=1, random_state=0),
}
BAD_PAIRS = {
    "nan signals": (np.where(SIGNALS > 1, np.nan, SIGNALS), ATOMS),
    "inf signals": (np.where(SIGNALS > 1, np.inf, SIGNALS), ATOMS),
    "nan atoms": (SIGNALS, np.where(ATOMS > 0.5, np.nan, ATOMS)),
    "1-D signals": (SIGNALS[0], ATOMS),
    "3-D signals": (SIGNALS[np.newaxis], ATOMS),
    "complex signals": (SIGNALS + 1j, ATOMS),
    "string signals": (SIGNALS.astype(str).astype(object) + "x", ATOMS),
    "feature mismatch": (SIGNALS, ATOMS[:, :3]),
    "list of lists": (SIGNALS.tolist(), ATOMS[:, :3].tolist()),
    "empty dictionary": (SIGNALS, np.zeros((0, 4))),
}


@pytest.mark.parametrize("bad", sorted(BAD_PAIRS))
@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_kernels_reject_bad_arrays_clearly(kernel, bad):
    X, D = BAD_PAIRS[bad]
    if kernel in ("ksvd", "mod") and bad in ("nan atoms", "feature mismatch",
                                              "empty dictionary", "list of lists"):
        pytest.skip("learners take no dictionary")
    with pytest.raises((ValueError, TypeError)) as info:
        KERNELS[kernel](X, D)
    message = str(info.value)
    assert any(word in message for word in ("X", "Y", "dictionary", "features", "array",
                                            "mask", "codes", "complex", "NaN", "infinity"))


def test_kernels_accept_lists_and_code_consistently():
    from_lists = batch_omp(SIGNALS.tolist(), ATOMS.tolist(), n_nonzero_coefs=1)
    np.testing.assert_array_equal(from_lists, batch_omp(SIGNALS, ATOMS, n_nonzero_coefs=1))
    assert np.count_nonzero(from_lists, axis=1).max() == 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: batch_omp(SIGNALS, ATOMS, tol=np.ones(3)), "tol must be a float or"),
        (lambda: batch_omp(SIGNALS, ATOMS, gram=np.eye(3)), "gram must be"),
        (lambda: bpdn(SIGNALS, ATOMS, alpha=np.ones(2)), "alpha must be a float or"),
        (lambda: bpdn(SIGNALS, ATOMS, alpha=0.1, group_alpha=0.1), "needs groups"),
        (lambda: bpdn(SIGNALS, ATOMS, alpha=0.1, groups=[0, 1]), "one group label per atom"),
        (lambda: masked_omp(SIGNALS, MASK.astype(int), ATOMS), "mask must be a boolean"),
        (lambda: masked_omp(SIGNALS, MASK[:2], ATOMS), "mask must have the shape"),
        (lambda: bpdn_objective(SIGNALS, ATOMS, np.zeros((2, 2)), alpha=0.1), "codes must"),
        (lambda: sliding_dct_denoise(IMAGE, 8, [0.1, 0.2]), "one per image"),
        (lambda: sliding_dct_denoise(IMAGE, 4, 0.1, stride=5), "stride=5 is larger"),
        (lambda: sliding_dct_denoise(IMAGE, 32, 0.1), "patch_size"),
        (lambda: estimate_noise_sigma(np.ones((1, 1))), "at least 2 pixels"),
        (lambda: estimate_noise_sigma(np.ones((2, 8, 8))), "one 2-D image"),
        (lambda: ksvd(SIGNALS, 4, n_nonzero_coefs=1, fixed_atoms=np.ones((4, 4))),
         "fewer than n_components"),
    ],
)
def test_kernel_argument_errors_say_what_is_wrong(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_uint8_images_with_a_sigma_in_unit_range_warn(camera):
    as_uint8 = (camera[:32, :32] * 255).astype(np.uint8)
    with pytest.warns(UserWarning, match="below one grey level"):
        SlidingDCTDenoiser(sigma=20 / 255).fit_transform(as_uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SlidingDCTDenoiser(sigma=20).fit_transform(as_uint8)  # grey levels: no warning


def test_complex_images_are_refused_not_truncated(camera):
    crop = camera[:32, :32]
    missing = np.zeros(crop.shape, dtype=bool)
    missing[10:14, 10:14] = True
    with pytest.raises(ValueError, match="complex"):
        OMPInpainter().fit().transform(crop + 1j, mask=missing)


def test_float32_stays_float32_in_the_inpainter(camera):
    crop = camera[:32, :32].astype(np.float32)
    missing = np.random.default_rng(0).random(crop.shape) < 0.4
    result = OMPInpainter().fit().transform(crop, mask=missing)
    assert result.dtype == np.float32
    reference = OMPInpainter().fit().transform(crop.astype(np.float64), mask=missing)
    assert abs(psnr(camera[:32, :32], result) - psnr(camera[:32, :32], reference)) < 0.05


def test_psnr_of_a_stack_with_one_exact_image_is_finite(camera):
    clean = np.stack([camera[:32, :32], camera[32:64, :32]])
    estimate = clean.copy()
    estimate[1] += 0.01
    assert np.isfinite(psnr(clean, estimate))
    assert psnr(clean, estimate) > psnr(clean[1], estimate[1])


def test_anomaly_maps_refuse_uncovered_pixels():
    rows = np.random.default_rng(0).normal(size=(60, 16))
    detector = SparseAnomalyDetector(n_components=4, max_iter=1, patch_size=4, stride=5,
                                     random_state=0).fit(rows)
    with pytest.raises(ValueError, match="stride=5 is larger than patch_size=4"):
        detector.anomaly_map(np.zeros((20, 20)))
