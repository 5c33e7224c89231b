"""SparseFeatureExtractor: how well, and how sparsely, a dictionary explains each row."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import MiniBatchDictionaryLearning
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._bpdn import _group_matrix, bpdn, bpdn_dictionary_learning
from ._compat import _fit_context, validate_data
from ._ksvd import ksvd
from ._linalg import normalize_rows


class SparseFeatureExtractor(TransformerMixin, BaseEstimator):
    """Sparse-coding features of each row: representation error and sparsity.

    Each row ``s`` (e.g. a flattened patch) is coded by basis pursuit denoising on a
    dictionary ``D`` (atoms as rows)::

        x = argmin_x 1/2 ||x D - s||^2 + alpha ||x||_1  [+ group_alpha sum_g ||x_g||_2]

    (batched ADMM, :func:`~sk_sparse.bpdn`), and described by ``[||x D - s||^2, ||x||_1]``,
    plus ``sum_g ||x_g||_2`` when ``groups`` are given. Rows the dictionary was learned
    from are represented cheaply; unusual rows need a large error or many coefficients.

    Parameters
    ----------
    dictionary : {"bpdn", "minibatch", "ksvd"} or array-like of shape (n_atoms, \
            n_features), default="minibatch"
        Learned in ``fit`` by alternating BPDN coding and MOD updates
        (:func:`~sk_sparse.bpdn_dictionary_learning`, fast on large patches), by
        scikit-learn's :class:`~sklearn.decomposition.MiniBatchDictionaryLearning`
        (l1-penalised, same ``alpha``) or by K-SVD, or given (rows are normalised to unit
        norm).
    n_components : int, default=64
        Number of atoms to learn.
    alpha : float, default=0.1
        Weight of the l1 penalty (the ``lambda`` of BPDN), in learning and coding.
    groups : array-like of shape (n_atoms,), default=None
        Group label of each atom; adds the feature ``sum_g ||x_g||_2``.
    group_alpha : float, default=0.0
        Weight of the group penalty in the coding (0 codes with the l1 penalty only, and
        the group feature is still reported).
    max_iter : int, default=10
        Passes over the data when learning the dictionary.
    transform_max_iter : int, default=500
        ADMM iterations per row at most.
    transform_tol : float, default=1e-4
        Relative tolerance of ADMM's primal and dual residuals.
    random_state : int, RandomState instance or None, default=None
        Seeds dictionary learning.
    n_jobs : int, default=None
        Parallel coding over chunks of rows (``fit`` and ``transform``); None means 1
        unless in a :func:`joblib.parallel_config` context.
    verbose : int, default=0
        Print the progress of dictionary learning in ``fit`` (one line per pass).

    Attributes
    ----------
    components_ : ndarray of shape (n_atoms, n_features)
        Unit-norm atoms.
    n_iter_ : int
        Passes (or K-SVD rounds) run to learn the dictionary; 0 for a given one.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    See Also
    --------
    bpdn : the coding kernel.
    SparseAnomalyDetector : models the density of these features on normal data.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse import SparseFeatureExtractor
    >>> X = np.random.default_rng(0).normal(size=(300, 16))
    >>> features = SparseFeatureExtractor(n_components=8, random_state=0).fit(X)
    >>> features.transform(X[:3]).shape
    (3, 2)
    >>> list(features.get_feature_names_out())
    ['reconstruction_error', 'l1_norm']
    """

    _parameter_constraints: dict = {
        "dictionary": [StrOptions({"bpdn", "minibatch", "ksvd"}), "array-like"],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "groups": ["array-like", None],
        "group_alpha": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "transform_max_iter": [Interval(Integral, 1, None, closed="left")],
        "transform_tol": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, dictionary="minibatch", *, n_components=64, alpha=0.1, groups=None,
                 group_alpha=0.0, max_iter=10, transform_max_iter=500, transform_tol=1e-4,
                 random_state=None, n_jobs=None, verbose=0):
        self.dictionary = dictionary
        self.n_components = n_components
        self.alpha = alpha
        self.groups = groups
        self.group_alpha = group_alpha
        self.max_iter = max_iter
        self.transform_max_iter = transform_max_iter
        self.transform_tol = transform_tol
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn (or set) the dictionary.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : SparseFeatureExtractor
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if isinstance(self.dictionary, str) and self.dictionary == "bpdn":
            atoms, objectives = bpdn_dictionary_learning(
                X, self.n_components, alpha=self.alpha, max_iter=self.max_iter,
                random_state=self.random_state, n_jobs=self.n_jobs, verbose=self.verbose,
            )
            self.n_iter_ = len(objectives)
        elif isinstance(self.dictionary, str) and self.dictionary == "minibatch":
            learner = MiniBatchDictionaryLearning(
                n_components=self.n_components, alpha=self.alpha, max_iter=self.max_iter,
                batch_size=256, random_state=self.random_state, verbose=self.verbose,
            )
            atoms = learner.fit(X).components_
            self.n_iter_ = int(learner.n_iter_)
        elif isinstance(self.dictionary, str):  # "ksvd"
            atoms, errors = ksvd(X, self.n_components,
                            n_nonzero_coefs=max(1, min(X.shape[1], self.n_components) // 4),
                            max_iter=self.max_iter, random_state=self.random_state,
                            n_jobs=self.n_jobs, verbose=self.verbose)
            self.n_iter_ = len(errors)
        else:
            atoms = check_array(self.dictionary, input_name="dictionary")
            if atoms.shape[1] != X.shape[1]:
                raise ValueError(
                    f"dictionary atoms have {atoms.shape[1]} features but X has "
                    f"{X.shape[1]}."
                )
            self.n_iter_ = 0
        self.components_ = normalize_rows(atoms).astype(X.dtype)
        if self.groups is not None:
            _group_matrix(self.groups, len(self.components_), X.dtype)  # validates length
        return self

    def transform(self, X) -> np.ndarray:
        """Features of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        features : ndarray of shape (n_samples, 2) or (n_samples, 3)
            ``[||x D - s||^2, ||x||_1]`` and, with ``groups``, ``sum_g ||x_g||_2``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        codes = self.sparse_codes(X, validated=True)
        residual = codes @ self.components_ - X
        features = [np.einsum("ij,ij->i", residual, residual), np.abs(codes).sum(axis=1)]
        if self.groups is not None:
            onehot = _group_matrix(self.groups, len(self.components_), codes.dtype)
            features.append(np.sqrt((codes**2) @ onehot).sum(axis=1))
        return np.stack(features, axis=1)

    def sparse_codes(self, X, *, validated: bool = False) -> np.ndarray:
        """BPDN codes of the rows of ``X`` on ``components_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_atoms)
        """
        if not validated:
            check_is_fitted(self)
            X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return bpdn(X, self.components_, alpha=self.alpha, group_alpha=self.group_alpha,
                    groups=self.groups, max_iter=self.transform_max_iter,
                    tol=self.transform_tol, n_jobs=self.n_jobs)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """``["reconstruction_error", "l1_norm"]`` (+ ``"group_l2_norm"``)."""
        check_is_fitted(self)
        names = ["reconstruction_error", "l1_norm"]
        if self.groups is not None:
            names.append("group_l2_norm")
        return np.asarray(names, dtype=object)
