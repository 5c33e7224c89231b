"""NoiseEstimator vs ``skimage.restoration.estimate_sigma`` (wavelet MAD), in one run.

Run: ``python benchmarks/bench_noise.py``. Seventeen images: scikit-image's camera,
astronaut, brick, moon, grass, gravel, coffee, chelsea, coins, rocket, text, page, clock,
hubble_deep_field and immunohistochemistry (grey, full size) and two synthetic textures
(``make_nanofibres`` and ``make_woven`` at 512 x 512, without their own noise), with
unclipped AWGN of sigma in {2, 5, 10, 20, 30, 50}/255. Estimators: ``dct`` (the default),
``mad`` and ``std`` (first differences in the flattest blocks) and scikit-image.

The table gives each estimate's relative error at sigma = 5 and 20 (grey levels in the
text). The summary gives, per estimator, the median absolute relative error over all
cases, and the worst case at sigma >= 5. The "own" column is the dct estimate of the
clean image (sigma = 0): the noise-equivalent level of the image's own finest detail
(sensor noise, film grain, texture), which every estimator adds to the true sigma.
"""

from __future__ import annotations

import numpy as np
from _common import TEN_IMAGES, median_time, print_table
from skimage import data
from skimage.color import rgb2gray
from skimage.restoration import estimate_sigma

from sk_sparse import NoiseEstimator
from sk_sparse.datasets import add_noise, make_nanofibres, make_woven

NAMES = (*TEN_IMAGES, "text", "page", "clock", "hubble_deep_field", "immunohistochemistry",
         "nanofibres", "woven")
LEVELS = (2, 5, 10, 20, 30, 50)


def grey(name):
    if name == "nanofibres":
        return make_nanofibres(512, noise=0.0, random_state=0)
    if name == "woven":
        return make_woven(512, noise=0.0, random_state=0)
    image = getattr(data, name)()
    return rgb2gray(image) if image.ndim == 3 else image / 255.0


def main() -> None:
    estimators = {
        "dct": NoiseEstimator().estimate,
        "mad": NoiseEstimator("mad").estimate,
        "std": NoiseEstimator("std").estimate,
        "skimage": estimate_sigma,
    }
    errors = {key: {level: [] for level in LEVELS} for key in estimators}
    rows = []
    for name in NAMES:
        clean = grey(name)
        row = [name, f"{clean.shape[0]}x{clean.shape[1]}",
               NoiseEstimator().estimate(clean) * 255]
        for level in LEVELS:
            noisy = add_noise(clean, level / 255, random_state=level, clip=False)
            for key, estimate in estimators.items():
                errors[key][level].append(estimate(noisy) * 255 / level - 1)
        row += [errors[key][level][-1] for level in (5, 20) for key in estimators]
        rows.append(row)
    header = ["image", "size", "own"] + [f"{key} {level}" for level in (5, 20)
                                         for key in estimators]
    print("relative error of the estimate at sigma = 5 and 20 grey levels:")
    print_table(header, rows, ["s", "s", ".2f"] + ["+.1%"] * 8)
    print("\n| estimator | median abs error (all) | worst at sigma >= 5 | worst without grass |")
    print("|-----------|------------------------|---------------------|---------------------|")
    grass = NAMES.index("grass")
    for key in estimators:
        every = np.abs(np.concatenate([errors[key][level] for level in LEVELS]))
        high = np.abs(np.array([errors[key][level] for level in LEVELS[1:]]))
        others = np.delete(high, grass, axis=1)
        worst = NAMES[int(np.argmax(high.max(axis=0)))]
        print(f"| {key:<9} | {np.median(every):22.1%} | {high.max():10.1%} ({worst:>7}) |"
              f" {others.max():19.1%} |")
    noisy = add_noise(grey("camera"), 20 / 255, random_state=0, clip=False)
    t_ours, _ = median_time(NoiseEstimator().estimate, noisy)
    t_mad, _ = median_time(NoiseEstimator("mad").estimate, noisy)
    t_skimage, _ = median_time(estimate_sigma, noisy)
    print(f"\ntime on 512x512: dct {t_ours * 1e3:.1f} ms, mad {t_mad * 1e3:.1f} ms, skimage "
          f"{t_skimage * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
