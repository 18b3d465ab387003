"""The plan's value objects and pure rules (no I/O, no clock)."""
