"""A minimal asyncio HTTP/1.1 client: one connection per request, cookies kept
per simulated browser.

Standard library only. A phone's vote is one short request on its own
connection, so `Connection: close` per request is both realistic enough and
keeps this small: the body is whatever arrives until the server closes.
"""

import asyncio
from urllib.parse import urlencode


class HttpError(Exception):
    pass


class Browser:
    """Cookies and the address of one server; what one phone or laptop holds."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.cookies = {}

    @property
    def origin(self):
        return f"http://{self.host}:{self.port}"

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def get(self, path, headers=None, timeout=60):
        return await self.request("GET", path, headers=headers, timeout=timeout)

    async def post(self, path, fields, headers=None, timeout=60):
        """A form POST carrying the CSRF token the way htmx and fetch do (header)."""
        headers = {"X-CSRFToken": self.cookies.get("csrftoken", ""), **(headers or {})}
        body = urlencode(fields).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return await self.request("POST", path, body=body, headers=headers, timeout=timeout)

    async def request(self, method, path, body=b"", headers=None, timeout=60):
        """(status, {header: value}, body bytes); keeps the cookies it is given."""
        status, response_headers, cookies, data = await asyncio.wait_for(
            _exchange(self.host, self.port, method, path, body, self._headers(headers, body)), timeout
        )
        self.cookies.update(cookies)
        return status, response_headers, data

    def _headers(self, extra, body):
        headers = {
            "Host": f"{self.host}:{self.port}",
            "Connection": "close",
            "User-Agent": "yishi-bench",
            # What the TLS-terminating proxy in front of production adds, and
            # the Origin a browser sends with a POST (Django's CSRF check).
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{self.host}:{self.port}",
        }
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        if body:
            headers["Content-Length"] = str(len(body))
        headers.update(extra or {})
        return headers


async def _exchange(host, port, method, path, body, headers):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        writer.write(head.encode("latin-1") + body)
        await writer.drain()
        raw = await reader.read(-1)
    finally:
        writer.close()
    return _parse(raw)


def _parse(raw):
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise HttpError(f"incomplete response ({len(raw)} bytes)")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers, cookies = {}, {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key.strip()] = rest.split(";", 1)[0]
        else:
            headers[name] = value
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return status, headers, cookies, body


def _dechunk(data):
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)
