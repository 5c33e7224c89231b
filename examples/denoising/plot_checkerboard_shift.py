"""
=======================================
The checkerboard 1-pixel shift
=======================================

A checkerboard of 16-pixel squares is perfectly sparse for 8x8 DCT tiles aligned with it:
every tile is constant, a single DC coefficient. Shift the pattern by one pixel and every
tile on an edge needs many coefficients, which thresholding destroys: tiles lose about
12 dB. Sliding windows are translation invariant: some of their patches are always
aligned, whatever the shift, and the PSNR does not move.

The board is 136 = 8.5 x 16 pixels wide so that both shifts put the same number of edges
inside the image.
"""

import matplotlib.pyplot as plt

from sk_sparse import SlidingDCTDenoiser
from sk_sparse.datasets import add_noise, make_checkerboard
from sk_sparse.metrics import psnr

sigma = 20 / 255
methods = {"tiles (stride 8)": {"stride": 8}, "sliding, uniform": {},
           "sliding, sparsity-aware": {"weights": "sparsity"}}
fig, axes = plt.subplots(2, 4, figsize=(12, 6.4), layout="constrained")
for row, shift in enumerate((0, 1)):
    clean = make_checkerboard(136, 16, low=0.2, high=0.8, shift=shift)
    noisy = add_noise(clean, sigma, random_state=0)
    axes[row, 0].imshow(noisy, cmap="gray", vmin=0, vmax=1)
    axes[row, 0].set_title(f"noisy, shift {shift}", fontsize=10)
    for column, (name, kwargs) in enumerate(methods.items(), start=1):
        denoised = SlidingDCTDenoiser(sigma=sigma, **kwargs).transform(noisy)
        print(f"shift {shift}, {name}: {psnr(clean, denoised):.2f} dB")
        axes[row, column].imshow(denoised, cmap="gray", vmin=0, vmax=1)
        axes[row, column].set_title(f"{name}\n{psnr(clean, denoised):.2f} dB", fontsize=10)
for axis in axes.ravel():
    axis.axis("off")
plt.show()
