"""A worker helper killed mid-run, for the tests that pin "a dead helper neither hangs the command
nor changes a figure". The scenario runs in a real subprocess (:func:`run_script`), so that a
hang is a timeout there, not a stuck test run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def die_in_helpers(module, name: str) -> None:
    """Replace ``module.name`` by a function that exits at once (status 9) when called in any
    process but this one, as a helper killed by the kernel would."""
    parent, real = os.getpid(), getattr(module, name)

    def dies_in_a_helper(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)
        return real(*args, **kwargs)

    setattr(module, name, dies_in_a_helper)


def run_script(script: str, timeout_s: float) -> subprocess.CompletedProcess:
    """Run ``script`` in a fresh Python that can import this module."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout_s, env=env)
