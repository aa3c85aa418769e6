"""solana-test-validator's flags on `solinbox localnet`: programs, accounts, clones from another
localnet, a warped start, the epoch length and the faucet; an unknown flag names the nearest."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed, Processed
from solders.account import Account
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from solinbox.loader import program_data_address
from solinbox.localnet.bank import Bank
from solinbox.localnet.server import Localnet

VOTE = Pubkey.from_string("Vote111111111111111111111111111111111111111")


async def test_flags_build_the_genesis_they_say(
    probe_so: Path, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    source_bank = Bank.create(finality_depth=0)
    cloned, cloned_program, authority = Keypair().pubkey(), Keypair().pubkey(), Keypair().pubkey()
    source_bank.set_account(cloned, Account(1234567, b"cloned bytes", VOTE))
    source_bank.add_upgradeable_program(cloned_program, probe_so.read_bytes(), authority)
    source_bank.produce_block()
    account_file = tmp_path / "account.json"
    from_file = Keypair().pubkey()
    account_file.write_text(json.dumps({"pubkey": str(Keypair().pubkey()), "account": {
        "lamports": 99, "data": ["AQID", "base64"], "owner": str(VOTE), "executable": False, "rentEpoch": 0}}))  # fmt: skip
    upgradeable, fixed = Keypair().pubkey(), Keypair()
    fixed_path = tmp_path / "fixed-keypair.json"
    fixed_path.write_text(fixed.to_json())
    async with Localnet(source_bank, rpc_port=0, ws_port=0, slot_interval=None) as source:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "solinbox.cli", "localnet", "--no-inbox", "--rpc-port", "0", "--ws-port", "0",
            "--clone", str(cloned), "--clone-upgradeable-program", str(cloned_program), "--url", source.rpc_url,
            "--account", str(from_file), str(account_file),
            "--upgradeable-program", str(upgradeable), str(probe_so), str(authority),
            "--bpf-program", str(fixed_path), str(probe_so),
            "--warp-slot", "1000", "--slots-per-epoch", "64", "--faucet-sol", "10", "--json",
            env=cli_env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert line, (await proc.stderr.read()).decode()
    info = json.loads(line)
    try:
        async with AsyncClient(info["rpc_url"], commitment=Confirmed) as rpc:
            got = (await rpc.get_account_info(cloned)).value
            assert (
                got is not None and bytes(got.data) == b"cloned bytes" and got.lamports == 1234567
            )
            program = (await rpc.get_account_info(cloned_program)).value
            data = (await rpc.get_account_info(program_data_address(cloned_program))).value
            assert program is not None and program.executable and data is not None
            assert bytes(data.data)[45:] == probe_so.read_bytes()
            loaded = (await rpc.get_account_info(from_file)).value
            assert (
                loaded is not None
                and bytes(loaded.data) == b"\x01\x02\x03"
                and loaded.lamports == 99
            )
            mine = (await rpc.get_account_info(program_data_address(upgradeable))).value
            assert (
                mine is not None
                and bytes(mine.data)[12:13] == b"\x01"
                and bytes(mine.data)[13:45] == bytes(authority)
            )
            fixed_account = (await rpc.get_account_info(fixed.pubkey())).value
            assert fixed_account is not None and fixed_account.executable
            assert (await rpc.get_slot(Processed)).value >= 1000  # the working slot, after the warp
            assert (await rpc.get_epoch_schedule()).value.slots_per_epoch == 64
            assert (await rpc.get_epoch_info(Processed)).value.epoch == 1000 // 64
            assert (await rpc.get_balance(Pubkey.from_string(info["faucet"]))).value == 10 * 10**9
    finally:
        proc.terminate()
        await proc.wait()


async def test_an_unknown_flag_names_the_nearest(cli_env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "solinbox.cli", "localnet", "--warp-slots", "5",
        env=cli_env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    assert proc.returncode == 2 and "--warp-slots (did you mean --warp-slot?)" in err.decode()
