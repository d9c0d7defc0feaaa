"""The threaded HTTP/1.1 (keep-alive) server every emulator runs on, logging each request."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

import attrs

from prorata_emulators.kit._log import LoggedRequest, RequestLog

__all__ = ["EmulatorHTTPServer", "Handle", "JsonReply", "Reply"]


class Reply(Protocol):
    """What an emulator answers: ``drop`` closes the connection instead (a lost response)."""

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> bytes: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def drop(self) -> bool: ...


Handle = Callable[[str, str, dict[str, str], bytes], Reply]
"""``handle(method, target, headers, body)``: ``target`` is the path with its query string."""


@attrs.frozen(kw_only=True)
class JsonReply:
    """A JSON reply built by the kit itself (control routes, an emulator bug's 500)."""

    status: int
    body: bytes
    headers: Mapping[str, str] = attrs.field(factory=lambda: {"Content-Type": "application/json"})
    drop: bool = False

    @classmethod
    def of(cls, status: int, payload: Any) -> JsonReply:
        return cls(status=status, body=json.dumps(payload).encode())


class _Handler(BaseHTTPRequestHandler):
    server: EmulatorHTTPServer  # pyright: ignore[reportIncompatibleVariableOverride]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            reply = self.server.dispatch(self.command, self.path, dict(self.headers.items()), body)
        except Exception as error:  # an emulator bug: answer 500 so tests see it, keep serving
            reply = JsonReply.of(500, {"error": {"message": f"emulator bug: {error!r}"}})
        self.server.log.record(
            LoggedRequest(
                method=self.command, path=self.path, body=body, status=None if reply.drop else reply.status
            )
        )
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _dispatch


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Serves ``handle`` (as ``dispatch``) on ``(host, port)`` (port 0: any free port); ``log`` records every request."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handle: Handle, log: RequestLog | None = None) -> None:
        super().__init__(address, _Handler)
        self.dispatch = handle
        self.log = log if log is not None else RequestLog()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
