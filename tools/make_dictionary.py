"""Regenerate ``sk_sparse/data/ksvd_8x8.npz``, the dictionary shipped with sk_sparse.

Run: ``python tools/make_dictionary.py`` (needs scikit-image; about a minute on 2 cores).

K-SVD on 8x8 patches of scikit-image images. ``camera`` and ``astronaut`` are left out
because they are the benchmark and test images of the inpainter, so results on them
measure a cross-image dictionary. Patches are not mean-subtracted; a constant atom is held
fixed during training (so that the learned atoms model the rest) and is not saved:
:class:`~sk_sparse.OMPInpainter` adds its own.
"""

from __future__ import annotations

import pathlib

import numpy as np
from skimage import color, data

from sk_sparse import PatchExtractor, ksvd

IMAGES = ("brick", "grass", "gravel", "moon", "coffee", "chelsea", "coins", "rocket")
PATCHES_PER_IMAGE = 6000
N_ATOMS = 256  # learned atoms; the constant atom comes on top
N_NONZERO = 6
SEED = 0


def training_patches(rng: np.random.Generator) -> np.ndarray:
    batches = []
    for name in IMAGES:
        image = getattr(data, name)()
        image = color.rgb2gray(image) if image.ndim == 3 else image / 255.0
        patches = PatchExtractor(patch_size=8, stride=2).fit_transform(image)
        batches.append(patches[rng.choice(len(patches), PATCHES_PER_IMAGE, replace=False)])
    return np.concatenate(batches)


def main() -> None:
    rng = np.random.default_rng(SEED)
    patches = training_patches(rng)
    constant = np.full((1, 64), 1 / 8)
    dictionary, errors = ksvd(patches, N_ATOMS + 1, n_nonzero_coefs=N_NONZERO, max_iter=20,
                              fixed_atoms=constant, random_state=SEED, verbose=1)
    out = pathlib.Path(__file__).resolve().parents[1] / "sk_sparse" / "data" / "ksvd_8x8.npz"
    np.savez_compressed(out, atoms=dictionary[1:].astype(np.float32),
                        training_images=np.array(IMAGES), errors=np.array(errors))
    print(f"saved {N_ATOMS} atoms to {out} (final mean squared error {errors[-1]:.3g})")


if __name__ == "__main__":
    main()
