"""Basis pursuit denoising (BPDN) by ADMM, batched over signals.

Solves, for every row ``s`` of ``X`` and dictionary ``D`` (atoms as rows)::

    min_x  1/2 ||x D - s||^2 + lambda ||x||_1  [+ mu sum_g ||x_g||_2]

with the splitting ``x = z``, ``f(x) = 1/2 ||x D - s||^2``, ``g(z) = lambda ||z||_1 (+ mu
...)`` (Boyd et al., 2011, section 6.4) and a penalty ``rho`` adapted *per signal* by
residual balancing every 10 iterations. (Over-relaxation was measured to slow the tail of
hard signals down here, so it is not used.)

The x-update solves ``x (D D^T + rho I) = s D^T + rho (z - u)`` for every signal. One
eigendecomposition ``D^T D = W diag(mu) W^T`` is computed once, and with the Woodbury
identity

    (D D^T + rho I)^{-1} = (I - D W diag(1 / (mu + rho)) W^T D^T) / rho,

each iteration is two matrix products over all active signals, whatever their ``rho``.
Because nothing couples the signals (own ``rho``, own stopping test, converged signals
dropped from the working set), the code of a signal does not depend on which other
signals share the batch.

ADMM converges slowly on coherent overcomplete dictionaries, but its iterates point at
the support and signs of the solution. The l1 problem restricted to a support and signs is
a small linear system, and a solution that satisfies the KKT conditions of the full
problem is the exact optimum. So after the first ADMM step every signal goes through a
batched active-set search started from that rough support (failed KKT check: the most
violating atoms join, atoms whose sign flipped leave); most signals end there, exactly
solved. The others go on with ADMM and are polished again every 5 iterations once their
support and signs stop moving (plain l1 problem only; the group term changes the
optimality conditions). On 10,000 8 x 8 patches with 256 atoms this takes one ADMM
iteration instead of a median of 78.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import gen_even_slices
from sklearn.utils.parallel import Parallel, delayed

_CHUNK = 4096
# Support polishing (see the module docstring): iterations between attempts, active-set
# corrections at the first attempt and at later ones, atoms added per correction. Tuned
# on 8 x 8 patches (256 atoms), 15 x 15 patches (64 atoms) and SRC on digits (898 atoms):
# adding 3 atoms per correction instead of 1 made the 15 x 15 case 3 times faster.
_POLISH_EVERY = 5
_FIRST_REFINE = 24
_LATER_REFINE = 3
_ATOMS_ADDED = 3
# Budget of one polishing call, per signal: the sum over its corrections of (support
# size)^3, the cost of its solves, at most _COST * n_atoms * n_features, i.e. about the
# multiply-adds of a few ADMM iterations. Without it, textures that need 30+ atoms per
# 15 x 15 patch (grass, gravel) spent 2 to 3 times longer in the search than plain ADMM
# needs at a loose tolerance. Per signal, so that no signal's code depends on the others
# in its batch.
_COST = 2.0


def _group_shrink(z, groups, threshold):
    """Block soft-thresholding ``z_g * max(0, 1 - threshold / ||z_g||)`` per group."""
    norms = np.sqrt(np.maximum((z * z) @ groups, 0))  # (n, n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(norms > threshold, 1 - threshold / norms, 0.0)
    return z * (factor @ groups.T)


def _prox(v, lam, group_weight, groups, rho):
    """Proximal operator of ``(lam ||.||_1 + group_weight sum_g ||._g||_2) / rho``."""
    z = np.sign(v) * np.maximum(np.abs(v) - lam / rho, 0)
    if groups is not None and group_weight > 0:
        z = _group_shrink(z, groups, group_weight / rho)
    return z


def _initial_rho(eig: np.ndarray) -> float:
    """Geometric mean of the extreme non-zero eigenvalues of ``D^T D``.

    The classical step for ADMM on quadratic problems (Ghadimi et al., 2015); it needed
    1.5 to 3 times fewer iterations than SPORCO's ``50 lambda + 1`` on 8 x 8 and
    15 x 15 image patches. Residual balancing then adapts it per signal.
    """
    top = float(eig.max()) if eig.size else 1.0
    if top <= 0:
        return 1.0
    nonzero = eig[eig > 1e-6 * top]
    return float(np.sqrt(nonzero.min() * top))


def _solve_on_support(sd, gram, support, signs, lam, sizes):
    """``x_S (D_S D_S^T) = s D_S^T - lam sigma`` for every signal, batched.

    ``sizes`` is ``support.sum(axis=1)``. Rows are grouped by support size (up to 4, 8,
    16, ... atoms) so that the padding of each batched solve, whose cost grows with the
    cube of the largest support, stays small.
    """
    codes = np.zeros(support.shape, dtype=sd.dtype)
    signs_agree = np.ones(len(sizes), dtype=bool)
    lower = -1
    for upper in (4, 8, 16, 32, 64, 128, 256, 512, 1024, np.inf):
        rows = np.flatnonzero((sizes > lower) & (sizes <= upper))
        lower = upper
        if len(rows):
            codes[rows], signs_agree[rows] = _solve_padded(sd[rows], gram, support[rows],
                                                           signs[rows], lam[rows], sizes[rows])
    return codes, signs_agree


def _solve_padded(sd, gram, support, signs, lam, sizes):
    n_signals = support.shape[0]
    largest = int(sizes.max()) if n_signals else 0
    codes = np.zeros(support.shape, dtype=sd.dtype)
    if largest == 0:
        return codes, np.ones(n_signals, dtype=bool)
    # Atoms of each support, in increasing order, padded with atom 0 (without a sort).
    signal, atom = np.nonzero(support)
    slot = np.arange(len(atom)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    index = np.zeros((n_signals, largest), dtype=np.intp)
    index[signal, slot] = atom
    valid = np.arange(largest)[np.newaxis, :] < sizes[:, np.newaxis]
    sub_gram = gram[index[:, :, np.newaxis], index[:, np.newaxis, :]]
    sub_gram = np.where(valid[:, :, np.newaxis] & valid[:, np.newaxis, :], sub_gram, 0.0)
    diagonal = np.arange(largest)
    sub_gram[:, diagonal, diagonal] += np.where(valid, 0.0, 1.0)
    sub_signs = np.where(valid, np.take_along_axis(signs, index, axis=1), 0.0)
    rhs = np.where(valid, np.take_along_axis(sd, index, axis=1) - lam * sub_signs, 0.0)
    try:
        values = np.linalg.solve(sub_gram, rhs[..., np.newaxis])[..., 0]
    except np.linalg.LinAlgError:  # dependent atoms on some support: give up this round
        return codes, np.zeros(n_signals, dtype=bool)
    signs_agree = np.all(~valid | (np.sign(values) == sub_signs), axis=1)
    rows = np.repeat(np.arange(n_signals), largest)[valid.ravel()]
    codes[rows, index[valid]] = values[valid]
    return codes, signs_agree


def _polish(sd, gram, z, lam, max_support, n_refine=3, n_add=1, max_cost=np.inf):
    """Exact l1 solutions from the supports and signs of the ADMM iterates ``z``.

    On a support ``S`` with signs ``sigma`` the Lasso optimum solves
    ``x_S (D_S D_S^T) = s D_S^T - lam sigma``; the result is the global optimum exactly when
    its signs are ``sigma`` and ``|s D^T - x D D^T| <= lam`` off the support (KKT
    conditions). Up to ``n_refine`` active-set corrections follow a failed check: the
    ``n_add`` atoms violating the bound most join the support with the sign of their
    correlation, atoms whose sign flipped leave it. Supports larger than ``max_support``
    are not tried (the padded batched solve costs the cube of the largest support), and a
    signal's corrections stop once the summed cubes of its supports exceed ``max_cost``.
    Returns the codes and which of them are certified optimal.
    """
    codes = np.zeros_like(z)
    certified = np.zeros(z.shape[0], dtype=bool)
    # Working set, compacted as signals are certified or run out of budget.
    nonzero = z != 0
    all_sizes = nonzero.sum(axis=1)
    rows = np.flatnonzero(all_sizes <= max_support)
    support, sizes, signs = nonzero[rows], all_sizes[rows], np.sign(z[rows])
    sd, lam = sd[rows], lam[rows]
    cost = np.zeros(len(rows))  # per signal, so that no signal's result depends on others
    for attempt in range(n_refine + 1):
        cost += sizes.astype(np.float64) ** 3
        candidate, signs_agree = _solve_on_support(sd, gram, support, signs, lam, sizes)
        correlation = sd - candidate @ gram
        violation = ~support & (np.abs(correlation) > lam * (1 + 1e-7) + 1e-12)
        ok = signs_agree & ~violation.any(axis=1)
        codes[rows[ok]] = candidate[ok]
        certified[rows[ok]] = True
        if attempt == n_refine or ok.all():
            break
        todo = ~ok
        rows, candidate, violation, correlation = (rows[todo], candidate[todo],
                                                   violation[todo], correlation[todo])
        support, signs, sd, lam, cost = (support[todo], signs[todo], sd[todo], lam[todo],
                                         cost[todo])
        keep = support & (np.sign(candidate) == signs)
        excess = np.where(violation, np.abs(correlation), 0.0)
        # The n_add largest violations: a few argmax passes beat a partial sort here.
        added = np.zeros_like(violation)
        working_rows = np.arange(len(rows))
        for _ in range(min(n_add, excess.shape[1])):
            worst = np.argmax(excess, axis=1)
            added[working_rows, worst] |= excess[working_rows, worst] > 0
            excess[working_rows, worst] = 0.0
        support = keep | added
        signs = np.where(added, np.sign(correlation), np.where(keep, signs, 0.0))
        sizes = support.sum(axis=1)
        affordable = (sizes <= max_support) & (cost <= max_cost)
        rows, support, sizes, signs = (rows[affordable], support[affordable],
                                       sizes[affordable], signs[affordable])
        sd, lam, cost = sd[affordable], lam[affordable], cost[affordable]
        if len(rows) == 0:
            break
    return codes, certified


def _bpdn_chunk(S, dictionary, projector, eig, lam, group_weight, groups, max_iter, tol):
    """ADMM on one chunk; returns codes (n, n_atoms) and iterations used per signal."""
    n_signals = S.shape[0]
    dtype = S.dtype
    n_atoms = dictionary.shape[0]
    sd = S @ dictionary.T  # (n, n_atoms), compacted with the working set
    # Support polishing needs the plain l1 problem (the group term changes the optimality
    # conditions).
    lam = lam[:, np.newaxis]  # one lambda per signal, as a column
    gram = dictionary @ dictionary.T if group_weight == 0 and np.all(lam > 0) else None
    codes = np.zeros((n_signals, n_atoms), dtype=dtype)
    n_iter = np.full(n_signals, max_iter, dtype=np.intp)
    rho = np.full((n_signals, 1), _initial_rho(eig), dtype=dtype)
    z = np.zeros((n_signals, n_atoms), dtype=dtype)
    u = np.zeros_like(z)
    ids = np.arange(n_signals)
    sqrt_n = np.sqrt(n_atoms)
    polish_budget = _COST * n_atoms * S.shape[1]  # per signal
    # Sign pattern of z at the previous polishing check.
    last_pattern = np.zeros((n_signals, n_atoms), dtype=np.int8)
    for iteration in range(1, max_iter + 1):
        rhs = sd + rho * (z - u)
        x = (rhs - ((rhs @ projector) / (eig + rho)) @ projector.T) / rho
        z_old = z
        z = _prox(x + u, lam, group_weight, groups, rho)
        u = u + x - z
        primal = np.linalg.norm(x - z, axis=1)
        dual = rho[:, 0] * np.linalg.norm(z - z_old, axis=1)
        scale_primal = np.maximum(np.linalg.norm(x, axis=1), np.linalg.norm(z, axis=1))
        scale_dual = rho[:, 0] * np.linalg.norm(u, axis=1)
        converged = (primal <= tol * (sqrt_n * 1e-3 + scale_primal)) & (
            dual <= tol * (sqrt_n * 1e-3 + scale_dual))
        if gram is not None and (iteration == 1 or iteration % _POLISH_EVERY == 0):
            # The first check, after one ADMM step, runs a longer active-set search from
            # the rough support: it settles most signals at once. Later checks only
            # polish signals whose support and signs did not move since the previous
            # check (while they move the solve, cubic in the support size, is mostly
            # wasted), with a few corrections each.
            pattern = np.sign(z).astype(np.int8)
            if iteration == 1:
                stable, n_refine = np.arange(len(z)), _FIRST_REFINE
            else:
                stable = np.flatnonzero(np.all(pattern == last_pattern, axis=1))
                n_refine = _LATER_REFINE
            last_pattern = pattern
            if len(stable):
                polished, certified = _polish(sd[stable], gram, z[stable], lam[stable],
                                              S.shape[1], n_refine=n_refine,
                                              n_add=_ATOMS_ADDED, max_cost=polish_budget)
                converged[stable[certified]] = True
                z[stable[certified]] = polished[certified]
        if iteration % 10 == 0:
            # Residual balancing (Boyd et al., 3.4.1); u is scaled with 1 / rho.
            factor = np.where(primal > 10 * dual, 2.0,
                              np.where(dual > 10 * primal, 0.5, 1.0))[:, np.newaxis]
            rho = rho * factor
            u = u / factor
        if converged.any() or iteration == max_iter:
            done = converged if iteration < max_iter else np.ones_like(converged)
            codes[ids[done]] = z[done]
            n_iter[ids[done]] = iteration
            keep = ~done
            ids, z, u, rho = ids[keep], z[keep], u[keep], rho[keep]
            sd, lam, last_pattern = sd[keep], lam[keep], last_pattern[keep]
            if len(ids) == 0:
                break
    return codes, n_iter


def _group_matrix(groups, n_atoms, dtype):
    labels = np.asarray(groups)
    if labels.shape != (n_atoms,):
        raise ValueError(
            f"groups must give one group label per atom, shape ({n_atoms},); got "
            f"{labels.shape}."
        )
    _, index = np.unique(labels, return_inverse=True)
    onehot = np.zeros((n_atoms, index.max() + 1), dtype=dtype)
    onehot[np.arange(n_atoms), index] = 1.0
    return onehot


def bpdn(X, dictionary, *, alpha, group_alpha=0.0, groups=None, max_iter=500, tol=1e-4,
         n_jobs=None, return_n_iter=False):
    """Basis pursuit denoising of many signals at once, by ADMM.

    Solves ``min_x 1/2 ||x @ dictionary - s||^2 + alpha ||x||_1
    + group_alpha sum_g ||x_g||_2`` for every row ``s`` of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_signals, n_features)
    dictionary : ndarray of shape (n_atoms, n_features)
        Atoms as rows.
    alpha : float or array-like of shape (n_signals,)
        Weight ``lambda`` of the l1 penalty (``>= 0``), shared or one per signal.
    group_alpha : float, default=0.0
        Weight ``mu`` of the group penalty ``sum_g ||x_g||_2`` (needs ``groups``).
    groups : array-like of shape (n_atoms,), default=None
        Group label of each atom (e.g. the scale of each atom of a multiscale dictionary).
    max_iter : int, default=500
        Maximum ADMM iterations per signal.
    tol : float, default=1e-4
        Relative tolerance on the primal and dual residuals (each signal stops on its own).
    n_jobs : int, default=None
        Chunks of signals solved in parallel by joblib (threads preferred).
    return_n_iter : bool, default=False
        Also return the iterations each signal used.

    Returns
    -------
    codes : ndarray of shape (n_signals, n_atoms)
        Exactly sparse (the ``z`` variable of ADMM).
    n_iter : ndarray of int of shape (n_signals,)
        Only with ``return_n_iter=True``.

    References
    ----------
    S. Boyd, N. Parikh, E. Chu, B. Peleato and J. Eckstein, "Distributed optimization and
    statistical learning via the alternating direction method of multipliers", Foundations
    and Trends in Machine Learning 3(1), 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse import bpdn
    >>> codes = bpdn(np.array([[3.0, 0.5]]), np.eye(2), alpha=1.0, tol=1e-8)
    >>> np.round(codes, 4)  # soft thresholding for an orthonormal dictionary
    array([[2., 0.]])
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    if np.any(alpha < 0) or group_alpha < 0 or not np.all(np.isfinite(alpha)):
        raise ValueError("alpha and group_alpha must be finite and non-negative.")
    alpha = np.broadcast_to(alpha, (X.shape[0],))
    if group_alpha > 0 and groups is None:
        raise ValueError("group_alpha > 0 needs groups (one label per atom).")
    dtype = np.result_type(X.dtype, dictionary.dtype, np.float32)
    X = X.astype(dtype, copy=False)
    dictionary = dictionary.astype(dtype, copy=False)
    n_atoms = dictionary.shape[0]
    group_matrix = None if groups is None else _group_matrix(groups, n_atoms, dtype)
    eig, basis = np.linalg.eigh(dictionary.T @ dictionary)
    eig = np.maximum(eig, 0).astype(dtype)
    projector = (dictionary @ basis).astype(dtype)  # D W, (n_atoms, n_features)
    n_chunks = max(1, -(-X.shape[0] // _CHUNK))
    results = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_bpdn_chunk)(X[rows], dictionary, projector, eig, alpha[rows],
                             float(group_alpha), group_matrix, max_iter, tol)
        for rows in gen_even_slices(X.shape[0], n_chunks)
    )
    codes = np.concatenate([r[0] for r in results]) if results else np.zeros((0, n_atoms))
    if return_n_iter:
        return codes, np.concatenate([r[1] for r in results])
    return codes


