"""Large images: peak memory and time per megapixel of SlidingDCTDenoiser.

Run: ``python benchmarks/bench_large.py``. Each size runs in a fresh subprocess so that
its peak resident set size (RSS) is its own; the figure includes the Python interpreter,
NumPy/SciPy/scikit-learn imports, the float64 input and output images. Time should grow
linearly with the number of pixels (constant ms per megapixel), since the image is
processed in strips of bounded size.
"""

from __future__ import annotations

import json
import subprocess
import sys

from _common import print_table

CHILD = """
import json, resource, time
import numpy as np
from sk_sparse import SlidingDCTDenoiser
size = {size}
noisy = np.random.default_rng(0).normal(0.5, 0.08, size=(size, size))
denoiser = SlidingDCTDenoiser(sigma=0.08)
start = time.perf_counter()
denoiser.transform(noisy)
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed,
                   "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def main() -> None:
    rows = []
    for size in (512, 1024, 2048, 4096):
        output = subprocess.run([sys.executable, "-c", CHILD.format(size=size)],
                                capture_output=True, text=True, check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        megapixels = size * size / 1e6
        rows.append([f"{size}x{size}", result["seconds"], 1e3 * result["seconds"] / megapixels,
                     result["rss_mib"], 2 * 8 * size * size / 2**20])
    print_table(["image", "time s", "ms / Mpixel", "peak RSS MiB", "input+output MiB"], rows,
                ["s", ".2f", ".0f", ".0f", ".0f"])


if __name__ == "__main__":
    main()
