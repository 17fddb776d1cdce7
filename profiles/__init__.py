"""Shipped steadyinput profiles (YAML data files; see the profile reference in README.md)."""
