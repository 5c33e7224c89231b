"""MultiscaleSparseAnomalyDetector."""

import copy
from functools import partial

import numpy as np
import pytest
from scipy import ndimage
from scipy.stats import multivariate_normal
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture

from sk_sparse import estimate_noise_sigma
from sk_sparse.anomaly import MultiscaleSparseAnomalyDetector, SparseAnomalyDetector
from sk_sparse.anomaly import _multiscale as multiscale_module
from sk_sparse.anomaly._multiscale import ScaleDensities, rescale, weighted_quantile
from sk_sparse.datasets import make_defects, make_nanofibres, make_woven


@pytest.fixture(scope="module")
def fitted():
    normal = make_nanofibres((128, 256), random_state=0)
    # The default sizes: with 8 atoms per scale and 2 passes, the codes of a 128 x 256
    # image are too rough for the scale each patch chooses to mean anything.
    detector = MultiscaleSparseAnomalyDetector(random_state=0)
    return detector.fit(normal), normal


def test_rescale_zooms_and_antialiases():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(2, 40, 60))
    assert rescale(images, 2.0).shape == (2, 80, 120)
    assert rescale(images, 0.5).shape == (2, 20, 30)
    # Shrinking white noise without anti-aliasing keeps its variance; with it, it drops.
    assert rescale(images, 0.5).std() < 0.6
    ramp = np.tile(np.linspace(0, 1, 64), (1, 32, 1))
    np.testing.assert_allclose(rescale(ramp, 1.0), ramp, atol=1e-12)
    # Cubic splines by default (scipy's reference), bilinear on request.
    for order in (1, 3):
        expected = ndimage.zoom(images, (1, 2, 2), order=order, grid_mode=True,
                                mode="reflect")
        kwargs = {} if order == 3 else {"order": 1}
        np.testing.assert_allclose(rescale(images, 2.0, **kwargs), expected, atol=1e-12)


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_rescale_can_keep_the_pixel_noise(factor):
    clean = make_nanofibres(128, noise=0, random_state=0)
    noisy = clean + np.random.default_rng(1).normal(0, 0.05, clean.shape)
    smoothed = rescale(noisy[np.newaxis], factor)[0]
    kept = rescale(noisy[np.newaxis], factor, match_noise=True, random_state=0)[0]
    # Interpolation (and the anti-aliasing filter) smooth the noise away; match_noise
    # restores the level the original had.
    assert estimate_noise_sigma(smoothed) < 0.7 * 0.05
    assert estimate_noise_sigma(kept) == pytest.approx(0.05, rel=0.15)
    np.testing.assert_array_equal(kept, rescale(noisy[np.newaxis], factor, match_noise=True,
                                                random_state=0)[0])


def test_weighted_quantile_counts_weights_as_repetitions():
    rng = np.random.default_rng(0)
    values = rng.normal(size=50)
    repeats = rng.integers(1, 5, size=50)
    for q in (0.01, 0.1, 0.5, 0.9):
        expected = np.quantile(np.repeat(values, repeats), q, method="inverted_cdf")
        assert weighted_quantile(values, repeats.astype(float), q) == expected


def test_one_gaussian_per_scale_scores_with_the_chosen_scale():
    rng = np.random.default_rng(0)
    features = np.r_[rng.normal(0, 1, (300, 2)), rng.normal(5, 0.5, (200, 2))]
    scales = np.repeat([0, 1], [300, 200])
    density = ScaleDensities(lambda n_rows: 1).fit(features, scales)
    points = rng.normal(2, 2, (6, 2))
    chosen = np.array([0, 1, 1, 0, 1, 0])
    # In the features' own units: the standardisation is undone.
    expected = [multivariate_normal(features[scales == k].mean(axis=0),
                                    np.cov(features[scales == k].T, bias=True)).logpdf(x)
                for x, k in zip(points, chosen)]
    np.testing.assert_allclose(density.score_samples(points, chosen), expected, rtol=1e-5)


