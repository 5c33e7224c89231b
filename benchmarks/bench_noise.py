"""NoiseEstimator vs ``skimage.restoration.estimate_sigma`` (wavelet MAD), in one run.

Run: ``python benchmarks/bench_noise.py``. Prints the estimates (in grey levels, true
sigma in the first column) on scikit-image's images with unclipped AWGN, and the relative
error. Textured images (grass, gravel) show the bias every local estimator has: texture is
counted as noise.
"""

from __future__ import annotations

import numpy as np
from _common import median_time, print_table
from skimage.restoration import estimate_sigma

from sk_sparse import NoiseEstimator
from sk_sparse.datasets import add_noise, load_image


def main() -> None:
    estimators = {
        "mad (flat blocks)": NoiseEstimator(),
        "mad (global)": NoiseEstimator(flat_fraction=1.0),
        "std (flat blocks)": NoiseEstimator(method="std"),
    }
    rows, errors = [], {name: [] for name in [*estimators, "skimage"]}
    for name in ("camera", "astronaut", "brick", "moon", "grass", "gravel"):
        clean = load_image(name)
        for level in (5, 10, 20, 30, 50):
            noisy = add_noise(clean, level / 255, random_state=level, clip=False)
            values = {key: est.estimate(noisy) * 255 for key, est in estimators.items()}
            values["skimage"] = estimate_sigma(noisy) * 255
            for key, value in values.items():
                errors[key].append(abs(value - level) / level)
            rows.append([name, level, *values.values()])
    print_table(["image", "sigma", *estimators, "skimage"], rows,
                ["s", "d", ".2f", ".2f", ".2f", ".2f"])
    print("\nmedian relative error (camera, astronaut, brick, moon | grass, gravel):")
    for key, values in errors.items():
        smooth, textured = np.array(values[:20]), np.array(values[20:])
        print(f"  {key:<20} {np.median(smooth):6.1%} | {np.median(textured):6.1%}")
    noisy = add_noise(load_image("camera"), 20 / 255, random_state=0, clip=False)
    t_ours, _ = median_time(NoiseEstimator().estimate, noisy)
    t_skimage, _ = median_time(estimate_sigma, noisy)
    print(f"\ntime on 512x512: NoiseEstimator {t_ours * 1e3:.1f} ms, skimage "
          f"{t_skimage * 1e3:.1f} ms ({t_skimage / t_ours:.1f}x)")


if __name__ == "__main__":
    main()
