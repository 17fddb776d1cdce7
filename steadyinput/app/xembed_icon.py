"""A system-tray icon for X11 (the freedesktop System Tray protocol over XEmbed), one thread.

Why not pystray's X11 backend: it changes its icon by making the calling thread send on the
icon thread's python-xlib connection and wait. python-xlib (0.33) can then leave the icon
thread waiting for a lock no thread will release (``send_and_recv`` returns from a flush
without waking a waiting reader); when that happens inside pystray's server grab, the whole X
server stops, the menu and Quit with it. Seen on a 2-core machine under load.

Here one thread owns the X connection and nothing else touches it: other threads only store
the wanted image and title and write a byte to a pipe; the thread waits on the pipe and the
connection together. Clicks (button 1 or 3, on release) call ``on_click`` from this thread.
When the tray restarts (a new owner of ``_NET_SYSTEM_TRAY_S<n>``) the icon docks again.
"""

from __future__ import annotations

import logging
import os
import select
import threading

log = logging.getLogger("steadyinput.app")

REQUEST_DOCK = 0
XEMBED_MAPPED = 1


class XEmbedIcon:
    """The icon: ``start()``, ``set(image, title)`` from any thread, ``stop()``."""

    def __init__(self, name: str, image, title: str, on_click=None) -> None:
        self.name, self.on_click = name, on_click
        self._image, self._title = image, title
        self._lock = threading.Lock()
        self._changed = True
        self._stopping = False
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self.docked = threading.Event()

    # -- any thread -----------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tray-icon", daemon=True)
        self._thread.start()

    def set(self, image, title: str) -> None:
        """Show ``image`` (a PIL image) with tooltip/name ``title``; returns at once."""
        with self._lock:
            self._image, self._title, self._changed = image, title, True
        self._wake()

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stopping = True
        self._wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:  # closed at exit
            pass

    # -- the icon thread ------------------------------------------------------------------------
    def _run(self) -> None:
        from Xlib import X, display
        try:
            d = display.Display()
        except Exception as exc:
            log.warning("tray icon unavailable: %s", exc)
            return
        try:
            self._loop(d, X)
        except Exception:
            if not self._stopping:
                log.exception("the tray icon stopped")
        finally:
            try:
                d.close()
            except Exception:
                pass
            for fd in (self._wake_r, self._wake_w):
                try:
                    os.close(fd)
                except OSError:
                    pass

    def _loop(self, d, X) -> None:
        screen = d.screen()
        root = screen.root
        selection = d.intern_atom(f"_NET_SYSTEM_TRAY_S{d.get_default_screen()}")
        opcode = d.intern_atom("_NET_SYSTEM_TRAY_OPCODE")
        manager_atom = d.intern_atom("MANAGER")
        xembed_info = d.intern_atom("_XEMBED_INFO")
        win = root.create_window(0, 0, 24, 24, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
                                 background_pixel=screen.black_pixel,
                                 event_mask=(X.ExposureMask | X.StructureNotifyMask
                                             | X.ButtonPressMask | X.ButtonReleaseMask))
        win.set_wm_class(f"{self.name}SystemTrayIcon", self.name)
        from Xlib import Xutil
        win.set_wm_normal_hints(flags=Xutil.PPosition | Xutil.PSize | Xutil.PMinSize, min_width=16, min_height=16)
        win.change_property(xembed_info, xembed_info, 32, [0, XEMBED_MAPPED])
        gc = win.create_gc()
        root.change_attributes(event_mask=X.StructureNotifyMask)  # MANAGER announcements
        manager = None

        def dock():
            nonlocal manager
            owner = d.get_selection_owner(selection)
            if owner == X.NONE or owner == 0:
                manager = None
                self.docked.clear()
                return
            manager = owner
            manager.change_attributes(event_mask=X.StructureNotifyMask)  # its DestroyNotify
            from Xlib.protocol import event
            manager.send_event(event.ClientMessage(window=manager, client_type=opcode,
                                                   data=(32, [X.CurrentTime, REQUEST_DOCK, win.id, 0, 0])),
                               event_mask=X.NoEventMask)
            d.flush()
            self.docked.set()

        def draw():
            with self._lock:
                image, title, self._changed = self._image, self._title, False
            try:
                win.set_wm_name(title)
                g = win.get_geometry()
                if g.width > 1 and g.height > 1:
                    from PIL import Image
                    canvas = Image.new("RGB", (g.width, g.height), (0, 0, 0))
                    side = min(g.width, g.height)  # round stays round in a tall or wide slot
                    pic = image.convert("RGBA").resize((side, side), Image.LANCZOS)
                    canvas.paste(pic, ((g.width - side) // 2, (g.height - side) // 2), pic)
                    win.put_pil_image(gc, 0, 0, canvas)
                d.flush()
            except Exception as exc:  # the window is being reparented or went away
                log.debug("tray icon not drawn: %s", exc)

        dock()
        fd = d.fileno()
        while not self._stopping:
            if not d.pending_events():
                ready, _, _ = select.select([fd, self._wake_r], [], [], 5.0)
                if self._wake_r in ready:
                    os.read(self._wake_r, 4096)
            if self._stopping:
                break
            redraw = self._changed
            while d.pending_events():
                e = d.next_event()
                if e.type in (X.Expose, X.ConfigureNotify, X.MapNotify, X.ReparentNotify):
                    redraw = True
                elif e.type == X.ButtonRelease and e.window == win and e.detail in (1, 3):
                    if self.on_click is not None:
                        self.on_click()
                elif e.type == X.DestroyNotify and manager is not None and e.window == manager:
                    log.info("the system tray went away; waiting for it to come back")
                    manager = None
                    self.docked.clear()
                elif e.type == X.ClientMessage and e.window == root and e.client_type == manager_atom:
                    log.info("a system tray appeared; docking the icon")
                    dock()
                    redraw = True
            if redraw:
                draw()
        try:
            win.destroy()
            d.flush()
        except Exception:
            pass
