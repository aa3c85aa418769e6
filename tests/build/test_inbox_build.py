"""The inbox program builds reproducibly, deploys through the loader and dispatches."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.transaction_metadata import FailedTransactionMetadata

from solinbox.build import BuildResult, build_program
from solinbox.localnet.svm import deploy_upgradeable, send


@pytest.fixture(scope="module")
def program_keypair(repo_root: Path) -> Keypair:
    return Keypair.from_json((repo_root / "programs/inbox/keys/inbox-keypair.json").read_text())


@pytest.mark.slow
def test_clean_build_is_reproducible(inbox_build: BuildResult, tmp_path: Path) -> None:
    # A clean build in another target directory gives the same bytes as the session's build.
    again = build_program("inbox", target_dir=tmp_path / "target")
    assert again.sha256 == inbox_build.sha256
    assert again.so_path.read_bytes() == inbox_build.so_path.read_bytes()
    assert again.seconds < 180


def test_binary_carries_no_machine_paths(inbox_build: BuildResult, repo_root: Path) -> None:
    so = inbox_build.so_path.read_bytes()
    assert str(repo_root).encode() not in so
    assert str(Path.home()).encode() not in so


Deployed = tuple[LiteSVM, Keypair, Pubkey]


@pytest.fixture(scope="module")
def deployed(inbox_build: BuildResult, program_keypair: Keypair) -> Deployed:
    svm = LiteSVM()
    payer = Keypair()
    svm.airdrop(payer.pubkey(), 10 * 10**9)
    pid = deploy_upgradeable(svm, payer, program_keypair, inbox_build.so_path.read_bytes())
    assert pid == program_keypair.pubkey()
    return svm, payer, pid


def error_of(deployed: Deployed, data: bytes) -> str:
    svm, payer, pid = deployed
    result = send(svm, [Instruction(pid, data, [])], [payer])
    assert isinstance(result, FailedTransactionMetadata)
    return str(result.err())


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", 6001), (b"\x01\x02\x03", 6001), (bytes(8), 6000), (b"\xff" * 40, 6000)],
)
def test_bad_instruction_data_is_rejected(deployed: Deployed, data: bytes, code: int) -> None:
    assert f"Custom({code})" in error_of(deployed, data)


def test_every_declared_instruction_is_recognised(deployed: Deployed, repo_root: Path) -> None:
    source = (repo_root / "programs/inbox/src/instruction.rs").read_text()
    names = re.findall(r"pub const ([A-Z_]+): \[u8; 8\] = \[([\d, ]+)\];", source)
    assert len(names) == 14
    for name, raw in names:
        disc = bytes(int(b) for b in raw.split(","))
        assert disc == hashlib.sha256(f"global:{name.lower()}".encode()).digest()[:8], name
        # recognised (not 6000 UnknownInstruction); processors arrive with the protocol
        assert "Custom(6002)" in error_of(deployed, disc)
