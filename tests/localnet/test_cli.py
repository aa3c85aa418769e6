"""`solinbox localnet` and `solinbox deploy` as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from solders.keypair import Keypair

PROGRAM_ID = "iNbeCDZJGkEGTJDjKsM2JTZ3V37i1ihZSCCjm1F2Yei"


def _start(ledger: Path, probe: Path) -> tuple[subprocess.Popen[str], dict[str, object], float]:
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "solinbox.cli", "localnet", "--no-inbox", "--program", PROGRAM_ID, str(probe),
         "--rpc-port", "0", "--ws-port", "0", "--slot-ms", "50", "--finality-depth", "1", "--ledger", str(ledger), "--json"],
        cwd=ledger.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else ""
    return proc, json.loads(line), time.monotonic() - started


def _call(url: str, method: str, *params: object) -> dict[str, object]:
    answer = httpx.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=10
    )
    return answer.json()  # type: ignore[no-any-return]


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0


def test_localnet_starts_fast_deploys_and_resumes(tmp_path: Path, probe_so: Path) -> None:
    ledger = tmp_path / "ledger"
    proc, info, seconds = _start(ledger, probe_so)
    try:
        # start-up time is a benchmark figure (scripts/bench-localnet), not asserted here
        assert 0 < float(info["startup_seconds"]) <= seconds  # type: ignore[arg-type]
        url = str(info["rpc_url"])
        assert url.startswith("http://127.0.0.1:")
        program = _call(url, "getAccountInfo", PROGRAM_ID, {"encoding": "base64"})
        assert program["result"]["value"]["executable"] is True  # type: ignore[index]
        payer = tmp_path / "payer.json"
        payer.write_text(Keypair().to_json())
        so = tmp_path / "probe.so"
        so.write_bytes(probe_so.read_bytes())
        deploy = subprocess.run(
            [sys.executable, "-m", "solinbox.cli", "deploy", str(so), "-u", url, "-k", str(payer), "--airdrop", "5", "--json"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert deploy.returncode == 0, deploy.stderr
        deployed = json.loads(deploy.stdout)
        assert deployed["upgraded"] is False and (tmp_path / "probe-keypair.json").is_file()
        assert not (tmp_path / "probe-buffer-keypair.json").exists()
        slot = _call(url, "getSlot", {"commitment": "confirmed"})["result"]
    finally:
        _stop(proc)
    assert (ledger / "ledger.json").is_file()

    proc, info, _ = _start(ledger, probe_so)
    try:
        url = str(info["rpc_url"])
        assert _call(url, "getSlot", {"commitment": "confirmed"})["result"] >= slot  # type: ignore[operator]
        account = _call(url, "getAccountInfo", deployed["program_id"], {"encoding": "base64"})
        assert account["result"]["value"]["executable"] is True  # type: ignore[index]
        tx = _call(
            url,
            "getTransaction",
            deployed["signature"],
            {"commitment": "confirmed", "maxSupportedTransactionVersion": 0},
        )
        assert tx["result"]["meta"]["err"] is None  # type: ignore[index]
    finally:
        _stop(proc)


def test_deploy_reports_clean_errors(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "solinbox.cli", "deploy", str(tmp_path / "missing.so"), "-k", str(tmp_path / "nope.json")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1 and "error:" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


async def test_localnet_with_photon_is_the_whole_stack(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """`solinbox localnet --photon`: one command, the validator and its Photon API."""
    import asyncio

    from solana.rpc.async_api import AsyncClient
    from solana.rpc.commitment import Confirmed

    from solinbox.client import InboxClient
    from solinbox.photon import PhotonReader

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "solinbox.cli", "localnet", "--photon", "--photon-port", "0", "--rpc-port", "0",
        "--ws-port", "0", "--slot-ms", "50", "--finality-depth", "1", "--json",
        env=cli_env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        info = json.loads(await asyncio.wait_for(proc.stdout.readline(), 60))  # ready: both served
        async with (
            AsyncClient(info["rpc_url"], commitment=Confirmed) as rpc,
            PhotonReader(info["photon_url"]) as photon,
        ):
            clients = []
            for _ in range(2):
                wallet = Keypair()
                airdrop = (await rpc.request_airdrop(wallet.pubkey(), 10**9)).value
                await rpc.confirm_transaction(airdrop, Confirmed, sleep_seconds=0.05)
                clients.append(InboxClient(rpc, wallet, photon=photon))
            alice, bob = clients
            await alice.create_inbox(0)
            thread = await bob.create_thread(alice.me, "indexed by the localnet itself")
            messages = await alice.thread(thread.inbox, thread.id).load_messages()
        assert [m.content for m in messages] == [b"indexed by the localnet itself"]
    finally:
        proc.terminate()
        assert await proc.wait() == 0
