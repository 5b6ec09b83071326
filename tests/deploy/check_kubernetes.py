#!/usr/bin/env python3
"""deploy/kubernetes: every manifest parses; the generated PrometheusRule and dashboard
ConfigMaps match generate.py (drift fails) and promtool accepts the rules; the Service, the
ServiceMonitor and the Deployment select each other; the Deployment mounts what exists; the
Docker collector is off; and this build's exporter starts with the Deployment's args and the
ConfigMap's config, running every collector but Docker.
Usage: check_kubernetes.py EXPORTER_BINARY"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

from deploy_checks import REPO, Failures, run_exporter

KUBERNETES_DIR = os.path.join(REPO, "deploy", "kubernetes")


def selects(selector, labels):
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def main():
    binary = sys.argv[1]
    failures = Failures("check_kubernetes")
    result = subprocess.run([sys.executable, os.path.join(KUBERNETES_DIR, "generate.py"), "--check"],
                            capture_output=True, text=True)
    failures.check(result.returncode == 0, f"generated files drift: {result.stderr.strip()}")

    objects = {}
    for path in sorted(glob.glob(os.path.join(KUBERNETES_DIR, "*.yaml"))):
        with open(path) as file:
            try:
                documents = [d for d in yaml.safe_load_all(file) if d is not None]
            except yaml.YAMLError as error:
                failures.messages.append(f"{os.path.basename(path)}: does not parse: {error}")
                continue
        for document in documents:
            if os.path.basename(path) == "kustomization.yaml":
                objects[("Kustomization", "kustomization")] = document
                continue
            ok = failures.check(
                all(key in document for key in ("apiVersion", "kind", "metadata")) and
                "name" in document["metadata"], f"{os.path.basename(path)}: not a named object")
            if ok:
                document["_file"] = os.path.basename(path)
                objects[(document["kind"], document["metadata"]["name"])] = document

    kustomization = objects.get(("Kustomization", "kustomization"), {})
    resources = kustomization.get("resources", [])
    for resource in resources:
        failures.check(os.path.isfile(os.path.join(KUBERNETES_DIR, resource)),
                       f"kustomization.yaml: {resource} does not exist")
    listed = {document["_file"] for key, document in objects.items()
              if key[0] != "Kustomization"} - {"secret.example.yaml"}
    failures.check(listed <= set(resources),
                   f"kustomization.yaml leaves out {sorted(listed - set(resources))}")

    deployment = objects[("Deployment", "onlyoffice-exporter")]
    service = objects[("Service", "onlyoffice-exporter")]
    monitor = objects[("ServiceMonitor", "onlyoffice-exporter")]
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]
    failures.check(selects(deployment["spec"]["selector"]["matchLabels"], pod["metadata"]["labels"]),
                   "Deployment: its selector does not match its pods")
    failures.check(selects(service["spec"]["selector"], pod["metadata"]["labels"]),
                   "Service: its selector does not match the Deployment's pods")
    failures.check(selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"]),
                   "ServiceMonitor: its selector does not match the Service's labels")
    port_names = {port["name"] for port in service["spec"]["ports"]}
    container_ports = {port["name"] for port in container["ports"]}
    for endpoint in monitor["spec"]["endpoints"]:
        failures.check(endpoint.get("port") in port_names,
                       f"ServiceMonitor: port {endpoint.get('port')} is not a Service port name")
    for port in service["spec"]["ports"]:
        failures.check(port["targetPort"] in container_ports,
                       f"Service: targetPort {port['targetPort']} is not a container port")
    for probe in ("livenessProbe", "readinessProbe"):
        failures.check(container.get(probe, {}).get("httpGet", {}).get("port") in container_ports,
                       f"Deployment: {probe} is not on a container port")
    # The rules' ExporterDown expects job="onlyoffice-exporter": the ServiceMonitor's job label is
    # the Service's name unless jobLabel says otherwise.
    failures.check(service["metadata"]["name"] == "onlyoffice-exporter" and
                   "jobLabel" not in monitor["spec"], "the scrape job is not onlyoffice-exporter")

    arguments = container.get("args", [])
    failures.check("--no-collector.docker" in arguments, "Deployment: the Docker collector is on")
    security = container.get("securityContext", {})
    failures.check(pod["spec"].get("securityContext", {}).get("runAsNonRoot") is True and
                   security.get("readOnlyRootFilesystem") is True and
                   security.get("allowPrivilegeEscalation") is False,
                   "Deployment: not non-root with a read-only root and no privilege escalation")
    # Every volume names an object that exists (the Secret: its example, created by hand).
    mounts = {}
    for volume in pod["spec"]["volumes"]:
        if "configMap" in volume:
            config_map = objects.get(("ConfigMap", volume["configMap"]["name"]))
            failures.check(config_map, f"Deployment: no ConfigMap {volume['configMap']['name']}")
            mounts[volume["name"]] = ("configMap", config_map)
        elif "secret" in volume:
            secret = objects.get(("Secret", volume["secret"]["secretName"]))
            failures.check(secret, f"Deployment: no Secret {volume['secret']['secretName']} "
                           "(not even in secret.example.yaml)")
            mounts[volume["name"]] = ("secret", secret)
    files = {}  # path in the container -> content
    for mount in container["volumeMounts"]:
        kind, source = mounts.get(mount["name"], (None, None))
        if not source:
            failures.messages.append(f"Deployment: mount {mount['name']} has no volume")
            continue
        data = source.get("data") or source.get("stringData") or {}
        if "subPath" in mount:
            failures.check(mount["subPath"] in data,
                           f"Deployment: {mount['subPath']} is not a key of {kind} "
                           f"{source['metadata']['name']}")
            files[mount["mountPath"]] = data.get(mount["subPath"], "")
        else:
            for key, value in data.items():
                files[os.path.join(mount["mountPath"], key)] = value

    # promtool accepts the generated rules.
    rule = objects[("PrometheusRule", "onlyoffice-exporter")]
    dashboards = [document for key, document in objects.items() if key[0] == "ConfigMap" and
                  document["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    failures.check(len(dashboards) == len(glob.glob(os.path.join(REPO, "dashboards", "*.json"))),
                   "not one dashboard ConfigMap per dashboards/*.json")
    for dashboard in dashboards:
        for name, text in dashboard["data"].items():
            failures.check(json.loads(text).get("uid"), f"{name}: no dashboard uid")
    with tempfile.TemporaryDirectory() as temp:
        rules_path = os.path.join(temp, "rules.yml")
        with open(rules_path, "w") as file:
            yaml.safe_dump(rule["spec"], file)
        result = subprocess.run(["promtool", "check", "rules", rules_path], capture_output=True,
                                text=True)
        failures.check(result.returncode == 0, f"PrometheusRule: promtool: {result.stderr}")

        # The Deployment's args with the mounted files written under a temp directory.
        local = {}
        for path, content in files.items():
            local_path = os.path.join(temp, "root" + path)
            os.makedirs(os.path.dirname(local_path), exist_ok=True)
            local[path] = local_path
        for path, content in files.items():
            for container_path, local_path in local.items():
                content = content.replace(container_path, local_path)
            with open(local[path], "w") as file:
                file.write(content)
        local_arguments = []
        for argument in arguments:
            for container_path, local_path in local.items():
                argument = argument.replace(container_path, local_path)
            local_arguments.append(argument)
        missing = [argument for argument in arguments
                   if re.match(r"--[\w.-]*file=/", argument) and argument in local_arguments]
        failures.check(not missing, f"Deployment: args name files nothing mounts: {missing}")
        try:
            metrics = run_exporter(binary, local_arguments)
            for kind in ("documentserver", "rabbitmq", "redis"):
                failures.check(f'onlyoffice_exporter_collector_success{{collector="{kind}"' in
                               metrics, f"the exporter runs no {kind} collector")
            failures.check('collector="docker"' not in metrics,
                           "the exporter runs the Docker collector")
        except RuntimeError as error:
            failures.messages.append(f"the exporter rejects the Deployment's args or config: {error}")
    failures.finish(f"deploy/kubernetes: {len(objects) - 1} objects parse, generated files match, "
                    "selectors, ports, mounts, promtool and the exporter's args: OK")


if __name__ == "__main__":
    main()
