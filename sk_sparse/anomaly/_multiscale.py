"""MultiscaleSparseAnomalyDetector: one dictionary per zoom level, coded with group sparsity."""

from __future__ import annotations

import time
from functools import partial
from numbers import Integral, Real

import numpy as np
from scipy import ndimage
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state

from ..decomposition import SparseFeatureExtractor
from ..decomposition._resolve import resolve_dictionary
from ..image._grid import extract_patch_grid, patch_positions
from ..image._noise import _estimate_noise_sigma
from ..image._strips import grid_strips
from ..utils._compat import Interval, StrOptions, _fit_context
from ..utils._validation import ImageInputMixin, check_image_stack, check_patch_fits, check_stride
from ._base import _REG_COVAR, seeded_clone, window_sums
from ._detector import _CELL_FEATURES, _SPARSE_FEATURES, SparseAnomalyDetector, _spread_floor

_MULTISCALE_FEATURES = _SPARSE_FEATURES + ("mean", "std") + _CELL_FEATURES


def rescale(images, factor, *, order=3, match_noise=False, random_state=None):
    """Images ``(n, H, W)`` zoomed by ``factor``: spline interpolation of ``order`` (3:
    cubic; 1: bilinear), after a Gaussian anti-aliasing filter of standard deviation
    ``(1 / factor - 1) / 2`` pixels when shrinking (scikit-image's rule).

    Bilinear interpolation smooths what it resamples: fabrics *generated* at a zoom of
    0.71 or 0.75 were sharper than fabrics rescaled to it, and a detector fitted on the
    rescaled ones flagged several times its target rate of them. Cubic splines keep
    the detail (the user guide's domain-adaptation page has the measurements). Both
    filters smooth the images' noise too. With ``match_noise``, white Gaussian noise is
    added so that each zoomed image's estimated noise level
    (:func:`~sk_sparse.restoration.estimate_noise_sigma`) is the original's: a sensor's
    noise is per pixel, whatever the magnification.
    """
    def zoom(stack):
        if factor < 1:
            width = (1 / factor - 1) / 2
            stack = ndimage.gaussian_filter(stack, (0, width, width))
        return ndimage.zoom(stack, (1, factor, factor), order=order, grid_mode=True,
                            mode="reflect")

    zoomed = zoom(images)
    if not match_noise or factor == 1:
        return zoomed
    rng = check_random_state(random_state)
    # What the estimator reads before and after: interpolated noise is correlated, so the
    # part of it left at the finest scale, not its variance, is what is missing.
    before = np.array([_estimate_noise_sigma(image) for image in images])
    after = np.array([_estimate_noise_sigma(image) for image in zoomed])
    missing = np.sqrt(np.maximum(before**2 - after**2, 0.0))
    return zoomed + missing[:, np.newaxis, np.newaxis] * rng.standard_normal(zoomed.shape)


