"""The live view: the hand's and the cursor's paths as they happen, a tremor meter, and the
controls an OT tunes by eye (``steadyinput view``, the tray's "Live view…")."""
