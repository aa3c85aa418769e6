"""A local Solana chain backed by LiteSVM, with the real Light Protocol programs preloaded."""

from __future__ import annotations

from solinbox.localnet.genesis import (
    LightAccount,
    build_light_svm,
    default_light_package,
    light_account_sources,
    light_accounts,
)

__all__ = [
    "LightAccount",
    "build_light_svm",
    "default_light_package",
    "light_account_sources",
    "light_accounts",
]
