import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.image import extract_patches_2d, reconstruct_from_patches_2d

from sk_sparse import PatchExtractor
from sk_sparse.image import patch_positions


def test_matches_sklearn_for_all_sliding_patches(camera):
    image = camera[:40, :50]
    extractor = PatchExtractor(patch_size=(5, 7))
    patches = extractor.fit_transform(image)
    reference = extract_patches_2d(image, (5, 7)).reshape(len(patches), -1)
    np.testing.assert_array_equal(patches, reference)
    noisy_patches = patches + np.random.default_rng(0).normal(size=patches.shape)
    np.testing.assert_allclose(
        extractor.inverse_transform(noisy_patches),
        reconstruct_from_patches_2d(noisy_patches.reshape(-1, 5, 7), image.shape),
        atol=1e-12,
    )


@pytest.mark.parametrize("stride", [1, 2, 3, 5, (8, 8), (2, 5), (8, 3)])
@pytest.mark.parametrize("remove_mean", [False, True])
def test_round_trip_is_exact(camera, stride, remove_mean):
    images = np.stack([camera[:37, :45], camera[100:137, 200:245]])
    extractor = PatchExtractor(patch_size=8, stride=stride, remove_mean=remove_mean)
    patches = extractor.fit_transform(images)
    assert patches.shape == (2 * extractor.n_patches_per_image_, 64)
    if remove_mean:
        np.testing.assert_allclose(patches.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(extractor.inverse_transform(patches), images, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    height=st.integers(1, 20),
    width=st.integers(1, 20),
    patch=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    stride=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    seed=st.integers(0, 1000),
)
def test_round_trip_property(height, width, patch, stride, seed):
    assume(patch[0] <= height and patch[1] <= width)
    image = np.random.default_rng(seed).random((height, width))
    extractor = PatchExtractor(patch_size=patch, stride=stride)
    patches = extractor.fit_transform(image)
    rows = patch_positions(height, patch[0], stride[0])
    cols = patch_positions(width, patch[1], stride[1])
    # Every patch is the image window at its grid position, in row-major grid order.
    windows = [image[r:r + patch[0], c:c + patch[1]].ravel() for r in rows for c in cols]
    np.testing.assert_array_equal(patches, np.array(windows))
    covered = np.zeros(image.shape, dtype=bool)
    for r in rows:
        for c in cols:
            covered[r:r + patch[0], c:c + patch[1]] = True
    if stride[0] <= patch[0] and stride[1] <= patch[1]:
        assert covered.all()
    if covered.all():
        np.testing.assert_allclose(extractor.inverse_transform(patches), image, atol=1e-12)
    else:  # gaps between patches: no value to rebuild, and none is invented
        with pytest.raises(ValueError, match=f"no patch covers {(~covered).sum()} pixels"):
            extractor.inverse_transform(patches)


def test_positions_cover_the_border():
    assert list(patch_positions(20, 8, 8)) == [0, 8, 12]
    assert list(patch_positions(16, 8, 8)) == [0, 8]
    assert list(patch_positions(20, 8, 8, cover_border=False)) == [0, 8]


def test_uncovered_pixels_are_an_error_without_border_cover():
    image = np.arange(100.0).reshape(10, 10)
    extractor = PatchExtractor(patch_size=4, stride=4, cover_border=False)
    patches = extractor.fit(image).transform(image)
    np.testing.assert_array_equal(patches[0], image[:4, :4].ravel())
    with pytest.raises(ValueError, match="no patch covers 36 pixels.*cover_border=False"):
        extractor.inverse_transform(patches)


def test_weighted_aggregation_against_loop(rng):
    image = rng.random((9, 11))
    extractor = PatchExtractor(patch_size=3, stride=2).fit(image)
    patches = rng.random((extractor.n_patches_per_image_, 9))
    weights = rng.random(len(patches))
    numerator = np.zeros_like(image)
    denominator = np.zeros_like(image)
    k = 0
    for r in extractor.row_positions_:
        for c in extractor.col_positions_:
            numerator[r:r + 3, c:c + 3] += weights[k] * patches[k].reshape(3, 3)
            denominator[r:r + 3, c:c + 3] += weights[k]
            k += 1
    np.testing.assert_allclose(extractor.inverse_transform(patches, weights=weights),
                               numerator / denominator, atol=1e-12)


def test_zero_weights_are_an_error_only_where_nothing_else_covers():
    image = np.ones((4, 4))
    extractor = PatchExtractor(patch_size=2, stride=2).fit(image)
    weights = np.ones(4)
    weights[0] = 0.0
    with pytest.raises(ValueError, match="4 pixels are covered only by patches of weight 0"):
        extractor.inverse_transform(extractor.transform(image), weights=weights)
    # With overlapping patches, the centre patch's pixels are covered by the others.
    extractor = PatchExtractor(patch_size=2, stride=1).fit(image)
    weights = np.ones(9)
    weights[4] = 0.0
    restored = extractor.inverse_transform(extractor.transform(image), weights=weights)
    np.testing.assert_array_equal(restored, 1.0)


def test_dtype_and_shape_conventions(camera):
    image32 = camera[:20, :20].astype(np.float32)
    extractor = PatchExtractor(patch_size=4)
    patches = extractor.fit_transform(image32)
    assert patches.dtype == np.float32
    assert extractor.inverse_transform(patches).shape == (20, 20)
    patches8 = PatchExtractor(patch_size=4).fit_transform((camera[:20, :20] * 255).astype(np.uint8))
    assert patches8.dtype == np.float64
    stack = extractor.fit(image32[np.newaxis]).inverse_transform(patches)
    assert stack.shape == (1, 20, 20)


def test_input_is_not_modified(camera):
    image = camera[:16, :16].copy()
    extractor = PatchExtractor(patch_size=4, remove_mean=True)
    patches = extractor.fit_transform(image)
    extractor.inverse_transform(patches)
    np.testing.assert_array_equal(image, camera[:16, :16])


@pytest.mark.parametrize(
    "kwargs, X, message",
    [
        ({}, np.full((10, 10), np.nan), "NaN"),
        ({}, np.ones(10), "single grey image of shape"),
        ({}, np.ones((2, 2, 10, 10)), "single grey image of shape"),
        ({}, np.ones((10, 10, 3)), "looks like a colour image"),
        ({"patch_size": 12}, np.ones((10, 10)), "patch_size=\\(12, 12\\) is larger"),
        ({"patch_size": (2, 3, 4)}, np.ones((10, 10)), "patch_size must be"),
        ({"stride": 0}, np.ones((10, 10)), "stride"),
        ({}, np.ones((0, 10, 10)), "sample"),
    ],
)
def test_bad_input_errors(kwargs, X, message):
    with pytest.raises(ValueError, match=message):
        PatchExtractor(**{"patch_size": 8, **kwargs}).fit(X)


def test_inverse_transform_errors():
    extractor = PatchExtractor(patch_size=2).fit(np.ones((4, 4)))
    patches = extractor.transform(np.ones((4, 4)))
    with pytest.raises(ValueError, match="columns"):
        extractor.inverse_transform(patches[:, :3])
    with pytest.raises(ValueError, match="multiple"):
        extractor.inverse_transform(patches[:-1])
    with pytest.raises(ValueError, match="weights must have shape"):
        extractor.inverse_transform(patches, weights=np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        extractor.inverse_transform(patches, weights=-np.ones(len(patches)))
    with pytest.raises(ValueError, match="fitted on images of shape"):
        extractor.transform(np.ones((5, 5)))
    centred = PatchExtractor(patch_size=2, remove_mean=True).fit(np.ones((4, 4)))
    with pytest.raises(ValueError, match="means must have shape"):
        centred.inverse_transform(np.zeros((18, 4)))


def test_remove_mean_with_explicit_means(camera):
    first, second = camera[:20, :20], camera[200:220, 300:320]
    extractor = PatchExtractor(patch_size=4, stride=2, remove_mean=True).fit(first)
    centred = extractor.transform(second)
    np.testing.assert_allclose(centred.mean(axis=1), 0, atol=1e-12)
    means = PatchExtractor(patch_size=4, stride=2).fit_transform(second).mean(axis=1)
    np.testing.assert_allclose(extractor.inverse_transform(centred, means=means), second,
                               atol=1e-12)
    # Default means are those of the fitted image.
    np.testing.assert_allclose(extractor.inverse_transform(extractor.transform(first)), first,
                               atol=1e-12)
