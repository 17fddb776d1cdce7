"""A wheel install and an editable install both work, and neither puts a top-level `filters`
module into site-packages (the library ships only as steadyinput.filters).

Each builds the package for real with pip into its own virtual environment; the environments
see the already installed dependencies through a .pth file (numpy, scipy, ...) so nothing big is downloaded.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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


def _check_installed(py: Path, cwd: Path, expect_inside: Path | None) -> None:
    code = ("import steadyinput, steadyinput.filters as f, steadyinput.profile as p; "
            "print(steadyinput.__file__); print(f.__file__); print(sorted(p.available()))")
    out = subprocess.run([str(py), "-c", code], cwd=cwd, capture_output=True, text=True, check=True).stdout
    pkg, filt, profiles = out.splitlines()
    if expect_inside is not None:
        assert pkg.startswith(str(expect_inside)), pkg
    assert "moderate" in profiles and "dwell-only" in profiles
    r = subprocess.run([str(py), "-c", "import filters"], cwd=cwd, capture_output=True, text=True)
    assert r.returncode != 0 and "No module named 'filters'" in r.stderr
    script = py.parent / "steadyinput"
    assert "replay" in subprocess.run([str(script), "--help"], cwd=cwd, capture_output=True, text=True,
                                      check=True).stdout
    subprocess.run([str(script), "demo", "-d", str(cwd / "demo")], cwd=cwd, check=True, capture_output=True)
    assert (cwd / "demo" / "report" / "index.html").exists()


def test_wheel_install_works_and_ships_no_top_level_filters(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, cwd=tmp_path)
    (wheel,) = dist.glob("steadyinput-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith("filters/")]
    assert "steadyinput/filters/kalman.py" in names and "steadyinput/profiles/moderate.yaml" in names
    assert "steadyinput/data/demo-intention.csv.gz" in names
    py = _venv(tmp_path / "venv")
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    _check_installed(py, work, tmp_path / "venv")


def test_editable_install_works_and_ships_no_top_level_filters(tmp_path):
    py = _venv(tmp_path / "venv")
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "-q", "-e", str(ROOT)], check=True,
                   cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    _check_installed(py, work, ROOT)
