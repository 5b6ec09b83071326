#!/usr/bin/env python3
"""deploy/compose: `docker-compose config` (Debian's docker-compose, no daemon) accepts the stack;
every bind-mounted file and secret file exists; the production rules hold (healthchecks, restart
policies, limits, ulimits, depends_on conditions, user-defined networks, a read-only socket
proxy); Prometheus' config passes promtool with the repository's rules; and this build's exporter
starts with the stack's exporter config.
Usage: check_compose.py EXPORTER_BINARY"""
import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

from deploy_checks import REPO, Failures, run_exporter

COMPOSE_DIR = os.path.join(REPO, "deploy", "compose")
# Host paths outside the repository that a compose host has and this machine may not.
HOST_PATHS = {"/var/run/docker.sock"}


def bind_mounts(service):
    """(source, target, read_only) of the service's bind mounts, as `config` prints them."""
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                yield volume["source"], volume["target"], volume.get("read_only", False)
            continue
        parts = volume.split(":")
        if parts[0].startswith("/"):
            yield parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")


def named_volumes(service):
    """(volume, target, read_only) of the service's named volumes."""
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "volume":
                yield volume["source"], volume["target"], volume.get("read_only", False)
            continue
        parts = volume.split(":")
        if not parts[0].startswith(("/", ".")) and len(parts) > 1:
            yield parts[0], parts[1], len(parts) > 2 and "ro" in parts[2].split(",")


def check_logs_and_edge(services, exporter_config, failures):
    """The exporter follows Document Server's logs read-only, probes through the edge as a second
    documentserver target, reads both nginx's stub_status; the edge re-resolves Document Server."""
    documentserver = services["documentserver"]
    failures.check(("documentserver-logs", "/var/log/onlyoffice", False) in
                   set(named_volumes(documentserver)),
                   "documentserver: its logs are not on the documentserver-logs volume")
    failures.check(("documentserver-logs", "/var/log/onlyoffice", True) in
                   set(named_volumes(services["onlyoffice-exporter"])),
                   "onlyoffice-exporter: documentserver-logs is not mounted read-only at "
                   "/var/log/onlyoffice")
    targets = exporter_config["collectors"]["documentserver"]["targets"]
    failures.check(any(target.get("log_dir") == "/var/log/onlyoffice" for target in targets),
                   "onlyoffice-exporter: no documentserver target follows /var/log/onlyoffice")
    failures.check(any(target.get("url") == "http://proxy" for target in targets),
                   "onlyoffice-exporter: no documentserver target probes through the edge proxy")
    status_urls = {target.get("status_url") for target in
                   exporter_config["collectors"].get("nginx", {}).get("targets", [])}
    failures.check({"http://documentserver:8080/stub_status", "http://proxy:8080/stub_status"} <=
                   status_urls, f"onlyoffice-exporter: nginx targets {sorted(map(str, status_urls))}")
    mounts = {target: source for source, target, _ in bind_mounts(documentserver)}
    stub = mounts.get("/etc/nginx/conf.d/stub-status.conf", "")
    failures.check(stub and "stub_status;" in open(stub).read() and "listen 8080;" in open(stub).read(),
                   "documentserver: no stub_status on port 8080 mounted into its nginx")
    mounts = {target: source for source, target, _ in bind_mounts(services["proxy"])}
    with open(mounts["/etc/nginx/conf.d/default.conf"]) as file:
        edge = file.read()
    failures.check(re.search(r"^resolver 127\.0\.0\.11 valid=\d+s", edge, re.M) and
                   re.search(r"set \$documentserver http://documentserver;", edge) and
                   re.search(r"proxy_pass \$documentserver;", edge) and
                   not re.search(r"proxy_pass http://documentserver", edge),
                   "proxy: the edge resolves documentserver once (no resolver and variable)")
    failures.check("stub_status;" in edge and "listen 8080;" in edge,
                   "proxy: no stub_status on port 8080")


def secret_names(service):
    return {secret if isinstance(secret, str) else secret["source"]
            for secret in service.get("secrets", [])}


