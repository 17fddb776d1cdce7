"""Package discovery for setuptools (everything else is in pyproject.toml).

Every package under steadyinput/ is found, so a new subpackage can never be left out of the
wheel; the filter library (filters/) and the shipped profiles (profiles/) are installed inside
it as steadyinput.filters and steadyinput.profiles: no top-level `filters` in site-packages.
"""

from setuptools import find_packages, setup

PACKAGES = ["steadyinput", *(f"steadyinput.{p}" for p in find_packages("steadyinput")),
            "steadyinput.filters", *(f"steadyinput.filters.{p}" for p in find_packages("filters")),
            "steadyinput.profiles"]

setup(packages=PACKAGES)
