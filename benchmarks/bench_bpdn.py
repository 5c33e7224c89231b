"""Batched BPDN vs SPAMS, scikit-learn's ``sparse_encode`` and SPORCO's ``BPDN``, on
several shapes.

Run: ``python benchmarks/bench_bpdn.py``. Problem ``min_x 1/2 ||x D - s||^2 + lambda
||x||_1`` per signal; scikit-learn's ``alpha`` is the same lambda (``sparse_encode``
divides it by ``n_features`` together with the data term), SPAMS's ``lambda1`` too
(``spams.lasso``, mode 2, LARS in C++, 2 threads). Shapes:

* ``patches``: 10,000 mean-removed 8x8 patches of camera, the shipped 256-atom dictionary,
  lambda = 0.05 (SPORCO only here: it is 60 times slower);
* ``digits``: SRC's shape, 784 features x 500 atoms: scikit-learn's 8x8 digits upsampled
  to 28x28 (bilinear), unit-norm, non-negative and so coherent; 1,000 other digits;
* ``gauss784``: 500 unit Gaussian atoms in 784 dimensions; 1,000 signals made of 40 atoms
  plus noise;
* ``gauss64``: 256 unit Gaussian atoms in 64 dimensions; 10,000 signals of 16 atoms plus
  noise;
* ``grass``: the anomaly detector's shape, 15x15 patches (225 features, with their mean)
  of scikit-image's grass in [0, 1] and 64 atoms learned on 10,000 of them
  (``SparseFeatureExtractor``'s MOD at lambda = 0.01); 2,000 patches of the image's
  other half (scikit-learn takes minutes for 10,000). At lambda = 0.01 (what the
  detector's ``alpha="auto"`` gives there) the codes use 58 of the 64 atoms (median), and
  sk_sparse follows their path from the least-squares end; at 0.1, from zero.

``python benchmarks/bench_bpdn.py --group``: the sparse-group problem of the multiscale
anomaly detector, ``min_x 1/2 ||x D - s||^2 + lambda ||x||_1 + mu sum_k ||x_k||_2``
(lambda = mu = 0.1, groups = the zoom levels): the stacked 3 x 32 atoms that
``MultiscaleSparseAnomalyDetector(scales=(0.5, 1, 2))`` (the default scales when this was
measured; now five) learns on two 128x320 nanofibre images, and the
15x15 patches (stride 4) of a new 448x448 image. sk_sparse's active-set Newton method
certifies each code by the KKT conditions; against the batched ADMM it replaced, at three
tolerances, SPAMS's ``fistaFlat`` (``regul="sparse-group-lasso-l2"``, ``lambda1 = mu``,
``lambda2 = lambda``, 2 threads), and the time of the same signals' plain l1 problem
(``mu = 0``, the homotopy path), at the same lambda and at the smaller lambda where the
l1 codes hold as many atoms on average as the sparse-group ones (the group term makes
supports larger: an l2 norm does not sparsify within a group).

sk_sparse solves every problem exactly (certified by the KKT conditions): by the
homotopy path, or on ``gauss784`` (mutual coherence 0.16, the only shape at most 0.3) by
coordinate descent first. Each solver runs at settings that reach the reference objective
(sk_sparse's) within about 1e-4 relative on average; the mean relative gap is printed next to the
time, and the last column is the time relative to sk_sparse (above 1: sk_sparse is
faster). sk_sparse runs at its default (one thread) and with ``n_jobs=2`` (chunks of
signals on two threads, as SPAMS's two; the 784-feature problems are one chunk, so
there it cannot gain). Below the table: one signal at a time on the 784 x 500 shapes
(SRC's predict of a single sample).
"""

from __future__ import annotations

import warnings

import numpy as np
import spams
from _common import median_time, print_table
from scipy.ndimage import zoom
from skimage import data
from sklearn.datasets import load_digits
from sklearn.decomposition import sparse_encode

from sk_sparse import PatchExtractor, SparseFeatureExtractor, bpdn, bpdn_objective
from sk_sparse.coding._bpdn import _bpdn_chunk, factorize, group_indicator
from sk_sparse.datasets import load_dictionary, load_image


def unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def problems():
    rng = np.random.default_rng(0)
    patches = PatchExtractor(patch_size=8).fit_transform(load_image("camera"))
    patches = patches[rng.choice(len(patches), 10_000, replace=False)]
    patches -= patches.mean(axis=1, keepdims=True)
    digits = load_digits().images
    digits = unit(np.array([zoom(image, 3.5, order=1) for image in digits]).reshape(
        len(digits), -1))
    order = rng.permutation(len(digits))
    gauss784 = unit(rng.standard_normal((500, 784)))
    gauss64 = unit(rng.standard_normal((256, 64)))

    def signals(atoms, n, k, noise):
        mixed = rng.standard_normal((n, k)) @ atoms[:k]
        return unit(mixed + noise * rng.standard_normal(mixed.shape) / np.sqrt(
            atoms.shape[1]) * np.linalg.norm(mixed, axis=1, keepdims=True))

    yield "patches", patches, load_dictionary(), (0.05,)
    yield "digits", digits[order[500:1500]], digits[order[:500]], (0.01, 0.1)
    yield "gauss784", signals(gauss784, 1000, 40, 0.1), gauss784, (0.01, 0.1)
    yield "gauss64", signals(gauss64, 10_000, 16, 0.1), gauss64, (0.01, 0.1)
    grass = np.asarray(data.grass(), dtype=np.float64) / 255
    top = PatchExtractor(patch_size=15, stride=2).fit_transform(grass[:256])
    bottom = PatchExtractor(patch_size=15, stride=2).fit_transform(grass[256:])
    atoms = SparseFeatureExtractor("mod", n_components=64, alpha=0.01, max_iter=5,
                                   random_state=0).fit(
        top[rng.choice(len(top), 10_000, replace=False)]).components_
    yield "grass", bottom[rng.choice(len(bottom), 2_000, replace=False)], atoms, (0.01, 0.1)


def spams_lasso(signals, atoms, lam):
    codes = spams.lasso(np.asfortranarray(signals.T), D=np.asfortranarray(atoms.T),
                        lambda1=lam, mode=2, numThreads=2)
    return np.asarray(codes.todense()).T


def sporco_bpdn(signals, atoms, lam, tol):
    from sporco.admm import bpdn as sporco

    options = sporco.BPDN.Options({"Verbose": False, "MaxMainIter": 2000,
                                   "RelStopTol": tol, "AutoRho": {"Enabled": True}})
    return sporco.BPDN(atoms.T.copy(), signals.T.copy(), lam, options).solve().T


def group_problem():
    from sk_sparse import MultiscaleSparseAnomalyDetector
    from sk_sparse.datasets import make_nanofibres
    from sk_sparse.image._grid import extract_patch_grid, patch_positions

    train = np.stack([make_nanofibres((128, 320), random_state=seed) for seed in (1, 2)])
    # The three scales the documented figures were measured with (the default then).
    features = MultiscaleSparseAnomalyDetector(scales=(0.5, 1.0, 2.0),
                                               random_state=0).fit(train).features_
    image = make_nanofibres(448, random_state=5)
    grid = patch_positions(448, 15, 4)
    patches = extract_patch_grid(image[np.newaxis], grid, grid, (15, 15)).reshape(-1, 225)
    return patches, features.components_, features.groups


def spams_sparse_group(signals, atoms, groups, lam, mu, tol):
    codes = spams.fistaFlat(
        np.asfortranarray(signals.T), np.asfortranarray(atoms.T),
        np.zeros((atoms.shape[0], signals.shape[0]), order="F"), loss="square",
        regul="sparse-group-lasso-l2", groups=np.asarray(groups + 1, dtype=np.int32),
        lambda1=mu, lambda2=lam, tol=tol, max_it=10_000, numThreads=2)
    return np.asarray(codes).T


def admm_group(signals, atoms, groups, lam, mu, tol, max_iter=500):
    """The ADMM that solved the sparse-group problem before the active-set method (it
    still solves the signals whose active set is not certified)."""
    eig, projector, _ = factorize(atoms)
    codes, _ = _bpdn_chunk(signals, np.full(len(signals), lam), atoms, projector, eig, mu,
                           group_indicator(groups, len(atoms), signals.dtype), max_iter, tol)
    return codes


