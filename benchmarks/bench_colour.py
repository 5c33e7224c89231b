"""Colour denoising: SlidingDCTDenoiser(channel_axis=-1) vs OpenCV's colour dctDenoising.

Run: ``python benchmarks/bench_colour.py``. Both denoise the 8x8 sliding DCT with
tau = 3 sigma after the orthonormal opponent colour transform. Images: scikit-image's
astronaut, coffee, chelsea and rocket (RGB, in [0, 1]), unclipped AWGN of sigma in
{10, 20, 30, 50}/255, float32 input. OpenCV leaves its last row and column of blocks out
(NaN for float input), so its input is padded by one reflected pixel and the result
cropped. PSNR over all channels; median times of 3 runs; ``x cv`` is OpenCV's time over
ours (OpenCV uses its own thread pool, sk_sparse one worker).
"""

from __future__ import annotations

import cv2
import numpy as np
from _common import median_time, print_table
from skimage import data

from sk_sparse import SlidingDCTDenoiser


def opencv(noisy, sigma):
    padded = np.pad(noisy * 255, ((0, 1), (0, 1), (0, 0)), mode="reflect")
    out = np.empty_like(padded)
    cv2.xphoto.dctDenoising(padded, out, sigma * 255, 8)
    return out[:-1, :-1] / 255


def main():
    rows = []
    for name in ("astronaut", "coffee", "chelsea", "rocket"):
        clean = getattr(data, name)().astype(np.float32) / 255
        for sigma in (10, 20, 30, 50):
            noisy = (clean + np.random.default_rng(sigma).normal(
                0, sigma / 255, clean.shape)).astype(np.float32)
            denoiser = SlidingDCTDenoiser(sigma=sigma / 255, channel_axis=-1)
            ours_time, ours = median_time(denoiser.transform, noisy, repeat=3)
            cv_time, theirs = median_time(opencv, noisy, sigma / 255, repeat=3)

            def score(result):
                return 10 * np.log10(1 / np.mean((result - clean) ** 2, dtype=np.float64))
            rows.append([name, sigma, score(ours), score(theirs),
                         score(ours) - score(theirs), ours_time, cv_time, cv_time / ours_time])
    print_table(["image", "sigma", "sk_sparse dB", "OpenCV dB", "diff dB", "sk_sparse s",
                 "OpenCV s", "x cv"], rows,
                ["s", "d", ".2f", ".2f", "+.3f", ".3f", ".3f", ".1f"])
    diffs, ratios = np.array([r[4] for r in rows]), np.array([r[7] for r in rows])
    print(f"\nmedian PSNR difference {np.median(diffs):+.3f} dB (range {diffs.min():+.3f} "
          f"... {diffs.max():+.3f}); median speed-up {np.median(ratios):.1f}x "
          f"(range {ratios.min():.1f} ... {ratios.max():.1f})")


if __name__ == "__main__":
    main()
