"""K-SVD dictionary learning (Aharon, Elad and Bruckstein, 2006) and its estimator."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..coding import batch_omp, default_n_nonzero_coefs
from ..utils._compat import Interval, _fit_context, validate_data, validate_params
from ..utils._linalg import normalize_rows
from ..utils._validation import FLOAT_DTYPES, check_real_array
from ._init import initial_dictionary, reseed_atoms


@validate_params(
    {
        "X": ["array-like"],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "n_nonzero_coefs": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "fixed_atoms": ["array-like", None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def ksvd(X, n_components, *, n_nonzero_coefs, max_iter=10, tol=1e-6, fixed_atoms=None,
         random_state=None, verbose=0, n_jobs=None):
    """Learn a dictionary with K-SVD.

    Alternates sparse coding (batched OMP, ``n_nonzero_coefs`` atoms per signal) and
    dictionary update: each atom and the coefficients that use it are replaced by the best
    rank-one approximation (leading singular pair) of the residual of the signals that use
    it, with that atom's contribution added back.

    After each round, atoms that no signal used, or that repeat an earlier atom's
    direction, are re-seeded with the worst-represented signals, each used once and only
    in a new direction (the rule shared with :func:`mod`).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training signals, one per row.
    n_components : int
        Number of atoms, ``fixed_atoms`` included.
    n_nonzero_coefs : int
        Atoms per signal in the coding stage.
    max_iter : int, default=10
        Number of coding / update rounds.
    tol : float, default=1e-6
        Stop early when the relative decrease of the mean squared representation error
        between rounds falls below ``tol``.
    fixed_atoms : ndarray of shape (n_fixed, n_features), default=None
        Atoms kept unchanged (e.g. a constant atom); they come first in the result.
    random_state : int, RandomState instance or None
        Seeds the choice of training signals used as initial atoms.
    verbose : int, default=0
        Print the error after each round when positive.
    n_jobs : int, default=None
        Passed to the OMP coding stage.

    Returns
    -------
    dictionary : ndarray of shape (n_components, n_features)
        Unit-norm atoms as rows.
    errors : list of float
        Mean squared representation error after each round's coding stage.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.decomposition import ksvd
    >>> X = np.random.default_rng(0).normal(size=(100, 8))
    >>> atoms, errors = ksvd(X, 12, n_nonzero_coefs=2, max_iter=3, random_state=0)
    >>> atoms.shape, errors[-1] <= errors[0]
    ((12, 8), True)
    """
    X = check_real_array(X, "X", dtype=FLOAT_DTYPES)
    rng = check_random_state(random_state)
    n_features = X.shape[1]
    fixed = None
    if fixed_atoms is not None:
        fixed = normalize_rows(check_real_array(fixed_atoms, "fixed_atoms",
                                                dtype=X.dtype))
        if fixed.shape[1] != n_features or len(fixed) >= n_components:
            raise ValueError(
                f"fixed_atoms must have {n_features} features and fewer than n_components="
                f"{n_components} rows; got shape {fixed.shape}."
            )
    n_fixed = 0 if fixed is None else len(fixed)
    dictionary = initial_dictionary(X, n_components, rng, fixed)
    errors = []
    for iteration in range(max_iter):
        codes = batch_omp(X, dictionary, n_nonzero_coefs=n_nonzero_coefs, n_jobs=n_jobs)
        residual = X - codes @ dictionary
        errors.append(float(np.mean(residual**2)))
        if verbose:
            print(f"[KSVD] round {iteration + 1}/{max_iter}: mean squared error "
                  f"{errors[-1]:.6g}")
        for atom in range(n_fixed, n_components):
            users = np.flatnonzero(codes[:, atom])
            if len(users) == 0:
                continue
            # Residual of the users with this atom's contribution added back.
            local = residual[users] + np.outer(codes[users, atom], dictionary[atom])
            left, singular, right = np.linalg.svd(local, full_matrices=False)
            dictionary[atom] = right[0]
            codes[users, atom] = singular[0] * left[:, 0]
            residual[users] = local - np.outer(codes[users, atom], dictionary[atom])
        reseed_atoms(dictionary, ~codes.any(axis=0), X,
                     np.einsum("ij,ij->i", residual, residual), rng, n_fixed)
        if len(errors) > 1 and errors[-2] - errors[-1] <= tol * errors[-2]:
            break
    return dictionary, errors


class KSVD(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Dictionary learning with K-SVD; ``transform`` gives OMP codes.

    Learns ``n_components`` unit-norm atoms ``D`` so that every training signal is well
    approximated with at most ``n_nonzero_coefs`` of them::

        min_{D, C} ||X - C D||_F^2   subject to   ||c_i||_0 <= n_nonzero_coefs.

    Parameters
    ----------
    n_components : int, default=None
        Number of atoms; None means ``n_features``.
    n_nonzero_coefs : int, default=None
        Atoms per signal, in ``fit`` and ``transform``; None means the library's default
        sparsity, 10% of ``n_features`` (at least 1,
        :func:`~sk_sparse.coding.default_n_nonzero_coefs`). Capped at
        ``min(n_components, n_features)``.
    max_iter : int, default=10
        Maximum number of coding / dictionary-update rounds.
    tol : float, default=1e-6
        Relative decrease of the mean squared error below which fitting stops.
    transform_max_error : float, default=None
        When set, ``transform`` stops coding a signal once its squared residual norm
        ``||x - c D||^2`` (the representation error) is at most this value
        (``n_nonzero_coefs`` still caps the number of atoms).
    random_state : int, RandomState instance or None, default=None
        Seeds the training signals chosen as initial atoms.
    verbose : int, default=0
        Print the error after each round.
    n_jobs : int, default=None
        Parallel OMP over chunks of signals, in ``fit`` and ``transform``; None means 1
        unless in a :func:`joblib.parallel_config` context.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The atoms, as rows.
    n_components_ : int
    error_ : list of float
        Mean squared representation error after each round.
    n_iter_ : int
        Rounds run.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    See Also
    --------
    sklearn.decomposition.MiniBatchDictionaryLearning : l1-penalised dictionary learning.
    batch_omp : the coding kernel.

    References
    ----------
    M. Aharon, M. Elad and A. Bruckstein, "K-SVD: An algorithm for designing overcomplete
    dictionaries for sparse representation", IEEE Trans. Signal Processing 54(11), 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.decomposition import KSVD
    >>> X = np.random.default_rng(0).normal(size=(200, 16))
    >>> ksvd = KSVD(n_components=32, n_nonzero_coefs=3, max_iter=5, random_state=0).fit(X)
    >>> ksvd.components_.shape, ksvd.transform(X[:2]).shape
    ((32, 16), (2, 32))
    >>> bool(np.all(np.count_nonzero(ksvd.transform(X), axis=1) <= 3))
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "n_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "transform_max_error": [Interval(Real, 0, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, n_components=None, *, n_nonzero_coefs=None, max_iter=10, tol=1e-6,
                 transform_max_error=None, random_state=None, verbose=0, n_jobs=None):
        self.n_components = n_components
        self.n_nonzero_coefs = n_nonzero_coefs
        self.max_iter = max_iter
        self.tol = tol
        self.transform_max_error = transform_max_error
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _sparsity(self, n_features: int) -> int:
        if self.n_nonzero_coefs is None:
            return default_n_nonzero_coefs(n_features)
        return min(self.n_nonzero_coefs, self.n_components_, n_features)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the dictionary.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training signals, one per row.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : KSVD
            The fitted estimator.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        self.n_components_ = self.n_components or X.shape[1]
        self.components_, self.error_ = ksvd(
            X, self.n_components_, n_nonzero_coefs=self._sparsity(X.shape[1]),
            max_iter=self.max_iter, tol=self.tol, random_state=self.random_state,
            verbose=self.verbose, n_jobs=self.n_jobs,
        )
        self.n_iter_ = len(self.error_)
        return self

    def transform(self, X):
        """OMP codes of ``X`` on the learned atoms.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Signals to code.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            At most ``n_nonzero_coefs`` non-zeros per row.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return batch_omp(X, self.components_, n_nonzero_coefs=self._sparsity(X.shape[1]),
                         tol=self.transform_max_error, n_jobs=self.n_jobs)

    def inverse_transform(self, X):
        """Signals synthesised from codes: ``X @ components_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, e.g. from ``transform``.

        Returns
        -------
        signals : ndarray of shape (n_samples, n_features)
            The synthesised signals.
        """
        check_is_fitted(self)
        X = check_real_array(X, "X", dtype=FLOAT_DTYPES)
        if X.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {X.shape[1]} columns but the dictionary has {self.n_components_} "
                "atoms."
            )
        return X @ self.components_.astype(X.dtype, copy=False)

    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
