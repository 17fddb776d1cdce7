"""Windows and macOS backends cannot run here: their translation is tested with fakes."""

from __future__ import annotations

from types import SimpleNamespace

from steadyinput.backends import darwin, win32
from steadyinput.events import Action


def _hook(x, y, injected=False):
    return SimpleNamespace(pt=SimpleNamespace(x=x, y=y), flags=win32.LLMHF_INJECTED if injected else 0)


def test_win32_fake_hook_swallows_physical_motion_and_buttons_and_lets_injected_through():
    tr = win32.HookTranslator()
    assert tr.handle(win32.WM_MOUSEMOVE, _hook(10, 20)) == (True, (10.0, 20.0, 0))
    assert tr.handle(win32.WM_LBUTTONDOWN, _hook(10, 20)) == (True, (10.0, 20.0, 1))
    assert tr.handle(win32.WM_RBUTTONDOWN, _hook(10, 20)) == (True, (10.0, 20.0, 3))
    assert tr.handle(win32.WM_LBUTTONUP, _hook(10, 20)) == (True, (10.0, 20.0, 2))
    assert tr.handle(win32.WM_MOUSEMOVE, _hook(99, 99, injected=True)) == (False, None)  # our own SendInput
    assert tr.handle(0x020A, _hook(10, 20)) == (False, None)  # wheel passes


def test_win32_fake_sendinput_is_absolute_on_the_virtual_desktop():
    out = win32.mouse_inputs([Action(0, "move", 0, 0), Action(0, "move", 1919, 1079),
                              Action(0, "press", 5, 5, 1, 1), Action(0, "release", 5, 5, 1, 0)], (0, 0, 1920, 1080))
    flags = win32.MOUSEEVENTF_MOVE | win32.MOUSEEVENTF_ABSOLUTE | win32.MOUSEEVENTF_VIRTUALDESK
    assert out == [(0, 0, flags), (65535, 65535, flags), (0, 0, 0x0002), (0, 0, 0x0004)]


def test_darwin_fake_tap_rewrites_locations_to_the_filtered_cursor():
    rw = darwin.TapRewriter()
    raw, loc = rw.handle("mouse_moved", 100.0, 50.0)
    assert raw == (100.0, 50.0, 0) and loc == (100.0, 50.0)  # nothing filtered yet
    rw.moved_to(98, 51)
    raw, loc = rw.handle("mouse_moved", 104.0, 47.0)
    assert raw == (104.0, 47.0, 0) and loc == (98.0, 51.0)  # applications see the filtered cursor
    raw, loc = rw.handle("left_down", 104.0, 47.0)
    assert raw == (104.0, 47.0, 1) and loc == (98.0, 51.0)  # the click lands where it is shown
    assert rw.handle("scroll_wheel", 1.0, 2.0) == (None, (1.0, 2.0))


def test_backend_choice_says_what_to_fix(monkeypatch):
    from steadyinput.backends import BackendError, choose
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("STEADYINPUT_BACKEND", raising=False)
    try:
        choose("auto")
    except BackendError as exc:
        msg = str(exc)
        assert "evdev" in msg and "x11" in msg and "fix:" in msg and "doctor" in msg
    else:  # pragma: no cover - a machine with /dev/uinput access
        pass


def test_queued_events_wake_the_loop_from_another_thread():
    import select
    import threading

    from steadyinput.backends.queued import QueuedEvents
    q = QueuedEvents()
    threading.Thread(target=lambda: [q.put((float(i), 2.0, 0)) for i in range(3)]).start()
    assert select.select([q.fileno()], [], [], 2.0)[0]
    got = []
    for _ in range(20):
        got += q.read()
        if len(got) == 3:
            break
        select.select([q.fileno()], [], [], 0.1)
    assert got == [(0.0, 2.0, 0), (1.0, 2.0, 0), (2.0, 2.0, 0)]
    q.close_events()
