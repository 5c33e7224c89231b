"""The Wiener second stage of SlidingDCTDenoiser vs hard thresholding and BM3D.

Run: ``python benchmarks/bench_wiener.py``. Ten grey 256x256 crops (the centres of
scikit-image's camera, astronaut, brick, moon, grass, gravel, coffee, chelsea, coins and
rocket) x sigma in {10, 20, 30, 50}/255, unclipped AWGN, sigma known. Compared:

* ``HT``: hard thresholding alone at the defaults (tau = 3 sigma, uniform weights);
* ``W``: ``wiener=True`` at the defaults;
* ``W*``: ``wiener=True, weights="sparsity", threshold=2.7`` (the pilot a little less
  smoothed, patches weighted by the inverse variance of their Wiener estimate);
* BM3D (the ``bm3d`` package, sigma_psd = sigma), the reference the stage is measured
  against: "gap closed" is (W - HT) / (BM3D - HT).

Times: the median over images of each method's time divided by HT's (the Wiener options
include their first stage).
"""

from __future__ import annotations

import time

import numpy as np
from _common import TEN_IMAGES, grey_crop, print_table
from bm3d import bm3d

from sk_sparse import SlidingDCTDenoiser
from sk_sparse.datasets import add_noise
from sk_sparse.metrics import psnr


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    rows, gains, closed, ratios = [], {"W": [], "W*": []}, {"W": [], "W*": []}, {}
    for name in TEN_IMAGES:
        clean = grey_crop(name)
        for level in (10, 20, 30, 50):
            sigma = level / 255
            noisy = add_noise(clean, sigma, random_state=level, clip=False)
            methods = {
                "HT": SlidingDCTDenoiser(sigma=sigma).transform,
                "W": SlidingDCTDenoiser(sigma=sigma, wiener=True).transform,
                "W*": SlidingDCTDenoiser(sigma=sigma, wiener=True, weights="sparsity",
                                         threshold=2.7).transform,
                "BM3D": lambda z, s=sigma: bm3d(z, sigma_psd=s),
            }
            values, times = {}, {}
            for label, method in methods.items():
                method(noisy)  # warm-up
                estimate, times[label] = timed(method, noisy)
                values[label] = psnr(clean, estimate)
            for label in ("W", "W*"):
                gains[label].append(values[label] - values["HT"])
                closed[label].append((values[label] - values["HT"])
                                     / max(values["BM3D"] - values["HT"], 1e-9))
                ratios.setdefault(label, []).append(times[label] / times["HT"])
            ratios.setdefault("BM3D", []).append(times["BM3D"] / times["HT"])
            rows.append([name, level, values["HT"], values["W"], values["W*"], values["BM3D"],
                         values["W"] - values["HT"], values["W*"] - values["HT"]])
    print_table(["image", "sigma", "HT", "W", "W*", "BM3D", "W - HT", "W* - HT"], rows,
                ["s", "d", ".2f", ".2f", ".2f", ".2f", "+.2f", "+.2f"])
    print()
    for label in ("W", "W*"):
        print(f"{label}: gain over HT median {np.median(gains[label]):+.2f} dB (min "
              f"{np.min(gains[label]):+.2f}, max {np.max(gains[label]):+.2f}); gap to BM3D "
              f"closed: median {np.median(closed[label]):.0%}; time {np.median(ratios[label]):.1f}x"
              " HT")
    print(f"BM3D time: {np.median(ratios['BM3D']):.0f}x HT")


if __name__ == "__main__":
    main()
