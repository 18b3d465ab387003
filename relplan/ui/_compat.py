"""Small typing shims for the Python versions relplan supports."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

_F = TypeVar("_F", bound=Callable[..., object])

if sys.version_info >= (3, 12):
    from typing import override
elif TYPE_CHECKING:
    from typing_extensions import override
else:

    def override(func: _F) -> _F:
        """Mark a Qt virtual override (``typing.override`` from Python 3.12 on)."""
        return func


__all__ = ["override"]
