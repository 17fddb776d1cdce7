"""The real install carries the whole program: a wheel (and an editable install) in a fresh venv,
every subcommand run for real from a folder outside the checkout.

Each install goes into its own virtual environment, which sees the already installed
dependencies (numpy, scipy, ...) through a .pth file so nothing big is downloaded, but not the
checkout: the wheel test would fail if a package were left out of the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_engine_compiled import digests

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _venv(path: Path) -> Path:
    """A fresh venv that sees this interpreter's installed packages (but runs no .pth of theirs,
    so an editable install of steadyinput out there stays invisible)."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    py = path / "bin" / "python"
    site_dir = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    outer = [p for p in sys.path if p.endswith("-packages") and Path(p).is_dir()]
    (Path(site_dir) / "_outer_site.pth").write_text("\n".join(outer) + "\n")
    return py


def _source_modules() -> set[str]:
    """Every module of the package as the wheel must name it."""
    names = {f"steadyinput/{p.relative_to(ROOT / 'steadyinput')}" for p in (ROOT / "steadyinput").rglob("*.py")}
    names |= {f"steadyinput/filters/{p.relative_to(ROOT / 'filters')}" for p in (ROOT / "filters").rglob("*.py")}
    names |= {f"steadyinput/profiles/{p.name}" for p in (ROOT / "profiles").glob("*.yaml")}
    return names


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, cwd=dist)
    (whl,) = dist.glob("steadyinput-*.whl")
    return whl


@pytest.fixture(scope="module", params=["wheel", "editable"])
def installed(request, tmp_path_factory) -> tuple[Path, Path, str]:
    """(steadyinput script, a work folder outside the checkout, kind of install)."""
    base = tmp_path_factory.mktemp(request.param)
    py = _venv(base / "venv")
    target = [str(request.getfixturevalue("wheel"))] if request.param == "wheel" else ["-e", str(ROOT)]
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "-q", *target], check=True, cwd=base)
    work = base / "elsewhere"
    work.mkdir()
    return py.parent / "steadyinput", work, request.param


def _run(installed, *args: str, ok: tuple[int, ...] = (0,), display: bool = False) -> subprocess.CompletedProcess:
    script, work, _ = installed
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH")}
    env.update(STEADYINPUT_PROFILE_DIR=str(work / "profiles"), STEADYINPUT_CONFIG_DIR=str(work / "config"),
               STEADYINPUT_LOG_DIR=str(work / "logs"), STEADYINPUT_RUNTIME_DIR=str(work / "run"), MPLBACKEND="Agg")
    r = subprocess.run([str(script), *args], cwd=work, capture_output=True, text=True, env=env, timeout=600,
                       stdin=subprocess.DEVNULL)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, (args, r.stderr)
    assert r.returncode in ok, (args, r.returncode, r.stdout, r.stderr)
    return r


