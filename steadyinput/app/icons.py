"""Tray icons drawn with Pillow; the look says the state: on, off, dwell armed, error."""

from __future__ import annotations

from PIL import Image, ImageDraw

COLORS = {"on": "#2e9d4f", "off": "#8a8f96", "dwell": "#2f7fd8", "error": "#d0342c"}


def icon(state: str, size: int = 64) -> Image.Image:
    """A round target: filled green when filtering, grey ring when off, blue with a dot when
    dwell-click is armed, red with a bar when something is wrong."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    c = COLORS.get(state, COLORS["error"])
    m = size // 10
    if state == "off":
        d.ellipse((m, m, size - m, size - m), outline=c, width=max(2, size // 10))
    else:
        d.ellipse((m, m, size - m, size - m), fill=c)
    r = size // 8
    mid = size // 2
    if state in ("on", "dwell"):
        d.ellipse((mid - r, mid - r, mid + r, mid + r), fill="white")
    if state == "dwell":
        d.ellipse((mid - 2 * r, mid - 2 * r, mid + 2 * r, mid + 2 * r), outline="white", width=max(1, size // 24))
    if state == "error":
        d.rectangle((mid - r // 2, size // 4, mid + r // 2, size - size // 3), fill="white")
    return img
