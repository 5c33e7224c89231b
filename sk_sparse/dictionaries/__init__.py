"""Analytic and shipped dictionaries: DCT matrices, overcomplete DCT, the K-SVD atoms."""

from ._dct import dct2, dct_matrix, idct2, overcomplete_dct_dictionary
from ._shipped import load_dictionary

__all__ = ["dct2", "dct_matrix", "idct2", "load_dictionary", "overcomplete_dct_dictionary"]