def test_mixtures_per_scale_follow_each_scales_clusters():
    # Scale 0 has two clusters of very different spreads in units far from 1, scale 1
    # one; each scale's mixture must come close to the density that drew its rows.
    rng = np.random.default_rng(1)
    centres, spreads = np.array([[0.0, 0.0], [30.0, 10.0]]), np.array([1.0, 3.0])
    labels = rng.integers(0, 2, 4000)
    first = centres[labels] + spreads[labels, np.newaxis] * rng.normal(size=(4000, 2))
    second = rng.normal(100.0, 0.2, (1000, 2))
    features = np.r_[first, second]
    scales = np.repeat([0, 1], [4000, 1000])
    density = ScaleDensities(lambda n_rows: 2 if n_rows > 2000 else 1,
                             random_state=0).fit(features, scales)
    assert [m.n_components for m in density.mixtures_] == [2, 1]
    points = np.r_[centres + rng.normal(0, 0.5, (2, 2)), [[100.1, 99.9]]]
    truth_first = np.logaddexp(*[np.log(0.5) + multivariate_normal(c, s**2).logpdf(points[:2])
                                 for c, s in zip(centres, spreads)])
    truth = np.r_[truth_first, multivariate_normal([100, 100], 0.04).logpdf(points[2])]
    np.testing.assert_allclose(density.score_samples(points, np.array([0, 0, 1])), truth,
                               atol=0.1)


def test_tail_probability_puts_the_scales_on_one_scale():
    # Scale 0 spreads its features ten times wider than scale 1, so its log-densities
    # are lower throughout; a row's tail probability is its rank among its scale's rows.
    rng = np.random.default_rng(2)
    features = np.r_[rng.normal(0, 10, (500, 2)), rng.normal(0, 1, (400, 2))]
    scales = np.repeat([0, 1], [500, 400])
    density = ScaleDensities(lambda n_rows: 1).fit(features, scales)
    points = rng.normal(0, 1, (40, 2)) * np.r_[np.full(20, 10.0), np.ones(20)][:, None]
    chosen = np.repeat([0, 1], 20)
    log_density = density.score_samples(points, chosen)
    tail = density.tail_log_probability(points, chosen)
    for k, n in enumerate((500, 400)):
        reference = density.score_samples(features[scales == k], np.full(n, k))
        rows = chosen == k
        inside = rows & (log_density >= reference.min()) & (log_density < reference.max())
        # Counted directly: the rows no more likely than each point.
        no_more_likely = (reference[:, None] <= log_density[inside]).sum(axis=0)
        np.testing.assert_array_equal(np.floor(np.exp(tail[inside]) * (n + 1) + 1e-9),
                                      no_more_likely)
    # Points drawn like each scale's rows get tail probabilities alike, their
    # log-densities do not.
    assert abs(np.median(tail[:20]) - np.median(tail[20:])) < 0.5
    assert np.median(log_density[:20]) < np.median(log_density[20:]) - 3
    # Beyond the least likely row: an exponential tail, one log unit per tail unit.
    far = np.array([[60.0, 60.0], [80.0, 80.0]])
    far_log_density = density.score_samples(far, np.zeros(2, dtype=int))
    far_tail = density.tail_log_probability(far, np.zeros(2, dtype=int))
    assert np.diff(far_tail)[0] == pytest.approx(np.diff(far_log_density)[0]
                                                 / density.tail_units_[0])
    assert far_tail[0] < np.log(1 / 501)


def test_one_dictionary_per_scale_with_group_labels(fitted):
    detector, _ = fitted
    features = detector.features_
    assert features.components_.shape == (160, 225)
    np.testing.assert_array_equal(features.groups, np.repeat(np.arange(5), 32))
    assert detector.n_features_in_ == 225
    assert isinstance(detector.density_, ScaleDensities)
    assert np.shape(detector.density_.means_) == (5, 10)  # 5 scales x 10 features
    # With the cell features a mixture per scale, as the single-scale detector's.
    assert max(m.n_components for m in detector.density_.mixtures_) > 1
    # Each scale weighs the same in the threshold, so the pooled fraction of flagged
    # validation patches is not fpr, but it is of its order.
    assert 0 < np.mean(detector.validation_scores_ < detector.offset_) < 5 * detector.fpr


def test_scores_patches_and_maps(fitted):
    detector, normal = fitted
    other = make_nanofibres((96, 192), zoom=1.5, random_state=1)
    # At an unseen zoom, a foreign patch (another mat, turned, with matched mean and
    # spread) scores above the texture around it.
    defective, mask = make_defects(other, 2, kinds=("foreign",), foreign=np.rot90(other),
                                   random_state=0)
    scores = detector.anomaly_map(defective)
    assert scores.shape == defective.shape
    assert np.median(scores[mask]) > np.median(scores[~mask]) + 0.3
    patches = normal[:15, :15].reshape(1, -1)
    assert detector.predict(patches).shape == (1,)
    # The map machinery is the patch detector's.
    assert type(detector).anomaly_map is SparseAnomalyDetector.anomaly_map


