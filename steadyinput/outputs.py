"""Writing outputs safely: never over an input, and complete or not at all.

Every command that writes files goes through an :class:`Outputs` transaction::

    with Outputs(inputs=[trace_path, truth_path]) as outs:
        tmp = outs.file("filtered.csv")      # write here; renamed into place on success
        folder = outs.folder("report/")      # write files here; moved into report/ on success
        ...

Each output is checked first: it must not be one of the inputs (same path, a symlink to it or a
hard link of it), must not be a folder when a file is meant, and its folder must be writable.
Outputs are written under temporary names beside their final place and renamed into place only
when the whole command has succeeded; on any failure (an exception, Ctrl-C, SIGTERM through the
CLI's handler) the temporary files and any folders the transaction created are removed, so no
partial output remains and existing files are untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError

TMP_TAG = ".steadyinput-tmp-"


def _same_file(a: Path, b: Path) -> bool:
    """The same file by path, symlink or hard link (os.path.samefile follows links)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def refuse_inputs(output: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """Raise :class:`OutputError` if writing ``output`` would replace any of ``inputs``."""
    out = Path(output)
    for inp in inputs:
        if inp is None:
            continue
        ip = Path(inp)
        if _same_file(out, ip):
            raise OutputError(f"{output}: refusing to write over an input ({inp}); choose another output")


class Outputs:
    """A set of outputs written together: all of them appear, or none (see the module doc)."""

    def __init__(self, inputs: Iterable[str | Path | None] = ()) -> None:
        self.inputs = [Path(p) for p in inputs if p is not None]
        self._files: list[tuple[Path, Path]] = []  # (temporary, final)
        self._folders: list[tuple[Path, Path]] = []
        self._made_dirs: list[Path] = []
        self.committed = False

    # -- declaring outputs --------------------------------------------------------------------
    def file(self, path: str | Path) -> Path:
        """A temporary path to write ``path``'s content to (created empty, in the same folder)."""
        final = Path(path)
        self._check_target(final, folder=False)
        parent = self._parent(final)
        fd, tmp = self._mkstemp(final, parent)
        os.close(fd)
        self._files.append((Path(tmp), final))
        return Path(tmp)

    def folder(self, path: str | Path) -> Path:
        """A temporary folder whose files are moved into ``path`` on success (others there stay)."""
        final = Path(path)
        self._check_target(final, folder=True)
        parent = self._parent(final)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{final.name or 'out'}{TMP_TAG}", dir=parent))
        except OSError as exc:
            raise OutputError(f"{final}: cannot write there: {exc.strerror or exc}") from None
        self._folders.append((tmp, final))
        return tmp

    def _check_target(self, final: Path, folder: bool) -> None:
        if not folder and final.is_dir():
            raise OutputError(f"{final}: is a folder; give a file name for this output")
        if folder and final.exists() and not final.is_dir():
            raise OutputError(f"{final}: exists and is not a folder; give a folder for this output")
        refuse_inputs(final, self.inputs)

    def _parent(self, final: Path) -> Path:
        parent = final.parent if str(final.parent) else Path(".")
        missing: list[Path] = []
        p = parent
        while not p.exists():
            missing.append(p)
            if p.parent == p:
                break
            p = p.parent
        if p.exists() and not p.is_dir():
            raise OutputError(f"{final}: cannot write there: {p} is not a folder")
        try:
            for d in reversed(missing):
                d.mkdir()
                self._made_dirs.append(d)
        except OSError as exc:
            raise OutputError(f"{final}: cannot create the folder {parent}: {exc.strerror or exc}") from None
        if not os.access(parent, os.W_OK | os.X_OK):
            raise OutputError(f"{final}: cannot write there: no permission to write in {parent}")
        return parent

    @staticmethod
    def _mkstemp(final: Path, parent: Path) -> tuple[int, str]:
        try:
            return tempfile.mkstemp(prefix=f".{final.name}{TMP_TAG}", dir=parent)
        except OSError as exc:
            raise OutputError(f"{final}: cannot write there: {exc.strerror or exc}") from None

    # -- finishing ----------------------------------------------------------------------------
    def commit(self) -> None:
        """Move every output into place (each file by an atomic rename)."""
        for tmp, final in self._folders:  # files put into a folder must not replace an input there
            for p in tmp.iterdir():
                refuse_inputs(final / p.name, self.inputs)
        for tmp, final in self._files:
            os.replace(tmp, final)
        for tmp, final in self._folders:
            final.mkdir(parents=True, exist_ok=True)
            for p in sorted(tmp.iterdir()):
                dest = final / p.name
                if dest.is_dir() and not p.is_dir():
                    shutil.rmtree(dest)
                os.replace(p, dest)
            tmp.rmdir()
        self.committed = True

    def abort(self) -> None:
        """Remove every temporary output and every folder this transaction created."""
        for tmp, _ in self._files:
            try:
                tmp.unlink()
            except FileNotFoundError:
                pass
        for tmp, _ in self._folders:
            shutil.rmtree(tmp, ignore_errors=True)
        for d in reversed(self._made_dirs):
            try:
                d.rmdir()
            except OSError:
                pass

    def __enter__(self) -> "Outputs":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.commit()
            except OSError as err:
                self.abort()
                raise OutputError(f"cannot move the outputs into place: {err}") from None
            except BaseException:
                self.abort()
                raise
        else:
            self.abort()

