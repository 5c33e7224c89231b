"""The package's floors: a subpackage imports only from subpackages below it."""

import ast
import pathlib

import pytest

import sk_sparse

PACKAGE = pathlib.Path(sk_sparse.__file__).parent
# Lowest first; a subpackage may import from any subpackage with a smaller floor.
FLOORS = {
    "utils": 0,
    "dictionaries": 1,
    "metrics": 1,
    "image": 2,
    "datasets": 2,
    "coding": 3,
    "decomposition": 4,
    "restoration": 5,
    "anomaly": 5,
    "classification": 5,
}


def subpackage_of(path):
    relative = path.relative_to(PACKAGE).parts
    return relative[0] if len(relative) > 1 else None


def imported_subpackages(path):
    """sk_sparse subpackages a module imports, resolved from absolute and relative forms."""
    tree = ast.parse(path.read_text())
    own = path.relative_to(PACKAGE).parts[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = own[: len(own) - node.level + 1]
                parts = list(base) + (node.module.split(".") if node.module else [])
            elif node.module and node.module.startswith("sk_sparse"):
                parts = node.module.split(".")[1:]
            else:
                continue
            if parts:
                found.add(parts[0])
            else:  # "from .. import x": each name is a subpackage
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sk_sparse."):
                    found.add(alias.name.split(".")[1])
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if subpackage_of(p) in FLOORS)


def test_every_subpackage_has_a_floor():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(FLOORS)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_import(module):
    own = subpackage_of(module)
    for target in imported_subpackages(module) & set(FLOORS):
        assert target == own or FLOORS[target] < FLOORS[own], (
            f"{module.relative_to(PACKAGE)} ({own}, floor {FLOORS[own]}) imports {target} "
            f"(floor {FLOORS[target]})"
        )


def test_the_checker_sees_imports(tmp_path):
    # Guard against a checker that finds nothing: the inpainter imports three floors.
    inpaint = PACKAGE / "restoration" / "_inpaint.py"
    assert {"coding", "decomposition", "image", "utils"} <= imported_subpackages(inpaint)


def test_top_level_names_of_earlier_releases_still_import():
    from sk_sparse import (  # noqa: F401
        KSVD,
        NoiseEstimator,
        OMPInpainter,
        PatchExtractor,
        SlidingDCTDenoiser,
        SparseAnomalyDetector,
        SparseFeatureExtractor,
        SRCClassifier,
        batch_omp,
        bpdn,
        bpdn_dictionary_learning,
        bpdn_objective,
        constrained_l1,
        dct2,
        dct_matrix,
        estimate_noise_sigma,
        idct2,
        ksvd,
        masked_omp,
        overcomplete_dct_dictionary,
        sliding_dct_denoise,
    )
    from sk_sparse.datasets import load_dictionary  # noqa: F401


def test_every_public_name_is_exported_once():
    for name in sk_sparse.__all__:
        assert hasattr(sk_sparse, name), name
    assert len(set(sk_sparse.__all__)) == len(sk_sparse.__all__)
