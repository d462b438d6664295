"""leadscore: calibrated, point-in-time lead conversion scoring.

Importing the package does nothing beyond defining the version: no logging setup,
no MLflow, no folders created.
"""

__version__ = "0.1.0"
