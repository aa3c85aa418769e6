"""Load solinbox's legacy IDL with anchorpy 0.21 and report what anchorpy makes of it.

Runs in the anchorpy environment (``.venv-anchorpy``: anchorpy 0.21.0, solana 0.36.6,
solders 0.26.0), never in the main one, and imports nothing from solinbox.
``test_anchorpy_compat.py`` runs it as::

    .venv-anchorpy/bin/python tests/anchorpy/anchorpy_check.py IDL --expect EXPECT.json

``IDL`` is the legacy IDL to load; ``EXPECT.json`` holds what the main side computed
(``address``, ``name``, ``version``, ``instructions`` ``{snake_name: [8 bytes]}``, ``errors``
``[{code, name, msg}]``, and optionally ``synthetic``: a second legacy IDL with encoded
instruction / account / event bytes to decode). It prints one JSON object: what anchorpy
observed (``program``, ``synthetic``) and ``problems``, the list of disagreements with the
expectations (empty when all agree). Exit status 0 whenever the report was written.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import attrs
from anchorpy.error import ProgramError
from anchorpy.program.core import Program, _parse_idl_errors
from anchorpy.provider import Provider
from anchorpy_core.idl import Idl
from solders.pubkey import Pubkey
from solders.transaction_status import InstructionErrorCustom, TransactionErrorInstructionError

# A program id that is not ours: errors it reports must not be mapped to our names.
OTHER_PROGRAM = "SySTEM1eSU2p4BGQfQpimFEWWSC1XDFeun3Nqzz3rT7"


def failure_logs(program_id: str, code: int) -> list[str]:
    """The logs the runtime writes when ``program_id`` returns ``Custom(code)``."""
    return [
        f"Program {program_id} invoke [1]",
        f"Program {program_id} consumed 1234 of 200000 compute units",
        f"Program {program_id} failed: custom program error: {code:#x}",
    ]


def to_json(value: Any) -> Any:
    """Turn what anchorpy decodes (construct containers, dataclasses, sumtypes) into JSON."""
    if isinstance(value, Pubkey):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return value.hex()
    if isinstance(value, dict):  # construct Container
        return {k: to_json(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if attrs.has(type(value)):  # an enum variant (sumtypes): {"Variant": fields}
        fields = attrs.asdict(value, recurse=False)
        if not fields:
            body: Any = None
        elif set(fields) == {"tuple_data"}:
            body = to_json(fields["tuple_data"])
        else:
            body = to_json(fields)
        return {type(value).__name__: body}
    return value


def load_program(path: str) -> Program:
    idl = Idl.from_json(Path(path).read_text(encoding="utf-8"))
    address = (idl.metadata or {}).get("address")
    if address is None:
        raise SystemExit(f"{path}: legacy IDL has no metadata.address")
    # A read-only provider: nothing is sent, only the namespaces and coders are built.
    return Program(idl, Pubkey.from_string(address), Provider.readonly())


def check_program(path: str, expect: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    program = load_program(path)
    idl = program.idl
    pid = str(program.program_id)
    observed: dict[str, Any] = {
        "address": pid,
        "name": idl.name,
        "version": idl.version,
        "instructions": {},
        "errors": [{"code": e.code, "name": e.name, "msg": e.msg} for e in (idl.errors or [])],
        "parsed_errors": {},
        "foreign_errors": {},
    }
    for key in ("address", "name", "version"):
        if observed[key] != expect[key]:
            problems.append(f"{key}: anchorpy sees {observed[key]!r}, expected {expect[key]!r}")

    # Instructions: build each through the `instruction` namespace, decode it back.
    for idl_ix in idl.instructions:
        snake = next(n for n, fn in program.instruction.items() if fn.idl_ix.name == idl_ix.name)
        ix = program.instruction[snake]()
        data = bytes(ix.data)
        decoded = program.coder.instruction.parse(data)
        observed["instructions"][snake] = {
            "idl_name": idl_ix.name,
            "program_id": str(ix.program_id),
            "data": list(data),
            "decoded_name": decoded.name,
        }
        want = expect["instructions"].get(snake)
        if want is None:
            problems.append(f"instruction {snake}: in the IDL, not expected")
        elif list(data[:8]) != want:
            problems.append(
                f"instruction {snake}: anchorpy encodes {list(data[:8])}, expected {want}"
            )
        if decoded.name != snake:
            problems.append(f"instruction {snake}: decodes back as {decoded.name!r}")
        if str(ix.program_id) != expect["address"]:
            problems.append(f"instruction {snake}: addressed to {ix.program_id}")
    for snake in expect["instructions"].keys() - observed["instructions"].keys():
        problems.append(f"instruction {snake}: expected, missing from anchorpy's namespace")

    # Errors: the IDL table, then anchorpy's own mapping of a failed transaction.
    if observed["errors"] != expect["errors"]:
        seen = {e["code"]: e for e in observed["errors"]}
        wanted = {e["code"]: e for e in expect["errors"]}
        for code in sorted(seen.keys() | wanted.keys()):
            if seen.get(code) != wanted.get(code):
                problems.append(
                    f"error {code}: anchorpy reads {seen.get(code)}, expected {wanted.get(code)}"
                )
        if list(seen) != list(wanted):
            problems.append("errors: not in the expected order")
    idl_errors = _parse_idl_errors(idl)
    for error in expect["errors"]:
        code = error["code"]
        tx_error = TransactionErrorInstructionError(0, InstructionErrorCustom(code))
        parsed = ProgramError.parse_tx_error(
            tx_error, idl_errors, program.program_id, failure_logs(pid, code)
        )
        foreign = ProgramError.parse_tx_error(
            tx_error, idl_errors, program.program_id, failure_logs(OTHER_PROGRAM, code)
        )
        observed["parsed_errors"][str(code)] = (
            None if parsed is None else {"code": parsed.code, "msg": parsed.msg}
        )
        observed["foreign_errors"][str(code)] = None if foreign is None else foreign.code
        if parsed is None or parsed.code != code or parsed.msg != error["msg"]:
            problems.append(
                f"error {code}: anchorpy maps it to {observed['parsed_errors'][str(code)]}"
            )
        if foreign is not None:
            problems.append(f"error {code}: anchorpy attributes another program's error to us")
    return observed


def check_synthetic(expect: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    program = load_program(expect["idl"])
    coder = program.coder
    observed: dict[str, Any] = {
        "instructions": {name: list(disc) for name, disc in coder.instruction.sighashes.items()},
        "accounts": {
            name: list(disc) for name, disc in coder.accounts.acc_name_to_discriminator.items()
        },
        "events": {name: list(disc) for disc, name in coder.events.discriminators.items()},
        "instruction_accounts": {
            ix.name: [to_json_account(item) for item in ix.accounts]
            for ix in program.idl.instructions
        },
    }
    for kind in ("instructions", "accounts", "events"):
        if observed[kind] != expect[kind]:
            problems.append(
                f"synthetic {kind}: anchorpy has {observed[kind]}, expected {expect[kind]}"
            )
    ix = coder.instruction.parse(bytes.fromhex(expect["instruction_data"]))
    observed["instruction"] = {"name": ix.name, "data": to_json(ix.data)}
    account = coder.accounts.parse(bytes.fromhex(expect["account_data"]))
    observed["account"] = {"name": account.name, "data": to_json(account.data)}
    event = coder.events.parse(bytes.fromhex(expect["event_data"]))
    observed["event"] = None if event is None else {"name": event.name, "data": to_json(event.data)}
    return observed


def to_json_account(item: Any) -> Any:
    """An instruction's account item as anchorpy parsed it."""
    if hasattr(item, "accounts"):
        return {"name": item.name, "accounts": [to_json_account(a) for a in item.accounts]}
    return {
        "name": item.name,
        "is_mut": item.is_mut,
        "is_signer": item.is_signer,
        "is_optional": bool(item.is_optional),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("idl", help="the legacy IDL to load")
    parser.add_argument("--expect", required=True, help="JSON file of expectations")
    args = parser.parse_args(argv)
    expect = json.loads(Path(args.expect).read_text(encoding="utf-8"))
    problems: list[str] = []
    report: dict[str, Any] = {
        "versions": {p: version(p) for p in ("anchorpy", "anchorpy-core", "solana", "solders")},
        "program": check_program(args.idl, expect, problems),
    }
    if "synthetic" in expect:
        report["synthetic"] = check_synthetic(expect["synthetic"], problems)
    report["problems"] = problems
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