def bpdn_objective(X, dictionary, codes, *, alpha, group_alpha=0.0, groups=None):
    """Per-signal BPDN objective ``1/2 ||c D - s||^2 + alpha ||c||_1 (+ group term)``."""
    residual = codes @ dictionary - X
    value = 0.5 * np.sum(residual**2, axis=1) + np.asarray(alpha) * np.sum(np.abs(codes),
                                                                           axis=1)
    if group_alpha > 0:
        onehot = _group_matrix(groups, dictionary.shape[0], codes.dtype)
        value = value + group_alpha * np.sqrt((codes**2) @ onehot).sum(axis=1)
    return value


def bpdn_dictionary_learning(X, n_components, *, alpha, max_iter=10, tol=1e-3,
                             random_state=None, n_jobs=None, verbose=0):
    """Learn a dictionary by alternating BPDN coding and MOD updates.

    Each round codes ``X`` with :func:`bpdn` (ADMM) and then sets the dictionary to the
    least-squares fit of the data on those codes (the method of optimal directions,
    Engan et al., 1999), ``D = (C^T C + eps I)^{-1} C^T X``, with unit-norm atoms. Unused
    atoms are re-seeded with the worst-represented training rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_components : int
    alpha : float
        l1 weight of the coding.
    max_iter : int, default=10
        Coding / update rounds.
    tol : float, default=1e-3
        ADMM tolerance of the coding rounds.
    random_state : int, RandomState instance or None
        Seeds the training rows used as initial atoms.
    n_jobs : int, default=None
        Passed to :func:`bpdn`.
    verbose : int, default=0

    Returns
    -------
    dictionary : ndarray of shape (n_components, n_features)
    objectives : list of float
        Mean BPDN objective after each coding round.
    """
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    n_samples, n_features = X.shape
    usable = np.flatnonzero(np.linalg.norm(X, axis=1) > 0)
    if len(usable) == 0:
        usable = np.arange(n_samples)
    chosen = rng.choice(usable, size=n_components, replace=len(usable) < n_components)
    dictionary = X[chosen] + 1e-6 * rng.standard_normal((n_components, n_features))
    dictionary = dictionary / np.linalg.norm(dictionary, axis=1, keepdims=True)
    objectives = []
    for iteration in range(max_iter):
        codes = bpdn(X, dictionary, alpha=alpha, tol=tol, max_iter=200, n_jobs=n_jobs)
        objectives.append(float(np.mean(bpdn_objective(X, dictionary, codes, alpha=alpha))))
        if verbose:
            print(f"[bpdn_dictionary_learning] round {iteration + 1}/{max_iter}: mean "
                  f"objective {objectives[-1]:.6g}")
        gram = codes.T @ codes
        gram[np.diag_indices_from(gram)] += 1e-8 * max(np.trace(gram) / n_components, 1e-12)
        updated = np.linalg.solve(gram, codes.T @ X)
        norms = np.linalg.norm(updated, axis=1)
        unused = (np.abs(codes).sum(axis=0) == 0) | (norms <= 1e-12)
        if unused.any():
            errors = np.sum((X - codes @ dictionary) ** 2, axis=1)
            worst = np.argsort(errors)[::-1][: unused.sum()]
            updated[unused] = X[worst] + 1e-6 * rng.standard_normal((len(worst), n_features))
            norms = np.linalg.norm(updated, axis=1)
        dictionary = updated / np.where(norms > 0, norms, 1.0)[:, np.newaxis]
    return dictionary, objectives