def test_an_empty_code_takes_the_scale_of_its_most_correlated_atom(fitted):
    detector, _ = fitted
    faint = 1e-6 * np.random.default_rng(0).normal(size=(20, 225))  # every code is zero
    features, chosen = detector._features_and_scale(faint)
    atoms = detector.features_.components_
    assert np.all(detector.features_.sparse_codes(faint) == 0)
    expected = detector.features_.groups[np.abs(faint @ atoms.T).argmax(axis=1)]
    np.testing.assert_array_equal(chosen, expected)
    assert len(set(chosen)) > 1  # not one arbitrary scale for all of them
    assert np.all(np.isfinite(detector.score_samples(faint)))


def test_smooth_defects_are_not_taken_for_a_zoom(fitted, monkeypatch):
    detector, normal = fitted
    # An earlier release's choices: scales 0.5, 1, 2, one Gaussian over all scales,
    # zoomed-in training images smoother than real ones (bilinear, without their noise).
    # Blurred and faded regions then looked like the texture at a larger zoom and scored
    # as MORE normal than the texture itself.
    monkeypatch.setattr(multiscale_module, "rescale", partial(rescale, order=1))
    pooled = MultiscaleSparseAnomalyDetector(
        scales=(0.5, 1.0, 2.0), match_noise=False, features=("error", "l1", "group"),
        random_state=0,
        density=GaussianMixture(1, covariance_type="full", random_state=0)).fit(normal)
    for zoom in (0.75, 1.0):
        other = make_nanofibres((96, 192), zoom=zoom, random_state=1)
        for kind in ("blur", "film"):
            defective, mask = make_defects(other, 2, kinds=(kind,), random_state=0)
            ours = roc_auc_score(mask.ravel(), detector.anomaly_map(defective).ravel())
            previous = roc_auc_score(mask.ravel(), pooled.anomaly_map(defective).ravel())
            assert previous < 0.15, (zoom, kind)
            assert ours > previous + 0.25, (zoom, kind)


def test_a_zoom_between_the_previous_scales_keeps_threshold_and_ranking():
    # A woven fabric fitted at zoom 1 and inspected at zoom 0.75, which lies between the
    # previous default scales 0.5 and 1 (and a factor 1.06 from the current scale 0.71).
    # With scales 0.5, 1, 2 most of the normal fabric was flagged and the defects ranked
    # worse; with the default sqrt(2) steps both hold. The fabric is generated at 0.75,
    # not rescaled: with bilinear synthesis, which smooths, the mixtures per scale
    # flagged 20% of it (cubic: 2%).
    training = np.stack([make_woven((128, 256), random_state=seed) for seed in (0, 1)])
    normal = make_woven((128, 256), zoom=0.75, random_state=2)
    damaged, mask = make_defects(normal, 2, kinds=("foreign",),
                                 foreign=make_nanofibres(256, random_state=0), random_state=0)
    default = MultiscaleSparseAnomalyDetector(random_state=0).fit(training)
    previous = MultiscaleSparseAnomalyDetector(scales=(0.5, 1.0, 2.0),
                                               random_state=0).fit(training)
    assert np.mean(default.anomaly_map(normal) > 0) < 5 * default.fpr
    assert np.mean(previous.anomaly_map(normal) > 0) > 0.5
    ours = roc_auc_score(mask.ravel(), default.anomaly_map(damaged).ravel())
    theirs = roc_auc_score(mask.ravel(), previous.anomaly_map(damaged).ravel())
    assert ours > 0.95
    assert ours > theirs + 0.05


def test_bad_parameters_are_named():
    image = make_nanofibres(64, random_state=0)
    with pytest.raises(ValueError, match="scales"):
        MultiscaleSparseAnomalyDetector(scales=(1.0, -1.0)).fit(image)
    with pytest.raises(ValueError, match="features"):
        MultiscaleSparseAnomalyDetector(features=("group", "x")).fit(image)
    with pytest.raises(ValueError, match="patch_size"):
        MultiscaleSparseAnomalyDetector(scales=(0.1,)).fit(image)


