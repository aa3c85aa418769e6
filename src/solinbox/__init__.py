"""solinbox: an on-chain inbox on Solana whose threads and messages are Light Protocol compressed accounts.

The package is split by responsibility (see ``docs/architecture.md``):

* :mod:`solinbox.program` — ids, PDAs, codecs and pure instruction builders for the inbox program;
* :mod:`solinbox.light` — the pinned Light Protocol programs, their instruction layouts and hashing;
* :mod:`solinbox.localnet` — LiteSVM with our program and Light preloaded (genesis), the local validator;
* :mod:`solinbox.build` — the on-chain build pipeline (cargo → LLVM → sBPF v0 ``.so``).
"""

from solinbox.errors import SolinboxError

__version__ = "0.1.0"

__all__ = ["SolinboxError", "__version__"]
