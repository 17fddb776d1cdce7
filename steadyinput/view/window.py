"""The live view window (Tk): the hand's and the cursor's paths of the last few seconds, x and y
against time, a tremor meter, and the controls an OT tunes by eye.

Threads: the pointer loop only appends to the view's ring buffers (:class:`~.ring.Tap`, O(1),
no lock); this window reads them on the Tk thread every :data:`FRAME_MS` ms and redraws; the
meter is measured in its own thread once a second. A control hands the new settings to the
session's settings stream, which applies them on the loop's thread at its next turn (the next
engine tick runs with them) and records them with ``run --record``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from .controls import Controls, changed, now_text, profile_text, save_profile, settings_for
from .meter import METER_S, cursor_from, measure, meter_text
from .ring import Tap

BG, FG, HAND, CURSOR, GRID = "#10151c", "#f2f2f2", "#ff9f43", "#3aa0ff", "#2a323d"
WINDOW_S = 4.0  # s of movement drawn
FRAME_MS = 33  # redraw period (about 30 frames/s)
MAX_POINTS = 500  # points per drawn line (more are thinned)
MIN_SPAN_PX = 20.0  # the path plot never zooms in further than this many px across
PATH_W, PATH_H, TIME_W, TIME_H = 380, 380, 560, 380
FONT = ("DejaVu Sans", 13)
MONO = ("DejaVu Sans Mono", 12)


def _thin(s: list) -> list:
    step = max(1, len(s) // MAX_POINTS)
    return s[::step] if step > 1 else s


def _held_to(samples: list, now: float) -> list:
    """The samples plus where the last one stays until ``now`` (a still mouse sends nothing)."""
    return samples + [(now, samples[-1][1], samples[-1][2])] if samples and samples[-1][0] < now else samples


class LiveView:
    """One live view of a running :class:`~steadyinput.live.session.LiveSession`.

    ``master``: the Tk root to open a Toplevel on (the tray's); None makes its own root.
    ``on_enabled``/``enabled``: how on/off is switched and read (the tray's, so its icon follows);
    by default through the session's settings stream. ``on_close``: called after it closed."""

    def __init__(self, session, master=None, on_enabled: Callable[[bool], None] | None = None,
                 enabled: Callable[[], bool] | None = None, on_close: Callable[[], None] | None = None) -> None:
        import tkinter as tk
        self.tk = tk
        self.session = session
        self.on_close = on_close
        self._own_enabled = bool(session.loop.engine.enabled)
        self.on_enabled = on_enabled or self._switch
        self.enabled = enabled or (lambda: self._own_enabled)
        self.profile = session.profile
        self.base = session.engine_data()
        self.current = self.base
        self.controls = Controls.of(self.base)
        self._requested = session.settings.requested  # what the engine was last asked to run
        self.log: list[str] = []  # what was changed and when, for the saved profile's provenance
        self.closed = False
        self.frames = 0
        self.fps = 0.0
        self.meter: dict | None = None
        self.status_text = ""
        self._fps_t, self._fps_n = time.monotonic(), 0
        self._pending = None
        self.win = tk.Tk(className="steadyinput") if master is None else tk.Toplevel(master)
        self.win.title(f"steadyinput live view: profile {self.profile.name}")
        self.win.configure(bg=BG)
        self.win.protocol("WM_DELETE_WINDOW", self.close)
        self._build()
        self.tap = Tap()
        session.loop.tap = self.tap  # from now on the loop appends to it
        self._stop = threading.Event()
        self._meter_thread = threading.Thread(target=self._measure_loop, name="view-meter", daemon=True)
        self._meter_thread.start()
        self.win.after(FRAME_MS, self._frame)

    # -- the window -----------------------------------------------------------------------------
    def _build(self) -> None:
        tk = self.tk
        top = tk.Frame(self.win, bg=BG)
        top.pack(fill="x", padx=10, pady=(10, 0))
        self.title_label = tk.Label(top, text=f"Profile: {self.profile.name}", bg=BG, fg=FG,
                                    font=("DejaVu Sans", 15, "bold"))
        self.title_label.pack(side="left")
        self.on_var = tk.BooleanVar(value=self.enabled())
        tk.Checkbutton(top, text="Steady the pointer", variable=self.on_var, command=self._on_off, bg=BG, fg=FG,
                       selectcolor=BG, activebackground=BG, activeforeground=FG, font=FONT).pack(side="left", padx=20)
        tk.Label(top, text="■ hand", fg=HAND, bg=BG, font=FONT).pack(side="left", padx=6)
        tk.Label(top, text="■ cursor", fg=CURSOR, bg=BG, font=FONT).pack(side="left", padx=6)
        self.fps_label = tk.Label(top, text="", bg=BG, fg="#8a94a3", font=("DejaVu Sans", 10))
        self.fps_label.pack(side="right")
        plots = tk.Frame(self.win, bg=BG)
        plots.pack(padx=10, pady=8)
        self.path = tk.Canvas(plots, width=PATH_W, height=PATH_H, bg=BG, highlightthickness=1,
                              highlightbackground=GRID)
        self.path.pack(side="left")
        self.time = tk.Canvas(plots, width=TIME_W, height=TIME_H, bg=BG, highlightthickness=1,
                              highlightbackground=GRID)
        self.time.pack(side="left", padx=(8, 0))
        self.path.create_text(8, 8, text=f"path, last {WINDOW_S:g} s", anchor="nw", fill="#8a94a3")
        self.time.create_line(0, TIME_H / 2, TIME_W, TIME_H / 2, fill=GRID)
        self.time.create_text(8, 8, text="x against time", anchor="nw", fill="#8a94a3")
        self.time.create_text(8, TIME_H / 2 + 8, text="y against time", anchor="nw", fill="#8a94a3")
        self.scale_text = self.path.create_text(PATH_W - 8, PATH_H - 8, text="", anchor="se", fill="#8a94a3")
        self.lines = {
            "path_hand": self.path.create_line(0, 0, 0, 0, fill=HAND, width=1.5),
            "path_cursor": self.path.create_line(0, 0, 0, 0, fill=CURSOR, width=2),
            "x_hand": self.time.create_line(0, 0, 0, 0, fill=HAND, width=1.5),
            "x_cursor": self.time.create_line(0, 0, 0, 0, fill=CURSOR, width=2),
            "y_hand": self.time.create_line(0, 0, 0, 0, fill=HAND, width=1.5),
            "y_cursor": self.time.create_line(0, 0, 0, 0, fill=CURSOR, width=2),
        }
        low = tk.Frame(self.win, bg=BG)
        low.pack(fill="x", padx=10, pady=(0, 10))
        self.meter_label = tk.Label(low, text="\n".join(meter_text(_empty_meter())), justify="left", anchor="nw",
                                    bg=BG, fg=FG, font=MONO)
        self.meter_label.pack(side="left", anchor="n")
        ctl = tk.Frame(low, bg=BG)
        ctl.pack(side="left", padx=30, anchor="n")
        opts = dict(bg=BG, fg=FG, font=FONT, highlightthickness=0)
        tk.Label(ctl, text="Steadiness  (left: quicker, less delay · right: steadier, more delay)",
                 **opts).pack(anchor="w")
        self.steady = tk.Scale(ctl, from_=-1.0, to=1.0, resolution=0.1, orient="horizontal", length=420,
                               showvalue=True, troughcolor=GRID, command=lambda _v: self._moved(), **opts)
        self.steady.set(self.controls.steadiness)
        self.steady.pack(anchor="w")
        row = tk.Frame(ctl, bg=BG)
        row.pack(anchor="w", pady=4)
        box = dict(bg=BG, fg=FG, selectcolor=BG, activebackground=BG, activeforeground=FG, font=FONT)
        self.guard_var = tk.BooleanVar(value=self.controls.click_guard)
        tk.Checkbutton(row, text="Click guard", variable=self.guard_var, command=self._moved, **box).pack(side="left")
        self.dwell_var = tk.BooleanVar(value=self.controls.dwell)
        tk.Checkbutton(row, text="Dwell-click after", variable=self.dwell_var, command=self._moved,
                       **box).pack(side="left", padx=(20, 0))
        self.dwell_s = tk.Scale(row, from_=0.3, to=3.0, resolution=0.1, orient="horizontal", length=150,
                                troughcolor=GRID, command=lambda _v: self._moved(), **opts)
        self.dwell_s.set(self.controls.dwell_s)
        self.dwell_s.pack(side="left")
        tk.Label(row, text="s", **opts).pack(side="left")
        buttons = tk.Frame(ctl, bg=BG)
        buttons.pack(anchor="w", pady=6)
        self.save_button = tk.Button(buttons, text="Save as profile…", command=self._ask_save, font=FONT)
        self.save_button.pack(side="left")
        tk.Button(buttons, text="Revert", command=self.revert, font=FONT).pack(side="left", padx=8)
        tk.Button(buttons, text="Close", command=self.close, font=FONT).pack(side="left")
        self.status = tk.Label(ctl, text="", bg=BG, fg="#8a94a3", font=("DejaVu Sans", 11), wraplength=520,
                               justify="left")
        self.status.pack(anchor="w")

    def _say(self, text: str) -> None:
        self.status_text = text
        self.status.configure(text=text)

    # -- controls -------------------------------------------------------------------------------
    def _on_off(self) -> None:
        self.on_enabled(bool(self.on_var.get()))
        self.log.append(f"{now_text()} steadying {'on' if self.on_var.get() else 'off'}")

    def _switch(self, on: bool) -> None:
        self._own_enabled = on
        self.session.settings.change(enabled=on, note="view")

    def _moved(self) -> None:
        """A control moved: apply once it has rested for a moment (a dragged slider applies once)."""
        if self._pending is not None:
            self.win.after_cancel(self._pending)
        self._pending = self.win.after(150, self.apply)

    def read_controls(self) -> Controls:
        return Controls(float(self.steady.get()), bool(self.guard_var.get()), bool(self.dwell_var.get()),
                        float(self.dwell_s.get()))

    def apply(self) -> dict:
        """Hand the controls' settings to the running engine (at the loop's next turn); returns
        what changed (``section.key`` -> (old, new))."""
        self._pending = None
        c = self.read_controls()
        new = settings_for(self.base, c)
        diff = changed(self.current, new)
        if not diff:
            return diff
        what = _describe(self.controls, c)
        self.log.append(f"{now_text()} {what}: " + ", ".join(f"{k} {a} -> {b}" for k, a, b in
                                                              ((k, *v) for k, v in diff.items())))
        self.controls, self.current = c, new
        self.session.settings.change(new, note=f"view: {what}")
        self._requested = self.session.settings.requested
        self._say(f"applied: {what}")
        return diff

    def set_controls(self, c: Controls) -> dict:
        """Move the controls to ``c`` and apply (what a person does with the mouse, for tests)."""
        self.steady.set(c.steadiness)
        self.guard_var.set(c.click_guard)
        self.dwell_var.set(c.dwell)
        self.dwell_s.set(c.dwell_s)
        return self.apply()

    def revert(self) -> None:
        """Back to the profile as it was when the view opened."""
        c = Controls.of(self.base)
        self.set_controls(c)
        self._say(f"reverted to profile {self.profile.name}")

    def _ask_save(self) -> None:
        from tkinter import simpledialog
        name = simpledialog.askstring("Save as profile", "Name of the new profile (e.g. the person's name):",
                                      initialvalue=f"{self.profile.name}-tuned", parent=self.win)
        if name:
            self.save_as(name.strip())

    def save_as(self, name: str):
        """Write the settings in use as the user profile ``name`` (atomically; validated first);
        returns its path, or None with the reason shown."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}", name) or name.endswith((".yaml", ".yml")):
            self._say(f"'{name}' cannot be a profile name: use letters, digits, '-', '_' (e.g. anna)")
            return None
        try:
            text = profile_text(name, self.profile, self.current, self.log)
            path, backup = save_profile(name, text)
        except (OSError, ValueError) as exc:
            self._say(f"not saved: {exc}")
            return None
        self._say(f"saved {path}" + (f" (previous version: {backup})" if backup else "")
                  + f"; compare: steadyinput profile diff {self.profile.name} {name}")
        return path

    # -- drawing --------------------------------------------------------------------------------
    def _frame(self) -> None:
        if self.closed:
            return
        try:
            self.draw()
        finally:
            if not self.closed:
                self.win.after(FRAME_MS, self._frame)

    def follow(self) -> None:
        """Someone else changed the settings (the tray's profile or dwell menu, the profile edited
        on disk): the view starts again from what the session now runs, controls at 0."""
        self._requested = self.session.settings.requested
        self.profile = self.session.profile
        self.base = self.current = self.session.engine_data()
        self.controls = Controls.of(self.base)
        for var, value in ((self.steady, 0.0), (self.guard_var, self.controls.click_guard),
                           (self.dwell_var, self.controls.dwell), (self.dwell_s, self.controls.dwell_s)):
            var.set(value)
        if self._pending is not None:
            self.win.after_cancel(self._pending)
            self._pending = None
        self.title_label.configure(text=f"Profile: {self.profile.name}")
        self.win.title(f"steadyinput live view: profile {self.profile.name}")
        self.log.append(f"{now_text()} settings changed outside the view: now profile {self.profile.name}")
        self._say(f"the settings were changed outside the view (profile {self.profile.name}); "
                  "the controls start again from them")

    def draw(self) -> None:
        if self.session.settings.requested is not self._requested:
            self.follow()
        now = self.session.loop.now()
        t0 = now - WINDOW_S
        hand = _held_to(self.tap.hand.since(t0), now)
        cursor = _held_to(cursor_from(t0, self.tap.cursor.since(t0, one_before=True)), now)
        self._draw_path(hand, cursor)
        self._draw_time(hand, cursor, t0)
        if self.meter is not None:
            self.meter_label.configure(text="\n".join(meter_text(self.meter)))
        on = bool(self.enabled())
        if on != bool(self.on_var.get()):
            self.on_var.set(on)
        self.frames += 1
        self._fps_n += 1
        el = time.monotonic() - self._fps_t
        if el >= 1.0:
            self.fps = self._fps_n / el
            self._fps_t, self._fps_n = time.monotonic(), 0
            self.fps_label.configure(text=f"{self.fps:.0f} frames/s")

    def _set(self, name: str, pts: list[float]) -> None:
        self.path.coords(self.lines[name], *pts) if name.startswith("path") else \
            self.time.coords(self.lines[name], *pts)

    def _draw_path(self, hand: list, cursor: list) -> None:
        pts = hand + cursor
        if not pts:
            return
        xs, ys = [p[1] for p in pts], [p[2] for p in pts]
        span = max(max(xs) - min(xs), max(ys) - min(ys), MIN_SPAN_PX) * 1.15
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        k = (min(PATH_W, PATH_H) - 20) / span
        for name, s in (("path_hand", hand), ("path_cursor", cursor)):
            flat = [v for p in _thin(s) for v in (PATH_W / 2 + (p[1] - cx) * k, PATH_H / 2 + (p[2] - cy) * k)]
            self._set(name, flat if len(flat) >= 4 else [-9, -9, -9, -9])
        self.path.itemconfigure(self.scale_text, text=f"{span:.0f} px across")

    def _draw_time(self, hand: list, cursor: list, t0: float) -> None:
        kt = (TIME_W - 20) / WINDOW_S
        half = TIME_H / 2
        for axis, i, top in (("x", 1, 0.0), ("y", 2, half)):
            vals = [p[i] for p in hand + cursor]
            if not vals:
                continue
            lo, hi = min(vals), max(vals)
            mid, span = (lo + hi) / 2, max(hi - lo, MIN_SPAN_PX) * 1.15
            kv = (half - 30) / span
            for who, s in (("hand", hand), ("cursor", cursor)):
                flat = [v for p in _thin(s) for v in (10 + (max(p[0], t0) - t0) * kt, top + half / 2 + 8 - (p[i] - mid) * kv)]
                self._set(f"{axis}_{who}", flat if len(flat) >= 4 else [-9, -9, -9, -9])

    # -- the meter (its own thread) -------------------------------------------------------------
    def _measure_loop(self) -> None:
        while not self._stop.wait(1.0):
            try:
                now = self.session.loop.now()
                hand = self.tap.hand.since(now - METER_S)
                cursor = self.tap.cursor.since(now - METER_S, one_before=True)
                self.meter = measure(hand, cursor)
            except Exception as exc:  # the meter must never take the view down
                self.meter = {**_empty_meter(), "note": f"not measured ({type(exc).__name__})"}

    # -- life cycle -----------------------------------------------------------------------------
    def alive(self) -> bool:
        return not self.closed

    def lift(self) -> None:
        self.win.deiconify()
        self.win.lift()

    def close(self) -> None:
        """Close the window; the session goes on steadying with the settings in use."""
        if self.closed:
            return
        self.closed = True
        self._stop.set()
        if self.session.loop.tap is self.tap:
            self.session.loop.tap = None
        if self._pending is not None:
            self.win.after_cancel(self._pending)
        self.win.destroy()
        if self.on_close is not None:
            self.on_close()


def _empty_meter() -> dict:
    from ..metrics import ESTIMATED_LABEL
    return {"hz": None, "size_px": None, "db": None, "lag_ms": None, "basis": ESTIMATED_LABEL,
            "note": "measuring…"}


def _describe(old: Controls, new: Controls) -> str:
    parts = []
    if new.steadiness != old.steadiness:
        parts.append(f"steadiness {old.steadiness:+.1f} -> {new.steadiness:+.1f}")
    if new.click_guard != old.click_guard:
        parts.append(f"click guard {'on' if new.click_guard else 'off'}")
    if new.dwell != old.dwell:
        parts.append(f"dwell-click {'on' if new.dwell else 'off'}")
    if new.dwell_s != old.dwell_s:
        parts.append(f"dwell time {old.dwell_s:g} -> {new.dwell_s:g} s")
    return ", ".join(parts) or "settings"
