"""Model building, calibration, training, metrics and tiers (pure, no I/O)."""
