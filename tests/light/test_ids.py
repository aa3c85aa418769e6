"""Light addresses: PDAs re-derived, trees / queues / CPI contexts checked against the dumps."""

from __future__ import annotations

from solders.pubkey import Pubkey

from solinbox.light import LightPackage
from solinbox.light.ids import (
    ACCOUNT_COMPRESSION_AUTHORITY,
    ACCOUNT_COMPRESSION_PROGRAM_ID,
    ADDRESS_QUEUE_V1,
    ADDRESS_TREE_V1,
    ADDRESS_TREES_V2,
    COMPRESSED_TOKEN_PROGRAM_ID,
    GROUP_AUTHORITY_PDA,
    LIGHT_PROGRAMS,
    LIGHT_SYSTEM_PROGRAM_ID,
    REGISTERED_PROGRAM_PDA,
    SOL_POOL_PDA,
    STATE_TREES_V1,
    STATE_TREES_V2,
    cpi_authority_pda,
    state_tree_v2_for_queue,
)
from solinbox.localnet.genesis import light_accounts


def test_pdas_derive() -> None:
    assert Pubkey.find_program_address(
        [bytes(LIGHT_SYSTEM_PROGRAM_ID)], ACCOUNT_COMPRESSION_PROGRAM_ID
    ) == (REGISTERED_PROGRAM_PDA, 255)
    assert cpi_authority_pda(LIGHT_SYSTEM_PROGRAM_ID) == (ACCOUNT_COMPRESSION_AUTHORITY, 255)
    assert Pubkey.find_program_address([b"sol_pool_pda"], LIGHT_SYSTEM_PROGRAM_ID) == (
        SOL_POOL_PDA,
        255,
    )
    assert cpi_authority_pda(COMPRESSED_TOKEN_PROGRAM_ID) == (
        Pubkey.from_string("GXtd2izAiMJPwMEjfgTRH3d7k9mjn4Jq3JrWFv9gySYy"),
        254,
    )


def test_program_ids_cover_the_dump_owners(light_package: LightPackage) -> None:
    owners = {dump.account.owner for dump in light_accounts(light_package).values()}
    assert {ACCOUNT_COMPRESSION_PROGRAM_ID, LIGHT_SYSTEM_PROGRAM_ID} <= owners
    assert set(LIGHT_PROGRAMS.values()) >= owners - {Pubkey.default()}


def test_trees_and_queues_match_the_dumps(light_package: LightPackage) -> None:
    accounts = light_accounts(light_package)
    registered = accounts[REGISTERED_PROGRAM_PDA].account.data
    assert Pubkey.from_bytes(registered[8:40]) == LIGHT_SYSTEM_PROGRAM_ID
    assert Pubkey.from_bytes(registered[40:72]) == GROUP_AUTHORITY_PDA
    assert Pubkey.from_bytes(registered[72:104]) == ACCOUNT_COMPRESSION_AUTHORITY
    for v1 in STATE_TREES_V1:
        tree = accounts[v1.tree].account.data
        assert bytes(v1.nullifier_queue) in tree[:200]
        assert bytes(v1.tree) in accounts[v1.nullifier_queue].account.data[:200]
        context = accounts[v1.cpi_context].account
        assert context.owner == LIGHT_SYSTEM_PROGRAM_ID
        assert Pubkey.from_bytes(context.data[40:72]) == v1.tree
        assert Pubkey.from_bytes(context.data[72:104]) == v1.nullifier_queue
    for v2 in STATE_TREES_V2:
        queue = accounts[v2.output_queue].account.data
        assert queue[:8] == b"queueacc"
        assert accounts[v2.tree].account.data[:8] == b"BatchMta"
        assert Pubkey.from_bytes(queue[160:192]) == v2.tree
        context_data = accounts[v2.cpi_context].account.data
        assert Pubkey.from_bytes(context_data[40:72]) == v2.tree
        assert Pubkey.from_bytes(context_data[72:104]) == v2.output_queue
        assert state_tree_v2_for_queue(v2.output_queue) == v2
    assert state_tree_v2_for_queue(STATE_TREES_V2[0].tree) is None
    for key in (ADDRESS_TREE_V1, ADDRESS_QUEUE_V1, *ADDRESS_TREES_V2):
        assert accounts[key].account.owner == ACCOUNT_COMPRESSION_PROGRAM_ID
