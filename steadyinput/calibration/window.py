"""The guided calibration window: hold still, reach back and forth, click targets.

Large text and targets, keyboard friendly (Return = the big button, Escape = stop). The raw
pointer is recorded only while a task runs; nothing is saved until the person or OT presses
"Accept and save". Analysis and tuning run in a worker thread so the window stays responsive.

``STEADYINPUT_CALIBRATION_STATE=FILE`` makes the window write its step and target positions
there as JSON (for automated tests and for support); ``STEADYINPUT_CALIBRATION_SCALE`` (0.2–1)
shortens every task (tests).
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from pathlib import Path

import numpy as np

from ..targets import Target, TargetSet
from ..traces import Trace
from .tuning import DEFAULT_LAG_BUDGET_MS

BG, FG, ACCENT, TARGET, DONE = "#10151c", "#f2f2f2", "#ffcc33", "#3aa0ff", "#4cd964"
HOLD_S, REACHES, CLICKS = 12.0, 10, 8
RADIUS = 42


class CalibrationWindow:
    def __init__(self, name: str = "calibrated", lag_budget_ms: float = DEFAULT_LAG_BUDGET_MS) -> None:
        import tkinter as tk
        self.tk = tk
        self.name = name
        self.lag_budget_ms = lag_budget_ms
        scale = float(os.environ.get("STEADYINPUT_CALIBRATION_SCALE", "1"))
        self.scale = min(1.0, max(0.2, scale))
        self.state_file = os.environ.get("STEADYINPUT_CALIBRATION_STATE")
        self.root = tk.Tk(className="steadyinput")
        self.root.title("steadyinput calibration")
        self.root.configure(bg=BG)
        w, h = self.root.winfo_screenwidth(), self.root.winfo_screenheight()
        self.root.geometry(f"{w}x{h}+0+0")
        self.w, self.h = w, h
        self.canvas = tk.Canvas(self.root, width=w, height=h, bg=BG, highlightthickness=0, cursor="crosshair")
        self.canvas.pack(fill="both", expand=True)
        self.big = ("DejaVu Sans", 30, "bold")
        self.mid = ("DejaVu Sans", 20)
        self.small = ("DejaVu Sans", 15)
        self.samples: list[tuple[float, float, float, int]] = []
        self.target_sets: list[TargetSet] = []  # the targets shown while recording, as a recording's sidecar has them
        self.recording = False
        self.buttons = 0
        self.t0 = time.monotonic()
        self.outcome = None
        self.error: str | None = None
        self.saved: str | None = None
        self.step = ""
        self.targets: list[tuple[float, float]] = []
        self.active = 0
        for seq, fn in (("<Motion>", self._motion), ("<ButtonPress>", self._press),
                        ("<ButtonRelease>", self._release), ("<Escape>", lambda e: self.cancel()),
                        ("<Return>", lambda e: self._primary())):
            self.root.bind(seq, fn)
        self.root.protocol("WM_DELETE_WINDOW", self.cancel)
        self.primary = None
        self.intro()

    # -- recording -----------------------------------------------------------------------------
    def _sample(self, x: float, y: float) -> None:
        if self.recording:
            self.samples.append((time.monotonic() - self.t0, float(x), float(y), self.buttons))

    def _motion(self, e) -> None:
        self._sample(e.x_root, e.y_root)
        if self.step == "reach":
            self._check_reach(e.x_root, e.y_root)

    def _press(self, e) -> None:
        self.buttons |= {1: 1, 2: 4, 3: 2}.get(e.num, 0)
        self._sample(e.x_root, e.y_root)

    def _release(self, e) -> None:
        self.buttons &= ~{1: 1, 2: 4, 3: 2}.get(e.num, 0)
        self._sample(e.x_root, e.y_root)
        if self.step == "click" and e.num == 1:
            self._check_click(e.x_root, e.y_root)

    def _poll(self) -> None:
        """Also sample at 125 Hz while holding: a still pointer sends no motion events."""
        if self.recording:
            x, y = self.root.winfo_pointerxy()
            if not self.samples or (x, y) != self.samples[-1][1:3]:
                self._sample(x, y)
            self.root.after(8, self._poll)

    # -- screens -------------------------------------------------------------------------------
    def _clear(self, title: str, text: str = "") -> None:
        c = self.canvas
        c.delete("all")
        c.create_text(self.w / 2, 70, text=title, fill=FG, font=self.big)
        if text:
            c.create_text(self.w / 2, 130, text=text, fill=FG, font=self.mid, width=self.w * 0.8, justify="center")
        c.create_text(self.w / 2, self.h - 30, text="Escape: stop at any time. Nothing is saved unless you accept.",
                      fill="#9aa4ad", font=self.small)

    def _button(self, label: str, x: float, y: float, action, tag: str) -> None:
        c = self.canvas
        bw, bh = 360, 80
        c.create_rectangle(x - bw / 2, y - bh / 2, x + bw / 2, y + bh / 2, fill=TARGET, outline="", tags=(tag,))
        c.create_text(x, y, text=label, fill="white", font=self.mid, tags=(tag,))
        c.tag_bind(tag, "<ButtonRelease-1>", lambda e: action())

    def _target(self, x: float, y: float, color: str = TARGET, r: float = RADIUS) -> None:
        c = self.canvas
        c.create_oval(x - r, y - r, x + r, y + r, fill=color, outline="")
        c.create_oval(x - 6, y - 6, x + 6, y + 6, fill="white", outline="")

    def _publish(self) -> None:
        self._record_targets()
        if self.state_file:
            tmp = self.state_file + ".tmp"
            Path(tmp).write_text(json.dumps({"step": self.step, "targets": self.targets, "active": self.active,
                                             "samples": len(self.samples), "target_sets": len(self.target_sets),
                                             "saved": self.saved,
                                             "error": self.error}))
            os.replace(tmp, self.state_file)

    def _record_targets(self) -> None:
        """While recording, a target set each time the targets shown change (each a clickable
        square around its circle, in screen px): the recording then carries its targets, as a
        trace's ``TRACE.targets.jsonl`` does, and calibration replays it with them."""
        if not self.recording:
            return
        ts = window_targets(time.monotonic() - self.t0, self.targets)
        if not self.target_sets or self.target_sets[-1].targets != ts.targets:
            self.target_sets.append(ts)

    def _primary(self) -> None:
        if self.primary:
            self.primary()

    def intro(self) -> None:
        self.step, self.targets, self.samples, self.target_sets = "intro", [], [], []
        self._clear("Let's measure your tremor",
                    "Three short tasks, about a minute in all: hold the pointer on a target, move between two "
                    "targets, then click some targets. Use the mouse as you normally would.")
        self._button("Start (Return)", self.w / 2, self.h / 2 + 60, self.start_hold, "start")
        self.primary = self.start_hold
        self._publish()

    def start_hold(self) -> None:
        self.step = "hold"
        self.targets, self.active = [(self.w / 2, self.h / 2)], 0
        self.t0 = time.monotonic()
        self.recording = True
        self.primary = None
        self._poll()
        self._hold_until = time.monotonic() + HOLD_S * self.scale
        self._tick_hold()

    def _tick_hold(self) -> None:
        if self.step != "hold":
            return
        left = self._hold_until - time.monotonic()
        self._clear("1 of 3: hold still", f"Keep the pointer on the target. {max(0, math.ceil(left))} s")
        self._target(*self.targets[0])
        self._publish()
        if left <= 0:
            self.start_reach()
        else:
            self.root.after(250, self._tick_hold)

    def start_reach(self) -> None:
        self.step = "reach"
        self.targets = [(self.w * 0.2, self.h / 2), (self.w * 0.8, self.h / 2)]
        self.active, self._reaches = 1, 0
        self._draw_reach()

    def _draw_reach(self) -> None:
        n = max(2, round(REACHES * self.scale))
        self._clear("2 of 3: move between the targets", f"Go to the yellow target. {n - self._reaches} to go")
        for i, (x, y) in enumerate(self.targets):
            self._target(x, y, ACCENT if i == self.active else "#2a3440")
        self._publish()

    def _check_reach(self, x: float, y: float) -> None:
        tx, ty = self.targets[self.active]
        if math.hypot(x - tx, y - ty) <= RADIUS:
            self._reaches += 1
            if self._reaches >= max(2, round(REACHES * self.scale)):
                self.root.after(600, self.start_click)  # a moment of holding on the last one
                self.step = "reach-done"
                return
            self.active = 1 - self.active
            self._draw_reach()

    def start_click(self) -> None:
        self.step = "click"
        rng = np.random.default_rng(7)
        n = max(2, round(CLICKS * self.scale))
        self._click_targets = [(float(self.w * rng.uniform(0.2, 0.8)), float(self.h * rng.uniform(0.3, 0.75)))
                               for _ in range(n)]
        self._clicked = 0
        self._draw_click()

    def _draw_click(self) -> None:
        self.targets = [self._click_targets[self._clicked]]
        self.active = 0
        self._clear("3 of 3: click the targets", f"{len(self._click_targets) - self._clicked} to go")
        self._target(*self.targets[0], ACCENT)
        self._publish()

    def _check_click(self, x: float, y: float) -> None:
        tx, ty = self.targets[0]
        if math.hypot(x - tx, y - ty) <= RADIUS * 1.5:
            self._clicked += 1
            if self._clicked >= len(self._click_targets):
                self.finish_recording()
            else:
                self._draw_click()

    def finish_recording(self) -> None:
        self.recording = False
        self.step = "analysing"
        self.targets = []
        self._clear("Thank you", "Measuring the tremor and trying settings on your recording…")
        self._progress = self.canvas.create_text(self.w / 2, self.h / 2, text="", fill=ACCENT, font=self.mid)
        self._publish()
        self._done = [0, 1]
        threading.Thread(target=self._analyse, daemon=True).start()
        self.root.after(200, self._wait_analysis)

    def _analyse(self) -> None:
        from .session import calibrate
        try:
            arr = np.array(self.samples, dtype=float)
            tr = Trace(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3].astype(np.int64))
            self.outcome = calibrate(tr, lag_budget_ms=self.lag_budget_ms, name=self.name, guided=True,
                                     targets=self.target_sets,
                                     progress=lambda i, n: self._done.__setitem__(slice(0, 2), [i, n]))
        except Exception as exc:  # shown to the person; the window stays usable
            self.error = str(exc) or type(exc).__name__

    def _wait_analysis(self) -> None:
        if self.outcome is None and self.error is None:
            i, n = self._done
            self.canvas.itemconfigure(self._progress, text=f"{i} of about {n} settings tried")
            self.root.after(200, self._wait_analysis)
            return
        self.results()

    def results(self) -> None:
        self.step = "results"
        if self.error:
            self._clear("That did not work", f"{self.error}\nPress Return to try again.")
            self.primary = self.intro
            self._button("Try again (Return)", self.w / 2, self.h * 0.6, self.intro, "again")
            self._publish()
            return
        from .figures import hold_words
        o = self.outcome
        f = o.figures  # the figures calibrate --from prints, rounded once
        self._clear("Your result", f["summary"])
        if f["too_short"]:  # nothing was tuned: nothing to accept
            self.canvas.create_text(self.w / 2, self.h * 0.38, text="Nothing was changed and there is nothing to save.",
                                    fill=ACCENT, font=self.mid, justify="center")
            self._button("Repeat (Return)", self.w / 2, self.h * 0.62, self.intro, "repeat")
            self.primary = self.intro
            self._publish()
            return
        lines = []
        if f["rhythmic"]:
            lines.append(f"Tremor: {f['tremor_hz']:.1f} Hz, {f['amplitude_pp_px']:.1f} px side to side")
        if "tuned" in f:
            t = f["tuned"]
            lines.append(f"With the tuned profile: {hold_words(t)}, "
                         f"{t['tremor_db']:.1f} dB of tremor removed, {t['lag_ms']} ms lag")
            lines.append(f"(figures {t['figures']}; {o.result.dwell_reason})")
            lines.append(t["targets_effect"])
        self.canvas.create_text(self.w / 2, self.h * 0.38, text="\n".join(lines), fill=ACCENT, font=self.mid,
                                justify="center", width=self.w * 0.85)
        self._button(f"Accept and save (Return)", self.w * 0.3, self.h * 0.62, self.accept, "accept")
        self._button("Repeat", self.w * 0.7, self.h * 0.62, self.intro, "repeat")
        self.primary = self.accept
        self._publish()

    def accept(self) -> None:
        from .session import save
        if self.outcome is None or not self.outcome.profile_text:
            return
        path, _ = save(self.name, self.outcome.profile_text)
        self.saved = str(path)
        self.step = "saved"
        self._clear("Saved", f"Profile '{self.name}' is saved:\n{path}\nPress Return to close.")
        self.primary = self.close
        self._publish()

    def cancel(self) -> None:
        self.recording = False
        self.step = "cancelled"
        self._publish()
        self.close()

    def close(self) -> None:
        self.root.destroy()

    def run(self) -> int:
        self.root.mainloop()
        return 0 if self.saved or self.step in ("cancelled", "saved") else 1


