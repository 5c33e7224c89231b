"""Demo: ``python -m sk_sparse [--out FILE] [--sigma GREY_LEVELS] [--seed N]``.

Adds white Gaussian noise to the bundled cameraman, estimates the noise level, denoises
with non-overlapping DCT tiles and with sliding DCT (uniform and sparsity-aware
aggregation), prints a PSNR table and saves a figure of the results.
"""

from __future__ import annotations

import argparse
import time

from . import NoiseEstimator, SlidingDCTDenoiser
from .datasets import add_noise, load_image
from .metrics import psnr


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m sk_sparse",
                                     description=__doc__.split("\n\n")[1])
    parser.add_argument("--out", default="sk_sparse_demo.png", help="figure path (PNG)")
    parser.add_argument("--sigma", type=float, default=20.0, help="noise level in grey levels")
    parser.add_argument("--seed", type=int, default=0, help="seed of the noise")
    args = parser.parse_args(argv)

    sigma = args.sigma / 255
    clean = load_image("camera")
    noisy = add_noise(clean, sigma, random_state=args.seed)
    print(f"cameraman 512x512, sigma = {args.sigma:g}/255")
    for method in ("dct", "mad", "std"):
        estimate = NoiseEstimator(method=method).estimate(noisy)
        print(f"  estimated sigma ({method}): {estimate * 255:.2f}/255")

    methods = {
        "non-overlapping DCT tiles": SlidingDCTDenoiser(sigma=sigma, stride=8),
        "sliding DCT, uniform": SlidingDCTDenoiser(sigma=sigma),
        "sliding DCT, sparsity-aware": SlidingDCTDenoiser(sigma=sigma, weights="sparsity"),
    }
    results = {"noisy": psnr(clean, noisy)}
    images = {"noisy": noisy}
    print(f"\n{'method':<30}{'PSNR (dB)':>10}{'time (s)':>10}")
    print(f"{'noisy input':<30}{results['noisy']:>10.2f}{'':>10}")
    for name, denoiser in methods.items():
        start = time.perf_counter()
        images[name] = denoiser.transform(noisy)
        elapsed = time.perf_counter() - start
        results[name] = psnr(clean, images[name])
        print(f"{name:<30}{results[name]:>10.2f}{elapsed:>10.3f}")

    _save_figure(args.out, clean, images, results)
    return results


def _save_figure(path, clean, images, results) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("\nmatplotlib is not installed: no figure written.")
        return
    panels = [("clean", clean, None), *((name, image, results[name])
                                        for name, image in images.items())]
    # Top row: whole images; bottom row: the same 128 x 128 crop (face and camera), where
    # tile borders and the remaining noise are visible at page width.
    rows, cols = slice(60, 188), slice(150, 278)
    figure, axes = plt.subplots(2, len(panels), figsize=(3.2 * len(panels), 6.6),
                                layout="constrained")
    for column, (name, image, value) in enumerate(panels):
        axes[0, column].imshow(image, cmap="gray", vmin=0, vmax=1)
        axes[0, column].set_title(name if value is None else f"{name}\n{value:.2f} dB",
                                  fontsize=11)
        axes[1, column].imshow(image[rows, cols], cmap="gray", vmin=0, vmax=1,
                               interpolation="nearest")
    axes[0, 0].add_patch(plt.Rectangle((cols.start, rows.start), 128, 128, fill=False,
                                       edgecolor="tab:red", linewidth=1.5))
    for axis in axes.ravel():
        axis.axis("off")
    figure.savefig(path, dpi=80)
    plt.close(figure)
    print(f"\nfigure saved to {path}")


if __name__ == "__main__":
    main()
