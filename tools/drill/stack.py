"""The quick start's stack (scripts/quickstart.sh) as the drill drives it: started in the
background with the drill's rules and routing, its components stopped, frozen and started
again by the commands the quick start kept, and stopped whole at the end."""
import os
import pathlib
import shlex
import signal
import subprocess
import time
import urllib.request
import json


class Stack:
    def __init__(self, root, state, environment):
        self.root = pathlib.Path(root)
        self.state = pathlib.Path(state)
        env = dict(os.environ, OOE_QUICKSTART_DIR=str(state), OOE_QUICKSTART_LISTEN="auto",
                   **environment)
        self.log = open(self.state.parent / (self.state.name + ".quickstart.log"), "w")
        self.process = subprocess.Popen([str(self.root / "scripts/quickstart.sh"), "--no-build"],
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        log = pathlib.Path(self.log.name)
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace")
            if "Press Ctrl-C" in text:
                if " FAIL " in text:
                    raise RuntimeError("the stack is not healthy:\n" + text[-3000:])
                self.env = self._read_env()
                return
            if self.process.poll() is not None:
                raise RuntimeError("quickstart.sh stopped:\n" + text[-3000:])
            time.sleep(1)
        raise RuntimeError("the stack did not come up in time:\n" + log.read_text()[-3000:])

    def _read_env(self):
        env = {}
        for line in (self.state / "stack.env").read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = " ".join(shlex.split(value))
        return env

    def pids(self, name):
        """The live processes started as `name` (the latest start last)."""
        found = []
        for line in (self.state / "pids").read_text().splitlines():
            pid, _, each = line.partition(" ")
            if each == name and _alive(int(pid)):
                found.append(int(pid))
        return found

    def signal(self, name, number):
        for pid in self.pids(name):
            try:
                os.kill(pid, number)
            except ProcessLookupError:
                pass

    def stop(self, name, wait=10, first=None):
        """`first`, SIGTERM unless given, then SIGKILL after `wait` seconds."""
        self.signal(name, first or signal.SIGTERM)
        deadline = time.monotonic() + wait
        while self.pids(name) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.signal(name, signal.SIGKILL)
        # SIGKILL is delivered, not done: wait until the process and its threads are gone.
        deadline = time.monotonic() + 10
        while self.pids(name) and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self, name):
        """Runs the command quickstart.sh started `name` with, again, logging where it did."""
        command = (self.state / "commands" / name).read_text()
        with open(self.state / (name + ".log"), "a") as log:
            process = subprocess.Popen(["bash", "-c", "exec " + command], stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        with open(self.state / "pids", "a") as pids:
            pids.write(f"{process.pid} {name}\n")
        return process.pid

    def freeze(self, name, frozen):
        """SIGSTOP (or SIGCONT) the process and everything it started, as a stuck disk does."""
        for pid in self.pids(name):
            for each in [pid] + _descendants(pid):
                try:
                    os.kill(each, signal.SIGSTOP if frozen else signal.SIGCONT)
                except ProcessLookupError:
                    pass

    def podman(self, *arguments, check=True, timeout=120):
        try:
            done = subprocess.run(self.env["PODMAN"].split() + list(arguments), check=False,
                                  capture_output=True, text=True, cwd=str(self.state),
                                  timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            raise RuntimeError(f"podman {' '.join(arguments)}: no answer in {timeout} s") \
                from expired
        if check and done.returncode != 0:
            raise RuntimeError(f"podman {' '.join(arguments)}: exit {done.returncode}: "
                               f"{done.stderr.strip()[-500:]}")
        return done

    def prometheus(self, query):
        url = (f"http://127.0.0.1:{self.env['PROMETHEUS_PORT']}/api/v1/query?query="
               + urllib.request.quote(query))
        with urllib.request.urlopen(url, timeout=10) as reply:
            return json.load(reply)["data"]["result"]

    def standin(self, path, body):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.env['STANDIN_PORT']}{path}", data=body.encode(),
            method="POST")
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.read().decode()

    def close(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def _alive(pid):
    """Running, not a zombie: what quickstart.sh started and the drill killed stays a zombie
    until quickstart.sh's shell reaps it, and kill(pid, 0) succeeds on a zombie. A zombie
    leader whose other threads are still exiting counts as alive: they share its files, and
    its listening socket stays bound until the last of them is gone (the stand-in's 256
    threads; a restart that came sooner could not bind its port)."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z" or threads > 1


def _descendants(pid):
    children = []
    try:
        for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            children += [int(c) for c in text]
    except OSError:
        return []
    return children + [d for c in children for d in _descendants(c)]
