"""
==========================================
Greedy and convex sparse codes of patches
==========================================

A patch ``s`` is approximated by a few atoms of an overcomplete dictionary ``D``:

* orthogonal matching pursuit (:func:`~sk_sparse.coding.batch_omp`) picks atoms one at a
  time, re-fitting all selected coefficients by least squares (an l0 budget);
* basis pursuit denoising (:func:`~sk_sparse.coding.bpdn`) solves the convex problem
  ``min_x 1/2 ||x D - s||^2 + lambda ||x||_1``, whose solution is sparse for a large enough
  ``lambda``.

Both code 2,000 mean-removed 8 x 8 patches of the cameraman on the 256 atoms shipped with
sk_sparse (learned on other images). What matters most is whether each patch gets the
number of atoms it needs: flat patches need none, edges several. OMP with a fixed
``n_nonzero_coefs`` gives every patch the same budget and has the largest error for a
given mean number of non-zeros; one ``lambda`` lets BPDN adapt, and OMP stopped by an
error tolerance (``tol``, the rule :class:`~sk_sparse.restoration.OMPInpainter` uses)
adapts and re-fits by least squares without shrinkage, with the smallest error of the
three here.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import orthogonal_mp

from sk_sparse.coding import batch_omp, bpdn
from sk_sparse.datasets import load_image
from sk_sparse.dictionaries import load_dictionary
from sk_sparse.image import PatchExtractor

atoms = load_dictionary()
patches = PatchExtractor(patch_size=8, stride=4).fit_transform(load_image("camera"))
patches = patches[np.random.default_rng(0).choice(len(patches), 2000, replace=False)]
patches -= patches.mean(axis=1, keepdims=True)
energy = np.sum(patches**2)


def sparsity_and_error(codes):
    """Mean non-zeros per patch and relative squared error over all patches."""
    error = np.sum((codes @ atoms - patches) ** 2) / energy
    return np.count_nonzero(codes, axis=1).mean(), error


omp_points = [sparsity_and_error(batch_omp(patches, atoms, n_nonzero_coefs=k))
              for k in (1, 2, 3, 4, 6, 8, 12)]
tol_points = [sparsity_and_error(batch_omp(patches, atoms, tol=tol))
              for tol in (0.5, 0.2, 0.1, 0.05, 0.02)]
bpdn_points = [sparsity_and_error(bpdn(patches, atoms, alpha=lam))
               for lam in (0.3, 0.15, 0.08, 0.04, 0.02, 0.01, 0.005)]
# The same codes as scikit-learn's OMP (one call per signal there, one batch here).
reference = orthogonal_mp(atoms.T, patches[:50].T, n_nonzero_coefs=4).T
assert np.allclose(batch_omp(patches[:50], atoms, n_nonzero_coefs=4), reference, atol=1e-8)

fig, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
ax.plot(*zip(*omp_points), "o-", label="OMP, n_nonzero_coefs = 1 ... 12")
ax.plot(*zip(*bpdn_points), "s-", label="BPDN, lambda = 0.3 ... 0.005")
ax.plot(*zip(*tol_points), "^-", label="OMP, tol = 0.5 ... 0.02")
for name, points in (("fixed OMP", omp_points), ("BPDN", bpdn_points), ("OMP tol", tol_points)):
    print(name, " ".join(f"({k:.2f}, {e:.3f})" for k, e in points))
ax.set_xlabel("mean non-zero coefficients per patch")
ax.set_ylabel("relative squared error")
ax.set_yscale("log")
ax.legend()
ax.set_title("Error against sparsity, 2,000 camera patches")
plt.show()

# %%
# One patch, coded with more and more atoms
# -----------------------------------------
# OMP's approximation of a single patch as atoms are added; the last panel is BPDN's at
# a ``lambda`` that gives about as many non-zeros.
patch = patches[np.argmax(np.sum(patches**2, axis=1))]
panels = [("patch", patch)]
for k in (1, 3, 6):
    code = batch_omp(patch[np.newaxis], atoms, n_nonzero_coefs=k)[0]
    panels.append((f"OMP, {k} atoms", code @ atoms))
code = bpdn(patch[np.newaxis], atoms, alpha=0.05)[0]
panels.append((f"BPDN, {np.count_nonzero(code)} non-zeros", code @ atoms))
fig, axes = plt.subplots(1, len(panels), figsize=(2.2 * len(panels), 2.6),
                         layout="constrained")
low, high = patch.min(), patch.max()
for axis, (title, values) in zip(axes, panels):
    axis.imshow(values.reshape(8, 8), cmap="gray", vmin=low, vmax=high,
                interpolation="nearest")
    axis.set_title(title, fontsize=9)
    axis.axis("off")
plt.show()
