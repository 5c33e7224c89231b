"""Discovery of sk_sparse's estimators, as :func:`sklearn.utils.discovery.all_estimators`."""

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator

# Subpackages that hold estimators, lowest floor first.
_ESTIMATOR_PACKAGES = ("image", "decomposition", "restoration", "anomaly", "classification")


def all_estimators():
    """Every public estimator class of sk_sparse.

    Walks the task subpackages and collects the classes deriving from scikit-learn's
    ``BaseEstimator`` that a subpackage exports (its ``__all__``). The common-check tests
    are driven by this list, so a new estimator cannot escape them.

    Returns
    -------
    estimators : list of (str, type)
        Class names and classes, sorted by name.

    Examples
    --------
    >>> from sk_sparse.utils.discovery import all_estimators
    >>> names = [name for name, _ in all_estimators()]
    >>> "SlidingDCTDenoiser" in names and "SRCClassifier" in names
    True
    """
    import sk_sparse

    found = {}
    for module_info in pkgutil.iter_modules(sk_sparse.__path__):
        if module_info.name not in _ESTIMATOR_PACKAGES:
            continue
        module = importlib.import_module(f"sk_sparse.{module_info.name}")
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if inspect.isclass(value) and issubclass(value, BaseEstimator):
                found[name] = value
    return sorted(found.items())
