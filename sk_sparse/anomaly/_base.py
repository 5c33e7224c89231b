"""What every anomaly detector of sk_sparse shares: the density of features of normal data,
the threshold for a target false-positive rate, and turning window scores into pixel maps
and masks."""

from __future__ import annotations

from functools import partial

import numpy as np
from scipy import ndimage
from sklearn.base import clone
from sklearn.mixture import GaussianMixture
from sklearn.utils.validation import check_is_fitted

from ..image._grid import assemble_patch_weights, extract_patch_grid, patch_positions
from ..image._strips import accumulate_strips
from ..utils._compat import validate_data
from ..utils._validation import check_image_stack, check_patch_fits, check_stride

# Ridge of the default Gaussian's covariance (the features are logs: unit-free).
_REG_COVAR = 1e-6
# Floor added before taking logs of the (non-negative) features.
LOG_FLOOR = 1e-10


def seeded_clone(estimator, seed):
    """A clone of ``estimator`` whose ``random_state`` parameters left at None (its own,
    or its steps' in a pipeline) are set to ``seed``: a density with randomness but no
    seed of its own (a GaussianMixture's initialisation) follows the detector's
    ``random_state``, so that a seeded detector gives the same model every time."""
    estimator = clone(estimator)
    unseeded = {name: seed for name, value in estimator.get_params().items()
                if (name == "random_state" or name.endswith("__random_state"))
                and value is None}
    return estimator.set_params(**unseeded)


class DensityThresholdMixin:
    """Density of normal features, threshold ``offset_`` and masks, for a detector that
    defines ``density``, ``fpr``, ``min_region_size`` and ``anomaly_map``."""

    def _fit_density(self, features, rng):
        """Fit the density on the log features of normal data and set the threshold.

        Sets ``density_``, ``validation_scores_`` and ``offset_`` (the ``fpr`` quantile
        of the normal data's log-density: about a fraction ``fpr`` of it is flagged).
        """
        seed = rng.randint(np.iinfo(np.int32).max)
        if self.density is None:
            density = self._default_density(len(features), seed)
        else:
            density = seeded_clone(self.density, seed)
        self.density_ = density.fit(features)
        self.validation_scores_ = self.density_.score_samples(features)
        self.offset_ = float(np.quantile(self.validation_scores_, self.fpr))

    def _default_density(self, n_rows, seed):
        """The density ``density=None`` stands for, to model ``n_rows`` rows: one
        full-covariance Gaussian."""
        return GaussianMixture(n_components=1, covariance_type="full", reg_covar=_REG_COVAR,
                               random_state=seed)

    def predict_mask(self, images) -> np.ndarray:
        """Boolean anomaly masks of whole images.

        ``anomaly_map > 0``, without the detected regions smaller than
        ``min_region_size`` pixels.

        Parameters
        ----------
        images : array-like of shape (H, W) or (n_images, H, W)
            Grey-level images.

        Returns
        -------
        mask : ndarray of bool of the shape of ``images``
            True on pixels flagged as anomalous.
        """
        detected = self.anomaly_map(images) > 0
        if self.min_region_size > 1:
            stack = detected[np.newaxis] if detected.ndim == 2 else detected
            for plane in stack:
                labels, n_regions = ndimage.label(plane)
                if n_regions:
                    sizes = np.bincount(labels.ravel())
                    small = sizes < self.min_region_size
                    small[0] = False
                    plane[small[labels]] = False
        return detected


