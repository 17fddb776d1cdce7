"""The tray utility for daily use: state, settings, autostart, single instance, tray and hotkeys."""
