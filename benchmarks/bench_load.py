"""Speed on an idle and on a loaded machine, with the default and with one BLAS thread.

Run: ``python benchmarks/bench_load.py``. Each case runs in a fresh process (BLAS reads
``OPENBLAS_NUM_THREADS`` at start-up): the sliding DCT denoiser on a 512x512 float32
image next to OpenCV's ``dctDenoising`` (same algorithm, its own thread pool), and
``bpdn`` on 10,000 8x8 patches. "loaded" starts two busy processes, one per core of the
2-core machine, for the duration of the case. sk_sparse runs its tasks with one BLAS
thread whatever the environment says (the small per-strip products gain nothing from
BLAS threads, which spin against other work on a busy machine), so its times should not
depend on the BLAS setting; ``x cv`` is OpenCV's time divided by ours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from _common import print_table

CASE = r"""
import json, time
import numpy as np
import cv2
from sk_sparse import SlidingDCTDenoiser, bpdn, PatchExtractor
from sk_sparse.datasets import add_noise, load_image
from sk_sparse.dictionaries import load_dictionary

def median(function, repeat=5):
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter(); function(); times.append(time.perf_counter() - start)
    return float(np.median(times))

sigma = 20 / 255
noisy = add_noise(load_image("camera"), sigma, random_state=0, clip=False).astype(np.float32)
padded = np.pad(noisy, ((0, 1), (0, 1)), mode="reflect")
out = np.empty_like(padded)
denoiser = SlidingDCTDenoiser(sigma=sigma)
patches = PatchExtractor(8, stride=2).fit_transform(load_image("camera"))[:10000]
patches -= patches.mean(axis=1, keepdims=True)
atoms = load_dictionary()
print(json.dumps({
    "ours": median(lambda: denoiser.transform(noisy)),
    "opencv": median(lambda: cv2.xphoto.dctDenoising(padded, out, sigma, 8)),
    "bpdn": median(lambda: bpdn(patches, atoms, alpha=0.05), repeat=3),
}))
"""


def run_case(blas_threads, loaded):
    env = dict(os.environ)
    env.pop("OPENBLAS_NUM_THREADS", None)
    if blas_threads is not None:
        env["OPENBLAS_NUM_THREADS"] = str(blas_threads)
    load = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(2 if loaded else 0)]
    try:
        result = subprocess.run([sys.executable, "-c", CASE], env=env, capture_output=True,
                                text=True, check=True)
    finally:
        for process in load:
            process.kill()
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    rows = []
    for loaded in (False, True):
        for blas_threads in (None, 1):
            times = run_case(blas_threads, loaded)
            rows.append(["loaded" if loaded else "idle",
                         "default" if blas_threads is None else str(blas_threads),
                         times["ours"] * 1e3, times["opencv"] * 1e3,
                         times["opencv"] / times["ours"], times["bpdn"]])
    print_table(["machine", "BLAS threads", "denoise ms", "OpenCV ms", "x cv", "bpdn s"],
                rows, ["s", "s", ".1f", ".1f", ".1f", ".2f"])


if __name__ == "__main__":
    main()
