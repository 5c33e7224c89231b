"""Batched OMP kernels vs scikit-learn, in one run.

Run: ``python benchmarks/bench_omp.py``. 10,000 8x8 patches of camera against the shipped
dictionary plus a constant atom (257 atoms):

* ``batch_omp`` vs ``sklearn.linear_model.orthogonal_mp_gram`` (Gram precomputed for both),
  at a fixed sparsity and at a residual tolerance;
* ``masked_omp`` (50% of pixels missing, per-patch residual target) vs the baseline of a
  per-patch loop calling ``orthogonal_mp`` on the observed rows (timed on 1,000 patches
  and scaled).

"same support" compares the selected atoms, leaving out patches already within the
tolerance before any atom is chosen (dark patches): scikit-learn still selects one atom
there, sk_sparse none.
"""

from __future__ import annotations

import time

import numpy as np
from _common import median_time, print_table
from sklearn.linear_model import orthogonal_mp, orthogonal_mp_gram

from sk_sparse import PatchExtractor, batch_omp, masked_omp
from sk_sparse.datasets import load_dictionary, load_image


def main() -> None:
    rng = np.random.default_rng(0)
    patches = PatchExtractor(patch_size=8).fit_transform(load_image("camera"))
    patches = patches[rng.choice(len(patches), 10_000, replace=False)]
    dictionary = np.concatenate([np.full((1, 64), 1 / 8), load_dictionary()])
    gram = dictionary @ dictionary.T
    rows = []
    for label, kwargs in {"n_nonzero_coefs=8": {"n_nonzero_coefs": 8},
                          "tol=(1.15*8*0.02)^2": {"tol": (1.15 * 8 * 0.02) ** 2}}.items():
        t_ours, ours = median_time(batch_omp, patches, dictionary, gram=gram, **kwargs)
        norms = np.sum(patches**2, axis=1) if "tol" in kwargs else None
        t_sk, theirs = median_time(orthogonal_mp_gram, gram, dictionary @ patches.T,
                                   norms_squared=norms, **kwargs)
        codable = np.sum(patches**2, axis=1) > kwargs.get("tol", -1)
        agree = np.mean(np.all((ours != 0) == (theirs.T != 0), axis=1)[codable])
        rows.append([f"batch_omp, {label}", t_ours * 1e3, t_sk * 1e3, t_sk / t_ours, agree])

    observed = rng.random(patches.shape) >= 0.5
    tol = (1.15 * 8 * 0.02) ** 2 * observed.sum(axis=1) / 64
    t_masked, codes = median_time(masked_omp, patches, observed, dictionary, tol=tol,
                                  n_nonzero_coefs=32, repeat=3)
    subset = 1000
    start = time.perf_counter()
    reference = np.zeros((subset, len(dictionary)))
    for i in range(subset):
        atoms = dictionary[:, observed[i]]
        scale = np.maximum(np.linalg.norm(atoms, axis=1), 0.1)
        reference[i] = orthogonal_mp((atoms / scale[:, None]).T, patches[i, observed[i]],
                                     tol=tol[i]) / scale
    t_loop = (time.perf_counter() - start) * len(patches) / subset
    codable = np.sum((patches[:subset] * observed[:subset]) ** 2, axis=1) > tol[:subset]
    agree = np.mean(np.all((codes[:subset] != 0) == (reference != 0), axis=1)[codable])
    rows.append(["masked_omp, 50% missing", t_masked * 1e3, t_loop * 1e3, t_loop / t_masked,
                 agree])
    print("10,000 8x8 patches of camera, 257 atoms\n")
    print_table(["kernel", "sk_sparse ms", "sklearn ms", "x sklearn", "same support"], rows,
                ["s", ".0f", ".0f", ".1f", ".1%"])
    print(f"\nper-patch sklearn loop: {t_loop / len(patches) * 1e3:.2f} ms per patch")


if __name__ == "__main__":
    main()
