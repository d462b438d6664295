"""A small JSON-over-HTTP server on the standard library (``ThreadingHTTPServer``).

``make_server(score, info, host, port)`` answers ``POST /score`` with ``score(payload)`` and
``GET /health`` with ``info``. Client errors come back as ``{"error": "..."}`` with a 4xx
status: 400 for a body that is not JSON, 411 without a length, 413 for a body over
``max_body`` bytes, the error's own ``status`` (default 422) for a ``LeadscoreError``, 404 and
405 for other paths and methods; anything else is a 500 whose details go to stderr only.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from leadscore.errors import LeadscoreError

Score = Callable[[Any], dict[str, Any]]


class JsonServer(ThreadingHTTPServer):
    """A threading HTTP server that holds what its handlers answer with."""

    daemon_threads = True
    block_on_close = False  # stopping does not wait for idle keep-alive connections
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], score: Score, info: dict[str, Any],
                 max_body: int, quiet: bool) -> None:  # fmt: skip
        super().__init__(address, Handler)
        self.score, self.info, self.max_body, self.quiet = score, info, max_body, quiet


class Handler(BaseHTTPRequestHandler):
    """``POST /score`` and ``GET /health``, JSON in and out, keep-alive."""

    protocol_version = "HTTP/1.1"
    server_version = "leadscore"
    server: JsonServer

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, allow_nan=False, default=str).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status >= 400 and status not in (404, 405, 422):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": message})

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path.split("?", 1)[0] == "/health":
            self._send(200, {"status": "ok", **self.server.info})
        elif self.path.split("?", 1)[0] == "/score":
            self._error(405, "POST the leads as JSON to /score")
        else:
            self._error(404, f"no such path {self.path!r}: POST /score, GET /health")

    def _body(self) -> Any:
        """The decoded JSON body, or None after answering the error."""
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            self._error(411, "send the body with a Content-Length")
            return None
        if int(length) > self.server.max_body:
            self._error(413, f"the body is over {self.server.max_body:,} bytes")
            return None
        raw = self.rfile.read(int(length))
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            self._error(400, f"the body is not valid JSON: {exc}")
            return None

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path.split("?", 1)[0] != "/score":
            self._error(404, f"no such path {self.path!r}: POST /score, GET /health")
            return
        payload = self._body()
        if payload is None:
            return
        try:
            answer = self.server.score(payload)
        except LeadscoreError as exc:
            self._error(getattr(exc, "status", 422), str(exc))
            return
        except Exception as exc:  # a bug: say so, keep serving
            traceback.print_exc(file=sys.stderr)
            self._error(500, f"internal error ({type(exc).__name__}); see the server's log")
            return
        self._send(200, answer)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        if not self.server.quiet:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            sys.stderr.write(f"{stamp} {self.address_string()} {format % args}\n")


def make_server(score: Score, info: dict[str, Any], host: str, port: int, *,
                max_body: int, quiet: bool = False) -> JsonServer:  # fmt: skip
    """A bound server (port 0: any free port; ``server_address`` says which)."""
    return JsonServer((host, port), score, info, max_body, quiet)
