"""Large images: time per megapixel and peak memory, 512^2 to 4096^2.

Run: ``python benchmarks/bench_large.py [--sizes 512 1024 2048 4096]``.

* ``SlidingDCTDenoiser`` (8x8, stride 1, float64) next to OpenCV's
  ``cv2.xphoto.dctDenoising`` (float32, its own precision) on the same noisy image;
* ``SparseAnomalyDetector.anomaly_map`` (15x15 patches, stride 4) of a brick texture
  grown to the size by mirroring, with a detector fitted once on a 256x256 crop.

Every measurement runs in a fresh subprocess, so that its peak resident set size (RSS)
is its own; the figure includes the interpreter, the imports and the input and output
images (two float64 images are 256 MiB at 4096^2). Time should grow linearly with the
number of pixels, i.e. a constant time per megapixel, since images are processed in
strips of bounded size; so should memory beyond the input and output.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile

from _common import print_table

# Peak RSS from VmHWM: getrusage's ru_maxrss would also count the parent's peak, which a
# child inherits across fork and exec on Linux.
PREAMBLE = """
import json, pickle, time
import numpy as np
size = {size}
def report(seconds):
    with open("/proc/self/status") as status:
        peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    print(json.dumps({{"seconds": seconds, "rss_mib": peak_kib / 1024}}))
"""

DENOISE = PREAMBLE + """
from sk_sparse import SlidingDCTDenoiser
noisy = np.random.default_rng(0).normal(0.5, 0.08, size=(size, size))
start = time.perf_counter()
SlidingDCTDenoiser(sigma=0.08).transform(noisy)
report(time.perf_counter() - start)
"""

OPENCV = PREAMBLE + """
import cv2
noisy = np.random.default_rng(0).normal(0.5, 0.08, size=(size, size)).astype(np.float32)
output = np.empty_like(noisy)
start = time.perf_counter()
cv2.xphoto.dctDenoising(noisy * 255, output, 0.08 * 255, 8)
report(time.perf_counter() - start)
"""

ANOMALY = PREAMBLE + """
from sk_sparse.datasets import load_image
with open({model!r}, "rb") as file:
    detector = pickle.load(file)
brick = load_image("brick")
repeats = -(-size // brick.shape[0])
image = np.pad(brick, ((0, (repeats - 1) * brick.shape[0]),) * 2, mode="symmetric")
image = np.ascontiguousarray(image[:size, :size])
start = time.perf_counter()
detector.anomaly_map(image)
report(time.perf_counter() - start)
"""


def run(script: str) -> dict:
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def fit_detector(path: str) -> None:
    from sk_sparse import PatchExtractor, SparseAnomalyDetector
    from sk_sparse.datasets import load_image

    patches = PatchExtractor(patch_size=15, stride=2).fit_transform(load_image("brick")[:256,
                                                                                        :256])
    detector = SparseAnomalyDetector(random_state=0).fit(patches)
    with open(path, "wb") as file:
        pickle.dump(detector, file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048, 4096])
    sizes = parser.parse_args().sizes
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "detector.pkl")
        fit_detector(model)
        rows = []
        for size in sizes:
            megapixels = size * size / 1e6
            denoise = run(DENOISE.format(size=size))
            opencv = run(OPENCV.format(size=size))
            anomaly = run(ANOMALY.format(size=size, model=model))
            rows.append([f"{size}x{size}",
                         denoise["seconds"] / megapixels, denoise["rss_mib"],
                         opencv["seconds"] / megapixels, opencv["rss_mib"],
                         opencv["seconds"] / denoise["seconds"],
                         anomaly["seconds"], anomaly["seconds"] / megapixels,
                         anomaly["rss_mib"], 2 * 8 * size * size / 2**20])
            print(f"  done {size}x{size}", flush=True)
    print()
    print_table(["image", "denoise s/Mpx", "denoise RSS MiB", "OpenCV s/Mpx", "OpenCV RSS MiB",
                 "speed-up", "anomaly map s", "anomaly s/Mpx", "anomaly RSS MiB",
                 "in+out f64 MiB"], rows,
                ["s", ".3f", ".0f", ".3f", ".0f", ".1f", ".1f", ".2f", ".0f", ".0f"])


if __name__ == "__main__":
    main()
