"""The profiles calibration and the benchmarks compare with: the shipped ones, resolved from the
shipped folder only, and (only when asked) the user's own, labelled as theirs.

:func:`steadyinput.profile.load` finds a name, and a shipped profile's ``extends``, among the
user's profiles first: a user profile named ``moderate`` would then change every shipped
profile built on it. "Shipped" here means the bundled files alone, whatever the user folder holds.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ProfileError
from ..profile import SCHEMA_VERSION, Profile, _merge, defaults, load, read_raw, shipped_dir, user_dir, validate

USER_TAG = " (user)"


def shipped_names() -> list[str]:
    """Names of the bundled profiles (files in :func:`shipped_dir`), sorted."""
    return sorted(p.stem for p in shipped_dir().glob("*.yaml"))


def user_paths() -> dict[str, Path]:
    """The user's own profiles: name → file (empty when the folder does not exist)."""
    d = user_dir()
    return {p.stem: p for p in sorted(d.glob("*.yaml"))} if d.is_dir() else {}


def user_label(name: str) -> str:
    """How a user profile is named next to shipped ones: ``"anna (user)"``."""
    return f"{name}{USER_TAG}"


def load_shipped(name: str) -> Profile:
    """A bundled profile resolved from bundled files only (its ``extends`` chain included)."""
    layers: list[dict] = []
    chain: list[str] = []
    cur: str | None = name
    while cur:
        path = shipped_dir() / f"{cur}.yaml"
        if not path.exists():
            raise ProfileError([f"{chain[-1] if chain else name}: no shipped profile named {cur!r}"])
        if str(path) in chain:
            raise ProfileError([f"{path}: 'extends' goes round in a circle"])
        data, lines = read_raw(path)
        problems = validate(data, path, lines)
        if problems:
            raise ProfileError(problems)
        layers.append(data)
        chain.append(str(path))
        parent = data.get("extends")
        cur = parent if isinstance(parent, str) else None
    merged = defaults()
    for layer in reversed(layers):
        merged = _merge(merged, {k: v for k, v in layer.items() if k != "extends"})
    merged["schema_version"] = SCHEMA_VERSION
    return Profile(name=name, data=merged, path=chain[0], chain=chain)


def compared(include_user: bool = False) -> dict[str, Profile]:
    """Label → resolved profile: every shipped one, plus the user's labelled ``NAME (user)``
    when ``include_user``. Loaded up front, so a broken user profile fails before long runs."""
    out = {n: load_shipped(n) for n in shipped_names()}
    if include_user:
        out.update({user_label(n): load(p) for n, p in user_paths().items()})
    return out
