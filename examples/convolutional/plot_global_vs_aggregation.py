"""
=============================================
Global optimisation vs patch aggregation
=============================================

Two ways to denoise with a sparse model (Carrera, Boracchi, Foi and Wohlberg, 2017):

* :class:`~sk_sparse.restoration.ConvolutionalDenoiser` solves one convolutional BPDN
  problem for the whole image: every pixel is estimated once, by a global optimisation;
* :class:`~sk_sparse.restoration.PatchSparseDenoiser` codes each 8 x 8 patch on its own
  (BPDN or OMP) and averages the overlapping patch estimates per pixel.

Both use the same kind of dictionary: here the 64 2-D DCT functions, as filters or as
patch atoms, and both have their ``threshold`` (``lambda = threshold * sigma``) tuned
by :class:`~sklearn.model_selection.GridSearchCV` on other images.

On a natural image the aggregation of many partial estimates wins; on a very sparse image
(a few filters placed at a few positions) the convolutional model is the right one and
global optimisation wins: a patch that cuts through a filter cannot be coded sparsely by
the filters as patch atoms. The benchmarks page has the full table
(``bench_conv_denoise.py``).
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage
from sklearn.model_selection import GridSearchCV

from sk_sparse.datasets import add_noise, load_image
from sk_sparse.metrics import psnr
from sk_sparse.restoration import ConvolutionalDenoiser, PatchSparseDenoiser
from sk_sparse.restoration._sparse_denoise import dct_filters

sigma = 30 / 255
rng = np.random.default_rng(0)

# Natural: crops of the cameraman (tuning on two other crops).
natural = load_image("camera")[80:176, 176:272]
natural_tune = np.stack([load_image("camera")[300:396, 300:396],
                         load_image("camera")[20:116, 20:116]])
# Very sparse: 6 smooth filters, each at 10 random positions, on a zero background.
filters = ndimage.gaussian_filter(rng.normal(size=(6, 8, 8)), (0, 1, 1))
filters /= np.linalg.norm(filters.reshape(6, -1), axis=1)[:, None, None]


def sparse_image():
    image = np.zeros((96, 96))
    for f in filters:
        for _ in range(10):
            r, c = rng.integers(0, 88, size=2)
            image[r:r + 8, c:c + 8] += rng.choice([-1, 1]) * rng.uniform(0.15, 0.3) * f
    return image


sparse, sparse_tune = sparse_image(), np.stack([sparse_image(), sparse_image()])

cases = {
    "natural": (natural, natural_tune, {
        "global (CBPDN)": (ConvolutionalDenoiser(sigma=sigma), [2.5, 3.5, 4.5]),
        "aggregation (patch OMP)": (PatchSparseDenoiser(
            sigma=sigma, dictionary=dct_filters(8).reshape(64, 64), coding="omp",
            stride=2), [1.0, 1.1, 1.2]),
    }),
    "very sparse": (sparse, sparse_tune, {
        "global (CBPDN)": (ConvolutionalDenoiser(sigma=sigma, filters=filters, lowpass=0.0),
                           [0.5, 1.0, 2.0]),
        "aggregation (patch OMP)": (PatchSparseDenoiser(
            sigma=sigma, dictionary=filters.reshape(6, 64), coding="omp", stride=2),
            [0.9, 1.0, 1.1, 1.2]),
    }),
}

fig, axes = plt.subplots(2, 4, figsize=(12, 6.4))
for row, (name, (clean, tune, denoisers)) in enumerate(cases.items()):
    noisy = add_noise(clean, sigma, random_state=1, clip=False)
    tune_noisy = add_noise(tune, sigma, random_state=2, clip=False)
    panels = [("clean", clean), (f"noisy, {psnr(clean, noisy):.2f} dB", noisy)]
    for label, (denoiser, grid) in denoisers.items():
        search = GridSearchCV(denoiser, {"threshold": grid}, cv=2).fit(tune_noisy, tune)
        result = search.best_estimator_.fit(noisy).transform(noisy)
        print(f"{name:12s} {label:24s} threshold {search.best_params_['threshold']:.1f}: "
              f"{psnr(clean, result):.2f} dB")
        panels.append((f"{label}, {psnr(clean, result):.2f} dB", result))
    for axis, (title, picture) in zip(axes[row], panels):
        axis.imshow(picture, cmap="gray", vmin=clean.min(), vmax=clean.max())
        axis.set_title(title, fontsize=9)
        axis.set_axis_off()
    axes[row, 0].set_title(f"{name}: clean", fontsize=9)
plt.tight_layout()
plt.show()
