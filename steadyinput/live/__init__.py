"""Live use: the loop that feeds a backend's raw events to the engine and carries out its actions."""