def main():
    binary = sys.argv[1]
    failures = Failures("check_compose")
    with tempfile.TemporaryDirectory() as temp:
        secrets = os.path.join(temp, "secrets")
        subprocess.run([os.path.join(COMPOSE_DIR, "make-secrets.sh"), secrets], check=True,
                       stdout=subprocess.DEVNULL)
        environment = dict(os.environ, ONLYOFFICE_SECRETS_DIR=secrets)
        result = subprocess.run(
            ["docker-compose", "-f", os.path.join(COMPOSE_DIR, "docker-compose.yml"), "config"],
            env=environment, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            sys.exit("check_compose: docker-compose config failed")
        config = yaml.safe_load(result.stdout)
        services = config["services"]
        networks = set(config.get("networks", {}))

        for name, secret in config.get("secrets", {}).items():
            failures.check(os.path.isfile(secret["file"]), f"secret {name}: no file {secret['file']}")

        for name, service in services.items():
            for source, target, read_only in bind_mounts(service):
                if source in HOST_PATHS:
                    continue
                failures.check(source.startswith(REPO + "/"),
                               f"{name}: mounts {source}, outside the repository")
                failures.check(os.path.exists(source), f"{name}: mounted {source} does not exist")
                failures.check(read_only, f"{name}: {source} is mounted writable")
            for secret_name in secret_names(service):
                failures.check(secret_name in config.get("secrets", {}),
                               f"{name}: secret {secret_name} is not defined")
            if "build" in service:
                context = service["build"]["context"]
                failures.check(os.path.isfile(os.path.join(context, service["build"]["dockerfile"])),
                               f"{name}: no Dockerfile {service['build']['dockerfile']} in {context}")
            failures.check("network_mode" not in service, f"{name}: network_mode instead of a network")
            failures.check(service.get("networks") and set(service["networks"]) <= networks,
                           f"{name}: not on the stack's own networks")
            for limit in ("mem_limit", "cpus"):
                failures.check(limit in service, f"{name}: no {limit}")
            if service.get("restart", "no") == "no":
                # One-shot jobs only: they must end, so nothing restarts them.
                failures.check(name in ("rabbitmq-users", "postgres-users"),
                               f"{name}: no restart policy")
                continue
            failures.check(service.get("restart") in ("unless-stopped", "always"),
                           f"{name}: restart is {service.get('restart')}")
            failures.check("healthcheck" in service and "test" in service["healthcheck"] or
                           name == "onlyoffice-exporter",  # its image's HEALTHCHECK
                           f"{name}: no healthcheck")
        for name in ("documentserver", "rabbitmq", "proxy"):
            nofile = services[name].get("ulimits", {}).get("nofile", {})
            failures.check(nofile == {"soft": 65536, "hard": 65536},
                           f"{name}: ulimits nofile is {nofile}, not 65536")

        documentserver = services["documentserver"]
        failures.check(re.fullmatch(r"onlyoffice/documentserver:7\.1\.\d+", documentserver["image"]),
                       f"documentserver: image {documentserver['image']} is not a pinned 7.1")
        for backend in ("postgresql", "rabbitmq", "redis"):
            failures.check(documentserver.get("depends_on", {}).get(backend) ==
                           {"condition": "service_healthy"},
                           f"documentserver: does not wait for a healthy {backend}")
        failures.check(services["proxy"].get("depends_on", {}).get("documentserver") ==
                       {"condition": "service_healthy"},
                       "proxy: nginx does not wait for a healthy Document Server")
        failures.check("grep -qx true" in " ".join(documentserver["healthcheck"]["test"]),
                       "documentserver: the healthcheck does not read the body `true`")
        failures.check("JWT_SECRET=" in " ".join(documentserver["entrypoint"]) and
                       "JWT_SECRET" not in documentserver.get("environment", {}),
                       "documentserver: the JWT secret is not read from its secret file")

        proxy = services["docker-socket-proxy"]
        environment = proxy["environment"]
        for variable, value in environment.items():
            wanted = "1" if variable in ("CONTAINERS", "EVENTS", "INFO", "PING", "VERSION") else "0"
            failures.check(str(value) == wanted,
                           f"docker-socket-proxy: {variable}={value}, not {wanted}")
        failures.check(str(environment.get("POST")) == "0", "docker-socket-proxy: POST is not 0")
        failures.check(set(proxy["networks"]) == {"docker-api"} and
                       config["networks"]["docker-api"].get("internal") is True,
                       "docker-socket-proxy: not alone on the internal docker-api network")
        failures.check(("/var/run/docker.sock", "/var/run/docker.sock", True) in
                       set(bind_mounts(proxy)), "docker-socket-proxy: socket not mounted read-only")

        exporter = services["onlyoffice-exporter"]
        mounts = {target: source for source, target, _ in bind_mounts(exporter)}
        failures.check(not any("docker.sock" in source for source in mounts.values()),
                       "onlyoffice-exporter: mounts the Docker socket itself")
        failures.check(exporter.get("read_only") is True, "onlyoffice-exporter: root not read-only")
        exporter_config_path = mounts.get("/etc/onlyoffice-exporter/config.yml")
        failures.check(exporter_config_path, "onlyoffice-exporter: no config file mounted")
        if exporter_config_path:
            with open(exporter_config_path) as file:
                exporter_config_text = file.read()
            exporter_config = yaml.safe_load(exporter_config_text)
            docker_hosts = [target.get("host") for target in
                            exporter_config["collectors"]["docker"]["targets"]]
            failures.check(docker_hosts == ["tcp://docker-socket-proxy:2375"],
                           f"onlyoffice-exporter: docker hosts {docker_hosts}")
            wanted = set(re.findall(r"/run/secrets/(\w+)", exporter_config_text))
            failures.check(wanted <= secret_names(exporter),
                           f"onlyoffice-exporter: its config reads {sorted(wanted)}, "
                           f"it gets {sorted(secret_names(exporter))}")
            check_logs_and_edge(services, exporter_config, failures)
            # This build's exporter accepts the config (secrets are read at start-up).
            local_config = os.path.join(temp, "exporter.yml")
            with open(local_config, "w") as file:
                file.write(exporter_config_text.replace("/run/secrets/", secrets + "/"))
            try:
                metrics = run_exporter(binary, [f"--config.file={local_config}"])
                for kind in ("documentserver", "rabbitmq", "redis", "docker", "nginx"):
                    failures.check(f'onlyoffice_exporter_collector_success{{collector="{kind}"' in
                                   metrics, f"onlyoffice-exporter: no {kind} collector runs")
            except RuntimeError as error:
                failures.messages.append(f"onlyoffice-exporter: rejects its config: {error}")

        # Prometheus: the rules directory is the repository's alerts/, and promtool loads it.
        prometheus = services["prometheus"]
        mounts = {target: source for source, target, _ in bind_mounts(prometheus)}
        with open(mounts["/etc/prometheus/prometheus.yml"]) as file:
            prometheus_config = yaml.safe_load(file)
        failures.check(mounts.get("/etc/prometheus/rules") == os.path.join(REPO, "alerts"),
                       "prometheus: alerts/ is not mounted at /etc/prometheus/rules")
        jobs = {job["job_name"]: job for job in prometheus_config["scrape_configs"]}
        failures.check(
            jobs.get("onlyoffice-exporter", {}).get("static_configs", [{}])[0].get("targets") ==
            ["onlyoffice-exporter:10981"], "prometheus: no onlyoffice-exporter job on the service")
        rule_files = [path.replace("/etc/prometheus/rules", os.path.join(REPO, "alerts"))
                      for path in prometheus_config["rule_files"]]
        local_prometheus = os.path.join(temp, "prometheus.yml")
        with open(local_prometheus, "w") as file:
            yaml.safe_dump(dict(prometheus_config, rule_files=rule_files), file)
        result = subprocess.run(["promtool", "check", "config", local_prometheus],
                                capture_output=True, text=True)
        rule_count = len(glob.glob(os.path.join(REPO, "alerts", "*.rules.yml")))
        failures.check(result.returncode == 0 and
                       f"SUCCESS: {rule_count} rule files found" in result.stdout + result.stderr,
                       f"prometheus: promtool check config: {result.stdout}{result.stderr}")

        grafana = services["grafana"]
        mounts = {target: source for source, target, _ in bind_mounts(grafana)}
        failures.check(mounts.get("/etc/grafana/provisioning") ==
                       os.path.join(REPO, "dashboards", "provisioning") and
                       mounts.get("/var/lib/grafana/dashboards/onlyoffice") ==
                       os.path.join(REPO, "dashboards"),
                       "grafana: the repository's provisioning and dashboards are not mounted")
        with open(os.path.join(REPO, "dashboards", "provisioning", "datasources",
                               "prometheus.yml")) as file:
            datasource_url = yaml.safe_load(file)["datasources"][0]["url"]
        failures.check(re.match(r"http://prometheus:9090$", datasource_url),
                       f"grafana: the provisioned datasource {datasource_url} is not the service")
        alertmanager = services["alertmanager"]
        failures.check((os.path.join(REPO, "alerts", "alertmanager.yml"),
                        "/etc/alertmanager/alertmanager.yml", True) in set(bind_mounts(alertmanager)),
                       "alertmanager: alerts/alertmanager.yml is not its config")
    failures.finish(f"deploy/compose: {len(services)} services, docker-compose config, mounts, "
                    "secrets, limits, healthchecks, promtool and the exporter's config: OK")


if __name__ == "__main__":
    main()
