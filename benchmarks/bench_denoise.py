"""SlidingDCTDenoiser vs OpenCV's ``cv2.xphoto.dctDenoising`` (same algorithm, 8x8 DCT,
tau = 3 sigma), in one run.

Run: ``python benchmarks/bench_denoise.py``. Prints PSNR (dB) and median times; ``x cv``
is OpenCV's time divided by ours (higher is better for us). OpenCV processes float32 with
its own thread pool; ours runs with the default ``n_jobs=None`` (one worker) on float32 and
float64 input. OpenCV leaves the last row and column of patches out (NaN for float32
input), so its input is padded by one reflected pixel and the result cropped.

The noise is the model's unclipped AWGN. OpenCV also thresholds the DC coefficient, which
sk_sparse never does; on unclipped noise that changes nothing measurable, but with noise
clipped to [0, 1] (``--clip``) OpenCV zeroes dark patches and so happens to cancel the
positive bias that clipping leaves in black regions (astronaut's background: OpenCV up to
0.35 dB ahead at sigma = 50).
"""

from __future__ import annotations

import sys

import cv2
import numpy as np
from _common import median_time, print_table

from sk_sparse import SlidingDCTDenoiser
from sk_sparse.datasets import add_noise, load_image
from sk_sparse.metrics import psnr


def opencv_dct_denoise(noisy32: np.ndarray, sigma: float) -> np.ndarray:
    padded = np.pad(noisy32, ((0, 1), (0, 1)), mode="reflect")
    out = np.empty_like(padded)
    cv2.xphoto.dctDenoising(padded, out, sigma, 8)
    return out[:-1, :-1]


def main(clip: bool = False) -> None:
    rows = []
    for name in ("camera", "astronaut", "brick", "moon"):
        clean = load_image(name)
        for level in (10, 20, 30, 50):
            sigma = level / 255
            noisy = add_noise(clean, sigma, random_state=level, clip=clip)
            noisy32 = noisy.astype(np.float32)
            t_cv, out_cv = median_time(opencv_dct_denoise, noisy32, sigma)
            uniform = SlidingDCTDenoiser(sigma=sigma)
            sparsity = SlidingDCTDenoiser(sigma=sigma, weights="sparsity")
            t_u32, out_u = median_time(uniform.transform, noisy32)
            t_u64, _ = median_time(uniform.transform, noisy)
            t_s32, out_s = median_time(sparsity.transform, noisy32)
            p_cv, p_u, p_s = (psnr(clean, out) for out in (out_cv, out_u, out_s))
            rows.append([f"{name} {clean.shape[0]}x{clean.shape[1]}", level, psnr(clean, noisy),
                         p_cv, p_u, p_u - p_cv, p_s, t_cv * 1e3, t_u32 * 1e3, t_u64 * 1e3,
                         t_s32 * 1e3, t_cv / t_u32, t_cv / t_u64])
    print(f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} threads, noise clipped: {clip}\n")
    print_table(
        ["image", "sigma", "noisy", "OpenCV", "uniform", "d(uni-cv)", "sparsity", "cv ms",
         "uni32 ms", "uni64 ms", "spa32 ms", "x cv (32)", "x cv (64)"],
        rows,
        ["s", "d", ".2f", ".2f", ".2f", "+.3f", ".2f", ".0f", ".0f", ".0f", ".0f", ".1f",
         ".1f"],
    )
    deltas = np.array([row[5] for row in rows])
    speedups = np.array([row[11] for row in rows]), np.array([row[12] for row in rows])
    print(f"\nPSNR uniform - OpenCV: median {np.median(deltas):+.3f} dB, max |d| "
          f"{np.abs(deltas).max():.3f} dB")
    print(f"speed-up over OpenCV: float32 median {np.median(speedups[0]):.1f}x, "
          f"float64 median {np.median(speedups[1]):.1f}x")


if __name__ == "__main__":
    main(clip="--clip" in sys.argv[1:])
