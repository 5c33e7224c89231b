"""Denoising by global optimisation (CBPDN) vs aggregation of patch estimates.

Run: ``python benchmarks/bench_conv_denoise.py`` (``--quick``: one sigma).

The comparison of Carrera, Boracchi, Foi and Wohlberg (SPARS 2017) in two regimes, each
method with its l1 (or l0) weight ``threshold`` tuned by ``GridSearchCV`` on images that
are not in the test set:

* natural images: 192x192 crops of camera, astronaut, moon, brick, grass and gravel
  (tuning: two other crops of camera and astronaut), sigma in {20, 50}/255. The same
  kind of dictionary on both sides: the 64 8x8 2-D DCT filters for
  ``ConvolutionalDenoiser`` and the same 64 functions as patch atoms for
  ``PatchSparseDenoiser`` (BPDN, i.e. soft thresholding, and OMP), plus an overcomplete
  DCT (256 atoms) for the patch side and ``SlidingDCTDenoiser`` (hard thresholding) as a
  reference;
* very sparse synthetic images: 160x160, each the sum of 8 random smooth 8x8 filters
  placed at 30 random positions each with random amplitudes, on a zero background, plus
  noise (sigma 20/255 and 50/255). Both sides get the true filters: as convolutional
  filters, and as patch atoms of 8x8 patches (BPDN and OMP).

Reported: mean PSNR on the test images, the tuned threshold (an asterisk marks a value at
the edge of its grid), time per image.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import print_table
from scipy import ndimage
from sklearn.model_selection import GridSearchCV

from sk_sparse.datasets import add_noise, load_image
from sk_sparse.metrics import psnr
from sk_sparse.restoration import ConvolutionalDenoiser, PatchSparseDenoiser, SlidingDCTDenoiser
from sk_sparse.restoration._sparse_denoise import dct_filters

SIZE = 192
NATURAL = ["camera", "astronaut", "moon", "brick", "grass", "gravel"]


def natural_sets():
    test = np.stack([load_image(name)[100:100 + SIZE, 150:150 + SIZE] for name in NATURAL])
    tune = np.stack([load_image("camera")[300:300 + SIZE, 300:300 + SIZE],
                     load_image("astronaut")[300:300 + SIZE, 20:20 + SIZE]])
    return tune, test


def sparse_filters(rng, n_filters=8, size=8):
    filters = ndimage.gaussian_filter(rng.normal(size=(n_filters, size, size)), (0, 1, 1))
    filters -= filters.mean(axis=(1, 2), keepdims=True)
    return filters / np.linalg.norm(filters.reshape(n_filters, -1), axis=1)[:, None, None]


def sparse_images(filters, n_images, rng, size=160, per_filter=30):
    images = np.zeros((n_images, size, size))
    for image in images:
        for f in filters:
            for _ in range(per_filter):
                r, c = rng.integers(0, size - 8, size=2)
                image[r:r + 8, c:c + 8] += rng.choice([-1, 1]) * rng.uniform(0.1, 0.3) * f
    return images


def methods(sigma, regime, filters):
    if regime == "natural":
        atoms = dct_filters(8).reshape(64, 64)
        return {
            "Convolutional (CBPDN), DCT filters": (
                ConvolutionalDenoiser(sigma=sigma, filters=dct_filters(8)),
                [2.0, 2.5, 3.0, 3.5, 4.5, 5.5]),
            "Patch BPDN, DCT basis": (
                PatchSparseDenoiser(sigma=sigma, dictionary=atoms),
                [0.8, 1.1, 1.4, 1.7, 2.0]),
            "Patch OMP, DCT basis": (
                PatchSparseDenoiser(sigma=sigma, dictionary=atoms, coding="omp"),
                [0.8, 0.9, 1.0, 1.1, 1.2, 1.3]),
            "Patch OMP, overcomplete DCT (256)": (
                PatchSparseDenoiser(sigma=sigma, coding="omp"),
                [0.8, 0.9, 1.0, 1.1, 1.2, 1.3]),
            "SlidingDCTDenoiser (hard threshold)": (
                SlidingDCTDenoiser(sigma=sigma), [1.8, 2.1, 2.4, 2.7, 3.0, 3.3]),
        }
    atoms = filters.reshape(len(filters), -1)
    return {
        "Convolutional (CBPDN), true filters": (
            ConvolutionalDenoiser(sigma=sigma, filters=filters, lowpass=0.0),
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        "Patch BPDN, true filters as atoms": (
            PatchSparseDenoiser(sigma=sigma, dictionary=atoms),
            [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0]),
        "Patch OMP, true filters as atoms": (
            PatchSparseDenoiser(sigma=sigma, dictionary=atoms, coding="omp"),
            [0.9, 1.0, 1.15, 1.3, 1.5, 1.8]),
        "SlidingDCTDenoiser (hard threshold)": (
            SlidingDCTDenoiser(sigma=sigma), [2.4, 2.7, 3.0, 3.3, 3.6, 4.0]),
    }


def run(regime, sigmas):
    rng = np.random.default_rng(0)
    filters = None
    if regime == "natural":
        tune, test = natural_sets()
    else:
        filters = sparse_filters(rng)
        tune, test = sparse_images(filters, 2, rng), sparse_images(filters, 4, rng)
    rows = []
    for sigma in sigmas:
        tune_noisy = add_noise(tune, sigma / 255, random_state=1, clip=False)
        test_noisy = add_noise(test, sigma / 255, random_state=2, clip=False)
        for label, (estimator, grid) in methods(sigma / 255, regime, filters).items():
            search = GridSearchCV(estimator, {"threshold": grid}, cv=2).fit(tune_noisy, tune)
            best = search.best_estimator_.fit(test_noisy)
            start = time.perf_counter()
            denoised = best.transform(test_noisy)
            elapsed = (time.perf_counter() - start) / len(test)
            chosen = search.best_params_["threshold"]
            edge = "*" if chosen in (grid[0], grid[-1]) else ""
            rows.append([regime, sigma, label, psnr(test, denoised), f"{chosen:g}{edge}",
                         elapsed])
            print(f"  {regime} sigma={sigma} {label}: {rows[-1][3]:.2f} dB", flush=True)
        rows.append([regime, sigma, "(noisy input)", psnr(test, test_noisy), "", 0.0])
    return rows


def main(quick=False):
    sigmas = [20] if quick else [20, 50]
    rows = run("natural", sigmas) + run("sparse", sigmas)
    print()
    print_table(["images", "sigma", "method", "PSNR dB", "threshold", "s / image"], rows,
                ["s", "d", "s", ".2f", "s", ".2f"])


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