class PatchScoresMixin:
    """The outlier-detector methods and pixel maps of a detector fitted on rows of
    patches: it defines ``_score_samples`` (validated rows, higher = more normal),
    ``score_samples`` (documented, on :meth:`_checked_rows`), ``offset_`` and the
    parameters ``patch_size``, ``stride`` and ``n_jobs``."""

    def _checked_rows(self, X):
        """Rows to score, validated against the fitted detector."""
        check_is_fitted(self)
        return validate_data(self, X, dtype=[np.float64, np.float32], reset=False)

    def _map_progress(self):
        """A progress callback for :meth:`anomaly_map`'s strips, or None."""
        return None

    def decision_function(self, X) -> np.ndarray:
        """``score_samples(X) - offset_``: negative for anomalies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score (e.g. flattened patches).

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            Negative for rows flagged as anomalies.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X) -> np.ndarray:
        """+1 for normal rows, -1 for anomalies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to classify (e.g. flattened patches).

        Returns
        -------
        labels : ndarray of int of shape (n_samples,)
            +1 for normal rows, -1 for anomalies.
        """
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def anomaly_map(self, images) -> np.ndarray:
        """Per-pixel anomaly score of whole images.

        Every ``patch_size x patch_size`` patch on a grid of step ``stride`` (plus patches
        flush with the borders) is scored, and each pixel gets the mean of
        ``-decision_function`` over the patches covering it: positive means anomalous at
        the fitted false-positive rate.

        Parameters
        ----------
        images : array-like of shape (H, W) or (n_images, H, W)
            Grey-level images of at least ``patch_size`` pixels per side.

        Returns
        -------
        scores : ndarray of the shape of ``images``
            Mean of ``-decision_function`` over the patches covering each pixel;
            positive means anomalous at the fitted false-positive rate.
        """
        stack, single = self._image_stack(images)
        scores = self._maps(stack)
        return scores[0] if single else scores

    def _image_stack(self, images):
        """``images`` validated for the patch grid of a fitted detector, as a stack,
        and whether a single image was given."""
        check_is_fitted(self)
        stack, single = check_image_stack(images, name="images")
        p = self.patch_size
        if self.n_features_in_ != p * p:
            raise ValueError(
                f"anomaly_map cuts images into patch_size={p} patches ({p * p} values), but "
                f"the detector was fitted on rows of {self.n_features_in_} features."
            )
        check_patch_fits((p, p), stack.shape)
        check_stride(self.stride, p)
        return stack, single

    def _maps(self, stack):
        """Anomaly maps of a validated stack (the mean over the patches covering each
        pixel)."""
        numerator, counts = self._strip_sums(stack, self._score_strip)
        return numerator / counts

    def _strip_sums(self, stack, strip_task, n_maps=None):
        """Per pixel, the sums of ``strip_task``'s patch scores over the patch grid of a
        validated stack, and how many patches cover it (``accumulate_strips``, with
        ``n_maps`` scores per patch if given)."""
        p = self.patch_size
        rows = patch_positions(stack.shape[1], p, self.stride)
        cols = patch_positions(stack.shape[2], p, self.stride)
        return accumulate_strips(
            partial(strip_task, col_positions=cols),
            (stack,), p, rows, len(cols) * p * p, n_jobs=self.n_jobs,
            progress=self._map_progress(), n_maps=n_maps,
        )

    def _score_strip(self, index, local_rows, strip, *, col_positions):
        """Strip task of :func:`~sk_sparse.image.accumulate_strips` (picklable)."""
        p = self.patch_size
        patches = extract_patch_grid(strip[np.newaxis], local_rows, col_positions,
                                     (p, p)).reshape(-1, p * p)
        anomaly = (self.offset_ - self._score_samples(patches)).reshape(
            1, len(local_rows), len(col_positions))
        numerator, counts = window_sums(anomaly, local_rows, col_positions, (p, p),
                                        strip.shape)
        return numerator[0], counts[0]


def window_sums(values, row_positions, col_positions, window, shape):
    """Per pixel, the sum of the values of the windows covering it, and their count.

    ``values`` has shape ``(..., n_rows, n_cols)``, one per window of ``window`` pixels
    with top-left corners on the grid; dividing the two results gives the mean score of
    the windows covering each pixel (how every detector turns window scores into maps).
    The counts depend on the grid only: they are assembled once and broadcast (read-only)
    to the numerator's shape.
    """
    numerator = assemble_patch_weights(values, row_positions, col_positions, window, shape)
    counts = assemble_patch_weights(np.ones(values.shape[-2:], dtype=values.dtype),
                                    row_positions, col_positions, window, shape)
    return numerator, np.broadcast_to(counts, numerator.shape)
