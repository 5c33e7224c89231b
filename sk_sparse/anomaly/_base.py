"""What every anomaly detector of sk_sparse shares: the density of features of normal data,
the threshold for a target false-positive rate, and turning window scores into pixel maps
and masks."""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from sklearn.base import clone
from sklearn.mixture import GaussianMixture

from ..image._grid import assemble_patch_weights

# Ridge of the default Gaussian's covariance (the features are logs: unit-free).
_REG_COVAR = 1e-6
# Floor added before taking logs of the (non-negative) features.
LOG_FLOOR = 1e-10


class DensityThresholdMixin:
    """Density of normal features, threshold ``offset_`` and masks, for a detector that
    defines ``density``, ``fpr``, ``min_region_size`` and ``anomaly_map``."""

    def _fit_density(self, features, rng):
        """Fit the density on the log features of normal data and set the threshold.

        Sets ``density_``, ``validation_scores_`` and ``offset_`` (the ``fpr`` quantile
        of the normal data's log-density: about a fraction ``fpr`` of it is flagged).
        """
        if self.density is None:
            density = GaussianMixture(n_components=1, covariance_type="full",
                                      reg_covar=_REG_COVAR,
                                      random_state=rng.randint(np.iinfo(np.int32).max))
        else:
            density = self.density
        self.density_ = clone(density).fit(features)
        self.validation_scores_ = self.density_.score_samples(features)
        self.offset_ = float(np.quantile(self.validation_scores_, self.fpr))

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


def window_sums(values, row_positions, col_positions, window, shape):
    """Per pixel, the sum of the values of the windows covering it, and their count.

    ``values`` has shape ``(..., n_rows, n_cols)``, one per window of ``window`` pixels
    with top-left corners on the grid; dividing the two results gives the mean score of
    the windows covering each pixel (how every detector turns window scores into maps).
    """
    numerator = assemble_patch_weights(values, row_positions, col_positions, window, shape)
    counts = assemble_patch_weights(np.ones_like(values), row_positions, col_positions,
                                    window, shape)
    return numerator, counts
