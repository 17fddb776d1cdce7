"""Which engine runs: the compiled one (mypyc, built by ``pip install .``) or the pure-Python reference.

The compiled modules are the same typed sources (setup.py's ``COMPILED``), built into extension
modules beside the .py files; Python imports an extension module before a source file. With
``STEADYINPUT_PURE=1`` in the environment the package imports its .py sources only: the pure
engine, the reference the compiled one must match byte for byte (tests/test_engine_compiled.py).
"""

from __future__ import annotations

import importlib.machinery as machinery
import os
import sys

PURE_ENV = "STEADYINPUT_PURE"
_HERE = os.path.dirname(os.path.abspath(__file__))


def _sources_only(path: str):
    """A path hook for the package's own folders: .py files only, no extension modules."""
    full = os.path.abspath(path)
    if full == _HERE or full.startswith(_HERE + os.sep):
        return machinery.FileFinder(path, (machinery.SourceFileLoader, machinery.SOURCE_SUFFIXES))
    raise ImportError(path)  # any other folder: the next hook


def use_pure() -> None:
    """From now on, the package's modules not imported yet load from their .py sources."""
    if _sources_only not in sys.path_hooks:
        sys.path_hooks.insert(0, _sources_only)
        for p in [p for p in sys.path_importer_cache if os.path.abspath(p).startswith(_HERE)]:
            del sys.path_importer_cache[p]


def engine_note() -> tuple[bool, str]:
    """(compiled?, one line for ``steadyinput doctor``)."""
    from . import engine
    if not engine.__file__.endswith(".py"):
        return True, "engine: compiled (mypyc), the same output as the pure-Python reference"
    why = (f"{PURE_ENV}=1 is set" if os.environ.get(PURE_ENV) else
           "not compiled in this install: an editable one, or no C compiler or mypyc when it was built")
    return False, (f"engine: the pure-Python reference ({why}); the same output, slower: "
                   "'pip install .' with gcc and python3-dev builds the compiled one")
