"""Run a WSGI app on a local port in a background thread (tests, demos)."""

from __future__ import annotations

import threading
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, make_server


class ServerHandle:
    """A running background server: its URL, its port and a way to stop it."""

    def __init__(self, server: BaseWSGIServer, thread: threading.Thread) -> None:
        self.server = server
        self.thread = thread
        self.port: int = server.server_port
        self.url = f"http://{server.host}:{self.port}"

    def shutdown(self) -> None:
        """Stop serving, close the socket and wait for the thread to end."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.shutdown()


def serve_in_thread(app, host: str = "127.0.0.1", port: int = 0) -> ServerHandle:
    """Serve a WSGI app from a daemon thread; port 0 picks a free port."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                              name=f"serve-{server.server_port}",
                              daemon=True)
    thread.start()
    return ServerHandle(server, thread)
