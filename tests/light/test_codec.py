"""Borsh codecs of the Light system program instructions: exact bytes and round trips."""

from __future__ import annotations

import pytest
from solders.pubkey import Pubkey

from solinbox.light import (
    CompressedAccount,
    CompressedAccountData,
    CompressedCpiContext,
    InstructionDataInvoke,
    InstructionDataInvokeCpi,
    InstructionDataInvokeCpiWithReadOnly,
    LightDecodeError,
    OutputCompressedAccountWithPackedContext,
    decode_light_system_instruction,
    invoke_compress_sol,
)
from solinbox.light.events import InsertIntoQueues
from solinbox.light.instructions import (
    DISCRIMINATOR_INVOKE,
    DISCRIMINATOR_INVOKE_CPI,
    DISCRIMINATOR_INVOKE_CPI_WITH_ACCOUNT_INFO,
    DISCRIMINATOR_INVOKE_CPI_WITH_READ_ONLY,
    CompressedProof,
    InAccount,
    NewAddressParamsAssignedPacked,
    NewAddressParamsPacked,
    PackedCompressedAccountWithMerkleContext,
    PackedMerkleContext,
    PackedReadOnlyAddress,
    PackedReadOnlyCompressedAccount,
)

OWNER = Pubkey.from_string("6r2tp9XhwvNFtTx1CiRcZYfHNvGHLsV2fG5L8CU3Ndpv")
PROGRAM = Pubkey.from_string("SySTEM1eSU2p4BGQfQpimFEWWSC1XDFeun3Nqzz3rT7")


def _outputs() -> tuple[OutputCompressedAccountWithPackedContext, ...]:
    record = CompressedAccountData(b"\x07" * 8, b"message body \x00\xff", b"\x00" + b"\x11" * 31)
    return (
        OutputCompressedAccountWithPackedContext(CompressedAccount(OWNER, 5, None, None), 0),
        OutputCompressedAccountWithPackedContext(
            CompressedAccount(PROGRAM, 0, b"\x00" + b"\x22" * 31, record), 1
        ),
        OutputCompressedAccountWithPackedContext(
            CompressedAccount(PROGRAM, 2**64 - 1, None, record), 255
        ),
    )


PROOF = CompressedProof(a=b"\x01" * 32, b=b"\x02" * 64, c=b"\x03" * 32)
MERKLE_CONTEXT = PackedMerkleContext(
    merkle_tree_pubkey_index=1, queue_pubkey_index=2, leaf_index=70_000, prove_by_index=True
)


def test_invoke_compress_sol_exact_bytes() -> None:
    instruction = invoke_compress_sol(OWNER, 10**9, PROGRAM)
    body = (
        b"\x00"  # proof: None
        + b"\x00\x00\x00\x00"  # inputs: []
        + b"\x01\x00\x00\x00"  # outputs: [1]
        + bytes(OWNER)
        + (10**9).to_bytes(8, "little")
        + b"\x00\x00"  # address: None, data: None
        + b"\x00"  # merkle_tree_index
        + b"\x00"  # relay_fee: None
        + b"\x00\x00\x00\x00"  # new_address_params: []
        + b"\x01"
        + (10**9).to_bytes(8, "little")  # compress_or_decompress_lamports: Some
        + b"\x01"  # is_compress
    )
    assert bytes(instruction.data) == DISCRIMINATOR_INVOKE + len(body).to_bytes(4, "little") + body


def test_invoke_round_trip() -> None:
    original = InstructionDataInvoke(
        proof=PROOF,
        input_compressed_accounts_with_merkle_context=(
            PackedCompressedAccountWithMerkleContext(
                CompressedAccount(OWNER, 9), MERKLE_CONTEXT, root_index=7, read_only=False
            ),
        ),
        output_compressed_accounts=_outputs(),
        relay_fee=12,
        new_address_params=(NewAddressParamsPacked(b"\x05" * 32, 3, 4, 65_535),),
        compress_or_decompress_lamports=None,
        is_compress=False,
    )
    data = original.to_instruction_data()
    assert data[:8] == DISCRIMINATOR_INVOKE
    assert int.from_bytes(data[8:12], "little") == len(data) - 12
    assert InstructionDataInvoke.decode(original.encode()) == original
    assert decode_light_system_instruction(data) == original


@pytest.mark.parametrize("cpi_context", [None, CompressedCpiContext(True, True, 4)])
def test_invoke_cpi_round_trip(cpi_context: CompressedCpiContext | None) -> None:
    original = InstructionDataInvokeCpi(
        proof=PROOF,
        new_address_params=(NewAddressParamsPacked(b"\x05" * 32, 3, 4, 9),),
        input_compressed_accounts_with_merkle_context=(
            PackedCompressedAccountWithMerkleContext(
                CompressedAccount(OWNER, 9), MERKLE_CONTEXT, root_index=1, read_only=True
            ),
        ),
        output_compressed_accounts=_outputs(),
        relay_fee=None,
        compress_or_decompress_lamports=42,
        is_compress=True,
        cpi_context=cpi_context,
    )
    data = original.to_instruction_data()
    assert data[:8] == DISCRIMINATOR_INVOKE_CPI
    assert int.from_bytes(data[8:12], "little") == len(data) - 12
    assert InstructionDataInvokeCpi.decode(data[12:]) == original
    assert decode_light_system_instruction(data) == original
    outputs_only = InstructionDataInvokeCpi(output_compressed_accounts=_outputs())
    assert decode_light_system_instruction(outputs_only.to_instruction_data()) == outputs_only


