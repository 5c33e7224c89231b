"""DictionaryAdapter: a linear transform of dictionaries from one domain to another."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..coding._bpdn import _bpdn
from ..utils._compat import Interval, _fit_context
from ..utils._validation import FLOAT_DTYPES, check_real_array
from ._resolve import DICTIONARY_CONSTRAINT, resolve_dictionary

# FISTA iterations of the transform's update per round, and its stopping tolerance on
# the relative change of F.
_F_ITER = 200
_F_TOL = 1e-6


def locality_weights(n_features, locality):
    """``W_ij = 1 + locality * |i - j|``: entries far from the diagonal cost more."""
    index = np.arange(n_features)
    return 1.0 + locality * np.abs(index[:, np.newaxis] - index[np.newaxis, :])


def adapt_transform(gram, cross, weights, l2_penalty, l1_penalty, F, *, max_iter=_F_ITER,
                    tol=_F_TOL):
    """FISTA for ``min_F 1/2 tr(F G F^T) - tr(F C^T) + l2/2 ||W o F||^2 + l1 ||W o F||_1``.

    ``G = sum B^T B`` and ``C = sum S^T B`` (``B`` the codes times the source atoms, ``S``
    the target signals) make the data term ``1/2 sum ||S - B F^T||^2`` up to a constant.
    Returns the new ``F`` (``F`` is the starting point).
    """
    w2 = weights**2
    lipschitz = np.linalg.norm(gram, 2) + l2_penalty * w2.max()
    step = 1.0 / max(lipschitz, 1e-12)
    threshold = step * l1_penalty * weights
    current, momentum, t = F.copy(), F.copy(), 1.0
    for _ in range(max_iter):
        gradient = momentum @ gram - cross + l2_penalty * w2 * momentum
        moved = momentum - step * gradient
        new = np.sign(moved) * np.maximum(np.abs(moved) - threshold, 0)
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        momentum = new + (t - 1) / t_next * (new - current)
        change = np.linalg.norm(new - current) / max(np.linalg.norm(new), 1e-12)
        current, t = new, t_next
        if change < tol:
            break
    return current


def _energy(S):
    """A user's signal energy ``||S||_F^2``, what their errors are relative to (kept
    above zero for all-zero signals)."""
    return max(float(np.sum(S**2)), 1e-300)


def _check_users(X, name):
    """A list of 2-D arrays (one per user) from a 2-D array or a sequence of them."""
    users = [X] if (hasattr(X, "ndim") and X.ndim == 2) else list(X)
    arrays = [check_real_array(u, name=name, dtype=FLOAT_DTYPES) for u in users]
    if not arrays or len({a.shape[1] for a in arrays}) != 1:
        raise ValueError(f"{name} must be one 2-D array of signals or a list of them (one per "
                         "user), all with the same number of samples per signal.")
    return arrays


class DictionaryAdapter(BaseEstimator):
    """Learn a linear map taking dictionaries from a source domain to a target domain.

    Signals change shape between domains (heartbeats between heart rates, textures
    between zooms) and no labelled data exist in the target domain of a new user. With
    training users observed in both domains, ``fit`` learns one user-independent
    transform ``F`` (``n_features x n_features``) such that a user's source dictionary
    ``D_u`` (atoms as rows) becomes a target dictionary ``D_u F^T``. It solves

        min_{F, X_u}  sum_u (1/2 ||S_u - X_u D_u F^T||_F^2 + alpha ||X_u||_1) / ||S_u||_F^2
                      + l2_penalty/2 ||W o F||_F^2 + l1_penalty ||W o F||_1

    (``S_u`` the user's target-domain signals as rows, ``D_u`` learned on the user's
    source-domain signals) by alternating BPDN codes ``X_u`` (the batched BPDN kernel)
    and a FISTA solve for ``F`` with the weighted elastic net. The weights
    ``W_ij = 1 + locality |i - j|`` make entries far from the diagonal expensive, so the
    transform stays local (a time warp and a reshaping of nearby samples).

    Dictionary learning is not convex: the atoms it returns depend on where it starts,
    and a transform fitted to one dictionary per user also learns those particular
    atoms. Each user's dictionary is therefore learned ``n_dictionaries`` times from
    different starts, and the data term is the mean over them: ``F`` must serve any
    dictionary that a new user's beats could give.

    Each user's term is divided by the energy of their target signals (the data term
    is a sum of relative errors, as :meth:`score` measures), so users count alike
    however many signals each gives and in whatever units, and the penalties keep their
    strength: what ``F`` must generalise over is users, and more signals of the same
    users add none. (With the paper's plain sum, 600 beats per training user instead of
    150 weakened the penalties fourfold and left new users' error at 1.9–2.0 times the
    oracle's at 60 to 140 bpm; see the :ref:`user guide <domain_adaptation>`.) Signals
    in other units keep the same transform when ``alpha`` is scaled with them.

    :meth:`score` measures the adaptation on other users, so that
    :class:`~sklearn.model_selection.GridSearchCV` over the list of training users tunes
    ``locality`` and the penalties without data of the new users (see the
    :ref:`user guide <domain_adaptation>`).

    Parameters
    ----------
    n_components : int, default=32
        Atoms of each user's source dictionary.
    alpha : float, default=0.02
        l1 weight of the codes ``X_u`` (and of learning ``D_u``), in the signals' units,
        so scale it with them. With beats five times larger and the same ``alpha``, new
        users' error was up to twice the oracle's where it had been at most 1.26 times
        (see the :ref:`user guide <domain_adaptation>`).
    l2_penalty : float, default=1e-5
        Weight of ``||W o F||^2``, against a data term of relative errors, so that it
        depends neither on how many signals a user gives nor on their units (with 150
        synthetic beats per user, 1e-5 weighs about what 0.005 did when the data term
        was a plain sum). On synthetic heartbeats, cross-validation over training
        users with :meth:`score` preferred small values, and 1e-5 and 3e-6 did about as
        well on new users (see the :ref:`user guide <domain_adaptation>`); it tunes it
        for other data.
    l1_penalty : float, default=3e-5
        Weight of ``||W o F||_1``, on the same scale.
    locality : float, default=0.1
        Growth of the weights away from the diagonal. A rate change moves waves by
        several samples (a time warp), so a transform held too close to the diagonal
        cannot follow it: on synthetic beats of users not used to choose it, 0.1 gave a
        lower error than 0.3 and 1 at every rate pair tried with 8 training users (see
        the :ref:`user guide <domain_adaptation>`; cross-validation with :meth:`score`
        tunes it for other data).
    dictionary : {"mod", "ksvd", "minibatch"}, default="mod"
        How each user's source dictionary is learned (see
        :func:`~sk_sparse.decomposition.resolve_dictionary`).
    max_iter : int, default=50
        Rounds of (codes, transform) alternation. It is slow to settle: with 32 training
        users (60 to 140 bpm), new users' adapted error was 2.1 times the oracle's after
        20 rounds and 1.1 times after 50.
    dictionary_max_iter : int, default=10
        Rounds of learning each source dictionary.
    n_dictionaries : int, default=4
        Source dictionaries learned per training user, each from another random start;
        the data term is their mean, so the penalties keep their meaning. On synthetic
        heartbeats with 8 training users, 4 instead of 1 lowered new users' error at
        every rate pair and for each of three sets of users (see the :ref:`user guide
        <domain_adaptation>`); fitting costs up to ``n_dictionaries`` times as much.
    random_state : int, RandomState instance or None, default=None
        Seeds dictionary learning.
    n_jobs : int, default=None
        Parallel coding; None means 1 unless in a :func:`joblib.parallel_config` context.

    Attributes
    ----------
    transform_ : ndarray of shape (n_features, n_features)
        The learned ``F``.
    source_dictionaries_ : list of ndarray of shape (n_dictionaries, n_components, \
            n_features)
        Each training user's source dictionaries.
    objective_ : ndarray of shape (n_rounds,)
        Objective after each round.
    n_iter_ : int
        Rounds run.
    n_features_in_ : int
        Samples per signal.

    References
    ----------
    D. Carrera, B. Rossi, P. Fragneto and G. Boracchi, "Domain adaptation for online ECG
    monitoring", IEEE ICDM 2017.

    Examples
    --------
    >>> from sk_sparse.datasets import make_heartbeats
    >>> from sk_sparse.decomposition import DictionaryAdapter, resolve_dictionary
    >>> slow = [make_heartbeats(60, heart_rate=60, user=u, random_state=u) for u in range(3)]
    >>> fast = [make_heartbeats(60, heart_rate=120, user=u, random_state=u) for u in range(3)]
    >>> adapter = DictionaryAdapter(n_components=8, max_iter=3, random_state=0)
    >>> adapter.fit(slow, fast).transform_.shape
    (64, 64)
    >>> new_user = make_heartbeats(60, heart_rate=60, user=7, random_state=7)
    >>> atoms = resolve_dictionary("mod", new_user, n_components=8, random_state=0)[0]
    >>> adapter.transform(atoms).shape
    (8, 64)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l2_penalty": [Interval(Real, 0, None, closed="left")],
        "l1_penalty": [Interval(Real, 0, None, closed="left")],
        "locality": [Interval(Real, 0, None, closed="left")],
        "dictionary": DICTIONARY_CONSTRAINT,
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "dictionary_max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_dictionaries": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, n_components=32, *, alpha=0.02, l2_penalty=1e-5, l1_penalty=3e-5,
                 locality=0.1, dictionary="mod", max_iter=50, dictionary_max_iter=10,
                 n_dictionaries=4, random_state=None, n_jobs=None):
        self.n_components = n_components
        self.alpha = alpha
        self.l2_penalty = l2_penalty
        self.l1_penalty = l1_penalty
        self.locality = locality
        self.dictionary = dictionary
        self.max_iter = max_iter
        self.dictionary_max_iter = dictionary_max_iter
        self.n_dictionaries = n_dictionaries
        self.random_state = random_state
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn the transform from users observed in both domains.

        Parameters
        ----------
        X : array-like of shape (n_signals, n_features) or list of them
            Each training user's signals in the source domain (e.g. beats at 60 bpm).
        y : array-like of shape (n_signals, n_features) or list of them
            The same users' signals in the target domain, in the same order.

        Returns
        -------
        self : DictionaryAdapter
            The fitted adapter.
        """
        sources, targets = self._check_pairs(X, y)
        n_features = sources[0].shape[1]
        self.n_features_in_ = n_features
        self.source_dictionaries_ = self._source_dictionaries(sources, self.n_dictionaries)
        weights = locality_weights(n_features, self.locality)
        targets = [S.astype(np.float64) for S in targets]
        # Each user's terms are relative to the energy of their signals: users count
        # alike, and the penalties keep their strength, whatever their number of signals
        # and their units.
        shares = [1.0 / _energy(S) for S in targets]
        F = np.eye(n_features)
        objective = []
        # Each round codes the targets on the current transform, then updates it. The
        # codes of round k + 1 are those that the objective after round k needs, so the
        # objective is summed from them (a last coding pass gives the final one) rather
        # than by coding twice per round.
        for round_ in range(self.max_iter + 1):
            gram = np.zeros((n_features, n_features))
            cross = np.zeros((n_features, n_features))
            data_term = 0.0
            for dictionaries, S, share in zip(self.source_dictionaries_, targets, shares):
                for D in dictionaries:
                    atoms = D @ F.T
                    codes = _bpdn(S, atoms, np.full(len(S), self.alpha), n_jobs=self.n_jobs)
                    data_term += share * (0.5 * np.sum((S - codes @ atoms) ** 2)
                                          + self.alpha * np.abs(codes).sum())
                    if round_ < self.max_iter:  # the last pass only scores the final F
                        B = codes @ D
                        gram += share * (B.T @ B)
                        cross += share * (S.T @ B)
            # The mean over each user's dictionaries.
            data_term /= self.n_dictionaries
            gram /= self.n_dictionaries
            cross /= self.n_dictionaries
            if round_:
                weighted = weights * F
                objective.append(data_term + 0.5 * self.l2_penalty * np.sum(weighted**2)
                                 + self.l1_penalty * np.abs(weighted).sum())
            if round_ == self.max_iter:
                break
            F = adapt_transform(gram, cross, weights, self.l2_penalty, self.l1_penalty, F)
        self.transform_ = F
        self.objective_ = np.array(objective)
        self.n_iter_ = self.max_iter
        return self

    def _source_dictionaries(self, sources, n_dictionaries):
        """``n_dictionaries`` dictionaries per user, learned on their source-domain
        signals from different random starts (one array per user)."""
        rng = check_random_state(self.random_state)
        return [np.stack([resolve_dictionary(self.dictionary, source,
                                             n_components=self.n_components,
                                             alpha=self.alpha,
                                             max_iter=self.dictionary_max_iter,
                                             random_state=rng, n_jobs=self.n_jobs)[0]
                          for _ in range(n_dictionaries)])
                for source in sources]

    def score(self, X, y):
        """How well adapted dictionaries explain other users' target-domain signals.

        For each user, one dictionary is learned on their source-domain signals ``X``
        (as a new user's would be), adapted by ``F``, and the user's
        target-domain signals ``y`` are coded on it (BPDN, ``alpha``). Users given as a
        list of arrays are what cross-validation splits, so
        :class:`~sklearn.model_selection.GridSearchCV` over a list of users tunes
        ``locality`` or the penalties on users held out of ``fit``, without any
        labelled data of the new users.

        Parameters
        ----------
        X : array-like of shape (n_signals, n_features) or list of them
            Each user's signals in the source domain.
        y : array-like of shape (n_signals, n_features) or list of them
            The same users' signals in the target domain.

        Returns
        -------
        score : float
            Minus the relative reconstruction error ``||S - X D F^T||^2 / ||S||^2`` of
            the target signals, averaged over users (higher is better; 0 is exact).
        """
        check_is_fitted(self)
        sources, targets = self._check_pairs(X, y)
        if sources[0].shape[1] != self.n_features_in_:
            raise ValueError(f"X has signals of {sources[0].shape[1]} samples; the "
                             f"transform is for {self.n_features_in_}.")
        errors = []
        for (D,), S in zip(self._source_dictionaries(sources, 1), targets):
            atoms = D @ self.transform_.T
            # The adapted atoms are not unit-norm; the code's l1 weight refers to unit atoms
            # as for every estimator that takes a dictionary.
            atoms = atoms / np.maximum(np.linalg.norm(atoms, axis=1, keepdims=True), 1e-12)
            S = S.astype(np.float64)
            codes = _bpdn(S, atoms, np.full(len(S), self.alpha), n_jobs=self.n_jobs)
            errors.append(np.sum((S - codes @ atoms) ** 2) / _energy(S))
        return -float(np.mean(errors))

    @staticmethod
    def _check_pairs(X, y):
        sources, targets = _check_users(X, "X"), _check_users(y, "y")
        if len(sources) != len(targets) or sources[0].shape[1] != targets[0].shape[1]:
            raise ValueError("X and y must hold the same users (as many arrays) with signals "
                             "of the same length.")
        return sources, targets

    def transform(self, X):
        """Adapt a source-domain dictionary: ``X F^T``.

        Parameters
        ----------
        X : array-like of shape (n_atoms, n_features)
            Atoms (rows) of a dictionary learned in the source domain, e.g. a new user's.

        Returns
        -------
        adapted : ndarray of shape (n_atoms, n_features)
            The atoms in the target domain (not renormalised; the estimators that take a
            ``dictionary`` normalise atoms themselves).
        """
        check_is_fitted(self)
        atoms = check_real_array(X, name="X", dtype=FLOAT_DTYPES)
        if atoms.shape[1] != self.n_features_in_:
            raise ValueError(f"X has atoms of {atoms.shape[1]} features; the transform is "
                             f"for {self.n_features_in_}.")
        return atoms @ self.transform_.T

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags
