"""Calibration: measure a person's tremor from a recording, tune a profile to it, report."""
