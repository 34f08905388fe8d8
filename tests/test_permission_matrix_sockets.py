"""The permission matrix's websocket rows (test_permission_matrix.py holds
the table): each audience's socket opened by every role, with its session
cookie. Apart from the HTTP rows because these tests run outside a database
transaction (the consumer reads from its own threads), and the HTTP rows
share one world inside one."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from deliberation.asgi import application
from tests.access_world import MATCHES, ROLES, build_world, client_for, split_case, ws_path
from tests.test_permission_matrix import TABLE, WS_ROWS


async def _socket_outcome(path, cookie):
    headers = [(b"origin", b"http://testserver")]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=3)
    if not connected:
        return "refuse", "not accepted"
    first = await communicator.receive_output(timeout=3)
    if first["type"] == "websocket.close":
        return "refuse", f"closed {first.get('code')}"
    await communicator.disconnect()
    return "accept", first["type"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", WS_ROWS)
async def test_websocket_row(case, compound, households, meeting):
    row = TABLE[case]
    name, variant = split_case(case)
    audience = name.removeprefix("ws:")
    world = await sync_to_async(build_world)(compound, households, meeting)
    wrong = []
    for role in ROLES:
        client = await sync_to_async(client_for)(role, world)
        cookie = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
        got, detail = await _socket_outcome(ws_path(world, audience, variant), cookie)
        expected = row.cells[role]
        if got not in MATCHES[expected]:
            wrong.append(f"{case} x {role}: expected {expected}, got {got} ({detail})")
    assert not wrong, "\n".join(wrong)
