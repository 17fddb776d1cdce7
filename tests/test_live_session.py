"""The live session, run for real through the live loop with the trace backend (no display):
it records, logs, reloads, survives a broken edit and ends cleanly; every backend keeps the
contract the loop relies on."""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
import threading
import time
from pathlib import Path


from steadyinput.backends import MODULES
from steadyinput.backends.base import Backend as Contract
from steadyinput.live.session import LiveSession, SessionOptions

from live_helpers import replays_to_the_live_actions


def _wait(pred, timeout_s: float = 20.0) -> None:
    end = time.monotonic() + timeout_s
    while not pred():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.02)


def test_every_backend_class_keeps_the_contract():
    members = [m for m in dir(Contract) if not m.startswith("_")] + list(Contract.__annotations__)
    for name, module in MODULES.items():
        cls = importlib.import_module(f"steadyinput.backends.{module}").Backend
        missing = [m for m in members if not hasattr(cls, m) and m not in _instance_attributes(cls)]
        assert not missing, f"{name} lacks {missing}"
        assert cls.name == name
        for m in ("start", "stop", "fileno", "pending", "read", "apply", "screens", "steadied"):
            assert callable(getattr(cls, m)), (name, m)


def _instance_attributes(cls) -> set[str]:
    src = inspect.getsource(cls)
    return {line.split("self.")[1].split(" ")[0].split(":")[0] for line in src.splitlines()
            if line.strip().startswith("self.") and "=" in line}


def test_a_played_trace_runs_through_the_live_loop_and_the_session_ends_by_itself(short_trace, tmp_path):
    from steadyinput.backends.trace import Backend
    backend = Backend(str(short_trace), speed=4.0, linger_s=0.5)
    session = LiveSession(SessionOptions(profile="moderate", record=str(tmp_path / "rec.csv"),
                                         log_actions=str(tmp_path / "live.csv")), backend=backend, say=lambda m: None)
    session.run()  # returns when the trace is over
    acts = backend.actions
    assert session.ended() and acts and acts[-1].buttons == 0
    last = backend.trace
    assert (acts[-1].x, acts[-1].y) == (round(last.x[-1]), round(last.y[-1]))  # ends where the hand ended
    replays_to_the_live_actions(tmp_path)  # what was recorded live replays to exactly what the live engine did


def test_a_broken_profile_edit_keeps_the_last_good_profile_and_a_good_one_is_taken(short_trace, tmp_path,
                                                                                    user_profile_dir):
    from steadyinput.backends.trace import Backend
    user_profile_dir.mkdir(parents=True, exist_ok=True)
    prof = user_profile_dir / "mine.yaml"
    prof.write_text("extends: moderate\n")
    said: list[str] = []
    backend = Backend(str(short_trace), speed=1.0, linger_s=-1)
    session = LiveSession(SessionOptions(profile="mine"), backend=backend, say=said.append)
    session.watcher.interval_s = 0.05
    session.start()
    try:
        _wait(lambda: backend.actions)
        engine_before = session.loop.engine
        time.sleep(0.05)
        prof.write_text("extends: moderate\nadaptive: {hold_cutoff_hz: 20, move_cutoff_hz: 10}\n")
        _wait(lambda: any("last good" in m or "keeping" in m for m in said))
        from steadyinput.profile import load
        assert session.loop.engine is engine_before and session.thread.is_alive()
        assert session.loop.engine.settings["adaptive"] == load("moderate").data["adaptive"]
        prof.write_text("extends: severe\n")
        _wait(lambda: any("now in use" in m for m in said))
        # the running engine is retuned in place (a recorded settings change), not replaced
        _wait(lambda: session.loop.engine.settings["adaptive"] == load("severe").data["adaptive"])
    finally:
        session.stop()
    assert session.ended() and not session.thread.is_alive()


def test_run_with_the_trace_backend_records_and_ends_on_its_own(short_trace, tmp_path):
    env = {**os.environ, "STEADYINPUT_TRACE": str(short_trace), "STEADYINPUT_LOG_DIR": str(tmp_path / "log")}
    r = subprocess.run([sys.executable, "-m", "steadyinput", "run", "--no-tray", "--backend", "trace",
                        "--record", str(tmp_path / "rec.csv")], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "steadying with backend 'trace'" in r.stderr and "recorded" in r.stderr
    assert (tmp_path / "rec.csv").read_text().startswith("t,x,y,buttons\n")
    assert not [p for p in tmp_path.iterdir() if "tmp" in p.name]


def test_signals_end_a_session_with_the_pointer_given_back(short_trace, tmp_path):
    import signal
    env = {**os.environ, "STEADYINPUT_TRACE": str(short_trace), "STEADYINPUT_LOG_DIR": str(tmp_path / "log")}
    for sig in (signal.SIGTERM, signal.SIGINT):
        p = subprocess.Popen([sys.executable, "-m", "steadyinput", "run", "--no-tray", "--backend", "trace",
                              "--log-actions", str(tmp_path / "acts.csv")], env=env, stderr=subprocess.PIPE,
                             text=True)
        lines: list[str] = []
        t = threading.Thread(target=lambda: lines.extend(iter(p.stderr.readline, "")), daemon=True)
        t.start()
        _wait(lambda: any("steadying" in x for x in lines))
        time.sleep(0.5)
        p.send_signal(sig)
        assert p.wait(20) == 0
        rows = (tmp_path / "acts.csv").read_text().splitlines()
        assert rows[-1].endswith(",0")  # no button left pressed


def test_no_module_imports_upward_into_cli_or_app():
    root = Path(__file__).resolve().parents[1] / "steadyinput"
    offenders = []
    for p in root.rglob("*.py"):
        layer = p.relative_to(root).parts[0]
        text = p.read_text()
        for upper in ("cli", "app"):
            if layer in ("cli", upper, "__main__.py"):  # the entry point is the top
                continue
            if f"from ..{upper}" in text or f"from .{upper}" in text or f"steadyinput.{upper}" in text:
                offenders.append(f"{p.relative_to(root)} -> {upper}")
    assert not offenders, offenders


def test_a_live_recording_is_written_in_the_format_its_name_asks_for(short_trace, tmp_path):
    from steadyinput.backends.trace import Backend
    from steadyinput.traces import read_trace
    for name in ("rec.jsonl", "rec.csv.gz"):
        backend = Backend(str(short_trace), speed=8.0, linger_s=0.2)
        session = LiveSession(SessionOptions(profile="moderate", record=str(tmp_path / name)), backend=backend,
                              say=lambda m: None)
        session.run()
        rec = read_trace(tmp_path / name)
        assert len(rec) == session.recorder.rows > 0
