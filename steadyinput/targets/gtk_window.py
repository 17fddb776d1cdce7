"""A GTK3 window for the live target tests and measurements; run it with the distribution's
Python (python3-gi, gir1.2-gtk-3.0), not imported by steadyinput.

It places buttons at exact window positions (Gtk.Fixed) and prints one JSON line on stdout
once the window is shown: the window's position and each button's allocation (px, desktop
coordinates), so a test can compare them with what the accessibility tree reports.
Layout (window at 100, 100 on a window-manager-less X server, or where ``--at X,Y`` says):
  a pair of 40 x 24 buttons 4 px apart, and one lone 40 x 24 button far from both;
  with ``--grid N``, also an N x N grid of 16 x 16 icons 3 px apart below them (a dense toolbar,
  for measuring a query round over many widgets).
Then one line ``clicked NAME`` on stdout each time a button is activated (NAME: left, right,
lone, or icon<i>), so an end-to-end test can see which button a press landed on.
"""

import json
import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

LAYOUT = {"left": (20, 20), "right": (64, 20), "lone": (200, 120)}  # 40 x 24 each: gap 64 - 60 = 4 px
W, H = 40, 24


def main() -> None:
    grid = int(sys.argv[sys.argv.index("--grid") + 1]) if "--grid" in sys.argv else 0
    at = [int(v) for v in sys.argv[sys.argv.index("--at") + 1].split(",")] if "--at" in sys.argv else [100, 100]
    css = Gtk.CssProvider()  # buttons exactly as large as asked (a theme pads them to ~34 px)
    css.load_from_data(b"button { min-height: 0; min-width: 0; padding: 0; }")
    Gtk.StyleContext.add_provider_for_screen(Gdk.Screen.get_default(), css,
                                             Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION)
    win = Gtk.Window(title="steadyinput targets test")
    win.set_default_size(max(320, 20 + 19 * grid), 200 + 19 * grid)
    win.move(*at)
    fixed = Gtk.Fixed()
    buttons = {}
    for key, (x, y) in LAYOUT.items():
        b = Gtk.Button()  # no label: the tests never need names or text
        b.set_size_request(W, H)
        fixed.put(b, x, y)
        b.connect("clicked", lambda _b, k=key: print(f"clicked {k}", flush=True))
        buttons[key] = b
    for i in range(grid * grid):
        icon = Gtk.Button()
        icon.set_size_request(16, 16)
        fixed.put(icon, 10 + 19 * (i % grid), 190 + 19 * (i // grid))
        icon.connect("clicked", lambda _b, k=f"icon{i}": print(f"clicked {k}", flush=True))
    win.add(fixed)
    win.connect("destroy", Gtk.main_quit)
    win.show_all()

    def report() -> bool:
        gdk_win = win.get_window()
        if gdk_win is None:
            return True
        ox, oy = gdk_win.get_origin()[1:]
        out = {"window": [ox, oy]}
        for key, b in buttons.items():
            a = b.get_allocation()
            out[key] = [ox + a.x, oy + a.y, a.width, a.height]
        print(json.dumps(out), flush=True)
        return False

    GLib.timeout_add(300, report)
    Gtk.main()


if __name__ == "__main__":
    sys.exit(main())
