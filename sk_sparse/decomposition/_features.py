"""SparseFeatureExtractor: how well, and how sparsely, a dictionary explains each row."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..coding._bpdn import _bpdn, group_indicator
from ..utils._compat import Interval, _fit_context, validate_data
from ._resolve import DICTIONARY_CONSTRAINT, resolve_dictionary


class SparseFeatureExtractor(TransformerMixin, BaseEstimator):
    """Sparse-coding features of each row: representation error and sparsity.

    Each row ``s`` (e.g. a flattened patch) is coded by basis pursuit denoising on a
    dictionary ``D`` (atoms as rows)::

        x = argmin_x 1/2 ||x D - s||^2 + alpha ||x||_1  [+ group_alpha sum_g ||x_g||_2]

    (batched ADMM, :func:`~sk_sparse.coding.bpdn`), and described by ``[||x D - s||^2, ||x||_1]``,
    plus ``sum_g ||x_g||_2`` when ``groups`` are given. Rows the dictionary was learned
    from are represented cheaply; unusual rows need a large error or many coefficients.

    Parameters
    ----------
    dictionary : {"minibatch", "mod", "ksvd", "dct", "shipped"} or array-like of shape \
            (n_atoms, n_features), default="minibatch"
        Where the atoms come from (the vocabulary every estimator shares, see
        :func:`~sk_sparse.decomposition.resolve_dictionary`): learned in ``fit`` by
        scikit-learn's :class:`~sklearn.decomposition.MiniBatchDictionaryLearning`
        (l1-penalised, same ``alpha``), by MOD with BPDN coding
        (:func:`~sk_sparse.decomposition.mod`, fast on large patches) or by K-SVD; an
        overcomplete DCT or the shipped 8 x 8 atoms; or given (rows are normalised to
        unit norm).
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
        ADMM iterations per row at most. Rows are coded exactly (the homotopy path, or
        the active-set method with a group term); ADMM only codes the rare rows whose
        exact code could not be certified (see :func:`~sk_sparse.coding.bpdn`).
    transform_tol : float, default=1e-4
        Relative tolerance of ADMM's primal and dual residuals, for those rows.
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
    >>> from sk_sparse.decomposition import SparseFeatureExtractor
    >>> X = np.random.default_rng(0).normal(size=(300, 16))
    >>> features = SparseFeatureExtractor(n_components=8, random_state=0).fit(X)
    >>> features.transform(X[:3]).shape
    (3, 2)
    >>> list(features.get_feature_names_out())
    ['reconstruction_error', 'l1_norm']
    """

    _parameter_constraints: dict = {
        "dictionary": DICTIONARY_CONSTRAINT,
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
            Training rows.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : SparseFeatureExtractor
            The fitted transformer.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if self.group_alpha > 0 and self.groups is None:
            raise ValueError("group_alpha > 0 needs groups (one label per atom).")
        self.components_, self.n_iter_ = resolve_dictionary(
            self.dictionary, X, n_components=self.n_components, alpha=self.alpha,
            max_iter=self.max_iter, coding_max_iter=self.transform_max_iter,
            random_state=self.random_state, n_jobs=self.n_jobs, verbose=self.verbose,
        )
        if self.groups is not None:
            group_indicator(self.groups, len(self.components_), X.dtype)  # validates length
        return self

    def transform(self, X) -> np.ndarray:
        """Features of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to describe.

        Returns
        -------
        features : ndarray of shape (n_samples, 2) or (n_samples, 3)
            ``[||x D - s||^2, ||x||_1]`` and, with ``groups``, ``sum_g ||x_g||_2``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self._features(X)

    def _features(self, X, *, return_group_norms=False, return_residual=False):
        """Features of validated rows; with ``return_group_norms`` also each row's
        ``||x_g||_2`` per group (columns in the order of ``np.unique(groups)``), with
        ``return_residual`` also the residuals ``x D - s`` (after those), as a tuple."""
        codes = self._codes(X)
        residual = codes @ self.components_.astype(X.dtype, copy=False) - X
        features = [np.einsum("ij,ij->i", residual, residual), np.abs(codes).sum(axis=1)]
        group_norms = None
        if self.groups is not None:
            onehot = group_indicator(self.groups, len(self.components_), codes.dtype)
            group_norms = np.sqrt((codes**2) @ onehot)
            features.append(group_norms.sum(axis=1))
        features = np.stack(features, axis=1)
        if not (return_group_norms or return_residual):
            return features
        return ((features,) + ((group_norms,) if return_group_norms else ())
                + ((residual,) if return_residual else ()))

    def sparse_codes(self, X) -> np.ndarray:
        """BPDN codes of the rows of ``X`` on ``components_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to code.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_atoms)
            Coefficients of the atoms ``components_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self._codes(X)

    def _codes(self, X) -> np.ndarray:
        """BPDN codes of validated rows."""
        atoms = self.components_.astype(X.dtype, copy=False)
        groups = (None if self.groups is None
                  else group_indicator(self.groups, len(atoms), X.dtype))
        return _bpdn(X, atoms, np.full(len(X), float(self.alpha)),
                     group_alpha=self.group_alpha, group_matrix=groups,
                     max_iter=self.transform_max_iter, tol=self.transform_tol,
                     n_jobs=self.n_jobs)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """``["reconstruction_error", "l1_norm"]`` (+ ``"group_l2_norm"``).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored: the features do not depend on the input columns' names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The names of the output columns.
        """
        check_is_fitted(self)
        names = ["reconstruction_error", "l1_norm"]
        if self.groups is not None:
            names.append("group_l2_norm")
        return np.asarray(names, dtype=object)
