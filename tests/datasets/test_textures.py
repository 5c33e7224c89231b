"""The synthetic textures and the defect kinds of the anomaly benchmark."""

import numpy as np
import pytest
from scipy import ndimage

from sk_sparse.datasets import DEFECT_KINDS, make_defects, make_nanofibres, make_woven


def mean_frequency(image):
    """Spectral centroid (cycles per pixel) of an image: lower for coarser structure."""
    spectrum = np.abs(np.fft.rfft2(image - image.mean())) ** 2
    fy = np.fft.fftfreq(image.shape[0])[:, np.newaxis]
    fx = np.fft.rfftfreq(image.shape[1])[np.newaxis, :]
    radius = np.hypot(fy, fx)
    return float(np.sum(radius * spectrum) / np.sum(spectrum))


@pytest.mark.parametrize("make", [make_nanofibres, make_woven])
def test_textures_are_seeded_images_in_unit_range(make):
    image = make((96, 128), random_state=3)
    assert image.shape == (96, 128)
    assert 0 <= image.min() and image.max() <= 1 and image.std() > 0.05
    np.testing.assert_array_equal(image, make((96, 128), random_state=3))
    assert not np.array_equal(image, make((96, 128), random_state=4))


@pytest.mark.parametrize("make", [make_nanofibres, make_woven])
def test_zoom_scales_the_structure(make):
    # Twice the magnification: structure twice as coarse, the spectrum's centroid lower.
    fine = np.mean([mean_frequency(make(256, zoom=1.0, noise=0, random_state=s))
                    for s in range(3)])
    coarse = np.mean([mean_frequency(make(256, zoom=2.0, noise=0, random_state=s))
                      for s in range(3)])
    assert 1.4 < fine / coarse < 2.8


def test_nanofibres_noise_is_shot_plus_read_noise():
    clean = make_nanofibres(128, noise=0, random_state=0)
    noisy = make_nanofibres(128, noise=0.05, random_state=0)
    residual = (noisy - clean)[(clean > 0.3) & (clean < 0.7)]
    assert abs(residual.mean()) < 0.01
    assert 0.035 < residual.std() < 0.065
    # Shot noise grows with brightness: darker pixels are less noisy.
    dark = (noisy - clean)[(clean > 0.05) & (clean < 0.15)]
    assert dark.std() < residual.std()


def test_woven_threads_repeat_at_the_period():
    image = make_woven(256, period=16, noise=0, random_state=0)
    profile = image.mean(axis=0) - image.mean()
    peak = np.argmax(np.abs(np.fft.rfft(profile))[1:]) + 1
    assert abs(256 / peak - 16) < 2.5


@pytest.fixture(scope="module")
def scene():
    return make_woven(128, random_state=1), make_nanofibres(128, random_state=2)


@pytest.mark.parametrize("kind", DEFECT_KINDS)
def test_each_defect_changes_its_region_only(scene, kind):
    image, foreign = scene
    defective, mask = make_defects(image, 1, kinds=(kind,), foreign=foreign, random_state=5)
    assert mask.any() and mask.mean() < 0.2
    changed = np.abs(defective - image) > 1e-3  # visibly: a thousandth of the grey range
    # Soft edges (a Gaussian of 2 pixels, cut at 4 sigma) reach at most 8 pixels out.
    near = ndimage.distance_transform_edt(~mask) <= 10
    assert changed[mask].mean() > 0.5  # the defect is there
    assert not changed[~near].any()  # and nowhere else
    assert 0 <= defective.min() and defective.max() <= 1


def test_defects_are_not_pure_intensity_outliers(scene):
    image, foreign = scene
    region_stats = {}
    for kind in DEFECT_KINDS:
        defective, mask = make_defects(image, 1, kinds=(kind,), foreign=foreign,
                                       random_state=11)
        region_stats[kind] = (defective[mask].mean() - image[mask].mean(),
                              defective[mask].std() / image[mask].std())
    # A foreign patch keeps the mean and spread of what it replaces: only texture differs.
    assert abs(region_stats["foreign"][0]) < 0.02
    assert 0.85 < region_stats["foreign"][1] < 1.15
    # Films and blur lower the local contrast; a stain moves the mean only a little.
    assert region_stats["film"][1] < 0.8 and region_stats["blur"][1] < 0.9
    assert 0.01 < abs(region_stats["stain"][0]) < 0.1
    assert region_stats["bead"][0] > 0 > region_stats["pit"][0]


def test_bad_kinds_are_named(scene):
    image, _ = scene
    with pytest.raises(ValueError, match="kinds must be among"):
        make_defects(image, 1, kinds=("crack",))
    with pytest.raises(ValueError, match="pass foreign="):
        make_defects(image, 1, kinds=("foreign",))


@pytest.mark.parametrize("kind", ["blur", "film", "foreign", "bead"])
def test_defects_land_where_they_are_visible(kind):
    # Left half flat (blur, film and foreign texture change nothing there; it is white,
    # so neither do beads), right half textured: every draw must reach the texture (or
    # the step, within the blur's reach), though positions are drawn over the whole image.
    texture = make_woven(128, random_state=3)
    image = np.where(np.arange(128) < 64, 1.0, texture)
    foreign = make_nanofibres(64, random_state=4)
    for seed in range(12):
        defective, mask = make_defects(image, 1, kinds=(kind,), foreign=foreign,
                                       random_state=seed)
        change = defective[mask] - image[mask]
        assert np.sqrt(np.mean(change ** 2)) >= 0.04 * 0.25
        assert mask[:, 56:].any()


def test_a_defect_that_cannot_be_seen_is_an_error():
    with pytest.raises(ValueError, match="could not place a visible 'blur' defect"):
        make_defects(np.full((64, 64), 0.5), 1, kinds=("blur",), random_state=0)


@pytest.mark.parametrize("kind", DEFECT_KINDS)
def test_zoom_scales_each_defect(kind):
    # The same draw at twice and half the magnification: the total change (over the
    # area the defect covers) scales with the square of the zoom, a scratch's too (twice
    # as long and twice as wide), and a foreign square's side with the zoom itself.
    # A fine random texture around mid-grey (white noise smoothed over a pixel keeps 0.28
    # of its spread, so this one has a spread of about 0.15): beads and pits show on it.
    rng = np.random.default_rng(0)
    image = np.clip(0.5 + 0.15 * ndimage.gaussian_filter(rng.standard_normal((384, 384)), 1.0)
                    / 0.28, 0, 1)
    foreign = make_nanofibres(256, random_state=4)
    change, side = {}, {}
    for zoom in (0.5, 1.0, 2.0):
        defective, mask = make_defects(image, 1, kinds=(kind,), foreign=foreign, zoom=zoom,
                                       random_state=3)
        change[zoom] = np.abs(defective - image).sum()
        side[zoom] = np.ptp(np.nonzero(mask)[0]) + 1
    for zoom in (0.5, 2.0):
        assert change[zoom] / change[1.0] == pytest.approx(zoom ** 2, rel=0.3)
        if kind == "foreign":
            assert side[zoom] == round(side[1.0] * zoom)


def test_zoom_must_be_positive(scene):
    image, _ = scene
    for zoom in (0, -1.0, np.inf, True, "2"):
        with pytest.raises(ValueError, match="zoom must be a finite number > 0"):
            make_defects(image, 1, kinds=("bead",), zoom=zoom)
