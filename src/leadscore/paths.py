"""Default locations (relative to the working folder); they become the CLI's option defaults.

A module of its own, with no imports, so ``leadscore --help`` loads nothing heavy.
"""

from pathlib import Path

RAW_DIR = Path("data/raw")
PROCESSED_DIR = Path("data/processed")
MODELS_DIR = Path("models")
DEFAULT_MODEL_DIR = MODELS_DIR / "leadscore"
REPORTS_DIR = Path("reports")