class ScaleDensities:
    """One density per zoom level, each row scored by the density of the zoom its sparse
    code chose.

    Fitted on the features of normal patches synthesised at each zoom (labelled by it):
    per scale, a full-covariance Gaussian mixture of ``n_components(n_rows)`` components
    of the features standardised by that scale's mean and spread (the rule of
    :class:`SparseAnomalyDetector`'s default density; one component is one Gaussian).
    :meth:`score_samples` takes the features and, per row, the zoom whose atoms carry
    most of the row's code (the largest ``||a_k||_2``), and returns the log-density in
    the features' own units (the standardisation's Jacobian is put back).

    Log-densities of different scales are not on one scale: a zoom whose patches hold
    more structure spreads its features wider and gives every patch a lower density.
    :meth:`tail_log_probability` puts them on one: the log of the fraction of the
    scale's own rows (those it was fitted on, ``reference_scores_``) that are no more
    likely than the row, interpolated between them; below the least likely it falls by
    one per ``tail_units_`` (a scale's median log-density minus its 1st percentile), an
    exponential tail. A row is then as abnormal as it is rare among the normal rows of
    the zoom it is judged at. :meth:`log_densities` scores rows under every scale at
    once and :meth:`tail_of` turns one scale's log-densities into its tail
    log-probabilities (how images are judged at a scale their patches did not choose).
    """

    def __init__(self, n_components=lambda n_rows: 1, random_state=None):
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X, scales):
        X = np.asarray(X, dtype=np.float64)
        rng = check_random_state(self.random_state)
        self.scales_ = np.unique(scales)
        self.means_, self.spreads_, self.mixtures_ = [], [], []
        for scale in self.scales_:
            rows = X[scales == scale]
            mean, spread = rows.mean(axis=0), rows.std(axis=0)
            # A constant column (a flat training image) would divide by zero.
            spread = np.where(spread > 0, spread, 1.0)
            mixture = GaussianMixture(
                n_components=self.n_components(len(rows)), covariance_type="full",
                reg_covar=_REG_COVAR, random_state=rng.randint(np.iinfo(np.int32).max))
            self.means_.append(mean)
            self.spreads_.append(spread)
            self.mixtures_.append(mixture.fit((rows - mean) / spread))
        self.reference_scores_ = [
            np.sort(self.score_samples(X[scales == scale], scales[scales == scale]))
            for scale in self.scales_]
        tail_units = np.array([np.median(ref) - np.quantile(ref, 0.01)
                               for ref in self.reference_scores_])
        # Equal scores (a flat image) leave no spread: one log unit then.
        self.tail_units_ = np.where(tail_units > 0, tail_units, 1.0)
        return self

    def score_samples(self, X, scales):
        """Log-density of each row under the density of its scale."""
        X = np.asarray(X, dtype=np.float64)
        scores = np.empty(len(X))
        for k, scale in enumerate(self.scales_):
            rows = scales == scale
            if rows.any():
                scores[rows] = self._log_density(X[rows], k)
        return scores

    def log_densities(self, X):
        """Log-density of each row under every scale's density ``(n_rows, n_scales)``."""
        X = np.asarray(X, dtype=np.float64)
        return np.stack([self._log_density(X, k) for k in range(len(self.scales_))], axis=1)

    def _log_density(self, X, k):
        """Log-density of rows under the mixture of scale ``k``, in the features' units."""
        standardised = (X - self.means_[k]) / self.spreads_[k]
        return self.mixtures_[k].score_samples(standardised) - np.log(self.spreads_[k]).sum()

    def tail_log_probability(self, X, scales):
        """Log of the share of its scale's reference rows no more likely than each row."""
        log_density = self.score_samples(X, scales)
        scores = np.empty(len(log_density))
        for k in range(len(self.scales_)):
            rows = scales == self.scales_[k]
            if rows.any():
                scores[rows] = self.tail_of(log_density[rows], k)
        return scores

    def tail_of(self, log_density, k):
        """The tail log-probability of log-densities under the scale of index ``k``."""
        reference = self.reference_scores_[k]
        n = len(reference)
        rank = np.interp(log_density, reference, np.arange(1, n + 1))
        below = np.minimum(log_density - reference[0], 0.0) / self.tail_units_[k]
        return np.log(rank / (n + 1)) + below