def window_targets(t: float, centres: list[tuple[float, float]], r: float = RADIUS) -> TargetSet:
    """The targets the window shows at time ``t`` (s): a clickable square around each circle of
    radius ``r`` (px) centred at ``centres`` (screen px)."""
    side = int(round(2 * r))
    return TargetSet(round(float(t), 6), tuple(Target(int(round(x - r)), int(round(y - r)), side, side,
                                                      "push button", True) for x, y in centres), "calibration window")


def run_window(name: str = "calibrated", lag_budget_ms: float = DEFAULT_LAG_BUDGET_MS) -> int:
    """Open the window; says clearly what is missing when there is no display."""
    from ..errors import UserError
    if not os.environ.get("DISPLAY") and os.name == "posix" and not os.environ.get("WAYLAND_DISPLAY"):
        raise UserError("the calibration window needs a display (no DISPLAY is set). Without one, record a "
                        "trace elsewhere and run: steadyinput calibrate --from TRACE")
    try:
        import tkinter  # noqa: F401
    except ImportError:
        from ..access_checks import tk_fix
        raise UserError(f"the calibration window needs Tk, which this Python lacks ({tk_fix()}). Or: "
                        "steadyinput calibrate --from TRACE") from None
    try:
        win = CalibrationWindow(name, lag_budget_ms)
    except Exception as exc:  # tkinter.TclError: no display, or no Tk
        raise UserError(f"cannot open the calibration window: {exc}. Use: steadyinput calibrate --from TRACE") \
            from None
    return win.run()
