"""The fake Model Hub as a real HTTP server on 127.0.0.1 (see `tests.fakes.fake_hub`).

Relays each request to `FakeHub.handle` and writes its answer back; streams go out with chunked
transfer encoding, flushed per event, and a broken stream drops the connection mid-body.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.fakes.fake_hub import FakeHub


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HubServer

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests assert on hub.requests instead

    def _relay(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = httpx.Request(
            self.command,
            f"http://{self.server.host}{self.path}",
            headers=[(k, v) for k, v in self.headers.items()],
            content=self.rfile.read(length),
        )
        response = self.server.hub.handle(request)
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        if "text/event-stream" not in response.headers.get("content-type", ""):
            content = response.read()
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            return
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            for chunk in response.iter_raw():
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
        except httpx.ReadError:  # break_stream: drop the connection without the last chunk
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(b"0\r\n\r\n")


class _HubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, hub: FakeHub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hub = hub
        self.host = f"127.0.0.1:{self.server_address[1]}"


@contextmanager
def serve(hub: FakeHub) -> Iterator[str]:
    """Run `hub` as an HTTP server on 127.0.0.1; yields its base URL (ending in /v1)."""
    server = _HubServer(hub)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://{server.host}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
