"""The inbox program's address.

The same id is ``ID`` in ``programs/inbox/src/lib.rs``, ``[programs.localnet]`` in
``Anchor.toml``, ``address`` in the IDL and the public key of
``programs/inbox/keys/inbox-keypair.json``; ``tests/program/test_idl_agreement.py`` keeps
them equal.
"""

from __future__ import annotations

from solders.pubkey import Pubkey

__all__ = ["PROGRAM_ID"]

PROGRAM_ID = Pubkey.from_string("iNbeCDZJGkEGTJDjKsM2JTZ3V37i1ihZSCCjm1F2Yei")
"""The inbox program id (localnet; the deploy keypair is ``programs/inbox/keys/``)."""
