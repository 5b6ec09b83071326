"""Each cause of a 502 the drill injects for real: how to bring it about, how to undo it, and
whether editors see a 5xx from it (a cause with a precursor should page before they do)."""
import signal
import socket
import threading
import time
import urllib.request


class Cause:
    name = ""
    # Whether this fault makes editors' requests fail; where it does, the page must come no later
    # than 60 s (scaled with --fast) after the first 5xx.
    five_xx = False
    # Alerts that count the fault's events over a range (15 minutes, scaled): they fire on for
    # that range after the stack is back, by design, and do not hold the next cause back.
    outlasting = ()

    def __init__(self, stack, scale):
        self.stack = stack
        self.scale = scale  # seconds of the full drill -> seconds of this run

    def inject(self):
        raise NotImplementedError

    def recover(self):
        raise NotImplementedError


class DocserviceDown(Cause):
    name = "docservice_down"
    five_xx = True

    def inject(self):
        self.stack.signal("documentserver-standin", signal.SIGKILL)

    def recover(self):
        self.stack.start("documentserver-standin")


class RabbitmqDown(Cause):
    name = "rabbitmq_down"

    def inject(self):
        # DocService answers false (7.1 and 9.4) from the moment the broker closes its
        # connections, early in a shutdown that then takes RabbitMQ seconds to finish.
        self.stack.standin("/control/mode", "unhealthy")
        self.stack.stop("converter")
        self.stack.stop("rabbitmq", wait=30)

    def recover(self):
        self.stack.start("rabbitmq")
        wait_for(lambda: _get(self.stack.env["RABBITMQ_API"] + "/overview"), 120)
        self.stack.start("converter")
        self.stack.standin("/control/mode", "healthy")


class RedisDown(Cause):
    name = "redis_down"

    def inject(self):
        self.stack.stop("redis")
        self.stack.standin("/control/mode", "unhealthy")  # where Redis is used, its check fails

    def recover(self):
        self.stack.start("redis")
        self.stack.standin("/control/mode", "healthy")


class ConverterDown(Cause):
    """The converter gone while documents keep being opened: tasks pile up in ds.converttask."""
    name = "converter_down"

    def inject(self):
        self.stack.stop("converter")
        self.publishing = threading.Event()
        threading.Thread(target=self._publish, daemon=True).start()

    def _publish(self):
        url = (self.stack.env["RABBITMQ_API"] + "/exchanges/%2F/amq.default/publish")
        body = (b'{"properties":{},"routing_key":"ds.converttask","payload":"convert",'
                b'"payload_encoding":"string"}')
        while not self.publishing.is_set():
            _post(url, body)
            self.publishing.wait(self.scale(1))

    def recover(self):
        self.publishing.set()
        self.stack.start("converter")


class UpstreamTimeout(Cause):
    """docservice slower than nginx's proxy_read_timeout (60 s, scaled): nginx answers 504."""
    name = "upstream_timeout"
    five_xx = True

    def inject(self):
        self.stack.standin("/control/mode", f"slow:{round(self.scale(70) * 1000)}")

    def recover(self):
        self.stack.standin("/control/mode", "healthy")


class LicenseNearLimit(Cause):
    """18 editor connections of the open-source license's 20: the next ones are refused soon."""
    name = "license_near_limit"

    def inject(self):
        self.stack.standin("/control/connections", "18")

    def recover(self):
        self.stack.standin("/control/connections", "0")


class CpuSaturation(Cause):
    """Document Server's container at its CPU limit: busy shells in its half a core."""
    name = "cpu_saturation"

    def inject(self):
        # Four for half a core: throttled at its limit even while the host's other work takes
        # its share of the two cores (two were not always enough on a loaded machine).
        for _ in range(4):
            self.stack.podman("exec", "-d", "onlyoffice-documentserver-1", "sh", "-c",
                              "while :; do :; done")

    def recover(self):
        # The burners are the container's only busy shells besides its own loop: restart it.
        self.stack.podman("restart", "-t", "0", "onlyoffice-documentserver-1")


