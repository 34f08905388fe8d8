"""Websocket clients: what every simulated phone, the projector and the console
hold, for the app and for the floor server alike (same code, so the ratio
between the two measures the servers, not the clients).

A client only records: for every push, its arrival time and revision. The
analysis (bench/measure.py) runs afterwards, so the receive path stays as
cheap as possible: no JSON parsing, a regex over the first bytes instead.
"""

import asyncio
import re
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

# Every message is `{"now":<ms>,"type": "push", "rev": 12, ...}` (json.dumps
# spacing in the app; none in the floor's messages).
HEAD = re.compile(rb'"type":\s*"(\w+)"(?:,\s*"rev":\s*(\d+))?')
HEAD_BYTES = 120


class Socket:
    """One open page: connects, waits for its first state, then records pushes."""

    def __init__(self, url, *, headers=None, origin=None, watch=None):
        self.url, self.headers, self.origin = url, headers or {}, origin
        # Called as watch(t, data) for every message (projector, console only).
        self.watch = watch
        self.ws = None
        self.reader = None
        self.state_rev = None
        self.log = []  # (arrival, rev) of pushes and states in the current phase
        self.max_rev = -1
        self.last_push_rev = -1
        self.out_of_order = 0
        self.push_bytes = self.pushes = 0
        self.states = 0  # full states after the first one (resyncs)
        self.pongs, self.last_pong = 0, None
        self.ping_sent = None
        self.pong_rtts = []
        self.closing = False  # we are closing it: not a disconnect
        self.disconnected = None  # (time, close code) when the server or the line closed it

    async def open(self, timeout=60):
        self.ws = await connect(
            self.url,
            origin=self.origin,
            additional_headers=self.headers,
            # A browser sends no protocol pings (live.js pings in-band);
            # compression off on both servers so both send the same bytes.
            ping_interval=None,
            compression=None,
            max_size=None,
            proxy=None,
            open_timeout=timeout,
            close_timeout=5,
        )
        # The state comes first unless a push to the group overtook it (the
        # socket joins its group before its state is sent): live.js keeps
        # whichever is newer, and so does this.
        deadline = time.monotonic() + timeout
        while True:
            data = await asyncio.wait_for(self.ws.recv(decode=False), max(0.001, deadline - time.monotonic()))
            kind, rev = _head(data)
            if kind == b"state":
                break
            if kind != b"push":
                raise RuntimeError(f"first message was {data[:200]!r}, not the state")
            self._handle(time.monotonic(), data)
        self.state_rev, self.max_rev = rev, max(self.max_rev, rev)
        self.log.clear()
        self.pushes = self.push_bytes = 0
        if self.watch:
            self.watch(time.monotonic(), data)
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self):
        try:
            while True:
                data = await self.ws.recv(decode=False)
                self._handle(time.monotonic(), data)
        except ConnectionClosed as closed:
            if not self.closing:
                code = closed.rcvd.code if closed.rcvd else None
                self.disconnected = (time.monotonic(), code)

    def _handle(self, now, data):
        kind, rev = _head(data)
        if kind == b"push":
            self.log.append((now, rev))
            if rev < self.last_push_rev:
                self.out_of_order += 1
            self.last_push_rev = rev
            self.max_rev = max(self.max_rev, rev)
            self.pushes += 1
            self.push_bytes += len(data)
        elif kind == b"state":
            # Full state (a resync, or the server healing a lost push):
            # delivers every change up to its revision, like a push.
            self.log.append((now, rev))
            self.max_rev = max(self.max_rev, rev)
            self.states += 1
        elif kind == b"pong":
            self.pongs += 1
            self.last_pong = now
            if self.ping_sent is not None:
                self.pong_rtts.append(now - self.ping_sent)
        if self.watch:
            self.watch(now, data)

    async def send(self, text):
        await self.ws.send(text)

    async def close(self):
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader

    @property
    def alive(self):
        return self.ws is not None and self.disconnected is None


def _head(data):
    match = HEAD.search(data, 0, HEAD_BYTES)
    if match is None:
        return None, -1
    return match.group(1), int(match.group(2) or -1)


async def open_all(sockets, concurrency=50):
    """Open sockets at most `concurrency` at a time; returns the failures."""
    gate = asyncio.Semaphore(concurrency)
    failures = []

    async def one(socket):
        async with gate:
            try:
                await socket.open()
            except Exception as error:  # noqa: BLE001 - every failure is a figure
                failures.append(repr(error))

    await asyncio.gather(*(one(s) for s in sockets))
    return failures


async def close_all(sockets, concurrency=200):
    gate = asyncio.Semaphore(concurrency)

    async def one(socket):
        async with gate:
            try:
                await socket.close()
            except Exception:  # noqa: BLE001 - closing after the figures are taken
                pass

    await asyncio.gather(*(one(s) for s in sockets))


async def ping_every(sockets, period, until, watchdog=10.0):
    """live.js: every `period` seconds each page sends {"type":"ping"}, spread
    evenly over the period; a pong later than `watchdog` seconds (or none)
    would make a real page close and reconnect. Returns how many pongs were
    late, found when the next ping is due (see `count_late` for the last)."""
    late = 0
    step = period / max(1, len(sockets))
    next_at = time.monotonic()
    while True:
        for socket in sockets:
            next_at += step
            await sleep_until(next_at)
            if time.monotonic() >= until:
                return late
            if socket.ping_sent is not None and pong_late(socket, watchdog):
                late += 1
            if socket.alive:
                socket.ping_sent = time.monotonic()
                try:
                    await socket.send('{"type":"ping"}')
                except ConnectionClosed:
                    pass


def pong_late(socket, watchdog):
    return socket.last_pong is None or not (0 <= socket.last_pong - socket.ping_sent <= watchdog)


def count_late(sockets, watchdog=10.0):
    """Last pings still unanswered (call at least `watchdog` s after the last ping)."""
    return sum(1 for s in sockets if s.ping_sent is not None and pong_late(s, watchdog))


async def sleep_until(at):
    delay = at - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


class LoopLag:
    """How late this process's event loop wakes up: if the client side is the
    bottleneck, it shows here first (a 10 ms timer firing 50 ms late)."""

    def __init__(self, tick=0.01):
        self.tick = tick
        self.lags = []
        self.task = None

    def start(self):
        self.lags = []
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self):
        while True:
            start = time.monotonic()
            await asyncio.sleep(self.tick)
            self.lags.append(time.monotonic() - start - self.tick)

    def stop(self):
        if self.task:
            self.task.cancel()
        return list(self.lags)
