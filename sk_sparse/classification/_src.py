"""SRCClassifier: sparse-representation-based classification (Wright et al., 2009)."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..coding._bpdn import _bpdn, factorize
from ..coding._constrained import _constrained_l1
from ..utils._compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._linalg import normalize_rows

# Signal length at which error_penalty applies as it is (8 x 8 images).
_REFERENCE_FEATURES = 64


class SRCClassifier(ClassifierMixin, BaseEstimator):
    """Sparse-representation-based classification (SRC).

    The training samples, l2-normalised, are the atoms of a dictionary ``A`` (one atom per
    training sample). A test sample ``y`` (normalised too) is coded sparsely on all of them,

    * ``method="lasso"``: ``min_x 1/2 ||x A - y||^2 + alpha ||x||_1``
      (:func:`~sk_sparse.coding.bpdn`), or
    * ``method="constrained"``: ``min_x ||x||_1`` s.t. ``||x A - y|| <= epsilon``,

    and assigned to the class whose atoms alone reconstruct it best: the smallest residual
    ``r_i(y) = ||y - delta_i(x) A||``, ``delta_i`` keeping the coefficients of class ``i``.
    The sparsity concentration index of the code,

    ``SCI(x) = (k max_i ||delta_i(x)||_1 / ||x||_1 - 1) / (k - 1)`` in [0, 1],

    is near 1 when the code concentrates on one class and near 0 when it spreads over all
    ``k`` classes, which makes it a rejection score for samples of unseen classes.

    With ``robust=True`` the dictionary is extended to ``[A, I]``: the identity atoms absorb
    sparse corruption or occlusion ``e``, which is removed before the class residuals are
    computed (``r_i = ||y - e - delta_i(x) A||``).

    Parameters
    ----------
    alpha : float, default=0.1
        l1 weight for ``method="lasso"`` (samples are unit-norm, so it is relative to
        the sample's norm). The user guide's benchmarks page shows how accuracy varies
        with it.
    method : {"lasso", "constrained"}, default="lasso"
        Coding problem.
    epsilon : float, default=0.05
        Residual bound for ``method="constrained"`` (samples are unit-norm, so this is a
        relative error).
    robust : bool, default=False
        Code on ``[A, I]`` to absorb sparse corruption.
    error_penalty : float, default=0.5
        With ``robust=True``, l1 weight of the corruption ``e`` relative to ``alpha``, for
        signals of 64 features; it is scaled by ``sqrt(64 / n_features)`` for other
        lengths (after normalisation a pixel's size shrinks as ``1 / sqrt(n_features)``,
        and without the scaling the error term would hardly engage on large images).
        Implemented by scaling the identity atoms by ``1 / (scaled error_penalty)``.
        Below 1, corrupted pixels are cheaper to explain as errors than with training
        atoms.
    rejection_threshold : float in [0, 1], default=None
        When set, ``predict`` returns ``reject_label`` for samples whose SCI is below it.
    reject_label : int, float, str or "auto", default="auto"
        Label of rejected samples; it must be of the kind of the training labels (a
        number for numeric labels, a string for string labels) and none of them, so that
        ``predict`` returns an array of the classes' dtype. "auto" is -1 for numeric labels
        (one less than the smallest class when -1 is a class) and "rejected" for string
        labels.
    temperature : float, default=0.05
        Scale of ``predict_proba``: ``softmax(-residuals / temperature)``.
    coding_max_iter : int, default=500
        ADMM iterations per test sample at most, for the rare samples the exact
        homotopy path leaves to ADMM.
    coding_tol : float, default=1e-4
        ADMM relative tolerance when coding test samples, for the rare samples the exact
        homotopy path leaves to ADMM.
    n_jobs : int, default=None
        Chunks of test samples coded in parallel by joblib (threads preferred).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    dictionary_ : ndarray of shape (n_train, n_features)
        Normalised training samples.
    atom_classes_ : ndarray of int of shape (n_train,)
        Index into ``classes_`` of each atom.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    Notes
    -----
    ``decision_function`` is ``-residuals(X)`` (higher is better) and ``predict_proba`` a
    softmax of it; both rank classes like ``predict``. To reduce dimension first (random
    projection, PCA), put the transform before the classifier in a
    :class:`~sklearn.pipeline.Pipeline`; normalisation happens after it.

    References
    ----------
    J. Wright, A. Y. Yang, A. Ganesh, S. S. Sastry and Y. Ma, "Robust face recognition via
    sparse representation", IEEE TPAMI 31(2), 2009. https://doi.org/10.1109/TPAMI.2008.79

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sk_sparse.classification import SRCClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> model = SRCClassifier().fit(X[::2], y[::2])
    >>> round(model.score(X[1::2], y[1::2]), 2) > 0.95
    True
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "method": [StrOptions({"lasso", "constrained"})],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "robust": ["boolean"],
        "error_penalty": [Interval(Real, 0, None, closed="neither")],
        "rejection_threshold": [Interval(Real, 0, 1, closed="both"), None],
        "reject_label": [Real, str],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "coding_max_iter": [Interval(Integral, 1, None, closed="left")],
        "coding_tol": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, alpha=0.1, *, method="lasso", epsilon=0.05, robust=False,
                 error_penalty=0.5, rejection_threshold=None, reject_label="auto",
                 temperature=0.05, coding_max_iter=500, coding_tol=1e-4, n_jobs=None):
        self.alpha = alpha
        self.method = method
        self.epsilon = epsilon
        self.robust = robust
        self.error_penalty = error_penalty
        self.rejection_threshold = rejection_threshold
        self.reject_label = reject_label
        self.temperature = temperature
        self.coding_max_iter = coding_max_iter
        self.coding_tol = coding_tol
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Store the normalised training samples as the dictionary.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples; each becomes an atom.
        y : array-like of shape (n_samples,)
            Class labels of the training samples.

        Returns
        -------
        self : SRCClassifier
            The fitted classifier.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, self.atom_classes_ = np.unique(y, return_inverse=True)
        if self.rejection_threshold is not None:
            self._reject_label()  # fail at fit, not at the first predict
        self.dictionary_ = normalize_rows(X)
        # The eigendecomposition behind every coding call, once: predicting one sample
        # would otherwise pay it in full (n_features^3) at every call.
        self._coding_key = (self.robust, self.error_penalty)
        self._coding_factors = factorize(self._coding_atoms())
        return self

    def _error_penalty(self):
        """``error_penalty`` for this signal length: a normalised sample's pixels shrink
        as ``1 / sqrt(n_features)``, and so must the price of declaring one corrupted."""
        return self.error_penalty * np.sqrt(_REFERENCE_FEATURES / self.dictionary_.shape[1])

    def _coding_atoms(self):
        """The training atoms, and the identity atoms of the corruption with ``robust``."""
        if not self.robust:
            return self.dictionary_
        identity = np.eye(self.dictionary_.shape[1], dtype=self.dictionary_.dtype)
        return np.concatenate([self.dictionary_, identity / self._error_penalty()])

    def _reject_label(self):
        """The label of rejected samples, checked against the classes."""
        numeric = np.issubdtype(self.classes_.dtype, np.number) or (
            self.classes_.dtype == object
            and all(isinstance(c, Real) for c in self.classes_))
        label = self.reject_label
        if isinstance(label, str) and label == "auto":
            if not numeric:
                label = "rejected"
            else:
                label = -1 if -1 not in self.classes_ else self.classes_.min() - 1
        if numeric != isinstance(label, Real) or isinstance(label, bool):
            kind = "numeric" if numeric else "non-numeric"
            raise ValueError(
                f"reject_label={label!r} must be of the kind of the class labels, which are "
                f"{kind} ({self.classes_.dtype}); pass reject_label of that kind."
            )
        if any(label == c for c in self.classes_):
            raise ValueError(
                f"reject_label={label!r} is one of the classes; rejected samples need a "
                "label of their own."
            )
        return label

    def _codes(self, X):
        """Codes on the training atoms and the estimated corruption ``e`` (or None)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        samples = normalize_rows(X)
        atoms = self._coding_atoms().astype(samples.dtype, copy=False)
        # The factorisation made in fit, unless robust/error_penalty changed since.
        factors = (self._coding_factors
                   if self._coding_key == (self.robust, self.error_penalty) else None)
        if self.method == "lasso":
            codes = _bpdn(samples, atoms, np.full(len(samples), float(self.alpha)),
                          max_iter=self.coding_max_iter, tol=self.coding_tol,
                          n_jobs=self.n_jobs, factors=factors)
        else:
            codes = _constrained_l1(samples, atoms, self.epsilon, tol=self.coding_tol,
                                    max_iter=self.coding_max_iter, n_jobs=self.n_jobs,
                                    factors=factors)
        n_train = len(self.dictionary_)
        error = codes[:, n_train:] / self._error_penalty() if self.robust else None
        return samples, codes[:, :n_train], error

    def sparse_codes(self, X):
        """Codes of the normalised samples on the training atoms, and the corruption.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to code.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_train)
            Coefficients of the training atoms (``dictionary_``).
        error : ndarray of shape (n_samples, n_features) or None
            The estimated corruption ``e`` with ``robust=True``, else None.
        """
        _, codes, error = self._codes(X)
        return codes, error

    def _residuals_from(self, samples, codes, error) -> np.ndarray:
        target = samples if error is None else samples - error
        residuals = np.empty((len(samples), len(self.classes_)))
        for index in range(len(self.classes_)):
            atoms = self.atom_classes_ == index
            approximation = codes[:, atoms] @ self.dictionary_[atoms]
            residuals[:, index] = np.linalg.norm(target - approximation, axis=1)
        return residuals

    def residuals(self, X) -> np.ndarray:
        """Class residuals ``||y - e - delta_i(x) A||`` of the normalised samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        residuals : ndarray of shape (n_samples, n_classes)
            Reconstruction error of each sample by each class's atoms.
        """
        return self._residuals_from(*self._codes(X))

    def _sci_from(self, codes) -> np.ndarray:
        n_classes = len(self.classes_)
        if n_classes == 1:
            return np.ones(len(codes))
        per_class = np.zeros((len(codes), n_classes))
        np.add.at(per_class.T, self.atom_classes_, np.abs(codes).T)
        total = per_class.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            concentration = (n_classes * per_class.max(axis=1) / total - 1) / (n_classes - 1)
        # Clip: rounding can put a fully concentrated code a hair above 1.
        return np.clip(np.where(total > 0, concentration, 0.0), 0.0, 1.0)

    def sparsity_concentration_index(self, X) -> np.ndarray:
        """SCI of each sample's code on the training atoms, in [0, 1].

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        sci : ndarray of shape (n_samples,)
            0 for an all-zero code.
        """
        return self._sci_from(self._codes(X)[1])

    def decision_function(self, X) -> np.ndarray:
        """Negative class residuals (higher means more likely).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes), or (n_samples,) for two classes
            For two classes, ``r_0 - r_1`` (positive favours ``classes_[1]``), as
            scikit-learn expects of binary classifiers.
        """
        scores = -self.residuals(X)
        if len(self.classes_) == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict_proba(self, X) -> np.ndarray:
        """``softmax(-residuals / temperature)`` over classes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities; each row sums to 1.
        """
        logits = -self.residuals(X) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return weights / weights.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """Class with the smallest residual; ``reject_label`` below ``rejection_threshold``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to classify.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Predicted classes, or ``reject_label`` for rejected samples.

        Warns
        -----
        UserWarning
            When a sample is all zero: no class explains it better than another.

        Notes
        -----
        A sample whose code is all zero (``alpha`` at or above its largest correlation
        with a training sample) has the same residual for every class; it is given the
        class of the training sample it is most correlated with (without ``robust``, the
        first atom its code would take as ``alpha`` decreases).
        """
        samples, codes, error = self._codes(X)
        labels = self.classes_[np.argmin(self._residuals_from(samples, codes, error), axis=1)]
        empty = np.flatnonzero(~codes.any(axis=1))
        if len(empty):
            # An all-zero code leaves every class the same residual, and argmin would
            # give them all the first class. The tie goes instead to the class of the
            # training sample most correlated with the sample: without robust, the atom
            # its code takes first as alpha decreases (the limit of the decision from
            # below).
            correlation = np.abs(samples[empty] @ self.dictionary_.T.astype(samples.dtype,
                                                                             copy=False))
            labels[empty] = self.classes_[self.atom_classes_[correlation.argmax(axis=1)]]
        blank = ~samples.any(axis=1)
        if self.rejection_threshold is not None:
            rejected = self._sci_from(codes) < self.rejection_threshold
            label = self._reject_label()
            labels = labels.astype(np.result_type(labels, np.asarray(label)))
            labels[rejected] = label
            blank &= ~rejected
        if blank.any():
            warnings.warn(
                f"{int(blank.sum())} of the {len(samples)} samples are all zero: every "
                "class explains them equally, and they were given the class of the first "
                "training sample. Set rejection_threshold to reject them (their sparsity "
                "concentration index is 0).", UserWarning, stacklevel=2)
        return labels

    def reject_mask(self, X) -> np.ndarray:
        """True for samples whose SCI is below ``rejection_threshold`` (all False if None).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to check.

        Returns
        -------
        mask : ndarray of bool of shape (n_samples,)
            True for the samples ``predict`` rejects.
        """
        sci = self.sparsity_concentration_index(X)
        if self.rejection_threshold is None:
            return np.zeros(len(sci), dtype=bool)
        return sci < self.rejection_threshold

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Samples are compared by direction only (l2-normalised), which suits
        # high-dimensional data whose classes span subspaces; on scikit-learn's 2-D blob
        # problem directions overlap and training accuracy is below its 0.83 bar.
        tags.classifier_tags.poor_score = True
        return tags
