"""Dictionaries shipped with sk_sparse as data."""

from importlib import resources

import numpy as np


def load_dictionary() -> np.ndarray:
    """The 8 x 8 patch dictionary shipped with sk_sparse.

    256 unit-norm atoms learned by K-SVD (6 atoms per patch, constant atom held fixed and
    not included) from patches of scikit-image's brick, grass, gravel, moon, coffee,
    chelsea, coins and rocket images; ``camera`` and ``astronaut`` were left out, so that
    results on them measure a cross-image dictionary. ``tools/make_dictionary.py``
    regenerates it.

    Returns
    -------
    dictionary : ndarray of shape (256, 64)
        Atoms as rows (flattened 8 x 8 patches, C order), float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_sparse.dictionaries import load_dictionary
    >>> atoms = load_dictionary()
    >>> atoms.shape, bool(np.allclose(np.linalg.norm(atoms, axis=1), 1, atol=1e-5))
    ((256, 64), True)
    """
    with resources.files("sk_sparse").joinpath("data/ksvd_8x8.npz").open("rb") as handle:
        return np.load(handle)["atoms"].astype(np.float64)
