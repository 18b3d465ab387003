"""Qt item models over core snapshots."""
