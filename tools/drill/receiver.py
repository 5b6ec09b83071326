"""A webhook receiver for Alertmanager that timestamps each notification: the drill's pager."""
import http.server
import json
import threading
import time


class Receiver:
    """Listens on 127.0.0.1:port; /pager and /ticket are the shipped routing's two receivers."""

    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.notifications = []  # (received, path, alert) for each alert of each delivery
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the standard library's name)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                now = time.monotonic()
                with receiver.lock:
                    for alert in body.get("alerts", []):
                        receiver.notifications.append((now, self.path, alert))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def pages(self, since, carried=()):
        """Firing alerts delivered to the pager since `since` (monotonic), oldest first, but for
        those `carried` (label sets of open_pages()) still firing from before: a repeat of one of
        them is not a new page."""
        with self.lock:
            return [(t, alert) for t, path, alert in self.notifications
                    if path == "/pager" and t >= since and alert.get("status") == "firing"
                    and alert.get("labels", {}) not in carried]

    def open_pages(self):
        """Alerts whose last notification at the pager said firing: not resolved yet."""
        last = {}
        with self.lock:
            for _, path, alert in self.notifications:
                if path == "/pager":
                    last[tuple(sorted(alert.get("labels", {}).items()))] = alert.get("status")
        return [dict(labels) for labels, status in last.items() if status == "firing"]

    def close(self):
        self.server.shutdown()