def weighted_quantile(values, weights, q):
    """The smallest value below which a fraction ``q`` of the total weight lies."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    position = np.searchsorted(cumulative, q * cumulative[-1])
    return float(values[order][min(position, len(values) - 1)])


class MultiscaleSparseAnomalyDetector(ImageInputMixin, SparseAnomalyDetector):
    """Anomaly detection across zoom levels: one dictionary per scale, group-sparse coding.

    Test images may be taken at another magnification than the training ones. Following
    Carrera et al. (ICIP 2016), ``fit`` takes normal *images* and

    1. rescales them to every zoom factor of ``scales`` (cubic spline interpolation,
       after a Gaussian anti-aliasing filter of standard deviation
       ``(1 / factor - 1) / 2`` pixels when shrinking), as if they had been taken at
       those zooms, and with ``match_noise`` adds back the pixel noise that
       interpolation smoothed away;
    2. cuts each rescaled set into ``patch_size`` patches and splits them into S and V
       (``validation_fraction``); learns a dictionary ``D_k`` on the S patches of each
       scale and stacks them, ``D = [D_1 ... D_K]``;
    3. codes every V patch (of every scale) with the sparse-group penalty

           1/2 ||s - D a||^2 + alpha ||a||_1 + group_alpha sum_k ||a_k||_2

       (groups = scales), describes it by ``[||s - D a||^2, ||a||_1, sum_k ||a_k||_2]``
       in log scale (by default also by the patch moments and cell features of
       :class:`SparseAnomalyDetector`) and fits the density and the threshold for ``fpr`` as
       :class:`SparseAnomalyDetector` does (this class reuses its scoring, maps and
       masks), with one difference: the default density is one per scale, fitted on
       that scale's patches (with the cell features a mixture of Gaussians of the
       standardised features, as :class:`SparseAnomalyDetector`'s default; without
       them one Gaussian), and a patch is judged by one scale's density, by how rare
       its log-density is among that scale's held-out patches (the log of their share
       that is no more likely), so that patches judged at different zooms compare.
       Rows (:meth:`score_samples`) are judged at the scale whose atoms carry most of
       their code (the largest ``||a_k||_2``): the group-sparse code says at which zoom
       the patch is seen. The threshold is the ``fpr`` quantile of the held-out
       patches judged so, every scale weighing the same however many patches it gave.

    :meth:`anomaly_map` and :meth:`predict_mask` judge a whole image at one scale
    instead (``scale_selection="image"``, the default): the one under which its patches
    are most likely (:meth:`estimate_zoom`). A zoom belongs to the image, most of which
    is normal, not to one patch, whose code alone often picks a neighbouring scale; and
    a defect cannot pass as normal by choosing the zoom it fits best. For images whose
    zoom changes across the field, ``scale_selection="region"`` takes the scale of the
    ``scale_window`` square around each pixel. The threshold stays the patches'.

    A single Gaussian over the features of all scales is so wide that blurred or faded
    regions look normal (they resemble the zoomed-in training images); the mixture of
    the scales' densities (a patch as normal as at its most favourable zoom) misses
    foreign textures instead. The user guide's domain-adaptation page shows the three
    rules measured.

    The group term makes a patch choose the atoms of one scale: a normal patch seen at
    an unseen zoom is still coded sparsely by the nearest scale's atoms, an anomaly is
    not coded well by any.

    Parameters
    ----------
    scales : sequence of float, default=(0.5, 0.71, 1.0, 1.41, 2.0)
        Zoom factors at which the training images are synthesised (1 keeps them). The
        default steps by about sqrt(2) from 0.5 to 2, so that no zoom in that range is
        more than a factor 1.19 from a scale; the user guide compares it with 0.5, 1, 2.
    n_components : int, default=32
        Atoms learned per scale.
    alpha : float, default=0.1
        l1 weight of the coding (and of dictionary learning).
    group_alpha : float, default=0.1
        Weight of the group (per-scale l2) term in the coding; 0 codes with the l1 term
        only (the group feature is still computed).
    match_noise : bool, default=True
        Add white Gaussian noise to each rescaled training image so that its noise level
        equals the one estimated on the original (a sensor's noise is per pixel at any
        magnification). Interpolation smooths noise away: without this, images
        synthesised at a larger zoom are smoother than real ones, and smooth defects
        (blur, films) look normal. False for noise-free images.
    features : sequence of {"error", "l1", "group", "mean", "std", "cell_error", \
            "cell_mean", "cell_std"}, default=("error", "l1", "group", "mean", "std", \
            "cell_error", "cell_mean", "cell_std")
        What the density models (see :class:`SparseAnomalyDetector`): by default the
        paper's three features, the patch mean and spread and the cell features, which
        raised the pixel AUC at every zoom of the zoom benchmark (see the user guide);
        ``("error", "l1", "group")`` gives the paper's features alone, the default of
        earlier releases.
    dictionary : {"mod", "minibatch", "ksvd", "dct"}, default="mod"
        How each scale's atoms are learned (see
        :func:`~sk_sparse.decomposition.resolve_dictionary`).
    density : estimator with ``fit`` and ``score_samples``, default=None
        Density of the log features of the held-out patches of all scales pooled; None
        means one density per scale (a mixture with the cell features, one Gaussian
        without), applied at the scale a patch is judged at (see above). An estimator whose
        ``random_state`` is None is seeded from ``random_state``, as in
        :class:`SparseAnomalyDetector`.
    scale_selection : {"image", "region", "patch"}, default="image"
        At which scale :meth:`anomaly_map` and :meth:`predict_mask` judge each pixel,
        with the default ``density``. "image": one scale for the whole image, the one
        whose patches have the highest mean log-density (:meth:`estimate_zoom`).
        "region": per pixel, the scale with the highest sum of log-densities over the
        patches covering the pixels of the ``scale_window`` square around it, for
        images whose zoom changes across the field. "patch": each patch at the scale
        its code chooses, as :meth:`score_samples` does (the default of earlier
        releases). A custom ``density`` does not depend on the scale, and the maps are
        then the same for all three. The user guide compares them.
    scale_window : int, default=64
        Side in pixels of the square over which ``scale_selection="region"`` sums the
        log-densities (mirrored at the image's borders): a few patches wide, so that a
        region's patches, mostly normal, outweigh a defect and the scatter of single
        codes.
    validation_fraction, fpr, patch_size, stride, cell_size, min_region_size, max_iter, \
transform_max_iter, transform_tol, random_state, n_jobs, verbose
        As in :class:`SparseAnomalyDetector`; ``stride`` is also the step of the training
        patches, and ``random_state`` also seeds the noise of ``match_noise``.

    Attributes
    ----------
    features_ : SparseFeatureExtractor
        Holds the stacked atoms (``components_``) and their scale labels (``groups``).
    density_ : ScaleDensities or estimator
        The per-scale densities (per scale, the features' ``means_`` and ``spreads_``
        and a fitted :class:`~sklearn.mixture.GaussianMixture` of the standardised
        features in ``mixtures_``), or the fitted ``density``.
    alpha_, offset_, validation_scores_, spread_floor_, features_used_ : \
as in :class:`SparseAnomalyDetector`
        With the default ``density``, ``validation_scores_`` and ``offset_`` are in the
        units of :meth:`score_samples`: log tail probabilities, not log-densities. The
        maps are ``offset_`` minus the mean score of the patches covering each pixel,
        judged at the scale ``scale_selection`` picks.
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
    (40, 225)
    >>> zoomed = make_nanofibres(96, zoom=1.5, random_state=1)
    >>> detector.anomaly_map(zoomed).shape
    (96, 96)

    The zoom the image is judged at, and a map judged region by region:

    >>> zoom = detector.estimate_zoom(zoomed)  # one of the scales
    >>> zoom in detector.scales
    True
    >>> detector.set_params(scale_selection="region").anomaly_map(zoomed).shape
    (96, 96)
    """

    _parameter_constraints: dict = {
        **SparseAnomalyDetector._parameter_constraints,
        # A number only, in the units of the rows as group_alpha is: the relative weight
        # of SparseAnomalyDetector was measured here too, and a ten times smaller weight
        # for the cell features lost accuracy at zoom 1 and above (see the user guide).
        "alpha": [Interval(Real, 0, None, closed="left")],
        # Named features only: "auto" is the single-scale detector's rule for rows.
        "features": [tuple, list],
        "scales": [tuple, list],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
        "match_noise": ["boolean"],
        "scale_selection": [StrOptions({"patch", "region", "image"})],
        "scale_window": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, scales=(0.5, 0.71, 1.0, 1.41, 2.0), *, n_components=32, alpha=0.1,
                 group_alpha=0.1, match_noise=True,
                 features=("error", "l1", "group", "mean", "std", "cell_error", "cell_mean",
                           "cell_std"),
                 dictionary="mod", validation_fraction=0.5, fpr=0.01, density=None,
                 patch_size=15, stride=4, cell_size=3, min_region_size=0, max_iter=5,
                 transform_max_iter=200, transform_tol=1e-2, scale_selection="image",
                 scale_window=64, random_state=None, n_jobs=None, verbose=0):
        super().__init__(
            n_components, alpha=alpha, dictionary=dictionary,
            validation_fraction=validation_fraction, fpr=fpr, features=features,
            density=density, patch_size=patch_size, stride=stride, cell_size=cell_size,
            min_region_size=min_region_size, max_iter=max_iter,
            transform_max_iter=transform_max_iter, transform_tol=transform_tol,
            random_state=random_state, n_jobs=n_jobs, verbose=verbose)
        self.scales = scales
        self.group_alpha = group_alpha
        self.match_noise = match_noise
        self.scale_selection = scale_selection
        self.scale_window = scale_window

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
        self.features_used_ = self._resolved_features(self.patch_size**2)
        self._check_features(_MULTISCALE_FEATURES, auto=False)
        self._check_cells(self.patch_size**2)
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
            images = rescale(stack, scale, match_noise=self.match_noise, random_state=rng)
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
        self.alpha_ = float(self.alpha)
        self.features_ = SparseFeatureExtractor(
            np.concatenate(atoms), alpha=self.alpha_, groups=groups,
            group_alpha=self.group_alpha, transform_max_iter=self.transform_max_iter,
            transform_tol=self.transform_tol, n_jobs=self.n_jobs,
        ).fit(train_rows[0][:1])
        self.n_features_in_ = p * p
        self.spread_floor_ = _spread_floor(np.concatenate(train_rows))
        validation = np.concatenate(validation_rows)
        self._report(f"fit: coding {len(validation)} held-out patches (V)", started)
        counts = np.array([len(v) for v in validation_rows])
        scale_of_row = np.repeat(np.arange(len(scales)), counts)
        features, chosen = self._features_and_scale(validation)
        if self.density is None:
            self.density_ = ScaleDensities(
                self._n_mixture_components, random_state=rng.randint(np.iinfo(np.int32).max)
            ).fit(features, scale_of_row)
            self.validation_scores_ = self.density_.tail_log_probability(features, chosen)
        else:
            self.density_ = seeded_clone(
                self.density, rng.randint(np.iinfo(np.int32).max)).fit(features)
            self.validation_scores_ = self.density_.score_samples(features)
        # Test images may be at any zoom: every synthesised zoom weighs the same in the
        # threshold, however many patches it gave (a zoom-in gives factor^2 times more).
        # Each held-out patch is judged at the scale its own code chooses, often not the
        # one it was synthesised at, so the threshold allows for normal patches judged
        # at a scale that fits them less than their own: what the patches of an image
        # between the scales, or taken rather than synthesised at one, are. The maps
        # judged by region or image keep it (taken where the held-out patches are
        # judged at their own scale, it flagged 10-25% of fabrics generated at zoom
        # 0.71; see the user guide).
        self.offset_ = weighted_quantile(self.validation_scores_, 1.0 / counts[scale_of_row],
                                         self.fpr)
        self._report(f"fit: density fitted, threshold {self.offset_:.4g}; done", started)
        return self

    def _features_and_scale(self, X):
        """Log features of validated rows, and the index of the scale whose atoms carry
        most of each row's code; for an all-zero code, the scale of the atom most
        correlated with the row (the first to enter the code as ``alpha`` decreases)."""
        sparse, group_norms, *residual = self.features_._features(
            X, return_group_norms=True, return_residual="cell_error" in self.features_used_)
        chosen = group_norms.argmax(axis=1)
        empty = np.flatnonzero(group_norms.max(axis=1) == 0)
        if len(empty):
            atoms = self.features_.components_
            _, scale_of_atom = np.unique(self.features_.groups, return_inverse=True)
            nearest = np.abs(X[empty] @ atoms.T.astype(X.dtype, copy=False)).argmax(axis=1)
            chosen[empty] = scale_of_atom[nearest]
        return self._log_columns(X, sparse, *residual), chosen

    def estimate_zoom(self, images):
        """The zoom factor of ``scales`` that best describes each image as a whole.

        The scale under whose density the image's patches (on the grid of
        :meth:`anomaly_map`) have the highest mean log-density: the one
        ``scale_selection="image"`` judges the image at.

        Parameters
        ----------
        images : array-like of shape (H, W) or (n_images, H, W)
            Grey-level images of at least ``patch_size`` pixels per side.

        Returns
        -------
        zoom : float or ndarray of shape (n_images,)
            A float for a single image, else one value per image.
        """
        stack, single = self._image_stack(images)
        self._check_per_scale("estimate_zoom")
        log_density, _, _, _ = self._scale_grid(stack)
        chosen = self._image_scales(log_density)
        zoom = np.asarray([float(s) for s in self.scales])[chosen]
        return float(zoom[0]) if single else zoom

    def _check_per_scale(self, what):
        """A density per scale, or a ValueError naming ``what`` needs it."""
        if not isinstance(self.density_, ScaleDensities):
            raise ValueError(f"{what} needs a density per scale: the detector was "
                             "fitted with a custom density.")

    def _maps(self, stack):
        # A custom density does not depend on the scale: nothing to choose.
        if self.scale_selection == "patch" or not isinstance(self.density_, ScaleDensities):
            return super()._maps(stack)
        log_density, tail, rows, cols = self._scale_grid(stack)
        window = (self.patch_size, self.patch_size)
        if self.scale_selection == "image":
            chosen = self._image_scales(log_density)[:, np.newaxis, np.newaxis, np.newaxis]
            numerator, counts = window_sums(np.take_along_axis(tail, chosen, axis=3)[..., 0],
                                            rows, cols, window, stack.shape[1:])
            return self.offset_ - numerator / counts
        chosen = self._region_scales(log_density, rows, cols, stack.shape[1:])
        # One scale's pixel sums at a time: the maps of all of them at once would hold
        # K image-sized arrays.
        numerator = np.zeros(stack.shape)
        for k in range(tail.shape[-1]):
            sums, counts = window_sums(tail[..., k], rows, cols, window, stack.shape[1:])
            here = chosen == k
            numerator[here] = sums[here]
        return self.offset_ - numerator / counts

    @staticmethod
    def _image_scales(log_density):
        """Per image, the index of the scale under which the patches of its grid
        ``(n, n_rows, n_cols, K)`` have the largest sum of log-densities."""
        return log_density.sum(axis=(1, 2)).argmax(axis=1)

    def _region_scales(self, log_density, rows, cols, shape):
        """Per pixel ``(n, H, W)``, the index of the scale with the largest sum of
        log-densities over the patches covering the pixels of the ``scale_window``
        square around it (each patch counted once per pixel it covers)."""
        # Each patch adds its log-density to the p * p pixels it covers: summed over a
        # region, the sums weigh the patches by how much of it they cover.
        window, size = (self.patch_size, self.patch_size), self.scale_window
        for k in range(log_density.shape[-1]):
            sums, _ = window_sums(log_density[..., k], rows, cols, window, shape)
            evidence = ndimage.uniform_filter(sums, (1, size, size), mode="reflect")
            if k == 0:
                best, chosen = evidence, np.zeros(evidence.shape, dtype=np.intp)
            else:  # ties keep the smaller scale, as argmax does
                better = evidence > best
                chosen[better] = k
                best = np.where(better, evidence, best)
        return chosen

    def _scale_grid(self, stack):
        """Per patch of the map grid, its log-density and its tail log-probability under
        every scale's density (two ``(n, n_rows, n_cols, K)`` arrays), and the grid's
        rows and columns."""
        p = self.patch_size
        rows = patch_positions(stack.shape[1], p, self.stride)
        cols = patch_positions(stack.shape[2], p, self.stride)
        grid = grid_strips(partial(self._scale_strip, col_positions=cols), (stack,), p,
                           rows, len(cols) * p * p, n_jobs=self.n_jobs,
                           progress=self._map_progress())
        n_scales = len(self.density_.scales_)
        return grid[..., :n_scales], grid[..., n_scales:], rows, cols

    def _scale_strip(self, index, local_rows, strip, *, col_positions):
        """Strip task of :meth:`_scale_grid`."""
        p = self.patch_size
        patches = extract_patch_grid(strip[np.newaxis], local_rows, col_positions,
                                     (p, p)).reshape(-1, p * p)
        features, _ = self._features_and_scale(patches)
        log_density = self.density_.log_densities(features)
        tail = np.stack([self.density_.tail_of(log_density[:, k], k)
                         for k in range(log_density.shape[1])], axis=1)
        return np.concatenate([log_density, tail], axis=1).reshape(
            len(local_rows), len(col_positions), -1)

    def _score_samples(self, X):
        features, chosen = self._features_and_scale(X)
        if isinstance(self.density_, ScaleDensities):
            return self.density_.tail_log_probability(features, chosen)
        return self.density_.score_samples(features)

    def score_samples(self, X):
        """How normal each row is, judged at the scale its code chooses (higher = more normal).

        With the default ``density``, the log of the share of that scale's held-out
        normal patches that are no more likely under its density than the row
        (interpolated between them; below the least likely, one less per
        ``median - 1st percentile`` of their log-densities), so that rows judged at
        different scales are on one scale: a zoom whose patches hold more structure
        gives every patch a lower log-density. With a custom ``density``, the row's
        log-density under it.

        Parameters
        ----------
        X : array-like of shape (n_samples, patch_size ** 2)
            Flattened patches.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Lower is more abnormal.
        """
        return self._score_samples(self._checked_rows(X))
