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
    v = ps.add_parser("validate", help="check a profile file; lists every problem with its line")
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
    from ..profile import ProfileError, load
    bad = 0
    for f in args.file:
        try:
            prof = load(f)
            print(f"{prof.path}: OK")
        except ProfileError as exc:
            bad += 1
            print("\n".join(exc.problems))
    return 1 if bad else 0


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


def run_edit(args: argparse.Namespace) -> int:
    from ..profile import ProfileError, find, save_text, shipped_dir, user_dir
    from ..errors import UserError
    src = find(args.name)
    path = src if src.parent != shipped_dir() else user_dir() / src.name
    if src.parent == shipped_dir():
        print(f"{args.name} is shipped; your edits go to a user copy: {path}")
    text = src.read_text(encoding="utf-8")
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d) / path.name
        tmp.write_text(text, encoding="utf-8")
        while True:
            if subprocess.call([*shlex.split(editor), str(tmp)]) != 0:
                raise UserError(f"the editor ({editor}) failed; nothing saved")
            new = tmp.read_text(encoding="utf-8")
            try:
                backup = save_text(path, new)
            except ProfileError as exc:
                print("\n".join(m.replace(str(tmp), str(path)) for m in exc.problems))
                if not _ask("Not saved. Edit again? [Y/n] "):
                    print(f"nothing saved; {path} is unchanged")
                    return 1
                continue
            print(f"saved {path}" + (f" (previous version: {backup})" if backup else ""))
            return 0


def _ask(prompt: str) -> bool:
    try:
        return input(prompt).strip().lower() not in ("n", "no")
    except EOFError:
        return False
