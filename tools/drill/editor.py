"""A synthetic editor: every second it asks Document Server's /healthcheck and a static file
through the edge proxy, as an editor's browser would, and timestamps every 5xx."""
import threading
import time
import urllib.error
import urllib.request


class Editor:
    def __init__(self, urls, timeout=65):
        self.urls = urls
        self.timeout = timeout  # longer than nginx's proxy_read_timeout: a 504 must come back
        self.lock = threading.Lock()
        self.failures = []  # (monotonic time of the answer, url, status)
        self.last_ok = {}
        self.stopping = threading.Event()
        for url in urls:
            threading.Thread(target=self._poll, args=(url,), daemon=True).start()

    def _poll(self, url):
        while not self.stopping.is_set():
            started = time.monotonic()
            status = self._get(url)
            answered = time.monotonic()
            with self.lock:
                if status >= 500:
                    # When the editor saw it: a 504 comes proxy_read_timeout after the request.
                    self.failures.append((answered, url, status))
                elif status == 200:
                    self.last_ok[url] = time.monotonic()
            self.stopping.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    def _get(self, url):
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as reply:
                reply.read()
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 599  # no HTTP answer at all: what a browser shows as a failed load

    def first_failure(self, since):
        """(time, url, status) of the first 5xx answered since `since`, or None."""
        with self.lock:
            later = [f for f in self.failures if f[0] >= since]
        return min(later) if later else None

    def healthy_since(self, moment):
        """Whether every URL answered 200 after `moment` and nothing failed since."""
        with self.lock:
            return (all(self.last_ok.get(url, 0) > moment for url in self.urls)
                    and not any(f[0] >= moment for f in self.failures))

    def status(self):
        """Each URL's last 200 and last 5xx, in seconds ago, for a one-line report."""
        now = time.monotonic()
        with self.lock:
            parts = []
            for url in self.urls:
                ok = self.last_ok.get(url)
                failed = [f for f in self.failures if f[1] == url]
                parts.append(f"{url.split('/', 3)[-1]}: last 200 "
                             f"{'never' if ok is None else f'{now - ok:.0f} s ago'}"
                             + (f", last {failed[-1][2]} {now - failed[-1][0]:.0f} s ago"
                                if failed else ""))
        return ", ".join(parts)

    def close(self):
        self.stopping.set()
