"""Run a WSGI app on a local port in a background thread (tests, demos)."""

from __future__ import annotations

import threading
import time
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wsgi import ClosingIterator

# How long stopping a server waits for the requests it is still answering.
DRAIN_SECONDS = 10.0


class InFlight:
    """Wrap a WSGI app and count the requests it is answering: a call counts until its body is closed."""

    def __init__(self, app) -> None:
        self.app = app
        self.running = 0
        self._changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self._changed:
            self.running += 1
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return ClosingIterator(body, self._done)

    def _done(self) -> None:
        with self._changed:
            self.running -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is being answered; False if some still are after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.running and time.monotonic() < deadline:
                self._changed.wait(max(0.0, deadline - time.monotonic()))
            return not self.running


class ServerHandle:
    """A running background server: its URL, its port and a way to stop it."""

    def __init__(self, server: BaseWSGIServer, thread: threading.Thread, requests: InFlight) -> None:
        self.server = server
        self.thread = thread
        self.requests = requests
        self.port: int = server.server_port
        self.url = f"http://{server.host}:{self.port}"

    def shutdown(self) -> None:
        """Stop serving, close the socket, let the requests still being answered finish, end the thread.

        werkzeug answers each request in a daemon thread and does not wait for them when it stops:
        without the wait, a request could still be running (holding or about to take a database
        connection) after its server, and the test that used it, had ended.
        """
        self.server.shutdown()
        self.server.server_close()
        self.requests.wait_idle(DRAIN_SECONDS)
        self.thread.join(timeout=10)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.shutdown()


def serve_in_thread(app, host: str = "127.0.0.1", port: int = 0) -> ServerHandle:
    """Serve a WSGI app from a daemon thread; port 0 picks a free port."""
    requests = InFlight(app)
    server = make_server(host, port, requests, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                              name=f"serve-{server.server_port}",
                              daemon=True)
    thread.start()
    return ServerHandle(server, thread, requests)
