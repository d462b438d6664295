"""The points scorecard: rules in the config, their proposal from data, and their calibration."""
