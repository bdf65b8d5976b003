"""A tiny local webhook receiver (http.server in a thread) for the tests: records every request,
answers with a configurable status after a configurable delay."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """``behaviour(n) -> (status, delay_seconds)`` for the n-th request (0-based); default 200 at once."""

    def __init__(self, behaviour=None):
        self.behaviour = behaviour or (lambda n: (200, 0.0))
        self.requests: list[dict] = []
        self.completed: list[dict] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                record = {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body, "at": time.time()}
                with receiver._lock:
                    n = len(receiver.requests)
                    receiver.requests.append(record)
                status, delay = receiver.behaviour(n)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("content-type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if status < 300 else b"kaputt")
                except (BrokenPipeError, ConnectionResetError):
                    return
                with receiver._lock:
                    receiver.completed.append(record)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/digisos"

    def wait_for(self, count: int, timeout: float = 10.0, *, completed: bool = False) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                items = list(self.completed if completed else self.requests)
            if len(items) >= count:
                return items
            time.sleep(0.05)
        raise AssertionError(f"receiver got {len(items)} requests, expected {count}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