def test_cell_features_are_those_of_the_patch_detector():
    from sk_sparse.anomaly._detector import _cell_columns

    image = make_nanofibres(64, random_state=0)
    detector = MultiscaleSparseAnomalyDetector(
        scales=(1.0, 2.0), n_components=8, max_iter=1, random_state=0,
        features=("error", "group", "cell_error", "cell_std")).fit(image)
    rows = image[:15, :15].reshape(1, -1), image[20:35, 7:22].reshape(1, -1)
    rows = np.concatenate(rows)
    columns, _ = detector._features_and_scale(rows)
    residual = detector.features_.sparse_codes(rows) @ detector.features_.components_ - rows
    expected = _cell_columns(rows, residual, ("cell_error", "cell_std"), 15, 3,
                             detector.spread_floor_)
    np.testing.assert_allclose(columns[:, 2:], expected, rtol=1e-6)
    assert np.shape(detector.density_.means_) == (2, 5)  # 2 scales x (2 + 1 + 2) features
    with pytest.raises(ValueError, match="cell_size=8 leaves fewer than two cells"):
        MultiscaleSparseAnomalyDetector(cell_size=8, features=("error", "cell_mean")).fit(image)


@pytest.fixture(scope="module")
def per_image():
    training = np.stack([make_woven((96, 192), random_state=seed) for seed in (0, 1)])
    detector = MultiscaleSparseAnomalyDetector(
        scales=(0.5, 1.0, 2.0), n_components=8, max_iter=2, scale_selection="image",
        random_state=0)
    return detector.fit(training)


def _scale_sums_by_hand(detector, image):
    """Every patch of the grid cut by hand, its log-density and tail log-probability
    under each scale's density, summed over the patches covering each pixel."""
    p, stride = detector.patch_size, detector.stride
    tops = [sorted({*range(0, n - p + 1, stride), n - p}) for n in image.shape]
    patches = np.stack([image[r:r + p, c:c + p].ravel() for r in tops[0] for c in tops[1]])
    features, _ = detector._features_and_scale(patches)
    n_scales = len(detector.scales)
    log_density = np.stack([
        detector.density_.score_samples(features, np.full(len(patches), k))
        for k in range(n_scales)])
    tail = np.stack([detector.density_.tail_log_probability(features,
                                                            np.full(len(patches), k))
                     for k in range(n_scales)])
    sums = np.zeros((2, n_scales, *image.shape))
    count = np.zeros(image.shape)
    for index, (r, c) in enumerate((r, c) for r in tops[0] for c in tops[1]):
        sums[0, :, r:r + p, c:c + p] += log_density[:, index, None, None]
        sums[1, :, r:r + p, c:c + p] += tail[:, index, None, None]
        count[r:r + p, c:c + p] += 1
    return patches, log_density, sums[0], sums[1], count


def test_one_scale_per_image_is_the_most_likely_one(per_image):
    # The scale with the highest mean log-density over the image's patches; each pixel
    # the threshold minus the mean tail log-probability, at that scale, of the patches
    # covering it.
    detector = per_image
    image = make_woven(80, random_state=3)
    patches, log_density, _, tail_sums, count = _scale_sums_by_hand(detector, image)
    best = int(np.argmax(log_density.mean(axis=1)))
    expected = detector.offset_ - tail_sums[best] / count
    np.testing.assert_allclose(detector.anomaly_map(image), expected, atol=1e-10)
    assert detector.estimate_zoom(image) == detector.scales[best]
    # Patch by patch, the same detector gives another map; rows are always per patch.
    by_patch = copy.deepcopy(detector).set_params(scale_selection="patch")
    assert np.abs(by_patch.anomaly_map(image) - expected).max() > 0.1
    np.testing.assert_array_equal(by_patch.score_samples(patches),
                                  detector.score_samples(patches))


def _two_zooms(texture, size):
    """A ``size x 2 size`` image: ``texture`` at zoom 0.5 on the left, 2 on the right."""
    small = rescale(texture[np.newaxis], 0.5, match_noise=True, random_state=0)[0]
    half = size // 2 + 1
    large = rescale(texture[np.newaxis, :half, :half], 2.0, match_noise=True,
                    random_state=0)[0]
    return np.concatenate([small[:size, :size], large[:size, :size]], axis=1)


def test_each_pixel_takes_the_scale_that_fits_its_region_best(per_image):
    # Reference: per pixel, the scale whose log-densities, summed over the patches
    # covering each pixel of the scale_window x scale_window square around it (scipy's
    # box filter, mirrored at the borders), are the highest; the pixel scores as in
    # the per-image rule at that scale.
    detector = copy.deepcopy(per_image).set_params(scale_selection="region",
                                                   scale_window=24)
    image = _two_zooms(make_woven(160, random_state=5), 72)
    _, _, log_sums, tail_sums, count = _scale_sums_by_hand(detector, image)
    region = ndimage.uniform_filter(log_sums, size=(1, 24, 24), mode="reflect")
    best = region.argmax(axis=0)
    assert len(np.unique(best)) > 1  # the reference is not one scale everywhere
    expected = detector.offset_ - np.take_along_axis(tail_sums, best[np.newaxis], 0)[0] / count
    np.testing.assert_allclose(detector.anomaly_map(image), expected, atol=1e-10)