def test_invoke_cpi_with_read_only_round_trip() -> None:
    original = InstructionDataInvokeCpiWithReadOnly(
        mode=1,
        bump=254,
        invoking_program_id=PROGRAM,
        compress_or_decompress_lamports=1_000,
        is_compress=True,
        with_cpi_context=True,
        with_transaction_hash=True,
        cpi_context=CompressedCpiContext(False, True, 2),
        proof=PROOF,
        new_address_params=(NewAddressParamsAssignedPacked(b"\x06" * 32, 1, 2, 3, True, 1),),
        input_compressed_accounts=(
            InAccount(b"\x08" * 8, b"\x00" + b"\x09" * 31, MERKLE_CONTEXT, 5, 77, b"\x0a" * 32),
            InAccount(b"\x08" * 8, b"\x00" + b"\x09" * 31, MERKLE_CONTEXT, 5, 0, None),
        ),
        output_compressed_accounts=_outputs(),
        read_only_addresses=(PackedReadOnlyAddress(b"\x0b" * 32, 300, 6),),
        read_only_accounts=(PackedReadOnlyCompressedAccount(b"\x0c" * 32, MERKLE_CONTEXT, 8),),
    )
    data = original.to_instruction_data()
    assert data[:8] == DISCRIMINATOR_INVOKE_CPI_WITH_READ_ONLY
    assert data[8:10] == bytes([1, 254])  # no length prefix: mode and bump follow at once
    assert data[10:42] == bytes(PROGRAM)
    assert InstructionDataInvokeCpiWithReadOnly.decode(data[8:]) == original
    assert decode_light_system_instruction(data) == original
    minimal = InstructionDataInvokeCpiWithReadOnly(
        invoking_program_id=PROGRAM, bump=255, output_compressed_accounts=_outputs()
    )
    assert decode_light_system_instruction(minimal.to_instruction_data()) == minimal


def test_decoding_mirrors_the_program() -> None:
    original = InstructionDataInvokeCpi(output_compressed_accounts=_outputs())
    data = original.to_instruction_data()
    # The program skips the length prefix without reading it and ignores trailing bytes.
    skewed = data[:8] + b"\xff\xff\xff\xff" + data[12:] + b"trailing"
    assert InstructionDataInvokeCpi.from_instruction_data(skewed) == original
    with pytest.raises(LightDecodeError, match="trailing"):
        InstructionDataInvokeCpi.decode(data[12:] + b"\x00")
    with pytest.raises(LightDecodeError, match="need"):
        InstructionDataInvokeCpi.decode(data[12:-1])
    with pytest.raises(LightDecodeError, match="not a InstructionDataInvoke"):
        InstructionDataInvoke.from_instruction_data(data)
    with pytest.raises(LightDecodeError, match="invoke_cpi_with_account_info"):
        decode_light_system_instruction(DISCRIMINATOR_INVOKE_CPI_WITH_ACCOUNT_INFO + bytes(8))
    with pytest.raises(LightDecodeError, match="invalid option tag"):
        InstructionDataInvoke.decode(b"\x02")


def test_field_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="discriminator must be 8 bytes"):
        CompressedAccountData(b"\x00", b"", bytes(32))
    with pytest.raises(ValueError, match="address must be 32 bytes"):
        CompressedAccount(OWNER, 0, b"\x01")


def test_insert_into_queues_layout() -> None:
    # The V1 compress CPI quoted in light-offline.md Q3 (leaf hash abbreviated to a pattern).
    smt1 = bytes(Pubkey.from_string("smt1NamzXdq4AMqS2fS2F1i5KTYPZRhoHgWx38d8WsT"))
    leaf = b"\x0f" + b"\xa4" * 31
    body = (
        bytes([1, 255, 0, 1, 0, 0])
        + bytes(32)
        + b"\x01"
        + b"\x00"
        + leaf
        + b"\x00"
        + b"\x00"
        + b"\x01"
        + smt1
        + smt1
        + (1).to_bytes(8, "little")
        + (1).to_bytes(8, "little")
        + b"\x00"
        + b"\x00"
        + b"\x01"
        + (0).to_bytes(4, "little")
        + (0).to_bytes(4, "little")
    )
    data = bytes([180, 143, 159, 153, 35, 46, 248, 163]) + len(body).to_bytes(4, "little") + body
    assert len(data) == 178
    decoded = InsertIntoQueues.from_instruction_data(data)
    assert decoded.is_invoked_by_program and decoded.bump == 255
    assert (decoded.num_output_queues, decoded.start_output_appends) == (1, 0)
    assert decoded.leaves[0].account_index == 0 and decoded.leaves[0].leaf == leaf
    (sequence,) = decoded.output_sequence_numbers
    assert (bytes(sequence.tree), sequence.tree_type, sequence.seq) == (smt1, 1, 1)
    assert decoded.output_leaf_indices == (0,)
    assert decoded.cpi_context_outputs == ()
