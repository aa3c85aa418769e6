"""Drive Debian's cargo/rustc to build an on-chain program into ``target/deploy/<name>.so``.

No Solana platform tools: rustc-web (Rust 1.96, LLVM 22) builds ``core`` and ``alloc`` for
``bpfel-unknown-none`` from rust-web-src (``-Zbuild-std``, enabled by ``RUSTC_BOOTSTRAP=1``),
LTO hands our linker one bitcode module, and :mod:`solinbox.build.linker` makes the sBPF v0
shared object. The rustup toolchain that may come first on ``PATH`` has no ``rust-src`` and is
never used: cargo and rustc are called by absolute path.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from solinbox.errors import BuildError, ToolchainError

__all__ = [
    "TARGET",
    "BuildResult",
    "Toolchain",
    "build_program",
    "find_toolchain",
    "repo_root",
    "rustc_version",
]

TARGET = "bpfel-unknown-none"
_CARGO = "/usr/bin/cargo"
_RUSTC = "/usr/bin/rustc"
_RUST_SRC = Path("/usr/lib/rustlib/src/rust/library")


@dataclass(frozen=True, slots=True)
class Toolchain:
    """The compilers the build uses."""

    cargo: Path
    rustc: Path
    rust_src: Path


@dataclass(frozen=True, slots=True)
class BuildResult:
    """A built program."""

    name: str
    so_path: Path
    sha256: str
    size: int
    seconds: float


def find_toolchain() -> Toolchain:
    """Check for Debian's rustc-web/cargo-web/rust-web-src; raise :class:`ToolchainError` if absent."""
    cargo = Path(os.environ.get("SOLINBOX_CARGO", _CARGO))
    rustc = Path(os.environ.get("SOLINBOX_RUSTC", _RUSTC))
    missing = [str(p) for p in (cargo, rustc) if not p.exists()]
    if not (_RUST_SRC / "core").is_dir():
        missing.append(str(_RUST_SRC))
    if missing:
        raise ToolchainError(
            "missing " + ", ".join(missing) + ": install the Debian packages rustc-web cargo-web "
            "rust-web-src llvm-22 (scripts/setup does)"
        )
    return Toolchain(cargo, rustc, _RUST_SRC)