def test_regions_follow_a_zoom_that_changes_across_the_image(per_image):
    # A fabric whose left half is seen at zoom 0.5 and right half at zoom 2 (a tilted
    # or stitched sample): each region is judged at its own zoom, where one scale for
    # the whole image misjudges one half and flags most of it.
    image = _two_zooms(make_woven(256, random_state=6), 96)
    by_region = copy.deepcopy(per_image).set_params(scale_selection="region")
    stack = image[np.newaxis]
    log_density, _, rows, cols = by_region._scale_grid(stack)
    region = by_region._region_scales(log_density, rows, cols, stack.shape[1:])
    assert np.mean(region[0, :, :80] == 0) > 0.95  # scale 0.5
    assert np.mean(region[0, :, 112:] == 2) > 0.95  # scale 2
    flagged_region = np.mean(by_region.predict_mask(image))
    flagged_image = np.mean(per_image.predict_mask(image))
    assert flagged_region < 2 * per_image.fpr
    assert flagged_image > 0.2


def test_the_zoom_of_a_rescaled_texture_is_found(per_image):
    other = make_woven(192, random_state=4)
    for zoom in (0.5, 1.0, 2.0):
        zoomed = rescale(other[np.newaxis], zoom, match_noise=True, random_state=0)[0]
        assert per_image.estimate_zoom(zoomed) == zoom
    both = np.stack([other[:96, :96], other[96:, 96:]])
    np.testing.assert_array_equal(per_image.estimate_zoom(both), [1.0, 1.0])
    # The patches' threshold keeps the false positives of a new fabric near the target.
    assert np.mean(per_image.predict_mask(other)) < 5 * per_image.fpr


def test_maps_judged_at_different_scales_share_their_units(per_image):
    # In tail log-probabilities, a typical normal patch scores about the same whatever
    # scale its image is judged at. (A new image's patches are a little rarer than the
    # held-out patches that each scale's mixture was fitted on: their median lies
    # below log(1/2), most at the smallest scale, of about 200 held-out patches.)
    other = make_woven(192, random_state=4)
    tails = []
    for zoom in (0.5, 1.0, 2.0):
        zoomed = rescale(other[np.newaxis], zoom, match_noise=True, random_state=0)[0]
        tails.append(np.median(per_image.offset_ - per_image.anomaly_map(zoomed)))
    assert all(-3 < tail < np.log(0.5) for tail in tails), tails
    assert np.ptp(tails) < 1.5, tails


def test_a_custom_density_leaves_no_scale_to_select(per_image):
    image = make_woven(64, random_state=0)
    pooled = GaussianMixture(1, covariance_type="full", random_state=0)
    with pytest.raises(ValueError, match="scale_selection"):
        MultiscaleSparseAnomalyDetector(scale_selection="zoom").fit(image)
    with pytest.raises(ValueError, match="scale_window"):
        MultiscaleSparseAnomalyDetector(scale_window=0).fit(image)
    custom = MultiscaleSparseAnomalyDetector(scales=(1.0, 2.0), n_components=4,
                                             max_iter=1, density=pooled,
                                             random_state=0).fit(image)
    with pytest.raises(ValueError, match="estimate_zoom"):
        custom.estimate_zoom(image)
    # One density for every scale: the maps are the patches' whatever the selection.
    by_patch = custom.set_params(scale_selection="patch").anomaly_map(image)
    for selection in ("region", "image"):
        np.testing.assert_array_equal(
            custom.set_params(scale_selection=selection).anomaly_map(image), by_patch)


def test_a_given_density_without_a_seed_follows_the_detectors_random_state():
    # As for the single-scale detector: a seeded detector gives the same model every
    # time, and the estimator passed in is left as it was.
    image = make_nanofibres(64, random_state=0)
    mixture = GaussianMixture(3, covariance_type="full", reg_covar=1e-6)
    fitted = [MultiscaleSparseAnomalyDetector(scales=(1.0, 2.0), n_components=4,
                                              max_iter=1, density=mixture,
                                              random_state=0).fit(image).density_
              for _ in range(2)]
    assert mixture.random_state is None
    assert fitted[0].random_state is not None
    np.testing.assert_array_equal(fitted[0].means_, fitted[1].means_)
