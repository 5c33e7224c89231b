"""
======================================
How the work is split: strips, chunks
======================================

Image estimators never hold the coefficients of every patch of an image at once. They
cut each image into horizontal *strips* of whole patch rows, each strip sized so that
its working arrays stay within a fixed budget (about a million values), and add the
strips' partial sums into the result in order. The coding kernels split their signals
into *chunks* in the same way. Strips and chunks are the units that ``n_jobs`` (or a
:func:`joblib.parallel_config` backend such as Dask) runs in parallel, each with a
single BLAS thread.

Because the split depends only on the data's shape, never on ``n_jobs`` or on the
backend, every run gives the same bits: this script checks it.
"""

import matplotlib.pyplot as plt
import numpy as np
from joblib import parallel_config

from sk_sparse.datasets import add_noise, load_image
from sk_sparse.image import patch_positions
from sk_sparse.restoration import SlidingDCTDenoiser
from sk_sparse.utils._parallel import even_slices

image = add_noise(load_image("camera"), 20 / 255, random_state=0)
patch = 8
rows = patch_positions(image.shape[0], patch, 1)
cols = patch_positions(image.shape[1], patch, 1)
# The denoiser's working values per row of patches: every coefficient of the row.
strips = even_slices(len(rows), len(cols) * patch * patch)
print(f"{len(rows)} rows of patches in {len(strips)} strips")

fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
ax.imshow(image, cmap="gray", vmin=0, vmax=1)
colours = plt.cm.tab10(np.arange(len(strips)) % 10)
for colour, strip in zip(colours, strips):
    top, bottom = rows[strip][0], rows[strip][-1] + patch
    ax.axhspan(top - 0.5, bottom - 0.5, color=colour, alpha=0.25)
    ax.axhline(top - 0.5, color=colour, linewidth=1)
ax.set_title(f"{len(strips)} strips of a 512 x 512 image (8 x 8 patches)")
ax.axis("off")
plt.show()

# %%
# The same bits on every backend
# ------------------------------
# Strips overlap by ``patch - 1`` rows; their partial sums are added in strip order, so
# the result does not depend on which worker finishes first.
denoiser = SlidingDCTDenoiser(sigma=20 / 255)
sequential = denoiser.transform(image)
with parallel_config(backend="threading", n_jobs=2):
    threaded = denoiser.transform(image)
print("threads, n_jobs=2, identical to sequential:", np.array_equal(threaded, sequential))
assert np.array_equal(threaded, sequential)
