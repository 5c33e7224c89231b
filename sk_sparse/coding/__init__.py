"""Sparse coding kernels, batched over many signals (atoms are the rows of a dictionary).

* :func:`batch_omp` and :func:`masked_omp`: orthogonal matching pursuit, on all entries
  or on the observed entries of each signal;
* :func:`bpdn`: basis pursuit denoising (l1 by the exact homotopy path, or coordinate
  descent on incoherent dictionaries; sparse-group by an exact active-set Newton
  method), and :func:`bpdn_objective`;
* :func:`constrained_l1`: the sparsest code within a residual bound;
* :func:`cbpdn` and :func:`cbpdn_objective`: convolutional BPDN of whole signals and
  images (DFT-domain ADMM), optionally with local group sparsity.
"""

from ._bpdn import bpdn, bpdn_objective
from ._cbpdn import cbpdn, cbpdn_objective
from ._constrained import constrained_l1
from ._omp import batch_omp, default_n_nonzero_coefs, masked_omp

__all__ = [
    "batch_omp",
    "bpdn",
    "bpdn_objective",
    "cbpdn",
    "cbpdn_objective",
    "constrained_l1",
    "default_n_nonzero_coefs",
    "masked_omp",
]
