"""Where the atoms come from: one resolver, one vocabulary, for every estimator.

Every estimator that needs a dictionary takes a ``dictionary`` parameter with these
values and hands it to :func:`resolve_dictionary` in ``fit``:

========== ===========================================================================
value      atoms
========== ===========================================================================
"shipped"  the 8 x 8 K-SVD dictionary shipped with sk_sparse (64 features)
"dct"      an overcomplete 2-D DCT of square patches (``n_components`` a square)
"ksvd"     learned from the training rows by K-SVD (OMP coding)
"mod"      learned from the training rows by MOD with BPDN coding
"minibatch" learned by scikit-learn's :class:`~sklearn.decomposition.MiniBatchDictionaryLearning`
array      given atoms, one per row
========== ===========================================================================
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.decomposition import MiniBatchDictionaryLearning

from ..coding import default_n_nonzero_coefs
from ..dictionaries import load_dictionary, overcomplete_dct_dictionary
from ..utils._compat import Hidden, Interval, StrOptions, validate_params
from ..utils._linalg import normalize_rows
from ..utils._validation import FLOAT_DTYPES, check_real_array
from ._ksvd import ksvd
from ._mod import mod

DICTIONARY_OPTIONS = ("shipped", "dct", "ksvd", "mod", "minibatch")
# Names of earlier releases, still accepted: "learned" (the shipped atoms) and "bpdn"
# (MOD with BPDN coding).
_ALIASES = {"learned": "shipped", "bpdn": "mod"}
# The ``_parameter_constraints`` entry of every ``dictionary`` parameter.
DICTIONARY_CONSTRAINT = [StrOptions(set(DICTIONARY_OPTIONS)),
                         Hidden(StrOptions(set(_ALIASES))), "array-like"]
LEARNED = frozenset({"ksvd", "mod", "minibatch"})
# Rows of a minibatch for scikit-learn's learner.
_MINIBATCH_SIZE = 256


def dictionary_kind(spec):
    """The canonical name of a ``dictionary`` value (aliases resolved), None for atoms."""
    return _ALIASES.get(spec, spec) if isinstance(spec, str) else None


@validate_params(
    {
        "spec": DICTIONARY_CONSTRAINT,
        "X": ["array-like", None],
        "n_features": [Interval(Integral, 1, None, closed="left"), None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "coding_max_iter": [Interval(Integral, 1, None, closed="left")],
        "fixed_atoms": ["array-like", None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def resolve_dictionary(spec, X=None, *, n_features=None, n_components=64, alpha=0.1,
                       max_iter=10, coding_max_iter=200, fixed_atoms=None,
                       random_state=None, n_jobs=None, verbose=0):
    """Atoms (unit-norm rows) for a ``dictionary`` parameter value.

    Parameters
    ----------
    spec : {"shipped", "dct", "ksvd", "mod", "minibatch"} or array-like
        See the module docstring.
    X : ndarray of shape (n_samples, n_features), default=None
        Training rows; needed by the learned kinds.
    n_features : int, default=None
        Features the atoms must have; defaults to ``X.shape[1]``.
    n_components : int, default=64
        Atoms to learn, or of the "dct" dictionary.
    alpha : float, default=0.1
        l1 weight for "mod" and "minibatch".
    max_iter : int, default=10
        Rounds or passes of the learners.
    coding_max_iter : int, default=200
        ADMM iterations per signal in MOD's coding rounds.
    fixed_atoms : ndarray of shape (n_fixed, n_features), default=None
        For "ksvd": atoms held fixed while learning (e.g. a constant atom); they are not
        part of the result.
    random_state : int, RandomState instance or None
        Seeds the learned kinds.
    n_jobs : int, default=None
        Parallel coding inside the learned kinds.
    verbose : int, default=0
        Progress of the learned kinds.

    Returns
    -------
    atoms : ndarray of shape (n_atoms, n_features)
        Unit-norm atoms as rows, in the dtype of ``X`` (float64 without ``X``).
    n_iter : int
        Rounds or passes run (0 for analytic, shipped or given atoms).

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.decomposition import resolve_dictionary
    >>> atoms, n_iter = resolve_dictionary("dct", n_features=16, n_components=36)
    >>> atoms.shape, n_iter
    ((36, 16), 0)
    >>> X = np.random.default_rng(0).normal(size=(50, 16))
    >>> resolve_dictionary("ksvd", X, n_components=20, max_iter=2, random_state=0)[0].shape
    (20, 16)
    """
    spec = dictionary_kind(spec) or spec
    if X is not None:
        X = check_real_array(X, "X", dtype=FLOAT_DTYPES)
    if n_features is None:
        if X is None:
            raise ValueError("resolve_dictionary needs X or n_features.")
        n_features = X.shape[1]
    if isinstance(spec, str) and spec in LEARNED and X is None:
        raise ValueError(f"dictionary={spec!r} learns its atoms from data: pass X to fit.")
    n_iter = 0
    if isinstance(spec, str) and spec == "shipped":
        atoms = load_dictionary()
    elif isinstance(spec, str) and spec == "dct":
        atoms = _dct_atoms(n_features, n_components)
    elif isinstance(spec, str) and spec == "ksvd":
        n_fixed = 0 if fixed_atoms is None else len(fixed_atoms)
        atoms, errors = ksvd(X, n_components + n_fixed,
                             n_nonzero_coefs=default_n_nonzero_coefs(n_features),
                             max_iter=max_iter, fixed_atoms=fixed_atoms,
                             random_state=random_state, n_jobs=n_jobs, verbose=verbose)
        atoms, n_iter = atoms[n_fixed:], len(errors)
    elif isinstance(spec, str) and spec == "mod":
        atoms, objectives = mod(X, n_components, alpha=alpha, max_iter=max_iter,
                                coding_max_iter=coding_max_iter, random_state=random_state,
                                n_jobs=n_jobs, verbose=verbose)
        n_iter = len(objectives)
    elif isinstance(spec, str):  # "minibatch"
        learner = MiniBatchDictionaryLearning(
            n_components=n_components, alpha=alpha, max_iter=max_iter,
            batch_size=_MINIBATCH_SIZE, random_state=random_state, verbose=verbose,
        ).fit(X)
        atoms, n_iter = learner.components_, int(learner.n_iter_)
    else:
        atoms = check_real_array(spec, "dictionary", dtype=FLOAT_DTYPES)
        if not np.linalg.norm(atoms, axis=1).all():
            raise ValueError("dictionary has an all-zero atom; every atom needs a direction.")
    if atoms.shape[1] != n_features:
        raise ValueError(
            f"dictionary atoms have {atoms.shape[1]} features but the data have "
            f"{n_features}" + (" (the shipped dictionary is of 8 x 8 patches)"
                               if isinstance(spec, str) and spec == "shipped" else "") + "."
        )
    dtype = np.float64 if X is None else X.dtype
    return normalize_rows(np.asarray(atoms, dtype=dtype)), n_iter


def _dct_atoms(n_features, n_components):
    patch_size = int(round(np.sqrt(n_features)))
    per_axis = int(round(np.sqrt(n_components)))
    if patch_size**2 != n_features:
        raise ValueError(
            f"dictionary='dct' needs square patches; got {n_features} features."
        )
    if per_axis**2 != n_components or per_axis < patch_size:
        raise ValueError(
            "dictionary='dct' needs n_components to be a square of at least "
            f"{n_features} (one atom per frequency pair); got {n_components}."
        )
    return overcomplete_dct_dictionary(patch_size, per_axis)
