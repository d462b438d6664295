"""MLflow: runs, registry, champion and the served pyfunc (the only package importing mlflow)."""
