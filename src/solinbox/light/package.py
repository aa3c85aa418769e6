"""Fetch and verify the pinned Light Protocol programs and tree accounts.

The five Light programs (``bin/*.so``) and the account dumps of their shared trees
(``accounts/*.json``) come from the npm package ``@lightprotocol/zk-compression-cli`` at a
pinned version, downloaded with ``npm pack``. The tarball's sha256 and the sha256 of every file
we keep are pinned below; nothing is used unless it matches. Files land in a cache directory:
``$SOLINBOX_CACHE/light/<version>`` when ``SOLINBOX_CACHE`` is set, else
``~/.cache/solinbox/light/<version>``, laid out as ``bin/<name>.so`` and ``accounts/<file>.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from solinbox.errors import LightPackageError

__all__ = [
    "LIGHT_CLI_PACKAGE",
    "LIGHT_CLI_VERSION",
    "LIGHT_PROGRAM_NAMES",
    "PINNED_SHA256",
    "TARBALL_SHA256",
    "LightPackage",
    "default_cache_dir",
    "fetch_light_package",
    "verify_cache",
]

LIGHT_CLI_PACKAGE: Final = "@lightprotocol/zk-compression-cli"
"""npm package that ships the Light programs and the tree account dumps."""
LIGHT_CLI_VERSION: Final = "0.28.3"
"""Pinned version of :data:`LIGHT_CLI_PACKAGE`."""
TARBALL_SHA256: Final = "45c3f95097a368051ff95459ea23b51f6bed14026bf34cd8f829dd0616c38210"
"""sha256 of ``lightprotocol-zk-compression-cli-0.28.3.tgz``."""

_NPM_TIMEOUT_SECONDS: Final = 600
_CACHE_ENV: Final = "SOLINBOX_CACHE"

_PROGRAM_SHA256: Final[dict[str, str]] = {
    "account_compression.so": ("8447584bbd10f933d7af9824217de3527353e459ad25f20f1b7a8110e92bbae0"),
    "light_compressed_token.so": (
        "86ceda7a2735e9fd82f3b43b34fc64c36fee2a9f67f06a2efe0ad5274b1e8d31"
    ),
    "light_registry.so": ("183fc4c7e9030b986ff1da104017718296ed2abb7cdee71aa5b4e4a0b9f8d981"),
    "light_system_program_pinocchio.so": (
        "556fba6232207afbcc26a70292c2ad7ec218db18ea1fc871e5015de6afaef34a"
    ),
    "spl_noop.so": ("9456458d0f60e575a9dd1a47341653fecbf67debc0fdaee7c303ba9b255c971f"),
}
_ACCOUNT_SHA256: Final[dict[str, str]] = {
    "address_merkle_tree_amt1Ayt45jfbdw5YSo7iz6WZxUmnZsQTYXy82hVwyC2.json": (
        "88de5bb259c75a262efb27e887b237d4eeba7b3792755f50426795063cdfae63"
    ),
    "address_merkle_tree_queue_aq1S9z4reTSQAdgWHGD2zDaS39sjGrAxbR31vxJ2F4F.json": (
        "e0e5ccf7a61b5ea60cb131933154b1e7f05f8aedffc9b6953fb3556ace567b26"
    ),
    "batch_address_merkle_tree_EzKE84aVTkCUhDHLELqyJaq1Y7UVVmqxXqZjVHwHY3rK.json": (
        "9dedda212494625f5ddc0d942288c3119f44074e26338d3e4a6b7098ebab3c3d"
    ),
    "batch_address_merkle_tree_amt2kaJA14v3urZbZvnc5v2np8jqvc4Z8zDep5wbtzx.json": (
        "467ad5d3935a27e88f6b10cb3eabee12cba1febd2df91359b7d03c7b57d87837"
    ),
    "batch_state_merkle_tree_bmt1LryLZUMmF7ZtqESaw7wifBXLfXHQYoE4GAmrahU.json": (
        "086724acb9657b21b42f3834dfbef327897c003bbac8d57d2c769141596497d8"
    ),
    "batch_state_merkle_tree_bmt2UxoBxB9xWev4BkLvkGdapsz6sZGkzViPNph7VFi.json": (
        "1c17fe63ae96310e12c0d71bb47cc7a30910f51d47edc8236e0059c1d1a8ce17"
    ),
    "batch_state_merkle_tree_bmt3ccLd4bqSVZVeCJnH1F6C8jNygAhaDfxDwePyyGb.json": (
        "f7a3754c9b038eae9226a529cde8db7508f94113a7dad9ff64a76357fd6614ad"
    ),
    "batch_state_merkle_tree_bmt4d3p1a4YQgk9PeZv5s4DBUmbF5NxqYpk9HGjQsd8.json": (
        "33ce4aa8ce0ef79d9d6c62e24e3d1fbc08ac2f0d5fc03f1496192b84d99124ed"
    ),
    "batch_state_merkle_tree_bmt5yU97jC88YXTuSukYHa8Z5Bi2ZDUtmzfkDTA2mG2.json": (
        "c2f29553cc5442412299b04752b9842fed63d5f50c97372c5958639b4d38c80d"
    ),
    "batched_output_queue_oq1na8gojfdUhsfCpyjNt6h4JaDWtHf1yQj4koBWfto.json": (
        "51de4a8e43b024a77c81a35a6e5d7e4aab9c851fbebcbf950c5335d0727d0d6e"
    ),
    "batched_output_queue_oq2UkeMsJLfXt2QHzim242SUi3nvjJs8Pn7Eac9H9vg.json": (
        "75cb9b54ef5fef34ec5842962d74ef8a8b8535d44b30c08d18177990d280f8ad"
    ),
    "batched_output_queue_oq3AxjekBWgo64gpauB6QtuZNesuv19xrhaC1ZM1THQ.json": (
        "1cc7881ea611592ee59cc2698982f0d0fba81780a0e53aa4c8d86c7ba86a09a4"
    ),
    "batched_output_queue_oq4ypwvVGzCUMoiKKHWh4S1SgZJ9vCvKpcz6RT6A8dq.json": (
        "dec2b1e3f65880b0d01f812e51894305cde6166d9fa8f1e9011dd2035a560a4f"
    ),
    "batched_output_queue_oq5oh5ZR3yGomuQgFduNDzjtGvVWfDRGLuDVjv9a96P.json": (
        "1954472d001c37de6ea55362b0d820d51100829ee1da346bc594c5fde24eca61"
    ),
    "compressible_config_pda_ACXg8a7VaqecBWrSbdu73W4Pg9gsqXJ3EXAqkHyhvVXg.json": (
        "ea86cb4341762b195c28a777fe0a545685696e30a2eeb813c30e4f9ab8a10e85"
    ),
    "config_counter_pda_8gH9tmziWsS8Wc4fnoN5ax3jsSumNYoRDuSBvmH2GMH8.json": (
        "1bff1eedcd17a0bd43ce1b79bed5a5325f7bbbf16023993d56b09bd770e110ae"
    ),
    "cpi_context_2_cpi2cdhkH5roePvcudTgUL8ppEBfTay1desGh8G8QxK.json": (
        "3da9ccffded75d6e2037c883219e58004683ed1547fa40fcc0eb7fac16af3ec8"
    ),
    "cpi_context_cpi15BoVPKgEPw5o8wc2T816GE7b378nMXnhH3Xbq4y.json": (
        "f2d47586264ca1f4b59bcf445d67cb187e739d75b4e593155b85cbed77494201"
    ),
    "cpi_context_cpi1uHzrEhBG733DoEJNgHCyRS3XmmyVNZx5fonubE4.json": (
        "ecbb9f48f0837db9d37715871028ed500f7b964d4291e6d3c87ead673a39a0a5"
    ),
    "cpi_context_cpi2cdhkH5roePvcudTgUL8ppEBfTay1desGh8G8QxK.json": (
        "50b9c837daad728f92a70e57cc33aa6253cee90133f3d94a3c87896f9bd66b39"
    ),
    "cpi_context_cpi2yGapXUR3As5SjnHBAVvmApNiLsbeZpF3euWnW6B.json": (
        "e466f1a5d598a78e921fddc29eee67208254c3831c5e9ed3d5666607d125a001"
    ),
    "cpi_context_cpi3mbwMpSX8FAGMZVP85AwxqCaQMfEk9Em1v8QK9Rf.json": (
        "ac38e643f00d53064eb39065e8b1eaef20ef288712e330dec9f68911ec42a1f0"
    ),
    "cpi_context_cpi4yyPDc4bCgHAnsenunGA8Y77j3XEDyjgfyCKgcoc.json": (
        "f34d6dde2b5da269d91fb70e11368919a3c7c821b0eaea4032af8cfa5a82bb0a"
    ),
    "cpi_context_cpi5ZTjdgYpZ1Xr7B1cMLLUE81oTtJbNNAyKary2nV6.json": (
        "a618cd49db1d29a9ac23b6391502e2aa869c10793fcf30bb32d8a57029e2ad17"
    ),
    "epoch_pda_34w7KcLBXabMkHuXE2fY368vFe6kP3v5EJn8nPvQ8SKn.json": (
        "c0e93a3e5f04b916fdd575c81545ca707593059f2e423977d5f31945c3fa9778"
    ),
    "forester_epoch_pda_3FBt1BPQHCQkS8k3wrUXMfB6JBhtMhEqQXueHRw2ojZV.json": (
        "0f6bfc6b18c369667f998648aa64d79a1e7a1096308b13f526274827c2a697cb"
    ),
    "governance_authority_pda_CuEtcKkkbTn6qy2qxqDswq5U2ADsqoipYDAYfRvxPjcp.json": (
        "e49bc2854b01f4a4d1f4f5657afb6b27f64fd73dce2f84c5e842be47c8b1d526"
    ),
    "group_pda_24rt4RgeyjUCWGS2eF7L7gyNMuz6JWdqYpAvb1KRoHxs.json": (
        "1b30a3d1287b6c85dfa00353878a89df20ffe6f23ac1e1909238cf0b94810d80"
    ),
    "group_pda_32tgQWfaASE7SfTQvMaSJDrqe728tJQ2SGzxtDDrpDwS.json": (
        "3648d8ac46d44a527daa5aef9be53f327b2446e952c8e4c6b8ee2ea750843f6d"
    ),
    "merkle_tree_pubkey_2_smt2rJAFdyJJupwMKAqTNAJwvjhmiZ4JYGZmbVRw1Ho.json": (
        "71136e87c8f15a50a29fa333e9960c8799f3ca5833c9e7e458b517915c56bc8c"
    ),
    "merkle_tree_pubkey_smt1NamzXdq4AMqS2fS2F1i5KTYPZRhoHgWx38d8WsT.json": (
        "b612533cf2bd97f0b0677f692c415bd4ec5b45c1904a7ef079a3a38c2857d4e4"
    ),
    "merkle_tree_pubkey_smt2rJAFdyJJupwMKAqTNAJwvjhmiZ4JYGZmbVRw1Ho.json": (
        "305fe91e6b5feb350448c3597086717206458d8d453ba0a1d3715c527311a7a2"
    ),
    "nullifier_queue_pubkey_2_nfq2hgS7NYemXsFaFUCe3EMXSDSfnZnAe27jC6aPP1X.json": (
        "0c304ea1fe54e0789a182bfaa1674eb2f1c9f117280407d0a651a00c4e372fdf"
    ),
    "nullifier_queue_pubkey_nfq1NvQDJ2GEgnS8zt9prAe8rjjpAW1zFkrvZoBR148.json": (
        "884f7ebe6cbfaa1e655a2d37b7b4c404d64844ea87a8e2a5433edba02b930939"
    ),
    "nullifier_queue_pubkey_nfq2hgS7NYemXsFaFUCe3EMXSDSfnZnAe27jC6aPP1X.json": (
        "84bf200c29678c2645e9e2e0e631311ef8c0d62b4b303feaa738235b3d443389"
    ),
    "registered_forester_pda_2KNqEh23Se8AHecuzR1UkxL26euq2qXSpQPTH1jH7VqU.json": (
        "c2e1ecdaa4eebb7fa295002b4fc242dbd19a1fd2d0eec49b15e52b57662d0489"
    ),
    "registered_program_pda_35hkDgaAKwMCaxRz2ocSZ6NaUrtKkyNqU6c4RV3tYJRh.json": (
        "404cef5b7532bf9e74bbb1b38ccd0682dada99eab3e643b5844c2acf85762e12"
    ),
    "registered_registry_program_pda_DumMsyvkaGJG4QnQ1BhTgvoRMXsgGxfpKDUCr22Xqu4w.json": (
        "b6d435c70db34233cf0d409700dc32fab896ae86fcac12e39d3a476808ebc669"
    ),
    "rent_sponsor_pda_r18WwUxfG8kQ69bQPAB2jV6zGNKy3GosFGctjQoV4ti.json": (
        "54135b185566cd5b01c1b38e3bf7252f90027b0dad49762b1e56aab0a486699b"
    ),
}

PINNED_SHA256: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{f"bin/{name}": digest for name, digest in _PROGRAM_SHA256.items()},
        **{f"accounts/{name}": digest for name, digest in _ACCOUNT_SHA256.items()},
    }
)
"""sha256 of every file kept, keyed by its path inside the package (and the cache)."""

LIGHT_PROGRAM_NAMES: Final[tuple[str, ...]] = tuple(
    sorted(name.removesuffix(".so") for name in _PROGRAM_SHA256)
)
"""Names of the five programs: ``bin/<name>.so``."""


@dataclass(frozen=True, slots=True)
class LightPackage:
    """A verified copy of the Light programs and accounts on disk.

    Attributes:
        root: Directory holding ``bin/<name>.so`` and ``accounts/*.json``.
        version: The ``@lightprotocol/zk-compression-cli`` version it came from.

    """

    root: Path
    version: str = LIGHT_CLI_VERSION

    def program_path(self, name: str) -> Path:
        """Return the path of program ``name`` (one of :data:`LIGHT_PROGRAM_NAMES`)."""
        if name not in LIGHT_PROGRAM_NAMES:
            known = ", ".join(LIGHT_PROGRAM_NAMES)
            raise ValueError(f"unknown Light program {name!r} (known: {known})")
        return self.root / "bin" / f"{name}.so"

    def account_files(self) -> list[Path]:
        """Return the pinned account dumps, sorted by file name."""
        return [self.root / "accounts" / name for name in sorted(_ACCOUNT_SHA256)]


def default_cache_dir() -> Path:
    """Return where :func:`fetch_light_package` keeps the package by default."""
    base = os.environ.get(_CACHE_ENV)
    cache_root = Path(base).expanduser() if base else Path.home() / ".cache" / "solinbox"
    return cache_root / "light" / LIGHT_CLI_VERSION


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_cache(root: Path | None = None) -> list[str]:
    """The pinned files under ``root`` (default: the cache) that are missing or modified.

    An empty list means the cache holds the complete, verified package.
    """
    return _mismatches(Path(root) if root is not None else default_cache_dir())


def _mismatches(root: Path) -> list[str]:
    """Return the pinned files under ``root`` that are missing or whose hash differs."""
    bad: list[str] = []
    for relative, expected in PINNED_SHA256.items():
        path = root / relative
        if not path.is_file() or _sha256_file(path) != expected:
            bad.append(relative)
    return bad


_DOWNLOAD_TIMEOUT_SECONDS: Final = 60
_SPEC: Final = f"{LIGHT_CLI_PACKAGE}@{LIGHT_CLI_VERSION}"
_TARBALL_NAME: Final = f"lightprotocol-zk-compression-cli-{LIGHT_CLI_VERSION}.tgz"
"""The file name ``npm pack`` gives the tarball."""


class _Offline(LightPackageError):
    """The registry could not be reached (turned into the full offline message by the caller)."""


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise LightPackageError(
            "npm is not installed or not on PATH; it is needed once to download "
            f"{_SPEC} (install Node.js with npm), or fetch from a tarball you already have: "
            "`solinbox light fetch --from DIR`"
        )
    return npm


def _run_npm(args: list[str], cwd: Path) -> str:
    """Run npm with ``args``; return its stdout. Network-looking failures raise :class:`_Offline`."""
    command = [_npm(), *args]
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=_NPM_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _Offline(f"`npm {args[0]}` timed out after {exc.timeout:.0f} s") from exc
    except OSError as exc:
        raise LightPackageError(f"could not run npm: {exc}") from exc
    if completed.returncode != 0:
        detail = _npm_error_summary(completed.stdout, completed.stderr)
        raise _Offline(f"`npm {args[0]}` failed with exit code {completed.returncode}: {detail}")
    return completed.stdout


def _npm_error_summary(stdout: str, stderr: str) -> str:
    """The one-line error of npm (its ``--json`` summary, else the first ``npm error`` message line)."""
    try:
        error = json.loads(stdout)["error"]
        return f"{error['code']}: {error['summary']}"
    except (ValueError, LookupError, TypeError):
        pass
    lines = [line.removeprefix("npm error").strip() for line in stderr.splitlines()]
    message = [
        line for line in lines if line and not line.startswith(("at ", "code", "syscall", "errno"))
    ]
    return message[0][:300] if message else stderr.strip()[-300:]


def _npm_pack(destination: Path) -> Path:
    """Download the pinned tarball into ``destination`` with ``npm pack``; return its path."""
    out = _run_npm(
        ["pack", _SPEC, "--json", "--ignore-scripts", "--pack-destination", "."], destination
    )
    try:
        filename = json.loads(out)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        tarballs = sorted(destination.glob("*.tgz"))
        if len(tarballs) != 1:
            raise LightPackageError(
                f"`npm pack {_SPEC}` did not report the tarball it wrote"
            ) from None
        return tarballs[0]
    tarball = destination / Path(str(filename)).name
    if not tarball.is_file():
        raise LightPackageError(f"`npm pack {_SPEC}` reported {filename} but did not write it")
    return tarball


def _tarball_url(destination: Path) -> str:
    """The tarball's URL on the registry npm is configured with (``npm view … dist.tarball``)."""
    # one quick retry: offline, npm's default retries would take over a minute to give up
    retries = [
        "--fetch-retries=1",
        "--fetch-retry-mintimeout=1000",
        "--fetch-retry-maxtimeout=3000",
    ]
    out = _run_npm(["view", _SPEC, "dist.tarball", "--json", *retries], destination)
    try:
        url = json.loads(out)
    except ValueError:
        url = out.strip()
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise LightPackageError(f"`npm view {_SPEC} dist.tarball` gave no URL: {out.strip()[:200]}")
    return url


def _download(url: str, destination: Path, progress: bool) -> Path:
    """Stream ``url`` into ``destination/<tarball>`` with a progress bar on stderr."""
    import httpx
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    target = destination / _TARBALL_NAME
    columns = ("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
               TransferSpeedColumn())  # fmt: skip
    try:
        with (
            httpx.stream(
                "GET", url, follow_redirects=True, timeout=_DOWNLOAD_TIMEOUT_SECONDS
            ) as response,
            Progress(
                *columns, console=Console(stderr=True), disable=not progress, transient=True
            ) as bar,
        ):
            response.raise_for_status()
            length = response.headers.get("content-length")
            task = bar.add_task(f"Light {LIGHT_CLI_VERSION}", total=int(length) if length else None)
            with target.open("wb") as handle:
                for chunk in response.iter_bytes(1 << 16):
                    handle.write(chunk)
                    bar.advance(task, len(chunk))
    except httpx.HTTPError as exc:
        raise _Offline(f"downloading {url} failed: {exc}") from exc
    return target


def _find_tarball(source: Path) -> Path:
    """The pinned tarball given as a file, or found by name or sha256 in a directory."""
    if source.is_file():
        return source
    if not source.is_dir():
        raise LightPackageError(f"--from {source}: no such file or directory")
    named = source / _TARBALL_NAME
    if named.is_file():
        return named
    for candidate in sorted(source.glob("*.tgz")):
        if _sha256_file(candidate) == TARBALL_SHA256:
            return candidate
    raise LightPackageError(
        f"--from {source}: no {_TARBALL_NAME} (or any .tgz with the pinned sha256) there; "
        f"make it with `npm pack {_SPEC}`"
    )


def _extract_verified(tarball: Path, staging: Path) -> None:
    """Write every pinned file of ``tarball`` to ``staging``, checking each hash first."""
    wanted = {f"package/{relative}": relative for relative in PINNED_SHA256}
    found: set[str] = set()
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            for member in archive:
                relative = wanted.get(member.name)
                if relative is None:
                    continue
                if not member.isfile():
                    raise LightPackageError(f"{member.name} in {tarball.name} is not a file")
                handle = archive.extractfile(member)
                if handle is None:
                    raise LightPackageError(f"cannot read {member.name} from {tarball.name}")
                content = handle.read()
                actual = hashlib.sha256(content).hexdigest()
                if actual != PINNED_SHA256[relative]:
                    raise LightPackageError(
                        f"sha256 mismatch for {relative} in {tarball.name}: expected "
                        f"{PINNED_SHA256[relative]}, got {actual}"
                    )
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                found.add(relative)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise LightPackageError(f"cannot read {tarball.name}: {exc}") from exc
    missing = sorted(set(PINNED_SHA256) - found)
    if missing:
        raise LightPackageError(f"{tarball.name} lacks {', '.join(missing)}")


def fetch_light_package(
    *,
    cache_dir: Path | None = None,
    quiet: bool = True,
    source: Path | None = None,
    progress: bool | None = None,
) -> LightPackage:
    """Make sure the pinned Light programs and accounts are in the cache; return them.

    If every pinned file under the cache directory already has its pinned sha256 nothing is
    downloaded. Otherwise the tarball is downloaded from the registry npm is configured with
    (or read from ``source``), its sha256 checked, and every pinned file re-extracted (each
    checked before it replaces the cached copy). A file lock next to the cache makes
    concurrent processes (test workers starting together) fetch once and wait for each other.

    Args:
        cache_dir: The directory for ``bin/`` and ``accounts/``; defaults to
            :func:`default_cache_dir`.
        quiet: Print nothing; otherwise print one line per step.
        source: A tarball already downloaded (``npm pack`` output), or a directory holding
            it, for machines without access to the registry.
        progress: Show a download progress bar on stderr (default: when not ``quiet``).

    Returns:
        The verified package.

    Raises:
        LightPackageError: The registry is unreachable (the message says how to fetch
            offline), npm is missing, or a hash did not match (the message names the file).

    """
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    say = _silent if quiet else _print
    bad = _mismatches(root)
    if not bad and source is None:
        say(f"Light {LIGHT_CLI_VERSION}: {len(PINNED_SHA256)} files verified in {root}")
        return LightPackage(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LightPackageError(f"cannot create the cache directory {root}: {exc}") from exc
    with _locked(root, say):
        bad = _mismatches(root)  # another process may have fetched while we waited
        if not bad and source is None:
            say(f"Light {LIGHT_CLI_VERSION}: {len(PINNED_SHA256)} files verified in {root}")
            return LightPackage(root)
        if 0 < len(bad) < len(PINNED_SHA256):
            say(
                f"Light {LIGHT_CLI_VERSION}: {len(bad)} cached file(s) missing or modified, e.g. {bad[0]}"
            )
        show = (not quiet) if progress is None else progress
        try:
            with tempfile.TemporaryDirectory(prefix="solinbox-light-", dir=root.parent) as temp:
                _fetch_into(root, Path(temp), say, source, show)
        except _Offline as exc:
            raise LightPackageError(_offline_message(root, str(exc))) from exc
        except OSError as exc:
            raise LightPackageError(f"cannot write the Light package into {root}: {exc}") from exc
    still_bad = _mismatches(root)
    if still_bad:
        raise LightPackageError(f"cache {root} does not verify after fetching: {still_bad[0]}")
    say(f"Installed {len(PINNED_SHA256)} verified files in {root}")
    return LightPackage(root)


def _offline_message(root: Path, reason: str) -> str:
    return (
        f"cannot download {_SPEC} (the Light Protocol programs and trees, 7.4 MB, needed once "
        f"per machine): {reason}\n"
        "  Run `solinbox light fetch` where the npm registry is reachable, or copy the tarball "
        f"(`npm pack {_SPEC}` on another machine) and run `solinbox light fetch --from DIR`.\n"
        f"  The cache is {root}; set {_CACHE_ENV} to put it elsewhere (e.g. a CI cache)."
    )


@contextlib.contextmanager
def _locked(root: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold an exclusive lock on ``<root>.lock`` (a no-op where ``fcntl`` does not exist)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process lock
        yield
        return
    lock_path = root.with_name(root.name + ".lock")
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another process fetching Light into {root} ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fetch_into(
    root: Path, temp_dir: Path, say: Callable[[str], None], source: Path | None, progress: bool
) -> None:
    """Get, verify and extract the tarball via ``temp_dir``, then replace files in ``root``."""
    if source is not None:
        tarball = _find_tarball(Path(source).expanduser())
        say(f"Reading {tarball}")
    else:
        say(f"Fetching {_SPEC} ...")
        url = _tarball_url(temp_dir)  # unreachable registry: _Offline, nothing else to try
        try:
            tarball = _download(url, temp_dir, progress)
        except _Offline as direct:  # npm may know a proxy we do not
            say(f"direct download failed ({direct}); trying `npm pack`")
            tarball = _npm_pack(temp_dir)
    actual = _sha256_file(tarball)
    if actual != TARBALL_SHA256:
        raise LightPackageError(
            f"sha256 mismatch for {tarball.name}: expected {TARBALL_SHA256}, got {actual}"
        )
    say(f"Tarball sha256 verified ({tarball.stat().st_size:,} bytes)")
    staging = temp_dir / "staging"
    _extract_verified(tarball, staging)
    for relative in PINNED_SHA256:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)


def _print(message: str) -> None:
    print(message, flush=True)


def _silent(message: str) -> None:
    del message
