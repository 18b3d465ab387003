"""Fixtures of the sync unit tests."""

from tests.helpers.memory_keyring import memory_keyring_fixture

__all__ = ["memory_keyring_fixture"]
