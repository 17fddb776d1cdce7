"""Package discovery and the optional compiled engine for setuptools (the rest is in pyproject.toml).

Every package under steadyinput/ is found, so a new subpackage can never be left out of the
wheel; the filter library (filters/) and the shipped profiles (profiles/) are installed inside
it as steadyinput.filters and steadyinput.profiles: no top-level `filters` in site-packages.

The compiled engine: when a wheel is built (``pip install .``), the engine's hot modules
(:data:`COMPILED`) are also compiled with mypyc, from the same typed sources, into extension
modules installed beside them, which Python then imports instead. Nothing else changes: the
.py files stay in the wheel, and ``STEADYINPUT_PURE=1`` runs them (the reference the compiled
engine is tested against, byte for byte). Where it cannot be built (no C compiler, no mypyc, a
type error mypyc refuses) the install goes on without it and the pure engine runs, as
``steadyinput doctor`` says. An editable install (``pip install -e``) never compiles: an
extension module beside its source would hide every later edit of it.
``STEADYINPUT_PURE_BUILD=1`` builds without it on purpose.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

PACKAGES = ["steadyinput", *(f"steadyinput.{p}" for p in find_packages("steadyinput")),
            "steadyinput.filters", *(f"steadyinput.filters.{p}" for p in find_packages("filters")),
            "steadyinput.profiles"]

# the engine's per-event and per-tick work, as installed (steadyinput.filters lives in filters/)
COMPILED = ["steadyinput/engine.py", "steadyinput/extent.py", "steadyinput/extent_kernels.py",
            "steadyinput/filters/chain.py", "steadyinput/filters/kalman.py", "steadyinput/filters/adaptive.py",
            "steadyinput/filters/click_guard.py", "steadyinput/filters/dwell.py",
            "steadyinput/filters/lowpass.py", "steadyinput/filters/one_euro.py"]
PLACEHOLDER = "steadyinput._engine_placeholder"  # makes the wheel platform-specific; never built


def _note(msg: str) -> None:
    print(f"steadyinput: {msg}", file=sys.stderr, flush=True)


class BuildEngine(build_ext):
    """Compiles :data:`COMPILED` with mypyc, or builds nothing and says why (the pure engine runs)."""

    def run(self) -> None:
        self.extensions = [e for e in self.extensions if e.name != PLACEHOLDER]
        if self.editable_mode or getattr(self, "inplace", False):
            return
        if os.environ.get("STEADYINPUT_PURE_BUILD") == "1":
            _note("STEADYINPUT_PURE_BUILD=1: the pure-Python engine only")
            return
        # a folder of its own: two builds in one checkout at once must not write over each other
        os.makedirs(self.build_temp, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix="mypyc-", dir=self.build_temp)).resolve()
        try:
            self.extensions = self._mypyc_extensions(stage)
            self.finalize_extensions()
            super().run()
        except (Exception, SystemExit) as exc:  # the compiler or mypyc is missing or refuses
            for out in self.get_outputs():
                Path(out).unlink(missing_ok=True)  # all or nothing: no module without its runtime
            self.extensions = []
            _note(f"the compiled engine could not be built ({type(exc).__name__}: {exc}); "
                  "the pure-Python engine runs instead (the same output, slower)")
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def finalize_extensions(self) -> None:
        for ext in self.extensions:  # what build_ext.finalize_options does to each extension
            ext._full_name = self.get_ext_fullname(ext.name)  # type: ignore[attr-defined]
            self.ext_map[ext._full_name] = ext  # type: ignore[attr-defined]
            ext._links_to_dynamic = False  # type: ignore[attr-defined]
            ext._needs_stub = False  # type: ignore[attr-defined]

    def _mypyc_extensions(self, stage: Path) -> list[Extension]:
        from mypyc.build import mypycify
        # mypy needs the package as it will be installed (filters/ as steadyinput/filters)
        root = Path(__file__).resolve().parent
        shutil.copytree(root / "steadyinput", stage / "steadyinput",
                        ignore=shutil.ignore_patterns("__pycache__", "*.so"))
        shutil.copytree(root / "filters", stage / "steadyinput" / "filters",
                        ignore=shutil.ignore_patterns("__pycache__", "*.so"))
        here = os.getcwd()
        os.chdir(stage)
        try:
            exts = mypycify(["--ignore-missing-imports", *COMPILED], opt_level="3",
                            target_dir=str(stage / "c"), group_name="steadyinput_engine")
        finally:
            os.chdir(here)
        for ext in exts:  # sources and include dirs relative to the stage
            ext.sources = [s if os.path.isabs(s) else str(stage / s) for s in ext.sources]
            ext.include_dirs = [d if os.path.isabs(d) else str(stage / d) for d in ext.include_dirs]
        return exts


setup(packages=PACKAGES, ext_modules=[Extension(PLACEHOLDER, sources=[], optional=True)],
      cmdclass={"build_ext": BuildEngine})
