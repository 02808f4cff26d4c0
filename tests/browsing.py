"""What every browser test shares: Debian's Chromium, the flags it needs in a closed
sandbox, and a static file server on localhost."""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import socketserver
import threading
from pathlib import Path
from typing import Iterator

CHROMIUM = os.environ.get("POEMSKB_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out, which this
# network refuses; --no-sandbox because tests run as root in CI.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve a built site on a free localhost port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def chromium_missing_message() -> str | None:
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    return (f"the browser tests need Debian's Chromium at {CHROMIUM}, which is missing: run 'make browser' "
            "(scripts/ensure-chromium.sh) or 'apt-get install chromium', or point POEMSKB_CHROMIUM at a Chromium binary")
