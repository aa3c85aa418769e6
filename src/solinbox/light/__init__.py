"""Light Protocol support: pinned programs, addresses, leaf hashing, instruction codecs, events.

* :mod:`~solinbox.light.package` fetches and verifies the programs and tree accounts;
* :mod:`~solinbox.light.ids` holds program ids, PDAs and the shared trees;
* :mod:`~solinbox.light.hashing` recomputes compressed-account leaf hashes;
* :mod:`~solinbox.light.instructions` encodes / decodes the light system program's instructions;
* :mod:`~solinbox.light.events` reconstructs the compressed accounts a transaction created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from solinbox._lazy import lazy_exports

if TYPE_CHECKING:
    from solinbox.light._borsh import (
        LightDecodeError,
    )
    from solinbox.light.events import (
        FlatInstruction,
        InsertIntoQueues,
        LightInvocation,
        MerkleTreeSequenceNumber,
        NewCompressedAccount,
        TreeType,
        flatten_instructions,
        outputs_from_litesvm,
        parse_light_invocations,
        parse_light_outputs,
    )
    from solinbox.light.hashing import (
        compressed_account_hash,
        data_hash_sha256,
        hash_to_bn254_field_size_be,
    )
    from solinbox.light.ids import (
        ACCOUNT_COMPRESSION_AUTHORITY,
        ACCOUNT_COMPRESSION_PROGRAM_ID,
        LIGHT_SYSTEM_PROGRAM_ID,
        REGISTERED_PROGRAM_PDA,
        SOL_POOL_PDA,
        STATE_TREES_V1,
        STATE_TREES_V2,
        StateTreeV1,
        StateTreeV2,
        cpi_authority_pda,
    )
    from solinbox.light.instructions import (
        CompressedAccount,
        CompressedAccountData,
        CompressedCpiContext,
        InstructionDataInvoke,
        InstructionDataInvokeCpi,
        InstructionDataInvokeCpiWithReadOnly,
        OutputCompressedAccountWithPackedContext,
        decode_light_system_instruction,
        invoke,
        invoke_compress_sol,
    )
    from solinbox.light.package import (
        LIGHT_CLI_VERSION,
        LightPackage,
        default_cache_dir,
        fetch_light_package,
    )

__all__ = [
    "ACCOUNT_COMPRESSION_AUTHORITY",
    "ACCOUNT_COMPRESSION_PROGRAM_ID",
    "LIGHT_CLI_VERSION",
    "LIGHT_SYSTEM_PROGRAM_ID",
    "REGISTERED_PROGRAM_PDA",
    "SOL_POOL_PDA",
    "STATE_TREES_V1",
    "STATE_TREES_V2",
    "CompressedAccount",
    "CompressedAccountData",
    "CompressedCpiContext",
    "FlatInstruction",
    "InsertIntoQueues",
    "InstructionDataInvoke",
    "InstructionDataInvokeCpi",
    "InstructionDataInvokeCpiWithReadOnly",
    "LightDecodeError",
    "LightInvocation",
    "LightPackage",
    "MerkleTreeSequenceNumber",
    "NewCompressedAccount",
    "OutputCompressedAccountWithPackedContext",
    "StateTreeV1",
    "StateTreeV2",
    "TreeType",
    "compressed_account_hash",
    "cpi_authority_pda",
    "data_hash_sha256",
    "decode_light_system_instruction",
    "default_cache_dir",
    "fetch_light_package",
    "flatten_instructions",
    "hash_to_bn254_field_size_be",
    "invoke",
    "invoke_compress_sol",
    "outputs_from_litesvm",
    "parse_light_invocations",
    "parse_light_outputs",
]

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "ACCOUNT_COMPRESSION_AUTHORITY": "ids",
        "ACCOUNT_COMPRESSION_PROGRAM_ID": "ids",
        "CompressedAccount": "instructions",
        "CompressedAccountData": "instructions",
        "CompressedCpiContext": "instructions",
        "FlatInstruction": "events",
        "InsertIntoQueues": "events",
        "InstructionDataInvoke": "instructions",
        "InstructionDataInvokeCpi": "instructions",
        "InstructionDataInvokeCpiWithReadOnly": "instructions",
        "LIGHT_CLI_VERSION": "package",
        "LIGHT_SYSTEM_PROGRAM_ID": "ids",
        "LightDecodeError": "_borsh",
        "LightInvocation": "events",
        "LightPackage": "package",
        "MerkleTreeSequenceNumber": "events",
        "NewCompressedAccount": "events",
        "OutputCompressedAccountWithPackedContext": "instructions",
        "REGISTERED_PROGRAM_PDA": "ids",
        "SOL_POOL_PDA": "ids",
        "STATE_TREES_V1": "ids",
        "STATE_TREES_V2": "ids",
        "StateTreeV1": "ids",
        "StateTreeV2": "ids",
        "TreeType": "events",
        "compressed_account_hash": "hashing",
        "cpi_authority_pda": "ids",
        "data_hash_sha256": "hashing",
        "decode_light_system_instruction": "instructions",
        "default_cache_dir": "package",
        "fetch_light_package": "package",
        "flatten_instructions": "events",
        "hash_to_bn254_field_size_be": "hashing",
        "invoke": "instructions",
        "invoke_compress_sol": "instructions",
        "outputs_from_litesvm": "events",
        "parse_light_invocations": "events",
        "parse_light_outputs": "events",
    },
)
