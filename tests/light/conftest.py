"""Fixtures for the Light tests: the real pinned package, a LiteSVM with it, a funded payer."""

from __future__ import annotations

import pytest
from solders.keypair import Keypair
from solders.litesvm import LiteSVM

from solinbox.light import LightPackage, fetch_light_package
from solinbox.localnet.genesis import build_light_svm


@pytest.fixture(scope="session")
def light_package() -> LightPackage:
    """The pinned Light package in the user's cache (fetched with npm only if not cached yet)."""
    return fetch_light_package()


@pytest.fixture
def svm(light_package: LightPackage) -> LiteSVM:
    """A fresh LiteSVM with the Light programs and accounts (SOL pool funded)."""
    return build_light_svm(package=light_package)


@pytest.fixture
def payer(svm: LiteSVM) -> Keypair:
    """A payer holding 100 SOL."""
    keypair = Keypair()
    svm.airdrop(keypair.pubkey(), 100 * 10**9)
    return keypair
