"""Linux targets from AT-SPI2: the accessibility tree over its own D-Bus, with jeepney.

jeepney is a pure-Python D-Bus client (PyGObject does not pip-install against Debian 12's GLib).
What is read, and nothing else: each element's rectangle (``Component.GetExtents`` in screen
coordinates), its role (``Accessible.GetRoleName``: "push button", "check box", ...), its state
bits (showing, editable) and which interfaces it has (Action). Never names, descriptions or text.

A query round around the cursor (x, y), within ``radius_px``:

1. the applications are the children of the registry's root; their top-level windows (frames,
   dialogs, menus) with their extents are cached for ``windows_s``; the smallest showing window
   containing the cursor is taken (a menu or dialog over its parent);
2. from that window down, each container's children are read with their extents, roles, states
   and interfaces (one pipelined batch per container, so a container of 20 children costs about
   one round trip, not 80); subtrees whose clipped extents miss the box around the cursor are not
   entered; a container with more than ``max_children`` children (a long list) is entered only
   through ``Component.GetAccessibleAtPoint`` at the cursor and at points on a ring around it;
3. a clickable element (by role, an Action interface or an editable state) is a target and is
   not entered; other leaves are non-clickable targets (a press on a label is "on something");
   every rectangle is clipped to its ancestors' (a scrolled-away row is not a target).

An app scaled for a HiDPI screen (GDK_SCALE=2) reports logical px: each window's scale is found
by matching it with the X server's top-level windows (python-xlib) and its targets are given in
screen px; a window that lies on no X window at any scale (window-relative rectangles, as GTK4
gives) is left out rather than guessed. An app that sends no reply for ``timeout_s`` is left
out for ``slow_s``.

A round stops after ``budget`` D-Bus calls. Everything that can go wrong (no session bus, no
accessibility bus, the registry not answering in ``timeout_s``, the bus dying) raises; the
worker (:mod:`steadyinput.targets.worker`) turns it into status text and retries.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from . import Target
from .nearby import contains as _contains, intersect as _intersect
from .roles import NESTING_ROLES, PASSIVE_ROLES, clickable
from .worker import Unavailable, WorkerProvider

REGISTRY = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")
ACCESSIBLE, COMPONENT = "org.a11y.atspi.Accessible", "org.a11y.atspi.Component"
ACTION = "org.a11y.atspi.Action"
SCREEN = 0  # ATSPI_COORD_TYPE_SCREEN
STATE_EDITABLE, STATE_SHOWING, STATE_VISIBLE, STATE_ACTIVE = 7, 25, 30, 1

ENABLE_HINT = ("turn accessibility on and restart the apps: GNOME 'gsettings set org.gnome.desktop.interface "
               "toolkit-accessibility true'; Chromium/Electron '--force-renderer-accessibility'; "
               "Qt 'QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1'")


@dataclass(frozen=True)
class Node:
    bus: str
    path: str


@dataclass
class Info:
    """What one batch tells of an element (None where the app did not say)."""

    node: Node
    rect: tuple[int, int, int, int] | None
    role: str
    states: int
    action: bool
    children: list[Node] | None = None
    scale: float = 1.0  # device px per px the app reports (a HiDPI-scaled app reports logical px)


SCALES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)


def match_scale(rect: tuple[int, int, int, int], screen_rects: list[tuple[int, int, int, int]],
                frame_px: int = 64) -> float | None:
    """The scale at which ``rect`` (an app's window, as the app reports it) lies on one of the
    display server's windows (``screen_rects``, device px): 1 when it is there as reported (within
    the window-manager frame around it, at most ``frame_px`` a side), 2 when a GDK_SCALE=2 app
    reports half its position and size, ...; None when it lies on none (window-relative
    rectangles, as GTK4 gives: its targets cannot be placed). A window reported at 0, 0 must be
    an X window exactly: window-relative rectangles also start at 0, 0, and a desktop window
    would have them "inside its frame"."""
    if rect[0] == 0 and rect[1] == 0:
        frame_px = 0
    for k in SCALES:
        x0, y0, w, h = rect[0] * k, rect[1] * k, rect[2] * k, rect[3] * k
        tol = max(2.0, k)
        for sx, sy, sw, sh in screen_rects:
            left, top = x0 - sx, y0 - sy
            right, bottom = sx + sw - (x0 + w), sy + sh - (y0 + h)
            if all(-tol <= m <= frame_px for m in (left, top, right, bottom)):
                return k
    return None


def _scaled(r: tuple[int, int, int, int], k: float) -> tuple[int, int, int, int]:
    if k == 1.0:
        return r
    return (round(r[0] * k), round(r[1] * k), round(r[2] * k), round(r[3] * k))


class X11Windows:
    """The top-level windows of the X server (device px), to tell the scale apps report in."""

    def __init__(self) -> None:
        from Xlib import display
        self.d = display.Display()

    def rects(self) -> list[tuple[int, int, int, int]]:
        from Xlib import X
        from Xlib.error import XError
        out = []
        for w in self.d.screen().root.query_tree().children:
            try:
                if w.get_attributes().map_state != X.IsViewable:
                    continue
                g = w.get_geometry()
            except XError:
                continue  # gone meanwhile
            out.append((g.x, g.y, g.width, g.height))
        return out

    def close(self) -> None:
        try:
            self.d.close()
        except Exception:
            pass


class AtspiError(Exception):
    """A D-Bus error reply (an element gone, a method an app does not have)."""


def bus_address(timeout_s: float = 0.5) -> str:
    """The accessibility bus: AT_SPI_BUS_ADDRESS, else org.a11y.Bus.GetAddress on the session bus."""
    env = os.environ.get("AT_SPI_BUS_ADDRESS")
    if env:
        return env
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        raise Unavailable("jeepney is missing (pip install jeepney): no targets from the accessibility tree") from None
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not os.path.exists(f"/run/user/{os.getuid()}/bus"):
        raise Unavailable("no session D-Bus (DBUS_SESSION_BUS_ADDRESS unset: a console, ssh or a service): "
                          "no accessibility bus to ask; run it inside the desktop session")
    try:
        conn = open_dbus_connection("SESSION", auth_timeout=timeout_s)
    except Exception as exc:
        raise Unavailable(f"cannot reach the session D-Bus ({type(exc).__name__}: {exc})") from None
    try:
        msg = new_method_call(DBusAddress("/org/a11y/bus", "org.a11y.Bus", "org.a11y.Bus"), "GetAddress")
        reply = conn.send_and_get_reply(msg, timeout=timeout_s)
    except Exception as exc:
        raise Unavailable(f"no accessibility bus on the session bus ({type(exc).__name__}); {ENABLE_HINT}") from None
    finally:
        conn.close()
    if reply.header.message_type.name == "error" or not reply.body or not reply.body[0]:
        raise Unavailable(f"no accessibility bus (org.a11y.Bus is not running: install at-spi2-core); {ENABLE_HINT}")
    return str(reply.body[0])


class AtspiClient:
    """Blocking AT-SPI queries on one connection (the worker thread's); see the module doc."""

    def __init__(self, address: str, timeout_s: float = 0.5, radius_px: float = 64.0, budget: int = 600,
                 max_children: int = 64, windows_s: float = 1.0, wayland: bool | None = None,
                 slow_s: float = 5.0) -> None:
        from jeepney.io.blocking import open_dbus_connection
        self.timeout_s, self.radius_px, self.budget, self.max_children = timeout_s, radius_px, budget, max_children
        self.windows_s = windows_s
        self.wayland = bool(os.environ.get("WAYLAND_DISPLAY")) if wayland is None else wayland
        self.conn = open_dbus_connection(address, auth_timeout=timeout_s)
        self.calls = 0
        self._windows: list[Info] = []
        self._windows_t = -float("inf")
        self.skipped_wayland = 0  # windows whose extents are not screen coordinates (Wayland)
        self.unplaced = 0  # windows that lie on no window of the X server (window-relative extents)
        self.slow: dict[str, float] = {}  # app bus name -> until when it is left out (monotonic s)
        self.slow_s = slow_s
        self.x11: X11Windows | None = None
        if not self.wayland and os.environ.get("DISPLAY"):
            try:
                self.x11 = X11Windows()
            except Exception:  # no X server to compare with: scales stay 1
                self.x11 = None

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:
            pass
        if self.x11 is not None:
            self.x11.close()

    # -- D-Bus ------------------------------------------------------------------------------------
    def batch(self, calls: Iterable[tuple[Node, str, str, str | None, tuple]]) -> list:
        """Send every call, then read the replies (pipelined): a list of bodies or AtspiError.

        An application that sends no reply for ``timeout_s`` gets AtspiError for its calls and
        is left out for ``slow_s`` (a hung app costs one wait, not every round's); only the
        registry not answering raises TimeoutError (the bus itself is stuck)."""
        import time
        from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call
        serials: dict[int, int] = {}
        calls = list(calls)
        out: list = [None] * len(calls)
        now = time.monotonic()
        for i, (node, iface, method, sig, body) in enumerate(calls):
            if self.slow.get(node.bus, 0.0) > now:
                out[i] = AtspiError("not answering lately")
                continue
            msg = new_method_call(DBusAddress(node.path, node.bus, iface), method, sig, body)
            serial = next(self.conn.outgoing_serial)
            self.conn.send(msg, serial=serial)
            serials[serial] = i
        self.calls += len(serials)
        while serials:
            try:  # timeout_s with no reply at all: an app answering a long batch slowly is not "hung"
                reply = self.conn.receive(timeout=self.timeout_s)
            except TimeoutError:
                late = {calls[i][0].bus for i in serials.values()}
                if REGISTRY[0] in late:
                    raise
                for i in serials.values():
                    out[i] = AtspiError("timed out")
                until = time.monotonic() + self.slow_s
                self.slow.update((bus, until) for bus in late)
                break
            i = serials.pop(reply.header.fields.get(HeaderFields.reply_serial, -1), None)
            if i is None:
                continue  # a signal or a late reply to an earlier round
            if reply.header.message_type == MessageType.error:
                out[i] = AtspiError(str(reply.header.fields.get(HeaderFields.error_name, "error")))
            else:
                out[i] = reply.body
        return out

    def infos(self, nodes: list[Node], children: bool = False) -> list[Info]:
        """Extents, role, states, interfaces (and children) of each node, in one batch."""
        per = 5 if children else 4
        calls = []
        for n in nodes:
            calls += [(n, COMPONENT, "GetExtents", "u", (SCREEN,)), (n, ACCESSIBLE, "GetRoleName", None, ()),
                      (n, ACCESSIBLE, "GetState", None, ()), (n, ACCESSIBLE, "GetInterfaces", None, ())]
            if children:
                calls.append((n, ACCESSIBLE, "GetChildren", None, ()))
        res = self.batch(calls)
        out = []
        for k, n in enumerate(nodes):
            ext, role, state, ifaces, *kids = res[k * per:(k + 1) * per]
            rect = tuple(int(v) for v in ext[0]) if not isinstance(ext, AtspiError) else None
            st = state[0] if not isinstance(state, AtspiError) else ()
            bits = (st[0] | (st[1] << 32)) if len(st) >= 2 else 0
            info = Info(n, rect if rect and rect[2] > 0 and rect[3] > 0 else None,  # type: ignore[arg-type]
                        "" if isinstance(role, AtspiError) else str(role[0]), bits,
                        not isinstance(ifaces, AtspiError) and ACTION in ifaces[0])
            if children:
                info.children = [] if isinstance(kids[0], AtspiError) else [Node(b, p) for b, p in kids[0][0]]
            out.append(info)
        return out

    def children(self, node: Node) -> list[Node]:
        body = self.batch([(node, ACCESSIBLE, "GetChildren", None, ())])[0]
        if isinstance(body, AtspiError):
            return []
        return [Node(b, p) for b, p in body[0]]

    # -- the tree ---------------------------------------------------------------------------------
    def windows(self) -> list[Info]:
        """Every application's showing top-level windows with their extents (cached windows_s)."""
        import time
        now = time.monotonic()
        if now - self._windows_t < self.windows_s:
            return self._windows
        apps = self.children(Node(*REGISTRY))
        kids = self.batch([(a, ACCESSIBLE, "GetChildren", None, ()) for a in apps])
        tops = [Node(b, p) for body in kids if not isinstance(body, AtspiError) for b, p in body[0]]
        wins = []
        self.skipped_wayland = 0
        for info in self.infos(tops):
            if info.rect is None or not info.states & (1 << STATE_SHOWING):
                continue
            if self.wayland and info.rect[:2] == (0, 0):
                self.skipped_wayland += 1  # window-relative extents under Wayland: cannot be placed
                continue
            wins.append(info)
        self.unplaced = 0
        if wins and self.x11 is not None:
            try:
                screen = self.x11.rects()
            except Exception:
                screen = []
            if screen:
                placed = []
                for w in wins:
                    k = match_scale(w.rect, screen)  # type: ignore[arg-type]
                    if k is None:
                        self.unplaced += 1  # its rectangles are not where it is on screen
                        continue
                    w.scale = k
                    placed.append(w)
                wins = placed
        self._windows, self._windows_t = wins, now
        return wins

    def window_at(self, x: float, y: float) -> Info | None:
        """The smallest showing window that contains the point (a menu over its frame), else None."""
        hits = [w for w in self.windows() if w.rect and _contains(_scaled(w.rect, w.scale), x, y)]
        if not hits:
            return None
        return min(hits, key=lambda w: (w.rect[2] * w.rect[3] * w.scale ** 2,  # type: ignore[index]
                                        not w.states & (1 << STATE_ACTIVE)))

    def at_point(self, node: Node, points: list[tuple[int, int]]) -> list[Node]:
        """The direct children of node at each point (GetAccessibleAtPoint, screen coordinates)."""
        res = self.batch([(node, COMPONENT, "GetAccessibleAtPoint", "iiu", (px, py, SCREEN)) for px, py in points])
        seen: dict[Node, None] = {}
        for body in res:
            if isinstance(body, AtspiError):
                continue
            b, p = body[0]
            if p and p != "/org/a11y/atspi/null" and (b, p) != (node.bus, node.path):
                seen[Node(b, p)] = None
        return list(seen)

    def query(self, x: float, y: float) -> tuple[Target, ...]:
        """The targets around (x, y) px (see the module doc); sorted top to bottom, left to right."""
        start = self.calls
        win = self.window_at(x, y)
        if win is None or win.rect is None:
            return ()
        k = win.scale  # the walk is in the app's px; the targets come out in device px
        x, y, r = x / k, y / k, self.radius_px / k
        box = (int(x - r), int(y - r), int(2 * r) + 1, int(2 * r) + 1)
        ring = [(int(x), int(y))] + [(int(x + dx), int(y + dy)) for dx, dy in
                                     ((r / 2, 0), (-r / 2, 0), (0, r / 2), (0, -r / 2),
                                      (r, 0), (-r, 0), (0, r), (0, -r), (r / 2, r / 2), (-r / 2, r / 2),
                                      (r / 2, -r / 2), (-r / 2, -r / 2))]
        found: dict[tuple, Target] = {}
        level: list[tuple[Node, tuple[int, int, int, int]]] = [(win.node, win.rect)]
        depth = 0
        while level and depth < 24 and self.calls - start < self.budget:
            depth += 1
            nxt: list[tuple[Node, tuple[int, int, int, int]]] = []
            kids_of = self.batch([(n, ACCESSIBLE, "GetChildren", None, ()) for n, _ in level])
            todo: list[tuple[Node, tuple[int, int, int, int]]] = []
            for (node, clip), body in zip(level, kids_of):
                if isinstance(body, AtspiError):
                    continue
                kids = [Node(b, p) for b, p in body[0]]
                if len(kids) > self.max_children:  # a long list: only what lies under the ring
                    inside = [(px, py) for px, py in ring if _contains(clip, px, py)]
                    kids = self.at_point(node, inside)
                todo += [(k, clip) for k in kids]
            if not todo or self.calls - start + 4 * len(todo) > self.budget:
                break
            for (node, clip), info in zip(todo, self.infos([k for k, _ in todo])):
                if info.rect is None or not info.states & (1 << STATE_SHOWING):
                    continue
                rect = _intersect(info.rect, clip)
                if rect is None or _intersect(rect, box) is None:
                    continue
                if clickable(info.role, info.action, info.states):
                    if rect != clip:  # a popup menu filling its window is no target, its items are
                        found[(rect, info.role)] = Target(*_scaled(rect, k), role=info.role, clickable=True)
                    if info.role in NESTING_ROLES:
                        nxt.append((node, rect))
                elif info.role not in PASSIVE_ROLES:  # label, image, ...: something, not clickable
                    found.setdefault((rect, info.role), Target(*_scaled(rect, k), role=info.role, clickable=False))
                    nxt.append((node, rect))  # it may still hold clickable things (a link in a label)
                else:
                    nxt.append((node, rect))
            level = nxt
        return tuple(sorted(found.values(), key=lambda g: (g.y, g.x, g.w, g.h, g.role)))


class AtspiProvider(WorkerProvider):
    """Targets from AT-SPI2 on Linux (X11 desktops; Wayland only where extents are screen ones)."""

    name = "atspi"

    def __init__(self, radius_px: float = 64.0, timeout_s: float = 0.5, **kw) -> None:
        super().__init__(**kw)
        self.radius_px, self.timeout_s = radius_px, timeout_s
        self.client: AtspiClient | None = None

    def _connect(self) -> AtspiClient:
        address = bus_address(self.timeout_s * 2)
        try:
            self.client = AtspiClient(address, timeout_s=self.timeout_s, radius_px=self.radius_px)
        except Exception as exc:
            raise Unavailable(f"cannot connect to the accessibility bus ({type(exc).__name__}: {exc})") from None
        return self.client

    def _explain(self, exc: BaseException) -> str:
        if isinstance(exc, Unavailable):
            return str(exc)
        if isinstance(exc, TimeoutError):
            return "the accessibility bus did not answer in time: retrying"
        return f"accessibility bus lost ({type(exc).__name__}: {exc}): retrying"

    def _working(self, found: tuple[Target, ...]) -> str:
        c = self.client
        import time
        slow = sum(1 for until in (c.slow.values() if c else ()) if until > time.monotonic())
        if slow:
            return (f"working, but {slow} application{'s' if slow > 1 else ''} did not answer in "
                    f"{self.timeout_s * 1000:.0f} ms: left out for {c.slow_s:.0f} s")  # type: ignore[union-attr]
        if c is not None and not c._windows:
            if c.skipped_wayland:
                return ("working, but the windows are on Wayland, whose accessibility extents are not screen "
                        "coordinates: no targets (X11 apps under XWayland do work with --backend x11)")
            if c.unplaced:
                return (f"working, but {c.unplaced} window{'s' if c.unplaced > 1 else ''} give rectangles that lie on "
                        "no window of the screen (relative to their own window, as GTK4 apps give): no targets there")
            return f"working, but no application exposes its widgets; {ENABLE_HINT}"
        return super()._working(found)


def probe(timeout_s: float = 0.5) -> tuple[bool, str]:
    """One synchronous look for ``doctor``: (usable, one line saying what was found or how to fix it)."""
    try:
        client = AtspiClient(bus_address(timeout_s), timeout_s=timeout_s)
    except Unavailable as exc:
        return False, str(exc)
    except Exception as exc:
        return False, f"cannot connect to the accessibility bus ({type(exc).__name__}: {exc}); {ENABLE_HINT}"
    try:
        apps = client.children(Node(*REGISTRY))
        wins = client.windows()
    except Exception as exc:
        return False, f"the accessibility bus does not answer ({type(exc).__name__}); {ENABLE_HINT}"
    finally:
        client.close()
    if wins:
        return True, f"accessibility bus answers: {len(apps)} apps, {len(wins)} windows with their widgets"
    if client.skipped_wayland:
        return False, ("accessibility bus answers, but Wayland windows give no screen coordinates: no targets "
                       "there (X11 apps under XWayland do work with --backend x11)")
    return False, f"accessibility bus answers, but no application exposes its windows ({len(apps)} apps); {ENABLE_HINT}"
