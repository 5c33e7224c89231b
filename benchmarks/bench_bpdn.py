"""Batched BPDN by ADMM vs scikit-learn's ``sparse_encode`` and SPORCO's ``BPDN``.

Run: ``python benchmarks/bench_bpdn.py``. 10,000 mean-removed 8x8 patches of camera,
256 atoms (the shipped dictionary), lambda = 0.05, problem
``min_x 1/2 ||x D - s||^2 + lambda ||x||_1``. scikit-learn's ``alpha`` is the same lambda
(``sparse_encode`` divides it by ``n_features`` together with the data term). Each solver
runs at settings that reach the reference objective (sk_sparse at tol 1e-8) within about
1e-4 relative on average; the mean relative gap is printed next to the time.
"""

from __future__ import annotations

import warnings

import numpy as np
from _common import median_time, print_table
from sklearn.decomposition import sparse_encode

from sk_sparse import PatchExtractor, bpdn, bpdn_objective
from sk_sparse.datasets import load_dictionary, load_image

LAMBDA = 0.05


def sporco_bpdn(patches, dictionary, tol):
    from sporco.admm import bpdn as sporco

    options = sporco.BPDN.Options({"Verbose": False, "MaxMainIter": 2000,
                                   "RelStopTol": tol, "AutoRho": {"Enabled": True}})
    solver = sporco.BPDN(dictionary.T.copy(), patches.T.copy(), LAMBDA, options)
    return solver.solve().T


def main() -> None:
    # lasso_cd warns about tiny duality gaps on some patches; the gap column says it all.
    warnings.filterwarnings("ignore", message="Objective did not converge")
    rng = np.random.default_rng(0)
    patches = PatchExtractor(patch_size=8).fit_transform(load_image("camera"))
    patches = patches[rng.choice(len(patches), 10_000, replace=False)]
    patches -= patches.mean(axis=1, keepdims=True)
    dictionary = load_dictionary()
    reference = bpdn_objective(patches, dictionary,
                               bpdn(patches, dictionary, alpha=LAMBDA, tol=1e-8,
                                    max_iter=20_000), alpha=LAMBDA)
    solvers = {
        "sk_sparse bpdn (tol 1e-4)": lambda: bpdn(patches, dictionary, alpha=LAMBDA,
                                                   tol=1e-4),
        "sklearn lasso_lars": lambda: sparse_encode(patches, dictionary,
                                                    algorithm="lasso_lars", alpha=LAMBDA),
        "sklearn lasso_cd": lambda: sparse_encode(patches, dictionary, algorithm="lasso_cd",
                                                  alpha=LAMBDA, max_iter=5000),
        "SPORCO BPDN (RelStopTol 1e-4)": lambda: sporco_bpdn(patches, dictionary, 1e-4),
    }
    rows, times = [], {}
    for name, solve in solvers.items():
        seconds, codes = median_time(solve, repeat=3)
        gap = (bpdn_objective(patches, dictionary, codes, alpha=LAMBDA) - reference) / reference
        times[name] = seconds
        rows.append([name, seconds, float(np.mean(gap)), float(np.max(gap))])
    ours = times["sk_sparse bpdn (tol 1e-4)"]
    for row in rows:
        row.append(times[row[0]] / ours)
    print("10,000 8x8 patches, 256 atoms, lambda = 0.05\n")
    print_table(["solver", "time s", "mean rel. gap", "max rel. gap", "x sk_sparse"], rows,
                ["s", ".2f", ".1e", ".1e", ".1f"])


if __name__ == "__main__":
    main()
