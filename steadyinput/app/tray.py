"""The tray icon, its menu and the hotkeys around the running :class:`App`.

pystray draws the icon where its backend has a menu (AppIndicator/GTK with PyGObject, Windows,
macOS), and the menu is native. On plain X11 (pystray's X11 backend, which has no menu and can
hang the X server when its icon changes from another thread) the icon is our own XEmbed icon
(:mod:`.xembed_icon`) and a click on it pops up the same menu drawn with Tk. pynput and pystray raise at import time without a display, so they are
imported here only, after checking there is one. ``STEADYINPUT_STATE_FILE`` makes the utility
write its state as JSON on every change (support and tests).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import queue
import signal
import sys
import threading
from pathlib import Path

from ..access_checks import tk_fix
from .controller import DWELL_TYPES, App, State
from .settings import Settings, evdev_px_per_count, log_dir

log = logging.getLogger("steadyinput.app")


def _setup_logging() -> Path:
    d = log_dir()
    d.mkdir(parents=True, exist_ok=True)
    path = d / "steadyinput.log"
    h = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger("steadyinput")
    root.setLevel(logging.INFO)
    root.addHandler(h)
    return path


NOT_CHECKED = "not checked without a display"


def _importable(module: str) -> bool:
    import importlib.util
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def tray_checks() -> list:
    """Every piece the tray needs, each an :class:`~steadyinput.access_checks.Check` with its fix:
    a display, Tk (the menu), pystray and Pillow (the icon), python-xlib (X11), and a system tray
    on the display or PyGObject (AppIndicator). Pieces that need a display to be checked say so."""
    from ..access_checks import Check
    out = []
    desktop = sys.platform in ("win32", "darwin")
    display = desktop or bool(os.environ.get("DISPLAY"))
    if not desktop:
        if display:
            out.append(Check(True, f"display {os.environ['DISPLAY']}"))
        elif os.environ.get("WAYLAND_DISPLAY"):
            out.append(Check(False, "Wayland without XWayland: no tray icon can be shown",
                             "enable XWayland, or run headless: steadyinput run --no-tray"))
        else:
            out.append(Check(False, "no display (DISPLAY is not set)",
                             "run inside a desktop session (X11, or Wayland with XWayland); headless: "
                             "steadyinput run --no-tray"))
    try:
        import tkinter
        out.append(Check(True, f"Tk {tkinter.TkVersion} (the menu and dialogs)"))
    except ImportError:
        out.append(Check(False, "this Python has no Tk (the menu and dialogs need it)", tk_fix()))
    libs = [("pystray", "pystray"), ("PIL", "Pillow")] + ([] if desktop else [("Xlib", "python-xlib")])
    missing = [pkg for mod, pkg in libs if not _importable(mod)]
    out.append(Check(not missing, ", ".join(pkg for _, pkg in libs) + ("" if not missing else
                     f": {', '.join(missing)} missing"),
                     f"{Path(sys.executable).name} -m pip install {' '.join(missing)}" if missing else ""))
    if desktop:
        return out
    gi = _importable("gi")
    if gi:
        out.append(Check(True, "PyGObject (AppIndicator menu, no XEmbed tray needed)"))
    elif not display:
        out.append(Check(False, f"system tray: {NOT_CHECKED} (a panel with a notification area is "
                                "needed, or PyGObject for AppIndicator)",
                         "sudo apt install python3-gi gir1.2-ayatanaappindicator3-0.1 for a full menu under "
                         "GNOME/KDE"))
    else:
        try:
            from Xlib import display as xdisplay
            d = xdisplay.Display()
            owner = d.get_selection_owner(d.intern_atom(f"_NET_SYSTEM_TRAY_S{d.get_default_screen()}"))
            d.close()
            out.append(Check(owner != 0, "system tray: " + (
                "running (no PyGObject: pystray's X11 icon; a full menu under GNOME/KDE needs python3-gi "
                "gir1.2-ayatanaappindicator3-0.1)" if owner != 0 else
                "no system tray is running on this display (no panel with a notification area, and no "
                "PyGObject for AppIndicator)"),
                "" if owner != 0 else "start a panel with a notification area, or sudo apt install python3-gi "
                                      "gir1.2-ayatanaappindicator3-0.1"))
        except Exception as exc:
            out.append(Check(False, f"system tray: cannot reach the X display: {exc}",
                             "check DISPLAY and that the X server lets this user connect"))
    return out


def tray_problem(fixes: bool = True) -> str | None:
    """Why no tray can be shown here (every missing piece, with its fix unless ``fixes`` is
    false, in one line), or None."""
    bad = [c for c in tray_checks() if not c.ok and NOT_CHECKED not in c.what]
    if not bad:
        return None
    return "; ".join(c.what + (f" (fix: {c.fix})" if c.fix and fixes else "") for c in bad)


def menu_model(app: App) -> list:
    """(label, action, kind, checked) rows; kind: item, check, radio, sub, sep."""
    return [
        ("Steady the pointer", app.toggle, "check", lambda: app.enabled),
        ("Profile", [(n, (lambda n=n: app.set_profile(n)), "radio", (lambda n=n: app.profile.name == n))
                     for n in app.profiles()], "sub", None),
        ("Dwell-click", lambda: app.set_dwell(not app.dwell_enabled), "check", lambda: app.dwell_enabled),
        ("Next dwell click", [(k.capitalize(), (lambda k=k: app.set_dwell_click(k)), "radio",
                               (lambda k=k: app.settings.dwell_click == k)) for k in DWELL_TYPES], "sub", None),
        ("Pause dwell-click", app.toggle_dwell_pause, "check", lambda: app.dwell_paused),
        None,
        ("Live view…", app.open_view, "item", None),
        ("Calibrate…", app.calibrate, "item", None),
        ("Open the last report", app.open_last_report, "item", None),
        ("Open the profiles folder", app.open_profiles_folder, "item", None),
        ("Start at login", lambda: app.set_autostart(not app.autostart_enabled()), "check", app.autostart_enabled),
        None,
        ("About steadyinput", lambda: app.notify(app.about()), "item", None),
        ("Quit", None, "quit", None),
    ]


class Tray:
    """The icon. On X11 it is our own :class:`XEmbedIcon` (one thread owns its X connection; a
    click pops up the Tk menu); elsewhere pystray's icon with its native menu. Changing the icon
    never blocks the caller: a change is handed to the icon's own thread, latest wins."""

    def __init__(self, app: App, on_quit) -> None:
        import pystray
        from . import icons
        self.pystray, self.icons = pystray, icons
        self.app = app
        self.on_quit = on_quit
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        self.stopped = False
        self.xembed = pystray.Icon.__module__.endswith("_xorg")
        self.native = not self.xembed and bool(pystray.Icon.HAS_MENU)
        if self.xembed:
            from .xembed_icon import XEmbedIcon
            self.icon = XEmbedIcon("steadyinput", icons.icon(app.state().value), app.title(),
                                   on_click=lambda: self.requests.put("menu"))
        else:
            menu = self._native_menu() if self.native else pystray.Menu(
                pystray.MenuItem("Menu", lambda: self.requests.put("menu"), default=True, visible=False))
            self.icon = pystray.Icon("steadyinput", icons.icon(app.state().value), app.title(), menu)
        self._wanted = threading.Event()  # the app changed: the updater thread shows it (pystray)
        app.listeners.append(self.refresh)

    def _native_menu(self):
        ps = self.pystray

        def items(rows):
            out = []
            for row in rows:
                if row is None:
                    out.append(ps.Menu.SEPARATOR)
                    continue
                label, action, kind, checked = row
                if kind == "sub":
                    out.append(ps.MenuItem(label, ps.Menu(*items(action))))
                elif kind == "quit":
                    out.append(ps.MenuItem(label, lambda: self.requests.put("quit")))
                else:
                    out.append(ps.MenuItem(label, (lambda a=action: a()), checked=(lambda _i, c=checked: c())
                                           if checked else None, radio=kind == "radio"))
            return out
        return ps.Menu(lambda: items(menu_model(self.app)))

    def refresh(self) -> None:
        """Show the app's state on the icon (image, title, menu); returns at once."""
        if self.stopped:
            return
        if self.xembed:
            self.icon.set(self.icons.icon(self.app.state().value), self.app.title())
        else:
            self._wanted.set()

    def _update_loop(self) -> None:
        """pystray's setters wait for its icon thread: they run here, never in the menu's thread."""
        while not self.stopped:
            self._wanted.wait()
            if self.stopped:
                return
            self._wanted.clear()
            try:
                self.icon.icon = self.icons.icon(self.app.state().value)
                self.icon.title = self.app.title()
                if self.native:
                    self.icon.update_menu()
            except Exception:
                log.exception("the tray icon could not be updated")

    def notify(self, msg: str) -> None:
        log.info(msg)
        if not self.stopped and not self.xembed and getattr(self.pystray.Icon, "HAS_NOTIFICATION", False):
            try:
                self.icon.notify(msg, "steadyinput")
            except Exception:
                pass

    def run(self) -> None:
        if self.xembed:
            self.icon.start()
            return
        threading.Thread(target=self.icon.run, name="tray-icon", daemon=True).start()
        threading.Thread(target=self._update_loop, name="tray-updater", daemon=True).start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Take the icon down; waits at most ``timeout_s`` for it (the process exits anyway)."""
        self.stopped = True  # from now on state changes (e.g. a late warning) leave the icon alone
        self._wanted.set()
        if self.xembed:
            self.icon.stop(timeout_s)
            return

        def stop_icon() -> None:
            try:
                self.icon.stop()
            except Exception:
                pass
        t = threading.Thread(target=stop_icon, name="tray-stop", daemon=True)
        t.start()
        t.join(timeout_s)
        if t.is_alive():
            log.warning("the tray icon did not stop within %.0f s; exiting without it", timeout_s)


class TkMenu:
    """The menu drawn with Tk, for tray backends without one (pystray's X11 backend)."""

    def __init__(self, root, app: App, on_quit) -> None:
        self.root, self.app, self.on_quit = root, app, on_quit
        self.menu = None

    def popup(self, x: int | None = None, y: int | None = None) -> None:
        import tkinter as tk
        if self.menu is not None:
            self.menu.destroy()
        font = ("DejaVu Sans", 14)
        self.vars = []

        def build(parent, rows):
            m = tk.Menu(parent, tearoff=False, font=font)
            for row in rows:
                if row is None:
                    m.add_separator()
                    continue
                label, action, kind, checked = row
                if kind == "sub":
                    m.add_cascade(label=label, menu=build(m, action))
                elif kind == "quit":
                    m.add_command(label=label, command=self.on_quit)
                elif kind in ("check", "radio"):
                    v = tk.BooleanVar(value=bool(checked()))
                    self.vars.append(v)
                    m.add_checkbutton(label=label, variable=v, command=action)
                else:
                    m.add_command(label=label, command=action)
            return m
        self.menu = build(self.root, menu_model(self.app))
        if x is None:
            x, y = self.root.winfo_pointerxy()
        log.info("menu opened")
        self.menu.tk_popup(x, y)


def write_state(app: App) -> None:
    path = os.environ.get("STEADYINPUT_STATE_FILE")
    if not path:
        return
    tmp = path + ".tmp"
    Path(tmp).write_text(json.dumps({"state": app.state().value, "enabled": app.enabled, "profile": app.profile.name,
                                     "dwell": app.dwell_enabled, "dwell_click": app.settings.dwell_click,
                                     "dwell_paused": app.dwell_paused, "error": app.error,
                                     "autostart": app.autostart_enabled()}))
    os.replace(tmp, path)


def start_hotkeys(app: App, settings: Settings, schedule):
    try:
        from pynput import keyboard
        hk = keyboard.GlobalHotKeys({settings.hotkey_toggle: lambda: schedule(app.toggle),
                                     settings.hotkey_dwell_pause: lambda: schedule(app.toggle_dwell_pause)})
        hk.start()
        return hk
    except Exception as exc:  # a missing hotkey must not stop the utility
        app.notify(f"hotkeys unavailable ({exc}); use the tray menu")
        return None


def run_tray(args) -> int:
    from ..backends import choose, create
    from ..errors import UserError
    from ..live.session import SessionOptions
    from .single import AlreadyRunning, SingleInstance

    problem = tray_problem()
    if problem:
        raise UserError(f"cannot show the tray icon: {problem}.\n"
                        f"Run without it: steadyinput run --no-tray   (Ctrl-C stops; 'steadyinput doctor' says more)")
    logfile = _setup_logging()
    settings = Settings.load()
    if args.profile:
        settings.profile = args.profile
    name, _ = choose(args.backend)
    kw = {"devices": args.device} if args.device else {}
    if name == "evdev" and evdev_px_per_count(settings) is not None:
        kw["px_per_count"] = evdev_px_per_count(settings)
    backend = create(name, **kw)

    import tkinter as tk
    root = tk.Tk(className="steadyinput")
    root.withdraw()
    root.report_callback_exception = lambda *exc: log.error("menu action failed", exc_info=exc)
    calls: queue.SimpleQueue = queue.SimpleQueue()
    schedule = calls.put  # anything touching Tk runs in the main thread

    app = App(backend, settings, options=SessionOptions.from_args(args))
    app.post = schedule
    app.view_master = root
    single = SingleInstance(on_show=lambda: schedule("menu"), on_view=app.open_view)
    try:
        single.acquire()
    except AlreadyRunning as exc:
        root.destroy()
        print(f"steadyinput: {exc}", file=sys.stderr)
        return 0
    done = threading.Event()

    def quit_all() -> None:
        if done.is_set():
            return
        done.set()
        log.info("quitting")
        app.quit()
        tray.stop()
        root.after(50, root.destroy)

    tray = Tray(app, quit_all)
    app.notify = tray.notify
    menu = TkMenu(root, app, quit_all)
    app.listeners.append(lambda: write_state(app))
    hot = start_hotkeys(app, settings, schedule)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: schedule(quit_all))

    def run_guarded(what: str, fn) -> None:
        try:
            fn()
        except Exception:  # one failing item must not stop the pump: Quit and signals keep working
            log.exception("%s failed", what)

    def pump() -> None:
        try:
            while not calls.empty():
                item = calls.get()
                run_guarded("menu", menu.popup) if item == "menu" else run_guarded("a scheduled call", item)
            while not tray.requests.empty():
                req = tray.requests.get()
                if req == "menu":
                    run_guarded("menu", menu.popup)
                elif req == "quit":
                    quit_all()
            if app.wait(0) and not done.is_set():  # the live loop ended by itself
                quit_all()
        finally:
            if not done.is_set():
                root.after(50, pump)

    app.start()
    tray.run()
    write_state(app)
    print(f"steadyinput: {app.session.status()} in the tray "
          f"({'native menu' if tray.native else 'click the icon for the menu'}); "
          f"{settings.hotkey_toggle} turns it on/off; log: {logfile}", file=sys.stderr, flush=True)
    root.after(50, pump)
    try:
        root.mainloop()
    finally:
        quit_all()
        if hot is not None:
            hot.stop()
        single.release()
    return 1 if app.state() is State.STOPPED else 0
