"""Fixtures for the build-pipeline tests: assembling snippets and building the workspace programs."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from solders.keypair import Keypair
from solders.litesvm import LiteSVM

LLVM_MC = shutil.which("llvm-mc-22") or "/usr/bin/llvm-mc-22"
LLVM_AS = shutil.which("llvm-as-22") or "/usr/bin/llvm-as-22"


@pytest.fixture
def assemble(tmp_path: Path) -> Callable[..., bytes]:
    """Assemble BPF assembly text into an ELF object with llvm-mc (any BPF cpu)."""

    def run(source: str, cpu: str = "v2") -> bytes:
        src = tmp_path / "snippet.s"
        obj = tmp_path / "snippet.o"
        src.write_text(source)
        subprocess.run(
            [
                LLVM_MC,
                "-triple",
                "bpfel",
                f"-mcpu={cpu}",
                "-filetype=obj",
                str(src),
                "-o",
                str(obj),
            ],
            check=True,
        )
        return obj.read_bytes()

    return run


@pytest.fixture
def bitcode(tmp_path: Path) -> Callable[[str], bytes]:
    """Turn LLVM IR text into bitcode with llvm-as."""

    def run(ir: str) -> bytes:
        src = tmp_path / "m.ll"
        out = tmp_path / "m.bc"
        src.write_text(ir)
        subprocess.run([LLVM_AS, str(src), "-o", str(out)], check=True)
        return out.read_bytes()

    return run


@pytest.fixture
def svm_payer() -> tuple[LiteSVM, Keypair]:
    """A fresh LiteSVM and a funded payer."""
    svm = LiteSVM()
    payer = Keypair()
    svm.airdrop(payer.pubkey(), 100 * 10**9)
    return svm, payer
