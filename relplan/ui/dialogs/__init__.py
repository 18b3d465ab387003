"""Dialogs: each takes a value object and gives one back; none touches the store."""
