"""Bundled demo traces (simulated; see steadyinput simulate)."""
