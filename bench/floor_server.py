"""The floor: the fastest a Python broadcast to N websockets gets on this
machine. A bare `websockets` server; `broadcast()` of a ~200-byte message.

Clients connect anywhere but /control and get a "state" message, as the
app's sockets do. The load generator sends a sequence number on /control at
each scheduled time, the way the facilitator's POST triggers the app's push;
the server broadcasts a push carrying it as "rev" to every client.

    python -m bench.floor_server --port 8765
"""

import argparse
import asyncio
import time

from websockets.asyncio.server import broadcast, serve

MESSAGE_BYTES = 200


def message(kind, seq):
    """`{"now":..,"type":"push","rev":seq,"panels":{...}}`, padded to ~200 bytes."""
    head = f'{{"now":{int(time.time() * 1000)},"type":"{kind}","rev":{seq},"panels":{{"speaker":"'
    return head + "x" * max(0, MESSAGE_BYTES - len(head) - 3) + '"}}'


async def serve_floor(port):
    clients = set()
    seq = 0

    async def handler(ws):
        nonlocal seq
        if ws.request.path == "/control":
            async for text in ws:
                seq = int(text)
                broadcast(clients, message("push", seq))
            return
        clients.add(ws)
        try:
            await ws.send(message("state", seq))
            async for text in ws:
                if '"ping"' in text:
                    await ws.send(f'{{"now":{int(time.time() * 1000)},"type":"pong"}}')
        finally:
            clients.discard(ws)

    async with serve(handler, "127.0.0.1", port, compression=None, max_size=None, backlog=1024):
        print("ready", flush=True)
        await asyncio.Future()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve_floor(parser.parse_args().port))


if __name__ == "__main__":
    main()
