"""MultiscaleSparseAnomalyDetector: one dictionary per zoom level, coded with group sparsity."""

from __future__ import annotations

import time
from numbers import Real

import numpy as np
from scipy import ndimage
from sklearn.utils import check_random_state

from ..decomposition import SparseFeatureExtractor
from ..decomposition._resolve import resolve_dictionary
from ..image._grid import extract_patch_grid, patch_positions
from ..utils._compat import Interval, _fit_context
from ..utils._validation import check_image_stack, check_patch_fits, check_stride
from ._detector import _SPARSE_FEATURES, SparseAnomalyDetector

_MULTISCALE_FEATURES = _SPARSE_FEATURES + ("mean", "std")


def rescale(images, factor):
    """Images ``(n, H, W)`` zoomed by ``factor``: bilinear interpolation, after a Gaussian
    anti-aliasing filter of standard deviation ``(1 / factor - 1) / 2`` pixels when
    shrinking (scikit-image's rule)."""
    if factor < 1:
        images = ndimage.gaussian_filter(images, (0, (1 / factor - 1) / 2, (1 / factor - 1) / 2))
    return ndimage.zoom(images, (1, factor, factor), order=1, grid_mode=True, mode="reflect")


class MultiscaleSparseAnomalyDetector(SparseAnomalyDetector):
    """Anomaly detection across zoom levels: one dictionary per scale, group-sparse coding.

    Test images may be taken at another magnification than the training ones. Following
    Carrera et al. (ICIP 2016), ``fit`` takes normal *images* and

    1. rescales them to every zoom factor of ``scales`` (bilinear interpolation, after a
       Gaussian anti-aliasing filter of standard deviation ``(1 / factor - 1) / 2``
       pixels when shrinking), as if they had been taken at those zooms;
    2. cuts each rescaled set into ``patch_size`` patches and splits them into S and V
       (``validation_fraction``); learns a dictionary ``D_k`` on the S patches of each
       scale and stacks them, ``D = [D_1 ... D_K]``;
    3. codes every V patch (of every scale) with the sparse-group penalty

           1/2 ||s - D a||^2 + alpha ||a||_1 + group_alpha sum_k ||a_k||_2

       (groups = scales), describes it by ``[||s - D a||^2, ||a||_1, sum_k ||a_k||_2]``
       in log scale and fits the density and the threshold for ``fpr`` exactly as
       :class:`SparseAnomalyDetector` does (this class reuses its scoring, maps and
       masks).

    The group term makes a patch choose the atoms of one scale: a normal patch seen at
    an unseen zoom is still coded sparsely by the nearest scale's atoms, an anomaly is
    not coded well by any.

    Parameters
    ----------
    scales : sequence of float, default=(0.5, 1.0, 2.0)
        Zoom factors at which the training images are synthesised (1 keeps them).
    n_components : int, default=32
        Atoms learned per scale.
    alpha : float, default=0.1
        l1 weight of the coding (and of dictionary learning).
    group_alpha : float, default=0.1
        Weight of the group (per-scale l2) term in the coding; 0 codes with the l1 term
        only (the group feature is still computed).
    features : sequence of {"error", "l1", "group", "mean", "std"}, \
            default=("error", "l1", "group")
        What the density models.
    dictionary : {"mod", "minibatch", "ksvd", "dct"}, default="mod"
        How each scale's atoms are learned (see
        :func:`~sk_sparse.decomposition.resolve_dictionary`).
    validation_fraction, fpr, density, patch_size, stride, min_region_size, max_iter, \
transform_max_iter, transform_tol, random_state, n_jobs, verbose
        As in :class:`SparseAnomalyDetector`; ``stride`` is also the step of the training
        patches.

    Attributes
    ----------
    features_ : SparseFeatureExtractor
        Holds the stacked atoms (``components_``) and their scale labels (``groups``).
    density_, offset_, validation_scores_ : as in :class:`SparseAnomalyDetector`
    n_iter_ : int
        Passes of dictionary learning (summed over scales).
    n_features_in_ : int
        ``patch_size ** 2``: :meth:`score_samples`, :meth:`decision_function` and
        :meth:`predict` take flattened patches.

    See Also
    --------
    SparseAnomalyDetector : one scale, fitted on patches.

    References
    ----------
    D. Carrera, G. Boracchi, A. Foi and B. Wohlberg, "Scale-invariant anomaly detection
    with multiscale group-sparse models", IEEE ICIP 2016.

    Examples
    --------
    >>> from sk_sparse.anomaly import MultiscaleSparseAnomalyDetector
    >>> from sk_sparse.datasets import make_nanofibres
    >>> normal = make_nanofibres(96, random_state=0)
    >>> detector = MultiscaleSparseAnomalyDetector(n_components=8, max_iter=2,
    ...                                            random_state=0).fit(normal)
    >>> detector.features_.components_.shape
    (24, 225)
    >>> zoomed = make_nanofibres(96, zoom=1.5, random_state=1)
    >>> detector.anomaly_map(zoomed).shape
    (96, 96)
    """

    _parameter_constraints: dict = {
        **SparseAnomalyDetector._parameter_constraints,
        "scales": [tuple, list],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, scales=(0.5, 1.0, 2.0), *, n_components=32, alpha=0.1,
                 group_alpha=0.1, features=("error", "l1", "group"), dictionary="mod",
                 validation_fraction=0.5, fpr=0.01, density=None, patch_size=15, stride=4,
                 min_region_size=0, max_iter=5, transform_max_iter=200, transform_tol=1e-2,
                 random_state=None, n_jobs=None, verbose=0):
        super().__init__(
            n_components, alpha=alpha, dictionary=dictionary,
            validation_fraction=validation_fraction, fpr=fpr, features=features,
            density=density, patch_size=patch_size, stride=stride,
            min_region_size=min_region_size, max_iter=max_iter,
            transform_max_iter=transform_max_iter, transform_tol=transform_tol,
            random_state=random_state, n_jobs=n_jobs, verbose=verbose)
        self.scales = scales
        self.group_alpha = group_alpha

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit on normal images only.

        Parameters
        ----------
        X : array-like of shape (H, W) or (n_images, H, W)
            Normal images, large enough for a ``patch_size`` patch at every scale.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : MultiscaleSparseAnomalyDetector
            The fitted detector.
        """
        self._check_features(_MULTISCALE_FEATURES)
        scales = [float(s) for s in self.scales]
        if not scales or min(scales) <= 0 or len(set(scales)) != len(scales):
            raise ValueError(f"scales must be distinct positive zoom factors; got "
                             f"{self.scales!r}.")
        stack, _ = check_image_stack(X)
        check_stride(self.stride, self.patch_size)
        rng = check_random_state(self.random_state)
        started = time.perf_counter()
        p = self.patch_size
        atoms, train_rows, validation_rows, self.n_iter_ = [], [], [], 0
        for scale in scales:
            images = rescale(stack, scale)
            check_patch_fits((p, p), images.shape)
            rows = patch_positions(images.shape[1], p, self.stride)
            cols = patch_positions(images.shape[2], p, self.stride)
            patches = extract_patch_grid(images, rows, cols, (p, p)).reshape(-1, p * p)
            order = rng.permutation(len(patches))
            n_validation = int(round(self.validation_fraction * len(patches)))
            if not 0 < n_validation < len(patches):
                raise ValueError(f"At scale {scale} the images give {len(patches)} patches: "
                                 "too few to split into a training and a validation part.")
            train, validation = patches[order[n_validation:]], patches[order[:n_validation]]
            self._report(f"fit: scale {scale}: learning {self.n_components} atoms on "
                         f"{len(train)} patches", started)
            scale_atoms, n_iter = resolve_dictionary(
                self.dictionary, train, n_components=self.n_components, alpha=self.alpha,
                max_iter=self.max_iter, coding_max_iter=self.transform_max_iter,
                random_state=rng, n_jobs=self.n_jobs)
            atoms.append(scale_atoms)
            train_rows.append(train)
            validation_rows.append(validation)
            self.n_iter_ += max(1, n_iter)
        groups = np.repeat(np.arange(len(scales)), [len(a) for a in atoms])
        self.features_ = SparseFeatureExtractor(
            np.concatenate(atoms), alpha=self.alpha, groups=groups,
            group_alpha=self.group_alpha, transform_max_iter=self.transform_max_iter,
            transform_tol=self.transform_tol, n_jobs=self.n_jobs,
        ).fit(train_rows[0][:1])
        self.n_features_in_ = p * p
        validation = np.concatenate(validation_rows)
        self._report(f"fit: coding {len(validation)} held-out patches (V)", started)
        self._fit_density(self._log_features(validation), rng)
        self._report(f"fit: density fitted, threshold {self.offset_:.4g}; done", started)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
