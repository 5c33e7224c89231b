"""PatchExtractor vs scikit-learn's ``extract_patches_2d`` / ``reconstruct_from_patches_2d``.

Run: ``python benchmarks/bench_patches.py``. All sliding 8x8 patches of a 512x512 image
(stride 1, the only mode scikit-learn has), median times and ratios (``x sklearn`` is
scikit-learn's time divided by ours). Strided extraction and weighted reconstruction have
no scikit-learn counterpart and are timed alone.
"""

from __future__ import annotations

import numpy as np
from _common import median_time, print_table
from sklearn.feature_extraction.image import extract_patches_2d, reconstruct_from_patches_2d

from sk_sparse import PatchExtractor
from sk_sparse.datasets import load_image


def main() -> None:
    image = load_image("camera")
    extractor = PatchExtractor(patch_size=8).fit(image)
    t_ext_ours, patches = median_time(extractor.transform, image)
    t_ext_sk, sk_patches = median_time(extract_patches_2d, image, (8, 8))
    assert np.array_equal(patches, sk_patches.reshape(len(sk_patches), -1))
    t_rec_ours, rebuilt = median_time(extractor.inverse_transform, patches, repeat=3)
    t_rec_sk, sk_rebuilt = median_time(reconstruct_from_patches_2d, sk_patches, image.shape,
                                       repeat=3)
    assert np.allclose(rebuilt, sk_rebuilt)
    weights = np.random.default_rng(0).random(len(patches))
    t_weighted, _ = median_time(extractor.inverse_transform, patches, weights, repeat=3)
    strided = PatchExtractor(patch_size=8, stride=4).fit(image)
    t_strided, strided_patches = median_time(strided.transform, image)
    t_strided_rec, _ = median_time(strided.inverse_transform, strided_patches)
    rows = [
        ["extract, stride 1", t_ext_ours * 1e3, t_ext_sk * 1e3, t_ext_sk / t_ext_ours],
        ["reconstruct, stride 1", t_rec_ours * 1e3, t_rec_sk * 1e3, t_rec_sk / t_rec_ours],
        ["reconstruct, per-patch weights", t_weighted * 1e3, float("nan"), float("nan")],
        ["extract, stride 4", t_strided * 1e3, float("nan"), float("nan")],
        ["reconstruct, stride 4", t_strided_rec * 1e3, float("nan"), float("nan")],
    ]
    print(f"camera 512x512, 8x8 patches ({len(patches)} at stride 1)\n")
    print_table(["operation", "sk_sparse ms", "sklearn ms", "x sklearn"], rows,
                ["s", ".1f", ".1f", ".1f"])


if __name__ == "__main__":
    main()
