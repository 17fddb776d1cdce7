"""Run a command in a child process and measure its peak memory (RSS, MB), wall time and CPU
time (s). CPU time is the work the command did, whatever else shares the machine."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

_WRAPPER = """
import json, resource, subprocess, sys, time
t0 = time.monotonic()
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
kb = ru.ru_maxrss if sys.platform != "darwin" else ru.ru_maxrss / 1024
print(json.dumps({"rc": r.returncode, "stdout": r.stdout, "stderr": r.stderr, "rss_mb": kb / 1024,
                  "seconds": time.monotonic() - t0, "cpu_seconds": ru.ru_utime + ru.ru_stime}))
"""


@dataclass
class Measured:
    rc: int
    stdout: str
    stderr: str
    rss_mb: float  # peak resident set size of the command (its own child processes apart)
    seconds: float
    cpu_seconds: float = 0.0  # user + system CPU time of the command


def measure(cmd: list[str]) -> Measured:
    """Run ``cmd`` in a fresh process of its own, so its peak RSS is not mixed with ours."""
    r = subprocess.run([sys.executable, "-c", _WRAPPER, *map(str, cmd)], capture_output=True, text=True,
                       check=True)
    return Measured(**json.loads(r.stdout))


def steadyinput(*args: object) -> list[str]:
    """The command line that runs ``steadyinput ARGS`` with this interpreter."""
    return [sys.executable, "-m", "steadyinput", *map(str, args)]
