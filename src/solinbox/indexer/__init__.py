"""The indexer: ingests Light transactions, stores compressed accounts, serves the Photon API.

* :class:`SqliteStore` / :class:`PostgresStore` — storage (idempotent, checkpointed);
* :class:`Indexer` — verified ingestion; :meth:`Indexer.attach` follows a localnet in process,
  :class:`RpcFollower` any JSON-RPC endpoint through ``getBlock``;
* :class:`PhotonServer` — the Photon-compatible JSON-RPC server (default port 8784).
"""

from solinbox.indexer.ingest import Indexer, IngestError, RpcFollower
from solinbox.indexer.server import PhotonServer
from solinbox.indexer.store import IndexedTransaction, PostgresStore, SqliteStore

__all__ = [
    "IndexedTransaction",
    "Indexer",
    "IngestError",
    "PhotonServer",
    "PostgresStore",
    "RpcFollower",
    "SqliteStore",
]
