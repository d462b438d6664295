"""The MLflow pyfunc model, declared as code ("models from code").

``tracking.log_training`` logs this file as the model's definition; MLflow runs it when the
model is loaded, so the model is rebuilt from leadscore's installed code instead of being
unpickled with cloudpickle. The trained estimator itself travels as the ``model_dir``
artifact and is loaded by ``store.load_model`` (checksum verified first).
"""

import mlflow

from leadscore.tracking.pyfunc import LeadScorePyfunc

mlflow.models.set_model(LeadScorePyfunc())
