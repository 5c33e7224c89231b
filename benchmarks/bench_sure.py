"""Choosing the threshold without clean images: Monte-Carlo SURE vs scikit-image's
J-invariant calibration vs the clean-image oracle.

Run: ``python benchmarks/bench_sure.py``. Ten grey 256x256 crops (scikit-image's camera,
astronaut, brick, moon, grass, gravel, coffee, chelsea, coins, rocket) x sigma in
{10, 20, 30, 50}/255, unclipped AWGN. The threshold factor of SlidingDCTDenoiser is searched
over 1.6, 1.8, ..., 4.0 by ``GridSearchCV`` with:

* ``oracle``: ``psnr_scorer`` on the clean image (the best any rule can do);
* ``SURE``: ``make_sure_scorer()``, sigma known, noisy image only;
* ``SURE est``: the same with sigma estimated by ``NoiseEstimator`` (denoiser and scorer);
* ``J-inv``: ``skimage.restoration.calibrate_denoiser`` (Noise2Self's J-invariant loss,
  stride 4) calling the same denoiser;
* ``fixed``: the default threshold 3.0.

Each cell is the PSNR lost against the oracle (dB, >= 0). The Wiener variant
(``wiener=True``) is searched too (SURE and oracle only). Times are per search, median
over the images, for the HT search.
"""

from __future__ import annotations

import time

import numpy as np
from _common import TEN_IMAGES, grey_crop, print_table
from skimage.restoration import calibrate_denoiser
from sklearn.model_selection import GridSearchCV

from sk_sparse import NoiseEstimator, SlidingDCTDenoiser
from sk_sparse.datasets import add_noise
from sk_sparse.metrics import make_sure_scorer, psnr, psnr_scorer

GRID = np.round(np.arange(1.6, 4.01, 0.2), 2)
ALL = [([0], [0])]


def search(denoiser, noisy, clean=None, scoring=None):
    """The fitted search over the thresholds and its wall time."""
    start = time.perf_counter()
    found = GridSearchCV(denoiser, {"threshold": list(GRID)}, scoring=scoring, cv=ALL)
    found.fit(noisy[np.newaxis], None if clean is None else clean[np.newaxis])
    elapsed = time.perf_counter() - start
    return found, elapsed


def main() -> None:
    rows, losses, times = [], {}, {}
    for name in TEN_IMAGES:
        clean = grey_crop(name)
        for level in (10, 20, 30, 50):
            sigma = level / 255
            noisy = add_noise(clean, sigma, random_state=level, clip=False)
            row = {}
            for variant, wiener in (("HT", False), ("W", True)):
                denoiser = SlidingDCTDenoiser(sigma=sigma, wiener=wiener)
                oracle, _ = search(denoiser, noisy, clean, psnr_scorer)
                best = oracle.best_score_
                sure, t_sure = search(denoiser, noisy, scoring=make_sure_scorer())
                row[f"{variant} SURE"] = best - psnr(clean, sure.best_estimator_.transform(noisy))
                fixed = SlidingDCTDenoiser(sigma=sigma, wiener=wiener).transform(noisy)
                row[f"{variant} fixed"] = best - psnr(clean, fixed)
                row[f"{variant} oracle"] = best
                if wiener:
                    continue
                times.setdefault("SURE", []).append(t_sure)
                blind = SlidingDCTDenoiser(wiener=wiener)  # sigma="auto"
                estimated, _ = search(blind, noisy,
                                      scoring=make_sure_scorer(NoiseEstimator().estimate))
                row["HT SURE est"] = best - psnr(clean,
                                                 estimated.best_estimator_.transform(noisy))
                start = time.perf_counter()
                _, (tested, loss) = calibrate_denoiser(
                    noisy, lambda z, threshold: SlidingDCTDenoiser(
                        sigma=sigma, threshold=threshold).transform(z),
                    {"threshold": list(GRID)}, extra_output=True)
                times.setdefault("J-inv", []).append(time.perf_counter() - start)
                picked = tested[int(np.argmin(loss))]["threshold"]
                row["HT J-inv"] = best - psnr(clean, SlidingDCTDenoiser(
                    sigma=sigma, threshold=picked).transform(noisy))
            for key, value in row.items():
                losses.setdefault(key, []).append(value)
            rows.append([name, level, row["HT oracle"], row["HT SURE"], row["HT SURE est"],
                         row["HT J-inv"], row["HT fixed"], row["W oracle"], row["W SURE"],
                         row["W fixed"]])
    print_table(["image", "sigma", "HT oracle", "SURE", "SURE est", "J-inv", "fixed",
                 "W oracle", "W SURE", "W fixed"], rows,
                ["s", "d", ".2f", ".2f", ".2f", ".2f", ".2f", ".2f", ".2f", ".2f"])
    print("\nPSNR lost against the oracle threshold (dB), over the 40 cases:")
    for key in ("HT SURE", "HT SURE est", "HT J-inv", "HT fixed", "W SURE", "W fixed"):
        values = np.array(losses[key])
        print(f"  {key:<12} median {np.median(values):.3f}  90th pct "
              f"{np.percentile(values, 90):.3f}  max {np.max(values):.3f}")
    print(f"\nsearch time over {len(GRID)} thresholds (median): SURE "
          f"{np.median(times['SURE']):.1f} s, J-invariant {np.median(times['J-inv']):.1f} s "
          f"({np.median(times['J-inv']) / np.median(times['SURE']):.1f}x)")


if __name__ == "__main__":
    main()
