"""What the deploy/ checks share: failure collection and starting this build's exporter with a
deployment's own flags and config file, to prove it accepts them."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Failures:
    """Collects every finding, so one run lists them all."""

    def __init__(self, name):
        self.name = name
        self.messages = []

    def check(self, condition, message):
        if not condition:
            self.messages.append(message)
        return condition

    def finish(self, passed_line):
        if self.messages:
            for message in self.messages:
                print(f"{self.name}: {message}", file=sys.stderr)
            sys.exit(1)
        print(passed_line)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_exporter(binary, arguments, seconds=10):
    """Starts the exporter with `arguments` on a free loopback port and returns its /metrics
    text once /-/healthy answers; raises with its stderr when it exits or never answers."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ONLYOFFICE_EXPORTER_")}
    process = subprocess.Popen(
        [binary, *arguments, f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment, text=True)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"exited with {process.returncode}: {process.stderr.read()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/healthy", timeout=1):
                    pass
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
                    return r.read().decode()
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise RuntimeError(f"did not answer /-/healthy within {seconds} s")
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
