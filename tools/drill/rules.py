"""The shipped rules and routing, as the drill loads them: unchanged in a full run; with
--fast every `for:`, every range and Alertmanager's waits divided by one factor, and the
receivers pointed at the drill's webhook either way."""
import pathlib
import re

import yaml

DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(text):
    total = 0.0
    for number, unit in DURATION.findall(str(text)):
        total += float(number) * SECONDS[unit]
    return total


def duration(value):
    """Prometheus' duration syntax, whole milliseconds."""
    ms = max(1, round(value * 1000))
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def scale_expr(expr, factor):
    # Range selectors and subquery ranges: [5m], [1h:5m].
    return re.sub(r"\[(\d+(?:\.\d+)?(?:ms|s|m|h|d))(?::(\d+(?:\.\d+)?(?:ms|s|m|h|d)))?\]",
                  lambda m: "[" + duration(seconds(m.group(1)) / factor)
                  + (":" + duration(seconds(m.group(2)) / factor) if m.group(2) else "") + "]",
                  expr)


def write_rules(source_dir, target_dir, factor):
    target = pathlib.Path(target_dir)
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(pathlib.Path(source_dir).glob("*.rules.yml")):
        document = yaml.safe_load(path.read_text())
        if factor != 1:
            for group in document.get("groups", []):
                for rule in group.get("rules", []):
                    rule["expr"] = scale_expr(str(rule["expr"]), factor)
                    if "for" in rule:
                        rule["for"] = duration(seconds(rule["for"]) / factor)
        (target / path.name).write_text(yaml.safe_dump(document, sort_keys=False))
    return str(target)


def write_alertmanager(source, target, receiver, factor):
    document = yaml.safe_load(pathlib.Path(source).read_text())
    for each in document.get("receivers", []):
        for webhook in each.get("webhook_configs", []):
            webhook["url"] = receiver.url("/" + each["name"])

    def scale(route):
        for key in ("group_wait", "group_interval", "repeat_interval"):
            if key in route:
                route[key] = duration(seconds(route[key]) / factor)
        for child in route.get("routes", []):
            scale(child)

    if factor != 1:
        scale(document["route"])
    pathlib.Path(target).write_text(yaml.safe_dump(document, sort_keys=False))
    return target
