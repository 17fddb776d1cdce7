"""The few error kinds every layer may raise; the CLI maps them to exit statuses.

All of them are :class:`SteadyInputError`: a problem the user can fix, printed as one line (or
one line per problem) without a traceback, exit status 2. Anything else that escapes is a bug:
the CLI logs its traceback to the per-user log and prints one line saying where.
"""

from __future__ import annotations

from pathlib import Path

EXIT_USER = 2  # bad input, a path that cannot be used, a missing display: the user can fix it
EXIT_BUG = 1  # an unexpected failure (logged with its traceback)


class SteadyInputError(Exception):
    """Base of every expected failure; ``str()`` is the message shown to the user."""

    exit_status = EXIT_USER


class UserError(SteadyInputError):
    """A problem the user can fix (bad option, missing display, ...)."""


class TraceError(SteadyInputError, ValueError):
    """A malformed trace: names the file, the line (1-based) and the field."""

    def __init__(self, path: str | Path, line: int | None, field_name: str | None, message: str) -> None:
        self.path, self.line, self.field = str(path), line, field_name
        where = self.path + (f":{line}" if line is not None else "")
        what = f" field '{field_name}'" if field_name else ""
        super().__init__(f"{where}:{what}: {message}" if what else f"{where}: {message}")


class ProfileError(SteadyInputError, ValueError):
    """Everything wrong with a profile, one problem per line, each naming file, line and key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class BackendError(SteadyInputError):
    """A backend cannot run here; the message says what is missing and how to fix it."""


class OutputError(SteadyInputError):
    """An output that cannot or must not be written (it is an input, a folder, not writable)."""
