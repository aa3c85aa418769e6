"""Lazy package exports (PEP 562), so that ``import solinbox.x`` costs only what it uses.

A package lists ``name -> submodule`` and gets a module ``__getattr__`` that imports the
submodule on first access; type checkers read the same names from an ``if TYPE_CHECKING:``
block of real imports. ``solinbox --version`` and ``--help`` stay fast because of this.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for a package whose ``globals()`` is ``namespace``.

    Args:
        namespace: The package's ``globals()``; resolved names are cached in it.
        exports: Public name -> submodule (relative to the package) that defines it.
    """
    package = str(namespace["__name__"])

    def __getattr__(name: str) -> Any:
        submodule = exports.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{submodule}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