def rustc_version(toolchain: Toolchain | None = None) -> str:
    """``rustc --version`` of the toolchain the build uses (e.g. ``rustc 1.96.0 (…)``)."""
    tc = toolchain or find_toolchain()
    try:
        done = subprocess.run(
            [str(tc.rustc), "--version"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolchainError(f"{tc.rustc} --version failed: {exc}") from exc
    return done.stdout.strip()


def repo_root(start: Path | None = None) -> Path:
    """The Cargo workspace root: the nearest directory upwards with ``Cargo.toml`` and ``programs/``.

    Raises:
        BuildError: ``start`` (default: the current directory) is not inside a source checkout.
    """
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "Cargo.toml").is_file() and (d / "programs").is_dir():
            return d
    raise BuildError(
        f"no solinbox source checkout (Cargo.toml + programs/) at or above {here}.\n"
        "  `solinbox build` compiles the on-chain programs of a clone of the solinbox repository:"
        " run it inside one (or pass --workspace DIR).\n"
        "  The installed package already carries the built inbox program (`solinbox doctor`"
        " shows it); you need a build only to change the program."
    )


def linker_fingerprint() -> str:
    """Hash of the linker's own sources: cargo must relink when the post-link step changes."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("linker.py", "llvm.py", "postlink.py", "sbpf.py", "elf.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def _linker_wrapper(target_dir: Path) -> Path:
    """A tiny script rustc can exec as its linker, running our linker in this interpreter.

    The directory that holds the running ``solinbox`` package goes first on ``PYTHONPATH``, so
    the linker is this very code even where the interpreter does not have solinbox installed
    (the isolated environment of a wheel build).
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / "solinbox-ld"
    import solinbox

    package_parent = shlex.quote(str(Path(solinbox.__file__).resolve().parent.parent))
    body = (
        f"#!/bin/sh\nPYTHONPATH={package_parent}${{PYTHONPATH:+:$PYTHONPATH}} "
        f'exec {shlex.quote(sys.executable)} -m solinbox.build.linker "$@"\n'
    )
    if not path.exists() or path.read_text() != body:
        path.write_text(body)
        path.chmod(0o755)
    return path


def build_program(
    package: str = "inbox",
    *,
    workspace: Path | None = None,
    target_dir: Path | None = None,
    out_name: str | None = None,
    verbose: bool = False,
    on_line: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the cargo package ``package`` of the workspace to ``target/deploy/<out_name>.so``.

    ``target_dir`` defaults to ``<workspace>/target``. ``on_line`` receives cargo's progress lines (e.g. to drive a progress bar). Raises
    :class:`BuildError` with cargo's output when the build fails.
    """
    tc = find_toolchain()
    root = workspace or repo_root()
    target_dir = (target_dir or root / "target").resolve()
    linker = _linker_wrapper(target_dir)
    env = dict(os.environ)
    env.update(
        RUSTC_BOOTSTRAP="1",
        RUSTC=str(tc.rustc),
        CARGO_TARGET_DIR=str(target_dir),
        CARGO_TARGET_BPFEL_UNKNOWN_NONE_LINKER=str(linker),
        # reproducible: no absolute paths of this checkout or of cargo's registry in the binary
        CARGO_ENCODED_RUSTFLAGS="\x1f".join(
            [
                "-Ctarget-cpu=v2",
                # core's panics abort at once instead of formatting a message: core::fmt
                # cannot be compiled for upstream BPF (functions of more than 5 arguments)
                "-Zunstable-options",
                "-Cpanic=immediate-abort",
                # cargo does not see our linker's code; its hash in the flags makes it relink
                f"-Clink-arg=--solinbox-linker={linker_fingerprint()}",
                f"--remap-path-prefix={root}=.",
                f"--remap-path-prefix={Path.home()}=~",
                f"--remap-path-prefix={tc.rust_src}=rust",
            ]
        ),
    )
    env.pop("RUSTFLAGS", None)
    env.pop("RUSTUP_TOOLCHAIN", None)
    cmd = [
        str(tc.cargo),
        "build",
        "--release",
        "--target",
        TARGET,
        "-Zbuild-std=core,alloc",
        "-p",
        package,
        "--color",
        "never",
    ]
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if on_line:
            on_line(lines[-1])
        if verbose:
            print(lines[-1], file=sys.stderr)
    if proc.wait() != 0:
        raise BuildError(f"cargo build -p {package} failed:\n" + "\n".join(lines[-60:]))
    lib_name = package.replace("-", "_")
    built = target_dir / TARGET / "release" / f"lib{lib_name}.so"
    if not built.exists():
        built = target_dir / TARGET / "release" / f"{lib_name}.so"
    if not built.exists():
        raise BuildError(f"cargo succeeded but produced no {built.name}")
    deploy = target_dir / "deploy"
    deploy.mkdir(parents=True, exist_ok=True)
    dest = deploy / f"{out_name or lib_name}.so"
    shutil.copyfile(built, dest)
    # Anchor's convention: target/deploy/<name>-keypair.json is the program's address, so that
    # `solinbox deploy target/deploy/<name>.so` deploys at the id compiled into the program
    keypair = root / "programs" / package / "keys" / f"{lib_name}-keypair.json"
    deploy_keypair = deploy / f"{out_name or lib_name}-keypair.json"
    if keypair.is_file() and not deploy_keypair.exists():
        shutil.copyfile(keypair, deploy_keypair)
        deploy_keypair.chmod(0o600)
    data = dest.read_bytes()
    return BuildResult(
        package, dest, hashlib.sha256(data).hexdigest(), len(data), time.monotonic() - started
    )