class PostgresDown(Cause):
    """PostgreSQL stopped; as DocService 7.x does (fixtures' SOURCES.md), docservice exits on the
    uncaught "terminating connection" a moment later, and supervisord's restarts of it fail
    their healthcheck until the database is back."""
    name = "postgres_down"
    five_xx = True

    def inject(self):
        # SIGINT is PostgreSQL's fast shutdown (pg_ctl -m fast, as the fixtures were captured):
        # SIGTERM would wait for every session to end, the exporter's kept one too.
        self.stack.stop("postgres", wait=30, first=signal.SIGINT)
        time.sleep(self.scale(5))
        self.stack.stop("documentserver-standin", wait=0, first=signal.SIGKILL)
        time.sleep(self.scale(5))  # supervisord's start delay
        self.stack.start("documentserver-standin")
        wait_for(lambda: self.stack.standin("/control/mode", "unhealthy"), 10, 0.1)

    def recover(self):
        self.stack.start("postgres")
        self.stack.standin("/control/mode", "healthy")


class PostgresHung(Cause):
    """Every PostgreSQL process SIGSTOPped: DocService's healthcheck sends nothing (SOURCES.md)."""
    name = "postgres_hung"
    five_xx = True

    def inject(self):
        self.stack.freeze("postgres", True)
        self.stack.standin("/control/mode", "hang")

    def recover(self):
        self.stack.freeze("postgres", False)
        self.stack.standin("/control/mode", "healthy")


class OomKill(Cause):
    """A Document Server container with --restart always whose PID 1 outgrows its memory limit:
    the engine restarts it each time and resets its OOMKilled flag."""
    name = "oom_kill"
    container = "onlyoffice-documentserver-2"
    outlasting = ("ContainerOomKillEvent", "ContainerRestartLoop")

    def inject(self):
        self.stack.podman("rm", "-f", self.container, check=False)
        self.stack.podman(
            "run", "-d", "--name", self.container, "--network", "none", "--restart", "always",
            "--memory", "32m", "--memory-swap", "32m",
            # As the quick start runs its containers: Podman's default nofile limit is above
            # what this session may grant, and runc refuses it.
            "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
            "--label", "com.docker.compose.project=onlyoffice",
            "--label", "com.docker.compose.service=documentserver",
            "localhost/busybox:quickstart",
            "sh", "-c", "sleep 2; exec dd if=/dev/zero of=/dev/null bs=64M count=1")

    def recover(self):
        self.stack.podman("rm", "-f", "-t", "0", self.container, check=False)


class EdgeProxyDown(Cause):
    """The edge proxy pointed at an address where nothing listens (a recreated container's old
    address, a network gone) while Document Server itself is fine."""
    name = "edge_proxy_down"
    five_xx = True

    def inject(self):
        config = self.stack.state / "edge" / "nginx.conf"
        self.original = config.read_text()
        inner = f"127.0.0.1:{self.stack.env['NGINX_PORT']}"
        config.write_text(self.original.replace(inner, f"127.0.0.1:{_unused_port()}"))
        self.stack.signal("edge", signal.SIGHUP)

    def recover(self):
        (self.stack.state / "edge" / "nginx.conf").write_text(self.original)
        self.stack.signal("edge", signal.SIGHUP)


def _unused_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout, step=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:  # noqa: BLE001 (a server still starting answers anything)
            pass
        time.sleep(step)
    return False


def _get(url):
    request = urllib.request.Request(url)
    request.add_header("Authorization", "Basic Z3Vlc3Q6Z3Vlc3Q=")  # guest:guest
    with urllib.request.urlopen(request, timeout=5) as reply:
        return reply.status == 200


def _post(url, body):
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Authorization", "Basic Z3Vlc3Q6Z3Vlc3Q=")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            reply.read()
    except OSError:
        pass


ALL = [DocserviceDown, PostgresDown, PostgresHung, RabbitmqDown, RedisDown, ConverterDown,
       OomKill, CpuSaturation, UpstreamTimeout, EdgeProxyDown, LicenseNearLimit]
