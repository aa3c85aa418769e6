"""Bad input gets the validator's JSON-RPC errors, and the server stays up."""

from __future__ import annotations

import base64

import httpx
import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.core import RPCException
from solders.keypair import Keypair
from solders.rpc.responses import SendTransactionPreflightFailureMessage, SendTransactionResp
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from solinbox.localnet.server import MAX_REQUEST_BODY_SIZE, Localnet

from ._helpers import pay, signed
from .conftest import Rpc


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", -32700),
        (b"\xff\xfe", -32700),
        (b"[]", -32600),
        (b"42", -32600),
        (b'{"jsonrpc":"1.0","id":1,"method":"getSlot"}', -32600),
        (b'{"jsonrpc":"2.0","id":1,"method":7}', -32600),
        (b'{"jsonrpc":"2.0","id":1,"method":"getSlots"}', -32601),
        (b'{"jsonrpc":"2.0","id":1,"method":"getBalance","params":{"a":1}}', -32602),
        (b'{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["nope"]}', -32602),
        (b'{"jsonrpc":"2.0","id":1,"method":"getBalance","params":[]}', -32602),
        (b'{"jsonrpc":"2.0","id":1,"method":"getBalance","params":[5]}', -32602),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["11111111111111111111111111111111",{"encoding":"xml"}]}',
            -32602,
        ),
        (b'{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[{"commitment":"soon"}]}', -32602),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[{"minContextSlot":99999}]}',
            -32016,
        ),
        (b'{"jsonrpc":"2.0","id":1,"method":"getBlocks","params":[-1]}', -32602),
        (b'{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["!!!"]}', -32602),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":["AAAA",{"encoding":"base64"}]}',
            -32602,
        ),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"getProgramAccounts","params":["11111111111111111111111111111111",{"filters":[{"memcmp":{"offset":0,"bytes":"0OIl"}}]}]}',
            -32602,
        ),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"getMultipleAccounts","params":[['
            + b",".join([b'"11111111111111111111111111111111"'] * 101)
            + b"]]}",
            -32602,
        ),
    ],
)
async def test_bad_requests(rpc: Rpc, body: bytes, code: int) -> None:
    response = await rpc.raw(body)
    assert response.status_code == 200
    assert response.json()["error"]["code"] == code
    assert (await rpc.call("getHealth"))["result"] == "ok"


async def test_batches_and_notifications(rpc: Rpc) -> None:
    response = await rpc.raw(
        b'[{"jsonrpc":"2.0","id":1,"method":"getHealth"},{"jsonrpc":"2.0","id":"b","method":"nope"},5,{"jsonrpc":"2.0","method":"getSlot"}]'
    )
    answers = response.json()
    assert answers[0] == {"jsonrpc": "2.0", "result": "ok", "id": 1}
    assert answers[1]["error"]["code"] == -32601 and answers[1]["id"] == "b"
    assert answers[2]["error"]["code"] == -32600
    assert len(answers) == 3  # the notification gets no answer


async def test_oversized_request_is_refused(rpc: Rpc) -> None:
    body = (
        b'{"jsonrpc":"2.0","id":1,"method":"getHealth","params":["'
        + b"x" * MAX_REQUEST_BODY_SIZE
        + b'"]}'
    )
    response = await rpc.raw(body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == -32600
    assert (await rpc.call("getHealth"))["result"] == "ok"


async def test_transactions_refused(net: Localnet, client: AsyncClient, rpc: Rpc) -> None:
    payer = Keypair()
    net.bank.airdrop(payer.pubkey(), 10**9)
    good = signed(net.bank, payer, [pay(payer, Keypair().pubkey(), 10**6)])
    # unsigned: the signature slot holds zeros
    unsigned = VersionedTransaction.populate(good.message, [Signature.default()])
    answer = await rpc.call(
        "sendTransaction", base64.b64encode(bytes(unsigned)).decode(), {"encoding": "base64"}
    )
    assert answer["error"] == {
        "code": -32003,
        "message": "Transaction signature verification failure",
    }
    # too big
    too_big = base64.b64encode(bytes(good) + bytes(1300)).decode()
    answer = await rpc.call("sendTransaction", too_big, {"encoding": "base64"})
    assert answer["error"]["code"] == -32602 and "too large" in answer["error"]["message"]
    # preflight failure: logs in data, parsed by solana-py/solders
    broke = signed(net.bank, payer, [pay(payer, Keypair().pubkey(), 10**12)])
    with pytest.raises(RPCException) as info:
        await client.send_transaction(broke)
    failure = info.value.args[0]
    assert isinstance(failure, SendTransactionPreflightFailureMessage)
    assert (
        failure.message
        == "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1"
    )
    assert failure.data.err is not None and any(
        "insufficient lamports" in line for line in failure.data.logs or []
    )
    # skipPreflight: accepted, executed, recorded as failed with its fee charged
    text = (
        await rpc.http.post(
            rpc.url,
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "method": "sendTransaction",
                "params": [
                    base64.b64encode(bytes(broke)).decode(),
                    {"encoding": "base64", "skipPreflight": True},
                ],
            },
        )
    ).text
    sig = SendTransactionResp.from_json(text).value
    record = net.bank.record(sig)
    assert record is not None and record.err == {"InstructionError": [0, {"Custom": 1}]}
    assert record.pre_balances[0] - record.post_balances[0] == 5000
    # duplicate: preflight says already processed
    answer = await rpc.call(
        "sendTransaction", base64.b64encode(bytes(broke)).decode(), {"encoding": "base64"}
    )
    assert (
        answer["error"]["code"] == -32002 and "already been processed" in answer["error"]["message"]
    )


async def test_server_survives_garbage_connections(net: Localnet, rpc: Rpc) -> None:
    async with httpx.AsyncClient() as http:
        assert (await http.get(net.rpc_url + "/health")).text == "ok"
        assert (await http.put(net.rpc_url, content=b"x")).status_code == 405
        assert (await http.get(net.ws_url)).status_code in (400, 405, 426)
    import asyncio

    reader, writer = await asyncio.open_connection("127.0.0.1", net.rpc_port)
    writer.write(b"GARBAGE / HTTP/9.9\r\n\r\n\x00\x01")
    await writer.drain()
    await reader.read(100)
    writer.close()
    assert (await rpc.call("getHealth"))["result"] == "ok"


async def test_port_taken_is_a_typed_error(net: Localnet) -> None:
    from solinbox.errors import SolinboxError
    from solinbox.localnet.bank import Bank
    from solinbox.localnet.server import LocalnetBindError

    other = Localnet(Bank.create(), rpc_port=net.rpc_port, ws_port=0, slot_interval=None)
    with pytest.raises(LocalnetBindError, match=str(net.rpc_port)) as info:
        await other.start()
    assert isinstance(info.value, SolinboxError)
    await other.stop()