def main_group() -> None:
    signals, atoms, groups = group_problem()
    lam = mu = 0.1

    def objective(codes):
        return bpdn_objective(signals, atoms, codes, alpha=lam, group_alpha=mu, groups=groups)

    solvers = {
        "sk_sparse (exact active set)": lambda: bpdn(signals, atoms, alpha=lam,
                                                     group_alpha=mu, groups=groups),
        "sk_sparse n_jobs=2": lambda: bpdn(signals, atoms, alpha=lam, group_alpha=mu,
                                           groups=groups, n_jobs=2),
        "ADMM tol 1e-2 (before: detectors)": lambda: admm_group(signals, atoms, groups, lam,
                                                                mu, 1e-2),
        "ADMM tol 1e-4 (before: default)": lambda: admm_group(signals, atoms, groups, lam,
                                                              mu, 1e-4),
        "ADMM tol 1e-6": lambda: admm_group(signals, atoms, groups, lam, mu, 1e-6, 5000),
        "SPAMS fistaFlat tol 1e-3": lambda: spams_sparse_group(signals, atoms, groups, lam,
                                                              mu, 1e-3),
        "SPAMS fistaFlat tol 1e-5": lambda: spams_sparse_group(signals, atoms, groups, lam,
                                                              mu, 1e-5),
    }
    rows, ours, reference = [], None, None
    for name, solve in solvers.items():
        # Three timings for sk_sparse, whose ratios to the l1 path below are the point.
        seconds, codes = median_time(solve, repeat=3 if name.startswith("sk_sparse") else 1)
        value = objective(codes)
        if reference is None:
            reference, support = value, float(np.mean(np.count_nonzero(codes, axis=1)))
        gap = (value - reference) / reference
        ours = seconds if ours is None else ours
        rows.append([name, seconds, float(np.mean(gap)), float(np.min(gap)), float(np.max(gap)),
                     seconds / ours])
    l1_seconds, l1_codes = median_time(lambda: bpdn(signals, atoms, alpha=lam), repeat=3)
    print(f"{len(signals)} patches of 15x15, {atoms.shape[0]} atoms in {len(set(groups))} "
          "groups, lambda = mu = 0.1; gaps relative to sk_sparse's certified optimum\n")
    print_table(["solver", "time s", "mean rel. gap", "min rel. gap", "max rel. gap",
                 "x sk_sparse"], rows, ["s", ".3f", ".1e", ".1e", ".1e", ".1f"])
    print(f"\nthe same signals' l1 problem (mu = 0, exact homotopy path): {l1_seconds:.3f} s, "
          f"{np.mean(np.count_nonzero(l1_codes, axis=1)):.1f} atoms per code (the "
          f"sparse-group problem takes {ours / l1_seconds:.1f} times as long)")
    # The group term spreads a code over its group (an l2 norm does not sparsify within
    # it), so the sparse-group codes hold more atoms than the l1 codes at the same lambda,
    # and an exact solver's work grows with the support. The l1 path at the lambda where
    # its codes hold as many atoms on average compares the two at equal work.
    low, high = np.log(1e-4), np.log(lam)
    for _ in range(12):  # bisection on log lambda
        middle = 0.5 * (low + high)
        codes = bpdn(signals, atoms, alpha=float(np.exp(middle)))
        if np.mean(np.count_nonzero(codes, axis=1)) > support:
            low = middle
        else:
            high = middle
    matched = float(np.exp(0.5 * (low + high)))
    matched_seconds, codes = median_time(lambda: bpdn(signals, atoms, alpha=matched), repeat=3)
    print(f"the l1 problem at lambda = {matched:.4f}, where its codes hold as many atoms on "
          f"average ({np.mean(np.count_nonzero(codes, axis=1)):.1f}) as the sparse-group "
          f"codes ({support:.1f}): {matched_seconds:.3f} s (the sparse-group problem takes "
          f"{ours / matched_seconds:.2f} times as long)")


def main() -> None:
    # lasso_cd warns about tiny duality gaps on some signals; the gap column says it all.
    warnings.filterwarnings("ignore", message="Objective did not converge")
    rows, single = [], []
    for shape, signals, atoms, lambdas in problems():
        for lam in lambdas:
            reference = bpdn_objective(signals, atoms, bpdn(
                signals, atoms, alpha=lam, tol=1e-9, max_iter=50_000), alpha=lam)
            solvers = {
                "sk_sparse": lambda: bpdn(signals, atoms, alpha=lam),
                "sk_sparse n_jobs=2": lambda: bpdn(signals, atoms, alpha=lam, n_jobs=2),
                "SPAMS": lambda: spams_lasso(signals, atoms, lam),
                "lasso_lars": lambda: sparse_encode(signals, atoms, algorithm="lasso_lars",
                                                    alpha=lam),
                "lasso_cd": lambda: sparse_encode(signals, atoms, algorithm="lasso_cd",
                                                  alpha=lam, max_iter=5000),
            }
            if shape == "patches":
                solvers["SPORCO"] = lambda: sporco_bpdn(signals, atoms, lam, 1e-4)
            ours = None
            for name, solve in solvers.items():
                seconds, codes = median_time(solve, repeat=1)
                gap = (bpdn_objective(signals, atoms, codes, alpha=lam) - reference) / reference
                ours = seconds if ours is None else ours
                rows.append([f"{shape} {atoms.shape[1]}x{atoms.shape[0]}", lam,
                             len(signals), name, seconds, float(np.mean(gap)),
                             seconds / ours])
            if atoms.shape[1] == 784:
                one = signals[:1]
                t_ours, _ = median_time(lambda: bpdn(one, atoms, alpha=lam), repeat=7)
                t_spams, _ = median_time(lambda: spams_lasso(one, atoms, lam), repeat=7)
                t_cd, _ = median_time(lambda: sparse_encode(
                    one, atoms, algorithm="lasso_cd", alpha=lam, max_iter=5000), repeat=7)
                single.append([shape, lam, t_ours * 1e3, t_spams * 1e3, t_cd * 1e3])
    print_table(["shape (features x atoms)", "lambda", "signals", "solver", "time s",
                 "mean rel. gap", "x sk_sparse"], rows,
                ["s", "g", "d", "s", ".3f", ".1e", ".1f"])
    print("\none signal at a time (ms):")
    print_table(["shape", "lambda", "sk_sparse", "SPAMS", "lasso_cd"], single,
                ["s", "g", ".1f", ".1f", ".1f"])


if __name__ == "__main__":
    import sys

    main_group() if "--group" in sys.argv[1:] else main()
