"""The strip runner: image estimators process every image in horizontal strips.

Each strip holds whole rows of patches, so its partial result needs no neighbour; strips
are bounded by the shared work budget, so memory does not grow with the image size, and
they are the unit of parallel work (:mod:`sk_sparse.utils._parallel`).
"""

from __future__ import annotations

import numpy as np

from ..utils._parallel import even_slices, run_tasks


def accumulate_strips(strip_task, stacks, patch_height, row_positions, values_per_row, *,
                      n_jobs=None, dtype=np.float64, progress=None, n_maps=None):
    """Run ``strip_task`` on every strip of every image in parallel and sum the results.

    Image estimators return, per strip, a partial weighted sum and a partial weight sum
    over the rows the strip's patches cover. This runs all (image, strip) tasks with
    :func:`~sk_sparse.utils._parallel.run_tasks` and adds the partial sums into full-size
    arrays as they arrive, so only a few strips are alive at once. Each task receives only
    its own rows of the images, which is all a remote worker is sent. Sums are taken in
    task order, so the result does not depend on the backend, on ``n_jobs`` or on which
    worker finishes first (bit for bit).

    Parameters
    ----------
    strip_task : callable ``(image_index, local_row_positions, *strips) -> (numerator, weights)``
        ``strips`` are the rows ``start:stop`` of each array of ``stacks`` for one image,
        ``start`` being the first patch row of the strip and ``stop`` the end of its last
        patch; ``local_row_positions`` are the strip's patch rows relative to ``start``.
        ``numerator`` and ``weights`` have the shape of the strip (``numerator``
        ``(n_maps, *strip.shape)`` with ``n_maps``).
    stacks : tuple of ndarray of shape (n_images, H, W)
        The image stack, and any per-pixel companion (e.g. a mask).
    patch_height : int
        Height of the patches.
    row_positions : ndarray of int
        Top rows of all patches of an image.
    values_per_row : int
        Working values one row of patches needs (e.g. ``n_cols * p * p`` coefficients);
        strips hold as many rows as the shared work budget allows.
    n_jobs : int, default=None
        joblib's ``n_jobs``; None means 1 unless in a :func:`joblib.parallel_config` context.
    dtype : dtype, default=np.float64
        dtype of the sums.
    progress : callable ``(n_done, n_tasks) -> None``, default=None
        Called in the calling process after each strip is added (progress reports).
    n_maps : int, default=None
        Several numerators per pixel sharing one weight (e.g. one score map per
        candidate model): the numerator then has shape ``(n_images, n_maps, H, W)``.

    Returns
    -------
    numerator, weights : ndarray of shape ``(n_images, H, W)``
        Sums of the strips' partial results, added in strip order (the numerator
        ``(n_images, n_maps, H, W)`` with ``n_maps``).

    Examples
    --------
    Each 2 x 2 patch's mean, averaged over the patches covering each pixel:

    >>> import numpy as np
    >>> from sk_sparse.image import accumulate_strips, patch_positions
    >>> def patch_means(index, local_rows, strip):
    ...     numerator, weights = np.zeros_like(strip), np.zeros_like(strip)
    ...     for row in local_rows:
    ...         for col in range(strip.shape[1] - 1):
    ...             numerator[row:row + 2, col:col + 2] += strip[row:row + 2, col:col + 2].mean()
    ...             weights[row:row + 2, col:col + 2] += 1
    ...     return numerator, weights
    >>> images = np.arange(9.0).reshape(1, 3, 3)
    >>> numerator, weights = accumulate_strips(patch_means, (images,), 2,
    ...                                        patch_positions(3, 2, 1), 4)
    >>> numerator[0] / weights[0]
    array([[2. , 2.5, 3. ],
           [3.5, 4. , 4.5],
           [5. , 5.5, 6. ]])
    """
    images_shape = stacks[0].shape
    strips, arguments = _strip_tasks(stacks, patch_height, row_positions, values_per_row)
    leading = () if n_maps is None else (n_maps,)
    numerator = np.zeros((images_shape[0], *leading, *images_shape[1:]), dtype=dtype)
    weights = np.zeros(images_shape, dtype=dtype)
    results = run_tasks(strip_task, arguments, n_jobs=n_jobs)
    for n_done, ((index, start, stop, _), (strip_numerator, strip_weights)) in enumerate(
            zip(strips, results), start=1):
        numerator[index, ..., start:stop, :] += strip_numerator
        weights[index, start:stop] += strip_weights
        if progress is not None:
            progress(n_done, len(arguments))
    return numerator, weights


def _strip_tasks(stacks, patch_height, row_positions, values_per_row):
    """The strips of every image, image by image and top to bottom, as ``(image index,
    first row, end row, patch rows)``, and the arguments of their tasks (the strips'
    own rows of each array of ``stacks``)."""
    strips = [(index, row_positions[rows][0], row_positions[rows][-1] + patch_height,
               row_positions[rows])
              for index in range(stacks[0].shape[0])
              for rows in even_slices(len(row_positions), values_per_row)]
    arguments = [(index, positions - start, *(stack[index, start:stop] for stack in stacks))
                 for index, start, stop, positions in strips]
    return strips, arguments


def grid_strips(strip_task, stacks, patch_height, row_positions, values_per_row, *,
                n_jobs=None, progress=None):
    """Run ``strip_task`` on every strip of every image in parallel and keep its values
    per patch.

    The companion of :func:`accumulate_strips` for values that a later step needs on
    the patch grid rather than summed into pixels (e.g. several scores per patch of
    which only one will make the map): the grid of an ``H x W`` image holds about
    ``stride ** 2`` times fewer values than its pixels.

    Parameters
    ----------
    strip_task : callable ``(image_index, local_row_positions, *strips) -> values``
        As for :func:`accumulate_strips`, but ``values`` has one entry per patch row of
        the strip along its first axis: ``(len(local_row_positions), ...)``.
    stacks, patch_height, row_positions, values_per_row, n_jobs, progress
        As for :func:`accumulate_strips`.

    Returns
    -------
    values : ndarray of shape (n_images, len(row_positions), ...)
        The strips' values, each image's strips stacked top to bottom.
    """
    strips, arguments = _strip_tasks(stacks, patch_height, row_positions, values_per_row)
    per_image = [[] for _ in range(stacks[0].shape[0])]
    results = run_tasks(strip_task, arguments, n_jobs=n_jobs)
    for n_done, ((index, _, _, _), values) in enumerate(zip(strips, results), start=1):
        per_image[index].append(values)
        if progress is not None:
            progress(n_done, len(arguments))
    return np.stack([np.concatenate(values) for values in per_image])
