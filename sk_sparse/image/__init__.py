"""Images as patches: the patch grid, the strip runner and :class:`PatchExtractor`.

The grid functions are the two adjoint primitives every patch method is built on
(:func:`gather_windows` / :func:`overlap_add`, applied along rows then columns).
"""

from ._grid import (
    assemble_patch_grid,
    assemble_patch_weights,
    extract_patch_grid,
    gather_windows,
    overlap_add,
    patch_positions,
)
from ._lowpass import lowpass
from ._patches import PatchExtractor
from ._strips import accumulate_strips

__all__ = [
    "PatchExtractor",
    "accumulate_strips",
    "assemble_patch_grid",
    "assemble_patch_weights",
    "extract_patch_grid",
    "gather_windows",
    "lowpass",
    "overlap_add",
    "patch_positions",
]
