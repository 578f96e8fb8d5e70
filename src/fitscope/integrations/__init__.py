"""Hooks that let other frameworks write to fitscope, and importers of logs made elsewhere.

Each framework has its own module, imported only when asked for, so ``import fitscope`` never
imports a framework; a framework that is not installed raises
:class:`~fitscope.errors.MissingDependencyError` naming the extra to install::

    from fitscope.integrations.keras import FitscopeCallback        # fitscope[keras]
    from fitscope.integrations.lightning import FitscopeLogger      # fitscope[lightning]
    from fitscope.integrations.sklearn import track                 # scikit-learn
    from fitscope.integrations.xgboost import FitscopeCallback      # fitscope[xgboost]
    from fitscope.integrations.lightgbm import FitscopeCallback     # fitscope[lightgbm]
    from fitscope.integrations.torch import evaluate_model          # fitscope[torch]
    from fitscope.integrations.importers import import_logs         # TensorBoard, CSV, JSON

Naming rules shared by all of them are in :mod:`fitscope.integrations.naming`.
"""
