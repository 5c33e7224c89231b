"""
=========================================
Filters learned by convolutional coding
=========================================

Convolutional sparse coding writes a whole image as ``s ~ sum_k d_k * a_k``: a few small
filters ``d_k``, each convolved with a sparse coefficient map ``a_k``. Here 16 filters of
8 x 8 are learned from the detail of the cameraman (the image minus a smooth low-pass
component, which a few small filters represent poorly) with
:class:`~sk_sparse.decomposition.ConvolutionalSparseCoder`. Unlike patch dictionaries,
the filters need not be translated copies of each other: translation is built into the
model, so they come out as oriented edges and bars of different scales.

The maps are sparse (most entries are exactly zero) and the synthesis
``inverse_transform(transform(s))`` reproduces the detail up to the l1 shrinkage.
"""

import matplotlib.pyplot as plt
import numpy as np

from sk_sparse.datasets import load_image
from sk_sparse.decomposition import ConvolutionalSparseCoder
from sk_sparse.image import lowpass

image = load_image("camera")[::2, ::2]  # 256 x 256, to keep the example quick
detail = image - lowpass(image)
coder = ConvolutionalSparseCoder(n_filters=16, filter_size=8, alpha=0.01, max_iter=20,
                                 random_state=0).fit(detail)
maps = coder.transform(detail)
synthesis = coder.inverse_transform(maps)
print(f"non-zero coefficients: {np.mean(maps != 0):.1%} of {maps.size}")
print(f"relative error of the synthesis: "
      f"{np.linalg.norm(synthesis - detail) / np.linalg.norm(detail):.2f}")
print(f"objective over the rounds: {coder.objective_[0]:.3g} -> {coder.objective_[-1]:.3g}")

fig = plt.figure(figsize=(10, 5.5))
grid = fig.add_gridspec(4, 8)
for k, f in enumerate(coder.components_):
    axis = fig.add_subplot(grid[k // 4, k % 4])
    axis.imshow(f, cmap="gray")
    axis.set_axis_off()
used = np.argsort(np.abs(maps).sum(axis=(1, 2)))[::-1]
for position, (title, picture) in enumerate([
        ("detail", detail), ("synthesis", synthesis),
        (f"map of filter {used[0]}", np.abs(maps[used[0]])),
        (f"map of filter {used[1]}", np.abs(maps[used[1]]))]):
    axis = fig.add_subplot(grid[2 * (position // 2):2 * (position // 2) + 2,
                                4 + 2 * (position % 2):6 + 2 * (position % 2)])
    axis.imshow(picture, cmap="gray")
    axis.set_title(title)
    axis.set_axis_off()
fig.suptitle("16 learned filters (left) and the convolutional code of the image")
plt.show()
