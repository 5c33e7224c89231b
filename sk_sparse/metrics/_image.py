"""Image-quality metrics and scorers usable as ``scoring=`` in model selection."""

from __future__ import annotations

import numpy as np

from ..utils._validation import check_image_stack, check_same_shape

# Relative floor of the root-mean-square error: an exact image scores
# 20 log10(1 / 1e-10) = 200 dB instead of infinity.
_RMSE_FLOOR = 1e-10


def psnr(y_true, y_pred, *, data_range: float | None = None) -> float:
    """Mean peak signal-to-noise ratio over images, in dB.

    ``PSNR = 10 log10(peak^2 / MSE)``, computed per image and averaged.

    Parameters
    ----------
    y_true : array-like of shape (H, W) or (n_images, H, W)
        Reference (clean) images.
    y_pred : array-like of the same shape
        Estimated images.
    data_range : float, default=None
        Peak value. None means 255 when ``y_true`` has an integer dtype and 1 otherwise
        (images in [0, 1]).

    Returns
    -------
    psnr : float
        An exactly reproduced image counts as 200 dB (its error is floored at
        ``1e-10 * peak``), so that one exact image in a stack leaves the mean finite and
        still ranks above every inexact result.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.metrics import psnr
    >>> clean = np.zeros((16, 16))
    >>> round(psnr(clean, clean + 0.1), 6)
    20.0
    """
    if data_range is None:
        data_range = 255.0 if np.issubdtype(np.asarray(y_true).dtype, np.integer) else 1.0
    if not data_range > 0:
        raise ValueError(f"data_range must be positive; got {data_range!r}.")
    true, _ = check_image_stack(y_true, name="y_true", dtype=np.float64)
    pred, _ = check_image_stack(y_pred, name="y_pred", dtype=np.float64)
    check_same_shape(true, pred, "y_true", "y_pred")
    mse = np.maximum(np.mean((true - pred) ** 2, axis=(1, 2)),
                     (_RMSE_FLOOR * data_range) ** 2)
    values = 10.0 * np.log10(data_range**2 / mse)
    return float(np.mean(values))


def psnr_scorer(estimator, X, y) -> float:
    """Scorer ``(estimator, X_noisy, Y_clean) -> mean PSNR`` of ``estimator.transform(X)``.

    Parameters
    ----------
    estimator : fitted image-to-image transformer
        E.g. a :class:`~sk_sparse.restoration.SlidingDCTDenoiser`.
    X : array-like of shape (H, W) or (n_images, H, W)
        Noisy images.
    y : array-like of the shape of ``X``
        Clean images.

    Returns
    -------
    score : float
        Mean PSNR in dB (higher is better).

    Notes
    -----
    Pass it as ``scoring=psnr_scorer`` to :class:`~sklearn.model_selection.GridSearchCV`
    (or any model-selection tool) to tune an image-to-image transformer on noisy/clean
    pairs. The peak is inferred from ``y`` as in :func:`psnr`.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.restoration import SlidingDCTDenoiser
    >>> from sk_sparse.metrics import psnr_scorer
    >>> rng = np.random.default_rng(0)
    >>> clean = np.full((2, 32, 32), 0.5)
    >>> noisy = clean + rng.normal(0, 0.05, clean.shape)
    >>> from sk_sparse.metrics import psnr
    >>> psnr_scorer(SlidingDCTDenoiser(sigma=0.05), noisy, clean) > psnr(clean, noisy)
    True
    """
    return psnr(y, estimator.transform(X))
