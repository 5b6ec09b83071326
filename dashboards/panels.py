"""What the dashboards are built from: the selectors every query carries, the panel kinds
(timeseries, stat, state timeline, table) with this project's defaults, the Layout that places
panels in rows, the variables and the dashboard around them."""

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job=~"$job", instance=~"$instance"'


def sel(extra=""):
    return "{" + SEL + (", " + extra if extra else "") + "}"


class Layout:
    """Places panels left to right in rows of 24 columns."""

    def __init__(self):
        self.x = 0
        self.y = 0
        self.row_height = 0
        self.next_id = 1
        self.panels = []

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.x = 0
            self.y += self.row_height
            self.row_height = 0
        panel["id"] = self.next_id
        self.next_id += 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.row_height = max(self.row_height, h)
        self.panels.append(panel)

    def row(self, title):
        if self.x or self.row_height:
            self.y += self.row_height
        self.x = 0
        self.row_height = 0
        self.panels.append({"id": self.next_id, "type": "row", "title": title, "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.next_id += 1
        self.y += 1


def targets(queries):
    out = []
    for i, query in enumerate(queries):
        expr, legend = query if isinstance(query, tuple) else (query, "")
        out.append({"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr,
                    "legendFormat": legend, "range": True, "instant": False})
    return out


def thresholds(steps):
    """steps: [(value or None, colour)]"""
    return {"mode": "absolute",
            "steps": [{"value": v, "color": c} for v, c in steps]}


def timeseries(title, queries, unit, description="", stack=False, minimum=0, maximum=None,
               steps=None, bars=False):
    defaults = {"unit": unit, "min": minimum,
                "custom": {"drawStyle": "bars" if bars else "line", "lineWidth": 1,
                           "fillOpacity": 10, "showPoints": "never",
                           "stacking": {"mode": "normal" if stack else "none"},
                           "thresholdsStyle": {"mode": "dashed" if steps else "off"}}}
    if maximum is not None:
        defaults["max"] = maximum
    if steps:
        defaults["thresholds"] = thresholds(steps)
    return {"type": "timeseries", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets(queries),
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom",
                                   "calcs": ["lastNotNull", "max"]},
                        "tooltip": {"mode": "multi", "sort": "desc"}}}


def stat(title, queries, unit, steps, description="", mappings=None, text_mode="value_and_name",
         color_mode="background", decimals=None):
    defaults = {"unit": unit, "thresholds": thresholds(steps), "color": {"mode": "thresholds"},
                "mappings": mappings or []}
    if decimals is not None:
        defaults["decimals"] = decimals
    return {"type": "stat", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets(queries),
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"colorMode": color_mode, "graphMode": "none", "justifyMode": "auto",
                        "textMode": text_mode, "orientation": "auto",
                        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}}


def state_timeline(title, queries, unit, mappings, steps, description=""):
    return {"type": "state-timeline", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets(queries),
            "fieldConfig": {"defaults": {"unit": unit, "mappings": mappings,
                                         "thresholds": thresholds(steps),
                                         "color": {"mode": "thresholds"}},
                            "overrides": []},
            "options": {"showValue": "never", "mergeValues": True, "rowHeight": 0.8,
                        "legend": {"showLegend": False}}}


def table(title, queries, unit, description="", steps=None):
    defaults = {"unit": unit}
    if steps:
        defaults["thresholds"] = thresholds(steps)
        defaults["custom"] = {"cellOptions": {"type": "color-background"}}
    t = targets(queries)
    for target in t:
        target["format"] = "table"
        target["instant"] = True
        target["range"] = False
    return {"type": "table", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": t,
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"showHeader": True},
            "transformations": [{"id": "merge", "options": {}},
                                {"id": "organize", "options": {"excludeByName": {"Time": True}}}]}


UP_DOWN = [{"type": "value", "options": {"0": {"text": "DOWN", "color": "red"},
                                         "1": {"text": "UP", "color": "green"}}}]
RED_GREEN = [(None, "red"), (1, "green")]
GREEN_RED = [(None, "green"), (1, "red")]


def variables(job_metric, extra=()):
    query = lambda q: {"query": q, "refId": "StandardVariableQuery"}
    out = [
        {"name": "datasource", "label": "Data source", "type": "datasource",
         "query": "prometheus", "current": {}, "hide": 0, "refresh": 1, "regex": "",
         "options": []},
        {"name": "job", "label": "Job", "type": "query", "datasource": DATASOURCE,
         "definition": "label_values(%s, job)" % job_metric,
         "query": query("label_values(%s, job)" % job_metric),
         "refresh": 2, "includeAll": True, "multi": True, "allValue": ".+", "current": {},
         "sort": 1, "hide": 0, "options": []},
        {"name": "instance", "label": "Instance", "type": "query", "datasource": DATASOURCE,
         "definition": 'label_values(%s{job=~"$job"}, instance)' % job_metric,
         "query": query('label_values(%s{job=~"$job"}, instance)' % job_metric),
         "refresh": 2, "includeAll": True, "multi": True, "allValue": ".+", "current": {},
         "sort": 1, "hide": 0, "options": []},
    ]
    for name, label, definition in extra:
        out.append({"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
                    "definition": definition, "query": query(definition), "refresh": 2,
                    "includeAll": True, "multi": True, "allValue": ".+", "current": {},
                    "sort": 1, "hide": 0, "options": []})
    return out


def dashboard(uid, title, description, layout, templating):
    return {
        "uid": uid, "title": title, "description": description,
        "tags": ["onlyoffice", "onlyoffice-exporter"], "timezone": "",
        "schemaVersion": 38, "version": 1, "editable": True, "graphTooltip": 1,
        "time": {"from": "now-3h", "to": "now"}, "refresh": "30s",
        "links": [{"title": "ONLYOFFICE dashboards", "type": "dashboards",
                   "tags": ["onlyoffice"], "asDropdown": True, "includeVars": True,
                   "keepTime": True}],
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "templating": {"list": templating},
        "panels": layout.panels,
    }


# Selectors and steps the Document Server dashboards share.
NGINX = 'via="nginx"'
DOCSERVICE = 'via="docservice"'
CONVERTTASK = 'queue="ds.converttask"'
STATUS_STEPS = [(None, "red"), (200, "green"), (201, "red")]
