"""The pinned Light package: fetched with npm, verified by sha256, cached idempotently."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from solinbox.errors import LightPackageError
from solinbox.light import LIGHT_CLI_VERSION, LightPackage, default_cache_dir, fetch_light_package
from solinbox.light.package import (
    LIGHT_PROGRAM_NAMES,
    PINNED_SHA256,
    _extract_verified,
    _mismatches,
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy_cache(light_package: LightPackage, destination: Path) -> Path:
    shutil.copytree(light_package.root / "bin", destination / "bin")
    shutil.copytree(light_package.root / "accounts", destination / "accounts")
    return destination


def test_layout_and_api(light_package: LightPackage) -> None:
    assert light_package.version == LIGHT_CLI_VERSION == "0.28.3"
    assert LIGHT_PROGRAM_NAMES == (
        "account_compression",
        "light_compressed_token",
        "light_registry",
        "light_system_program_pinocchio",
        "spl_noop",
    )
    for name in LIGHT_PROGRAM_NAMES:
        path = light_package.program_path(name)
        assert path == light_package.root / "bin" / f"{name}.so"
        assert _sha256(path) == PINNED_SHA256[f"bin/{name}.so"]
    with pytest.raises(ValueError, match="unknown Light program"):
        light_package.program_path("forester")
    files = light_package.account_files()
    assert len(files) == 39
    assert [f.name for f in files] == sorted(f.name for f in files)
    assert all(f.is_file() and f.parent == light_package.root / "accounts" for f in files)
    # Only the pinned files are kept: no forester binary, no test_bin.
    assert sorted(p.name for p in (light_package.root / "bin").iterdir()) == [
        f"{name}.so" for name in LIGHT_PROGRAM_NAMES
    ]


def test_default_cache_dir_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOLINBOX_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path / "light" / "0.28.3"
    monkeypatch.delenv("SOLINBOX_CACHE")
    assert default_cache_dir() == Path.home() / ".cache" / "solinbox" / "light" / "0.28.3"


def test_fetch_is_idempotent(light_package: LightPackage, tmp_path: Path) -> None:
    cache = _copy_cache(light_package, tmp_path / "cache")
    stamps = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    again = fetch_light_package(cache_dir=cache)  # verified: no npm, no writes
    assert again == LightPackage(cache)
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()} == stamps


def test_corrupted_cache_is_refetched(light_package: LightPackage, tmp_path: Path) -> None:
    cache = _copy_cache(light_package, tmp_path / "cache")
    victim = cache / "bin" / "light_system_program_pinocchio.so"
    data = bytearray(victim.read_bytes())
    data[1000] ^= 0xFF
    victim.write_bytes(bytes(data))
    (cache / "accounts" / "group_pda_24rt4RgeyjUCWGS2eF7L7gyNMuz6JWdqYpAvb1KRoHxs.json").unlink()
    assert _mismatches(cache) == [
        "bin/light_system_program_pinocchio.so",
        "accounts/group_pda_24rt4RgeyjUCWGS2eF7L7gyNMuz6JWdqYpAvb1KRoHxs.json",
    ]

    repaired = fetch_light_package(cache_dir=cache)  # one `npm pack`

    assert repaired.root == cache
    assert _mismatches(cache) == []
    assert _sha256(victim) == PINNED_SHA256["bin/light_system_program_pinocchio.so"]
    assert not list(tmp_path.glob("solinbox-light-*")), "temporary directory left behind"


def test_missing_npm_is_a_clear_error(
    light_package: LightPackage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = _copy_cache(light_package, tmp_path / "cache")
    (cache / "bin" / "spl_noop.so").write_bytes(b"not a program")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(LightPackageError, match="npm is not installed"):
        fetch_light_package(cache_dir=cache)
    # A verified cache needs no npm at all.
    fetch_light_package(cache_dir=_copy_cache(light_package, tmp_path / "good"))


def test_tampered_tarball_member_is_named(light_package: LightPackage, tmp_path: Path) -> None:
    tarball = tmp_path / "tampered.tgz"
    relative = "accounts/batched_output_queue_oq1na8gojfdUhsfCpyjNt6h4JaDWtHf1yQj4koBWfto.json"
    content = (light_package.root / relative).read_bytes().replace(b'"lamports":', b'"lamports": ')
    with tarfile.open(tarball, "w:gz") as archive:
        info = tarfile.TarInfo(f"package/{relative}")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    with pytest.raises(
        LightPackageError, match=r"sha256 mismatch for accounts/batched_output_queue_oq1"
    ):
        _extract_verified(tarball, tmp_path / "staging")


def test_incomplete_tarball_lists_missing_files(
    light_package: LightPackage, tmp_path: Path
) -> None:
    tarball = tmp_path / "partial.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(light_package.program_path("spl_noop"), arcname="package/bin/spl_noop.so")
    with pytest.raises(LightPackageError, match="lacks .*bin/account_compression.so"):
        _extract_verified(tarball, tmp_path / "staging")


# -- first use: --from, offline, two processes ----------------------------------------------------


@pytest.fixture(scope="session")
def light_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pinned package tarball, as `npm pack` makes it for an air-gapped machine."""
    out = tmp_path_factory.mktemp("tarball")
    spec = f"@lightprotocol/zk-compression-cli@{LIGHT_CLI_VERSION}"
    subprocess.run(["npm", "pack", spec, "--ignore-scripts", "--silent"], cwd=out, check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    (tarball,) = out.glob("*.tgz")
    return tarball


def _solinbox(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "solinbox.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def test_fetch_from_a_tarball_or_its_directory(light_tarball: Path, tmp_path: Path) -> None:
    package = fetch_light_package(cache_dir=tmp_path / "a", source=light_tarball)
    assert _mismatches(package.root) == []
    env = {**os.environ, "SOLINBOX_CACHE": str(tmp_path / "b"), "PATH": str(tmp_path / "no-npm")}
    proc = _solinbox("light", "fetch", "--from", str(light_tarball.parent), "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["root"] == str(tmp_path / "b" / "light" / LIGHT_CLI_VERSION)
    assert _mismatches(tmp_path / "b" / "light" / LIGHT_CLI_VERSION) == []
    proc = _solinbox("light", "fetch", "--from", str(tmp_path), env=env)  # no tarball there
    assert proc.returncode == 1 and "npm pack @lightprotocol/zk-compression-cli" in proc.stderr


def test_offline_first_use_says_how_to_fetch(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on: the registry is unreachable
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SOLINBOX_CACHE": str(tmp_path / "cache"),
           "npm_config_registry": f"http://127.0.0.1:{port}/"}  # fmt: skip
    proc = _solinbox("localnet", "--rpc-port", "0", "--ws-port", "0", env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    message = " ".join(proc.stderr.split())
    assert "LightPackageError: cannot download @lightprotocol/zk-compression-cli@0.28.3" in message
    assert "ECONNREFUSED" in message
    assert "solinbox light fetch --from DIR" in message and "SOLINBOX_CACHE" in message
    assert not (tmp_path / "cache" / "light" / LIGHT_CLI_VERSION / "bin").exists()


def test_a_second_process_waits_for_the_first(light_package: LightPackage, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    root = cache / "light" / LIGHT_CLI_VERSION
    root.mkdir(parents=True)
    env = {**os.environ, "SOLINBOX_CACHE": str(cache)}
    with (root.parent / f"{LIGHT_CLI_VERSION}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # we are "the first process", mid-download
        second = subprocess.Popen(
            [sys.executable, "-c", "from solinbox.light import fetch_light_package as f; "
             "f(quiet=False)"], env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert second.stdout is not None
        assert "waiting for another process" in second.stdout.readline()
        _copy_cache(light_package, root)  # the first process finishes ...
        fcntl.flock(lock, fcntl.LOCK_UN)  # ... and lets go
        rest = second.stdout.read()
    assert second.wait(60) == 0
    assert "verified" in rest and "Fetching" not in rest  # it used the first one's download