def test_the_wheel_carries_every_module_and_no_top_level_filters(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [n for n in names if n.startswith("filters/")]
    assert _source_modules() <= names, sorted(_source_modules() - names)
    assert "steadyinput/data/demo-intention.csv.gz" in names


def test_the_installed_package_is_the_installed_one_and_has_no_top_level_filters(installed):
    script, work, kind = installed
    py = script.parent / "python"
    out = subprocess.run([str(py), "-c", "import steadyinput, steadyinput.filters as f; print(steadyinput.__file__)"],
                         cwd=work, capture_output=True, text=True, check=True).stdout
    assert out.startswith(str(ROOT if kind == "editable" else script.parents[1])), out
    r = subprocess.run([str(py), "-c", "import filters"], cwd=work, capture_output=True, text=True)
    assert r.returncode != 0 and "No module named 'filters'" in r.stderr


def test_every_file_command_runs_from_the_install(installed):
    _, work, _ = installed
    assert "replay" in _run(installed, "--help").stdout
    _run(installed, "demo", "-d", "demo")
    assert (work / "demo" / "report" / "index.html").exists()
    _run(installed, "simulate", "--trials", "6", "--seed", "3", "-o", "sim.csv")
    _run(installed, "replay", "sim.csv", "-o", "out.csv", "--report", "rep", "--metrics")
    assert (work / "rep" / "index.html").exists() and (work / "out.csv").exists()
    res = json.loads(_run(installed, "calibrate", "--from", "sim.csv", "--json", "--report", "cal",
                          "--save", "anna").stdout)
    assert res["tremor_hz"] > 0 and (work / "cal" / "report.html").exists()
    assert (work / "profiles" / "anna.yaml").exists()
    assert "anna" in _run(installed, "profile", "list").stdout
    _run(installed, "profile", "show", "anna")
    _run(installed, "profile", "diff", "moderate", "anna")
    _run(installed, "profile", "validate", "anna", "moderate")
    _run(installed, "profile", "new", "bob", "--from", "mild")
    _run(installed, "replay", "sim.csv", "-o", "bob.csv", "--profile", "bob")


def test_the_benchmarks_run_from_the_install(installed):
    _, work, _ = installed
    _run(installed, "bench", "quality", "--quick", "-o", "bq")
    _run(installed, "bench", "speed", "--quick", "-o", "bs")
    assert (work / "bq" / "quality.md").exists() and (work / "bs" / "speed.md").exists()


def test_setup_dry_run_from_the_install_shows_the_rule_and_changes_nothing(installed):
    r = _run(installed, "setup", "--dry-run")
    assert "/etc/udev/rules.d/70-steadyinput.rules" in r.stdout or r.stdout.startswith("already set up")
    assert "dry run: nothing was changed" in r.stdout or r.stdout.startswith("already set up")


@pytest.mark.parametrize("args", [(), ("run",), ("run", "--no-tray"), ("record", "rec.csv"), ("calibrate",),
                                  ("doctor",)])
def test_commands_needing_a_screen_or_device_end_with_a_clear_message_without_one(installed, args):
    r = _run(installed, *args, ok=(1, 2))
    assert r.stderr.strip() or r.stdout.strip()
    if args != ("doctor",):
        assert r.stderr.startswith("steadyinput "), r.stderr


REALDATA = Path(os.environ.get("STEADYINPUT_REALDATA", "/work/shared/realdata/spiral-dev"))


def _compiler() -> bool:
    return bool(shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc"))


def test_the_wheel_has_the_compiled_engine_where_a_compiler_is_and_it_says_so(installed):
    script, _, kind = installed
    line = [ln for ln in _run(installed, "doctor", ok=(0, 1)).stdout.splitlines() if " engine: " in ln]
    assert len(line) == 1, line
    if kind == "editable":  # never compiled: an extension beside its source would hide edits of it
        assert line[0].startswith("-- engine: the pure-Python reference"), line
    elif _compiler():
        assert line[0].startswith("ok engine: compiled (mypyc)"), line


def test_the_compiled_engine_replays_byte_identical_to_the_pure_engine(installed):
    script, work, kind = installed
    if kind != "wheel":
        pytest.skip("an editable install runs the pure engine only")
    extra = ["--real", str(REALDATA)] if REALDATA.is_dir() else []  # the shared real recordings, if here
    ours = digests(script.parent / "python", False, *extra, cwd=work)
    ref = digests(script.parent / "python", True, *extra, cwd=work)
    assert ref["engine"] == "engine.py"
    if _compiler():
        assert ours["engine"] != "engine.py", ours["engine"]
    assert ours["cases"] == ref["cases"]
    assert not [k for k in ref["cases"] if k.endswith("faults")]


def test_without_a_c_compiler_the_wheel_builds_with_the_pure_engine_and_a_note(tmp_path):
    env = dict(os.environ, CC="false", CXX="false")  # a compiler command that always fails
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(ROOT)],
                       cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "the pure-Python engine runs instead" in r.stdout + r.stderr
    (whl,) = tmp_path.glob("steadyinput-*.whl")
    names = zipfile.ZipFile(whl).namelist()
    assert not [n for n in names if n.endswith(".so")], names  # no module without its runtime
    assert _source_modules() <= set(names)
