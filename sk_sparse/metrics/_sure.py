"""Monte-Carlo SURE: the mean squared error of a denoiser estimated from the noisy images
alone, and a scorer built on it for model selection without clean images."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ..utils._compat import Interval, validate_params
from ..utils._random import own_stream
from ..utils._validation import check_real_array

# Floor of the estimated mean squared error, relative to peak^2: SURE is unbiased, so
# on an excellent denoiser a single draw can fall below zero, where the PSNR is undefined.
_MSE_FLOOR = 1e-20
# The purpose of the probe stream (see own_stream).
_PROBE_STREAM = 0x5C0E


def _estimator_sigma(estimator):
    """The noise level an estimator (or a pipeline's step) was given, if it is a number."""
    values = {float(value) for value in _estimator_param(estimator, "sigma")
              if isinstance(value, Real) and not isinstance(value, bool)}
    if len(values) != 1:
        found = "several different sigma parameters" if values else "no numeric sigma parameter"
        raise ValueError(
            f"sigma=None reads the noise level from the estimator's sigma parameter, but "
            f"{type(estimator).__name__} has {found}. Pass sigma to the scorer: a number, "
            "or a callable such as sk_sparse.restoration.NoiseEstimator().estimate.")
    return values.pop()


def _estimator_param(estimator, name):
    """Values of a parameter ``name`` of an estimator or of any step of a pipeline."""
    return [value for key, value in estimator.get_params(deep=True).items()
            if key == name or key.endswith(f"__{name}")]


def _n_images(estimator, X):
    """Images in ``X``: one for a 2-D array or a single colour image (3-D, with the
    estimator's ``channel_axis`` set), else the length of the first axis."""
    colour = any(axis is not None for axis in _estimator_param(estimator, "channel_axis"))
    return 1 if X.ndim == 2 or (X.ndim == 3 and colour) else X.shape[0]


def _resolve_sigma(sigma, estimator, X):
    """The scorer's ``sigma`` (None, callable, number or per-image values) as an array
    broadcasting against ``X``."""
    if sigma is None:
        sigma = _estimator_sigma(estimator)
    elif callable(sigma):
        sigma = sigma(X)
    return _sigma_map(sigma, X)


def _sigma_map(sigma, X):
    """``sigma`` (a number, or one value per image along X's first axis) as an array that
    broadcasts against ``X``."""
    try:
        values = np.asarray(sigma, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"sigma must be a number or an array of numbers; got {sigma!r}.") \
            from error
    if values.size == 1:
        values = values.reshape(())
    elif values.ndim <= X.ndim and values.shape == X.shape[: values.ndim]:
        values = values.reshape(values.shape + (1,) * (X.ndim - values.ndim))
    else:
        raise ValueError(
            f"sigma must be a number or have the shape of X's leading axes (one value per "
            f"image); got shape {values.shape} for X of shape {X.shape}.")
    if not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError(f"sigma must be positive and finite; got {sigma!r}.")
    return values


def _validated_terms(estimator, X, sigma, epsilon, n_probes, random_state):
    """``X`` as a float array and its SURE terms (:func:`_sure_terms`), for arguments
    as :func:`sure_mse` takes them."""
    values = check_real_array(X, "X", ensure_2d=False, allow_nd=True, dtype=np.float64)
    sigma = _resolve_sigma(sigma, estimator, values)
    return values, _sure_terms(estimator, values, sigma, float(epsilon), int(n_probes),
                               random_state)


def _sure_terms(estimator, X, sigma, epsilon, n_probes, random_state):
    """Monte-Carlo SURE of ``estimator.transform`` at ``X`` (validated float array), as
    one term per value of ``X``: any mean of the terms estimates the mean squared error
    over the same values."""
    if isinstance(random_state, Integral):
        # An estimate whose probe correlates with the noise is badly biased.
        rng = own_stream(random_state, _PROBE_STREAM)
    else:
        rng = check_random_state(random_state)
    denoised = np.asarray(estimator.transform(X), dtype=np.float64)
    if denoised.shape != X.shape:
        raise ValueError(
            f"SURE needs an image-to-image transformer: transform returned shape "
            f"{denoised.shape} for X of shape {X.shape}.")
    # Stein: E||f(z) - y||^2 = E[||z - f(z)||^2] - n sigma^2 + 2 sigma^2 div f(z). The
    # divergence is the expectation over b ~ N(0, I) of b' (f(z + e b) - f(z)) / e; with a
    # sigma per image the probe is scaled by sigma, which weights each pixel's derivative
    # by its own sigma^2.
    terms = (X - denoised) ** 2 - sigma**2
    for _ in range(n_probes):
        probe = rng.standard_normal(X.shape) * sigma
        moved = np.asarray(estimator.transform(X + epsilon * probe), dtype=np.float64)
        terms += (2.0 / (epsilon * n_probes)) * probe * (moved - denoised)
    return terms


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like"],
        "sigma": [Interval(Real, 0, None, closed="neither"), "array-like", callable, None],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_probes": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def sure_mse(estimator, X, *, sigma=None, epsilon=0.1, n_probes=1, random_state=0) -> float:
    """Estimate a denoiser's mean squared error from the noisy images alone (Monte-Carlo SURE).

    For ``z = y + eta`` with Gaussian noise of known standard deviation ``sigma``, Stein's
    unbiased risk estimate of the denoiser ``f`` is
    ``||z - f(z)||^2 / n - sigma^2 + 2 sigma^2 div f(z) / n``; its expectation over the
    noise is the mean squared error ``||f(z) - y||^2 / n`` against the clean ``y``, which
    is never used. The divergence is estimated by one finite difference along a random
    Gaussian direction ``b`` (Ramani, Blu and Unser):
    ``div f(z) ~ b' (f(z + epsilon sigma b) - f(z)) / (epsilon sigma)``.
    See the :ref:`user guide <tuning_without_clean_images>`.

    Parameters
    ----------
    estimator : fitted transformer
        Maps ``X`` to an array of the same shape (a denoiser, or a pipeline ending in
        one); it is called ``1 + n_probes`` times.
    X : array-like
        Noisy images, in the layout the estimator takes.
    sigma : float, array-like, callable or None, default=None
        Noise standard deviation in the units of ``X``: a number, one value per image
        (shape of ``X``'s leading axes), or a callable ``sigma(X)`` returning either, e.g.
        ``NoiseEstimator().estimate``. None reads the estimator's ``sigma`` parameter
        (of the one step that has a numeric one, in a pipeline).
    epsilon : float, default=0.1
        Finite-difference step as a fraction of ``sigma``. Smaller steps are less biased
        for smooth denoisers but much noisier for thresholding ones, whose output jumps
        where a coefficient crosses the threshold.
    n_probes : int, default=1
        Random directions averaged for the divergence.
    random_state : int, RandomState instance or None, default=0
        Seed of the directions. A fixed seed gives every candidate of a model search the
        same directions, so their estimates differ by less than their noise.

    Returns
    -------
    mse : float
        Estimated mean squared error over all values of ``X``; unbiased, so it can
        (rarely) be negative for a near-perfect denoiser.

    See Also
    --------
    make_sure_scorer : the scorer for model selection built on this estimate.

    References
    ----------
    S. Ramani, T. Blu and M. Unser, "Monte-Carlo SURE: a black-box optimization of
    regularization parameters for general denoising algorithms", IEEE Trans. Image
    Processing 17(9), 2008, pp. 1540-1554.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.datasets import add_noise, load_image
    >>> from sk_sparse.metrics import sure_mse
    >>> from sk_sparse.restoration import SlidingDCTDenoiser
    >>> clean = load_image("camera")[64:320, 64:320]
    >>> noisy = add_noise(clean, 0.1, random_state=0, clip=False)
    >>> denoiser = SlidingDCTDenoiser(sigma=0.1)
    >>> estimate = sure_mse(denoiser, noisy)  # no clean image used
    >>> true = np.mean((denoiser.transform(noisy) - clean) ** 2)
    >>> bool(abs(estimate - true) < 0.02 * 0.1**2)  # within 2% of the noise variance
    True
    """
    _, terms = _validated_terms(estimator, X, sigma, epsilon, n_probes, random_state)
    return float(terms.mean())


class _SUREScorer:
    """Picklable scorer ``(estimator, X, y=None) -> estimated PSNR``."""

    def __init__(self, sigma, epsilon, n_probes, data_range, random_state):
        self.sigma = sigma
        self.epsilon = epsilon
        self.n_probes = n_probes
        self.data_range = data_range
        self.random_state = random_state

    def __call__(self, estimator, X, y=None, **kwargs):
        peak = self.data_range
        if peak is None:
            peak = 255.0 if np.issubdtype(np.asarray(X).dtype, np.integer) else 1.0
        values, terms = _validated_terms(estimator, X, self.sigma, self.epsilon,
                                         self.n_probes, self.random_state)
        # One PSNR per image, then their mean, as psnr_scorer does.
        mse = terms.reshape(_n_images(estimator, values), -1).mean(axis=1)
        mse = np.maximum(mse, _MSE_FLOOR * peak**2)
        return float(np.mean(10.0 * np.log10(peak**2 / mse)))

    def __repr__(self):
        return (f"make_sure_scorer(sigma={self.sigma!r}, epsilon={self.epsilon!r}, "
                f"n_probes={self.n_probes!r}, data_range={self.data_range!r}, "
                f"random_state={self.random_state!r})")


@validate_params(
    {
        "sigma": [Interval(Real, 0, None, closed="neither"), "array-like", callable, None],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_probes": [Interval(Integral, 1, None, closed="left")],
        "data_range": [Interval(Real, 0, None, closed="neither"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_sure_scorer(sigma=None, *, epsilon=0.1, n_probes=1, data_range=None,
                     random_state=0):
    """Make a scorer that ranks denoisers without clean images (Monte-Carlo SURE).

    The scorer ``scorer(estimator, X, y=None)`` returns the PSNR implied by the SURE of
    each image (:func:`sure_mse`), ``10 log10(peak^2 / mse)``, averaged over the images as
    :func:`psnr_scorer` does, so that higher is better and the values of the two scorers
    compare. ``y`` is ignored: pass it as ``scoring=`` to
    :class:`~sklearn.model_selection.GridSearchCV` and call ``fit(noisy)``. Since the
    sk_sparse denoisers learn nothing in ``fit``, a split of the images is not needed:
    ``cv=[(all, all)]`` with ``all = np.arange(n_images)`` scores every candidate on all
    the images. See the :ref:`user guide <tuning_without_clean_images>`.

    Parameters
    ----------
    sigma : float, array-like, callable or None, default=None
        Noise standard deviation, as in :func:`sure_mse`; None reads the estimator's
        numeric ``sigma`` parameter (that of its step, in a pipeline).
    epsilon : float, default=0.1
        Finite-difference step as a fraction of ``sigma``.
    n_probes : int, default=1
        Random directions averaged for the divergence.
    data_range : float, default=None
        Peak value; None means 255 for integer ``X`` and 1 otherwise.
    random_state : int, RandomState instance or None, default=0
        Seed of the directions; an int gives every candidate the same ones.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``, picklable.

    See Also
    --------
    psnr_scorer : the scorer with clean images.

    Notes
    -----
    SURE assumes additive white Gaussian noise of the given ``sigma`` and a denoiser
    applied to the noisy input as it is. On the benchmarks page, the threshold of
    :class:`~sk_sparse.restoration.SlidingDCTDenoiser` chosen by this scorer loses a
    median 0.0 dB against the threshold chosen with the clean images.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sk_sparse.datasets import add_noise, load_image
    >>> from sk_sparse.metrics import make_sure_scorer
    >>> from sk_sparse.restoration import SlidingDCTDenoiser
    >>> clean = load_image("camera")[64:320, 64:320]
    >>> noisy = add_noise(clean, 0.1, random_state=0, clip=False)[np.newaxis]
    >>> search = GridSearchCV(SlidingDCTDenoiser(sigma=0.1), {"threshold": [1.0, 3.0, 6.0]},
    ...                       scoring=make_sure_scorer(), cv=[([0], [0])]).fit(noisy)
    >>> search.best_params_
    {'threshold': 3.0}
    """
    return _SUREScorer(sigma, epsilon, n_probes, data_range, random_state)
