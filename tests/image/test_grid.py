"""The strip runner shared by the image estimators."""

import numpy as np
import pytest

from sk_sparse.image import accumulate_strips, patch_positions
from sk_sparse.image._strips import grid_strips
from sk_sparse.utils._parallel import WORK_BUDGET


def per_row(rows_per_strip):
    """``values_per_row`` that makes the shared budget hold ``rows_per_strip`` patch rows."""
    return WORK_BUDGET // rows_per_strip


def patch_means_task(patch):
    """Each patch's mean spread over its pixels: sums over overlapping patches."""
    def task(index, local_rows, strip):
        numerator = np.zeros_like(strip)
        weights = np.zeros_like(strip)
        for row in local_rows:
            for col in range(strip.shape[1] - patch + 1):
                window = (slice(row, row + patch), slice(col, col + patch))
                numerator[window] += strip[window].mean() * (index + 1)
                weights[window] += 1
        return numerator, weights
    return task


@pytest.mark.parametrize("rows_per_strip", [1, 7, 10_000])
@pytest.mark.parametrize("n_jobs", [None, 2])
def test_strips_add_up_to_the_whole_image_bit_for_bit(rng, rows_per_strip, n_jobs):
    patch = 4
    images = rng.random((2, 23, 9))
    rows = patch_positions(23, patch, 1)
    # Reference: one task per image, holding every patch row.
    expected = accumulate_strips(patch_means_task(patch), (images,), patch, rows, 1)
    # One patch row per strip: up to `patch` strips add into the same pixel.
    result = accumulate_strips(patch_means_task(patch), (images,), patch, rows,
                               per_row(rows_per_strip), n_jobs=n_jobs)
    if rows_per_strip == 10_000:
        np.testing.assert_array_equal(result[0], expected[0])
    else:  # other summation order than the single strip, but the same for every n_jobs
        np.testing.assert_allclose(result[0], expected[0], rtol=1e-13)
        again = accumulate_strips(patch_means_task(patch), (images,), patch, rows,
                                  per_row(rows_per_strip))
        np.testing.assert_array_equal(result[0], again[0])
    np.testing.assert_array_equal(result[1], expected[1])
    assert np.all(expected[1] > 0)


def test_tasks_receive_only_their_rows_and_progress_is_reported(rng):
    images = rng.random((2, 20, 6))
    masks = images > 0.5
    rows = patch_positions(20, 5, 1)
    seen_shapes, reports = [], []

    def task(index, local_rows, strip, mask):
        seen_shapes.append(strip.shape)
        assert strip.shape == mask.shape
        assert local_rows[0] == 0 and local_rows[-1] + 5 == strip.shape[0]
        return strip * mask, np.ones_like(strip)

    numerator, weights = accumulate_strips(task, (images, masks), 5, rows, per_row(4),
                                           progress=lambda done, total: reports.append(
                                               (done, total)))
    n_tasks = len(seen_shapes)
    assert n_tasks == 2 * 4  # 16 patch rows, 4 per strip, two images
    assert all(shape[0] == 4 + 5 - 1 for shape in seen_shapes)
    assert reports == [(k, n_tasks) for k in range(1, n_tasks + 1)]
    np.testing.assert_allclose(numerator / weights, images * masks)


def test_several_numerators_share_one_weight(rng):
    images = rng.random((2, 21, 8))
    rows = patch_positions(21, 4, 1)
    task = patch_means_task(4)

    def two_maps(index, local_rows, strip):
        numerator, weights = task(index, local_rows, strip)
        return np.stack([numerator, -3 * numerator]), weights

    single = accumulate_strips(task, (images,), 4, rows, per_row(5))
    numerator, weights = accumulate_strips(two_maps, (images,), 4, rows, per_row(5),
                                           n_maps=2)
    assert numerator.shape == (2, 2, 21, 8)
    np.testing.assert_allclose(numerator[:, 0], single[0], rtol=1e-13)
    np.testing.assert_allclose(numerator[:, 1], -3 * single[0], rtol=1e-13)
    np.testing.assert_array_equal(weights, single[1])


@pytest.mark.parametrize("rows_per_strip", [1, 3, 10_000])
@pytest.mark.parametrize("n_jobs", [None, 2])
def test_grid_strips_keep_each_patch_value_in_its_place(rng, rows_per_strip, n_jobs):
    # Reference: each patch of the grid cut by hand, its mean and its maximum.
    patch, stride = 5, 2
    images = rng.random((3, 22, 13))
    rows, cols = patch_positions(22, patch, stride), patch_positions(13, patch, stride)
    expected = np.array([[[[images[i, r:r + patch, c:c + patch].mean() + i,
                            images[i, r:r + patch, c:c + patch].max()]
                           for c in cols] for r in rows] for i in range(3)])
    reports = []

    def task(index, local_rows, strip):
        assert local_rows[0] == 0 and local_rows[-1] + patch == strip.shape[0]
        windows = np.stack([[strip[r:r + patch, c:c + patch] for c in cols]
                            for r in local_rows])
        return np.stack([windows.mean(axis=(2, 3)) + index, windows.max(axis=(2, 3))], axis=-1)

    values = grid_strips(task, (images,), patch, rows, per_row(rows_per_strip),
                         n_jobs=n_jobs, progress=lambda done, total: reports.append(total))
    assert values.shape == (3, len(rows), len(cols), 2)
    np.testing.assert_allclose(values, expected, rtol=1e-13)
    n_tasks = 3 * -(-len(rows) // min(rows_per_strip, len(rows)))
    assert reports == [n_tasks] * n_tasks
