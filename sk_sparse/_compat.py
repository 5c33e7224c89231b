"""The one place where sk_sparse touches scikit-learn's semi-private API.

``_fit_context`` is private by name but is the documented way for third-party estimators
to get parameter validation (scikit-learn's project template and imbalanced-learn use it).
Keeping the import here means a future rename breaks exactly one file.
"""

from sklearn.base import _fit_context
from sklearn.utils.validation import validate_data

__all__ = ["_fit_context", "validate_data"]
