"""The one place where sk_sparse touches scikit-learn's semi-private API.

``_fit_context`` and the parameter-constraint classes are private by location but are the
documented way for third-party estimators to get scikit-learn's parameter validation
(scikit-learn's project template and imbalanced-learn use them). Every other module
imports them from here, so a rename in scikit-learn breaks exactly one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import validate_data

__all__ = [
    "HasMethods",
    "Hidden",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_fit_context",
    "validate_data",
    "validate_params",
]
