"""``steadyinput profile``: list, show, validate, diff, create and edit profiles."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import tempfile
from pathlib import Path

import yaml


def add_parser(sub) -> None:
    p = sub.add_parser("profile", help="list, show, validate, compare and edit profiles",
                       description="Profiles are YAML files: shipped ones, and your own in the user "
                                   "profile folder (see 'profile list'). Yours shadow shipped ones of the "
                                   "same name.")
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ps.add_parser("list", help="the profiles you can use, with what each is for").set_defaults(run=run_list)
    s = ps.add_parser("show", help="a profile with every setting filled in (after extends)")
    s.add_argument("name", help="profile name or file")
    s.set_defaults(run=run_show)
    v = ps.add_parser("validate", help="check a profile file; lists every problem with its line",
                      description="Check profiles: every problem with its file, line and key. Exit status 0 "
                                  "when all are valid, 2 when one is missing or invalid (a problem you can fix).")
    v.add_argument("file", nargs="+", help="profile name(s) or file(s)")
    v.set_defaults(run=run_validate)
    d = ps.add_parser("diff", help="the settings in which two profiles differ")
    d.add_argument("a")
    d.add_argument("b")
    d.set_defaults(run=run_diff)
    n = ps.add_parser("new", help="create a user profile that extends another")
    n.add_argument("name", help="name of the new profile")
    n.add_argument("--from", dest="base", default="moderate", help="profile to start from (default: moderate)")
    n.set_defaults(run=run_new)
    e = ps.add_parser("edit", help="edit a user profile in $EDITOR; saved only if it validates")
    e.add_argument("name")
    e.set_defaults(run=run_edit)


def run_list(args: argparse.Namespace) -> int:
    from ..profile import available, load, shipped_dir, user_dir
    rows = []
    for name, path in available().items():
        where = "shipped" if path.parent == shipped_dir() else "user"
        try:
            desc = load(name).description
        except Exception as exc:  # list everything, even the broken ones
            desc = f"INVALID: {str(exc).splitlines()[0]}"
        rows.append((name, where, desc))
    width = max(len(r[0]) for r in rows)
    for name, where, desc in rows:
        print(f"{name:<{width}}  {where:<7}  {desc}")
    print(f"\nuser profiles: {user_dir()}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ..profile import load
    prof = load(args.name)
    print(f"# {prof.name}: resolved from {' <- '.join(prof.chain)}")
    print(yaml.safe_dump(prof.data, sort_keys=False, default_flow_style=None), end="")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from ..errors import EXIT_USER
    from ..profile import ProfileError, load
    bad = 0
    for f in args.file:
        try:
            prof = load(f)
            print(f"{prof.path}: OK")
        except ProfileError as exc:
            bad += 1
            print("\n".join(exc.problems))
    return EXIT_USER if bad else 0  # a missing or invalid profile is the user's to fix, as every such error


def _flat(d: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def run_diff(args: argparse.Namespace) -> int:
    from ..profile import load
    a, b = load(args.a), load(args.b)
    fa, fb = _flat(a.data), _flat(b.data)
    keys = [k for k in dict.fromkeys([*fa, *fb]) if fa.get(k) != fb.get(k)]
    if not keys:
        print(f"{a.name} and {b.name} have the same settings")
        return 0
    w = max(len(k) for k in keys)
    print(f"{'setting':<{w}}  {a.name:>16}  {b.name:>16}")
    for k in keys:
        print(f"{k:<{w}}  {str(fa.get(k, '-')):>16}  {str(fb.get(k, '-')):>16}")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from ..profile import load, save_text, user_dir
    from ..errors import UserError
    if not _plain_name(args.name):
        raise UserError(f"{args.name!r} cannot be a profile name: give a plain name, e.g. 'anna' "
                        "(no folder, not hidden, without '.yaml')")
    base = load(args.base)
    path = user_dir() / f"{args.name}.yaml"
    if path.exists():
        raise UserError(f"{path} exists already; edit it with 'steadyinput profile edit {args.name}'")
    text = (f"# {args.name}: a user profile. Settings here override '{base.name}'.\n"
            f"# See 'steadyinput profile show {base.name}' for every setting and its value.\n"
            f"schema_version: 1\nextends: {base.name}\ndescription: {base.description or args.name}\n"
            f"notes: \"\"\n")
    save_text(path, text)
    print(f"created {path}")
    return 0


def _plain_name(name: str) -> bool:
    """A name that is one file in the user folder: no path, no suffix, not hidden."""
    return (bool(name) and name == Path(name).name and not name.startswith(".") and "\0" not in name
            and Path(name).suffix not in (".yaml", ".yml") and len(name) <= 100)


def run_edit(args: argparse.Namespace) -> int:
    from ..errors import EXIT_USER
    from ..profile import ProfileError, decode, find, read_text, save_text, shipped_dir, user_dir
    src = find(args.name)
    shipped = src.parent == shipped_dir()
    path = user_dir() / src.name if shipped else src
    text = read_text(src)
    editor = _editor_command()
    if shipped:
        print(f"{args.name} is shipped; your edits go to a user copy: {path}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d) / path.name
        tmp.write_text(text, encoding="utf-8")
        while True:
            _run_editor(editor, tmp)
            try:
                new = decode(tmp.read_bytes(), path)
                if new == text:
                    print("no change; nothing saved")
                    return 0
                backup = save_text(path, new)
            except ProfileError as exc:
                print("\n".join(m.replace(str(tmp), str(path)) for m in exc.problems))
                if not _ask("Not saved. Edit again? [Y/n] "):
                    print(f"nothing saved; {path} is unchanged" if path.exists() else "nothing saved")
                    return EXIT_USER
                continue
            print(f"saved {path}" + (f" (previous version: {backup})" if backup else ""))
            return 0


def _editor_command() -> list[str]:
    """The user's editor ($VISUAL, else $EDITOR, else vi) as an argument list."""
    from ..errors import UserError
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        argv = shlex.split(editor)
    except ValueError as exc:
        raise UserError(f"cannot understand the editor command {editor!r} ({exc}); "
                        "set VISUAL or EDITOR to your editor; nothing saved") from None
    if not argv:
        raise UserError("VISUAL/EDITOR is blank; set it to your editor (e.g. EDITOR=nano); nothing saved")
    return argv


def _run_editor(argv: list[str], file: Path) -> None:
    """Run the editor on ``file``; a missing or failing editor is a :class:`UserError`."""
    from ..errors import UserError
    try:
        status = subprocess.call([*argv, str(file)])
    except FileNotFoundError:
        raise UserError(f"editor not found: {argv[0]!r}; set VISUAL or EDITOR to your editor "
                        "(e.g. EDITOR=nano); nothing saved") from None
    except OSError as exc:
        raise UserError(f"cannot start the editor {argv[0]!r}: {exc.strerror or exc}; set VISUAL or "
                        "EDITOR to your editor; nothing saved") from None
    if status != 0:
        raise UserError(f"the editor ({shlex.join(argv)}) failed (exit status {status}); nothing saved")


def _ask(prompt: str) -> bool:
    try:
        return input(prompt).strip().lower() not in ("n", "no")
    except EOFError:
        return False
