"""Sphinx configuration of the sk_sparse documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (the
``docs`` extra installs what it needs). The gallery runs every ``examples/plot_*.py``.
"""

import os
import re
import sys
import warnings

# The package is normally installed (pip install -e ".[docs]"); a plain checkout works too.
sys.path.insert(0, os.path.abspath(".."))
# Local Sphinx helpers (the gallery's lecture order).
sys.path.insert(0, os.path.abspath("_sphinxext"))

import sk_sparse  # noqa: E402

project = "sk_sparse"
author = "The sk_sparse developers"
copyright = "2026, The sk_sparse developers"
release = sk_sparse.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    # MathJax 3 copied into _static: formulas render without a network connection.
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
default_role = "literal"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
# numpydoc writes the member tables itself; autodoc's would repeat them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Type cross-references ("array-like", "bool") point at numpy's and Python's glossaries,
# which need intersphinx inventories fetched from the web; types stay plain text.
numpydoc_xref_param_type = False

intersphinx_mapping = {}
if os.environ.get("SK_SPARSE_DOCS_INTERSPHINX"):
    # Off by default: CI machines reach package registries only, not the projects' sites.
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "joblib": ("https://joblib.readthedocs.io/en/stable", None),
        "skimage": ("https://scikit-image.org/docs/stable", None),
    }

sphinx_gallery_conf = {
    "examples_dirs": os.path.join("..", "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("sk_sparse",),
    "backreferences_dir": os.path.join("generated", "backreferences"),
    "reference_url": {"sk_sparse": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    # Sections in the lecture's order, and the lecture's order within each section.
    "subsection_order": [
        "../examples/denoising",
        "../examples/noise",
        "../examples/sparse_coding",
        "../examples/inpainting",
        "../examples/anomalies",
        "../examples/convolutional",
        "../examples/domain_shift",
        "../examples/classification",
    ],
    "within_subsection_order": "lecture_order.LectureOrder",
}

html_theme = "pydata_sphinx_theme"
html_title = f"sk_sparse {release}"
html_static_path = []
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_show_sourcelink = False

# Gallery scripts call plt.show(); under Agg that only warns.
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")
warnings.filterwarnings("ignore", message="FigureCanvasAgg is non-interactive")
_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _plain_sklearn_roles(app, what, name, obj, options, lines):
    """Methods inherited from scikit-learn (``set_output``, ``get_metadata_routing``...)
    link to labels of scikit-learn's own documentation; keep their text, drop the link."""
    module = getattr(obj, "__module__", "") or ""
    if module.startswith("sklearn"):
        lines[:] = [_SKLEARN_ROLE.sub(lambda match: f"*{match.group(1).strip()}*", line)
                    for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_roles)
