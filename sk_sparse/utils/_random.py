"""Random streams of their own for integer seeds."""

from __future__ import annotations

import numpy as np


def own_stream(seed: int, purpose: int) -> np.random.Generator:
    """A generator for ``seed`` that never replays another generator's draws.

    ``np.random.default_rng(seed)`` and ``RandomState(seed)`` give the same stream to
    every caller with the same seed: a SURE probe drawn with seed 0 would be the very
    noise ``add_noise(..., random_state=0)`` drew, and held-out pixels drawn as
    ``random(shape) < 0.1`` with seed 0 would all lie in a mask drawn as
    ``random(shape) < 0.3`` with seed 0. Mixing a constant ``purpose`` into the seed
    gives each use a stream of its own, still reproducible from ``seed``.
    """
    return np.random.default_rng([int(seed), int(purpose)])
