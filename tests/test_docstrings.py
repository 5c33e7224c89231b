"""numpydoc validation of every public object (functions, classes, their public methods).

Enforced: every parameter and return value documented and described, a one-line summary,
no unknown parameters, a docstring everywhere, and an Examples section on every public
function and class. Not enforced: style-only findings (See Also sections, extended
summaries, capitalisation of descriptions, the verb mood of summaries, the layout of
multi-value Returns), which numpydoc's defaults would also report.
"""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

SUBPACKAGES = ["anomaly", "classification", "coding", "datasets", "decomposition",
               "dictionaries", "image", "metrics", "restoration"]
ENFORCED = {"GL08", "PR01", "PR02", "PR07", "RT01", "RT03", "SS06", "EX01"}
# Methods inherit the Examples of their class.
NOT_FOR_METHODS = {"EX01"}


def public_objects():
    names = {"sk_sparse.utils.discovery.all_estimators"}
    for package in SUBPACKAGES:
        module = importlib.import_module(f"sk_sparse.{package}")
        for name in module.__all__:
            value = getattr(module, name)
            if not (inspect.isclass(value) or inspect.isfunction(value)):
                continue
            qualified = f"{value.__module__}.{value.__qualname__}"
            names.add(qualified)
            if inspect.isclass(value):
                for attribute, member in vars(value).items():
                    if not attribute.startswith("_") and inspect.isfunction(member):
                        names.add(f"{qualified}.{attribute}")
    return sorted(names)


OBJECTS = public_objects()


def test_objects_are_found():
    assert len(OBJECTS) > 60
    assert "sk_sparse.restoration._denoise.SlidingDCTDenoiser.transform" in OBJECTS


@pytest.mark.parametrize("name", OBJECTS)
def test_docstring(name):
    is_method = name.split(".")[-2][:1].isupper()
    enforced = ENFORCED - NOT_FOR_METHODS if is_method else ENFORCED
    errors = [f"{code}: {message}" for code, message in numpydoc_validate.validate(name)["errors"]
              if code in enforced]
    assert not errors, "\n".join(errors)
