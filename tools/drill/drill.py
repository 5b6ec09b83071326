#!/usr/bin/env python3
"""The 502 drill: the quick start's stack with the shipped rules and routing, a pager webhook
and a synthetic editor; each cause of a 502 injected for real, one after another, then a healthy
phase with a clean restart of Document Server in which nothing may page. Prints a table (cause,
first 5xx after the fault, first page after it, which alert, lead = 5xx minus page) and, with
--json, writes its rows. Run by scripts/drill.sh."""
import argparse
import json
import os
import pathlib
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import causes as causes_module  # noqa: E402
from editor import Editor  # noqa: E402
from receiver import Receiver  # noqa: E402
import rules  # noqa: E402
from stack import Stack  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRAPE_INTERVAL = 15  # seconds, as deploy/compose's Prometheus scrapes and evaluates
PAGE_WITHIN_5XX = 60  # seconds: the page comes no later than this after editors' first 5xx
# Seconds after the page that a 5xx still coming is waited for: a hung database's 504 comes when
# nginx's 60 s proxy_read_timeout ends; one not there by then is not coming.
LATE_5XX_WAIT = 2 * 60


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def firing_pages(stack):
    return stack.prometheus('ALERTS{alertstate="firing", severity="critical"}')


def settle(stack, editor, receiver, scale, what, outlasting=()):
    """Waits until editors are served, no page fires and every page was resolved at the pager:
    the stack is back, and Alertmanager holds no group that would delay the next cause's page
    by its group_interval. Pages named in `outlasting` may still fire: they count events over a
    range that has not passed yet, and group by alertname, apart from the next cause's page."""
    deadline = time.monotonic() + scale(20 * 60)
    last_error = []

    def firing():
        # A query that fails (Prometheus slow on a loaded machine) is not an answer: asked again.
        try:
            return [p for p in firing_pages(stack)
                    if p["metric"].get("alertname") not in outlasting]
        except OSError as error:
            last_error[:] = [f"Prometheus query failed: {error}"]
            return [{"metric": {"alertname": "(query failed)"}}]
    still_open = lambda: [p for p in receiver.open_pages()  # noqa: E731
                          if p.get("alertname") not in outlasting]
    while time.monotonic() < deadline:
        if (editor.healthy_since(time.monotonic() - scale(30)) and not firing()
                and not still_open()):
            # Alertmanager drops a group whose alerts all resolved at its next maintenance
            # (every 30 s, not scaled); until then a new page joins it and waits group_interval.
            time.sleep(min(35, scale(60)))
            return
        time.sleep(scale(5))
    # Every condition still unmet, so that one line says why.
    unmet = [f"firing: {sorted({p['metric'].get('alertname', '') for p in firing()})}",
             f"open at the pager: {sorted({p.get('alertname', '') for p in still_open()})}",
             f"editor: {editor.status()}"] + last_error
    raise RuntimeError(f"{what}: not back within {scale(20 * 60):.0f} s; " + "; ".join(unmet))


def run_cause(cause, stack, editor, receiver, scale, outlasting):
    """Injects the cause, waits for its page (and 5xx), recovers it and settles; `outlasting`
    names the earlier causes' pages that may still fire."""
    carried = receiver.open_pages()  # an earlier cause's outlasting pages
    started = time.monotonic()
    cause.inject()
    deadline = started + scale(30 * 60)
    page = failure = None
    while time.monotonic() < deadline:
        pages = receiver.pages(started, carried)
        page = page or (pages[0] if pages else None)
        failure = failure or editor.first_failure(started)
        if page and (failure or not cause.five_xx
                     or time.monotonic() > page[0] + scale(LATE_5XX_WAIT)):
            break
        time.sleep(0.2)
    cause.recover()
    recovering = time.monotonic()
    row = {"cause": cause.name,
           "first_502_s": round(failure[0] - started, 1) if failure else None,
           "first_page_s": round(page[0] - started, 1) if page else None,
           "alert": page[1]["labels"].get("alertname") if page else None}
    settle(stack, editor, receiver, scale, cause.name, outlasting | set(cause.outlasting))
    print(f"    {row}; injected for {recovering - started:.0f} s, "
          f"back and resolved {time.monotonic() - recovering:.0f} s later", flush=True)
    return row


def run_healthy(stack, editor, receiver, scale, minutes):
    """Nothing may page: the stack as it runs, with one clean restart of Document Server."""
    started = time.monotonic()
    length = scale(minutes * 60)
    time.sleep(length / 2)
    stack.podman("restart", "onlyoffice-documentserver-1")
    stack.stop("documentserver-standin")
    stack.start("documentserver-standin")
    time.sleep(length / 2)
    pages = receiver.pages(started)
    return {"cause": "healthy", "false_pages": len(pages), "minutes": minutes,
            "alert": ", ".join(sorted({p[1]["labels"].get("alertname", "") for p in pages}))
            or None}


def verdicts(rows, scale, precursors):
    """What fails the drill in every run (a cause that never paged, a page in the healthy
    phase), and the full run's timing targets missed (the page no later than a minute after the
    first 5xx, before it where a precursor exists): with --fast every wait is shortened but the
    scrape, the rule evaluation and Alertmanager's waits do not shrink alike, so those are
    reported, not judged."""
    failed, missed = [], []
    for row in rows:
        if row["cause"] == "healthy":
            if row["false_pages"]:
                failed.append(f"healthy: {row['false_pages']} pages ({row['alert']})")
            continue
        if row["first_page_s"] is None:
            failed.append(f"{row['cause']}: no page")
        elif row["first_502_s"] is not None:
            late = row["first_page_s"] - row["first_502_s"]
            if late > scale(PAGE_WITHIN_5XX):
                missed.append(f"{row['cause']}: paged {late:.0f} s after the first 5xx")
            if row["cause"] in precursors and late > 0:
                missed.append(f"{row['cause']}: paged after the 5xx, though a precursor exists")
    return failed, missed


def print_table(rows):
    print(f"\n{'cause':<20} {'first 5xx':>10} {'first page':>11} {'lead':>7}  alert")
    for row in rows:
        if row["cause"] == "healthy":
            print(f"{'healthy':<20} {row['minutes']:>7} min {'':>11} {'':>7}  "
                  f"{row['false_pages']} pages{': ' + row['alert'] if row['alert'] else ''}")
            continue
        five, page = row["first_502_s"], row["first_page_s"]
        lead = f"{five - page:+.0f} s" if five is not None and page is not None else ""
        show = lambda v: "-" if v is None else f"{v:.0f} s"  # noqa: E731
        print(f"{row['cause']:<20} {show(five):>10} {show(page):>11} {lead:>7}  "
              f"{row['alert'] or '-'}")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fast", type=float, nargs="?", const=10, default=1,
                        help="divide every for:, range, interval and wait by this (default 10)")
    parser.add_argument("--json", help="write the rows to this file")
    parser.add_argument("--causes", help="comma-separated; default all")
    parser.add_argument("--healthy-minutes", type=float, default=10)
    parser.add_argument("--state", default="/tmp/onlyoffice-exporter-drill")
    args = parser.parse_args()
    factor = args.fast
    scale = lambda seconds: seconds / factor  # noqa: E731
    state = pathlib.Path(args.state)
    state.parent.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(str(state) + "-config")
    work.mkdir(parents=True, exist_ok=True)
    receiver = Receiver(free_port())
    environment = {
        "OOE_QUICKSTART_RULES_DIR": rules.write_rules(ROOT / "alerts", work / "rules", factor),
        "OOE_QUICKSTART_ALERTMANAGER_CONFIG": rules.write_alertmanager(
            ROOT / "alerts/alertmanager.yml", work / "alertmanager.yml", receiver, factor),
        "OOE_QUICKSTART_SCRAPE_INTERVAL": rules.duration(scale(SCRAPE_INTERVAL)),
        "OOE_QUICKSTART_NGINX_READ_TIMEOUT": rules.duration(scale(60)),
        # Prometheus' scrape timeout is the interval; the exporter's offset must leave most of it.
        "OOE_QUICKSTART_EXPORTER_FLAGS": "--scrape.timeout-offset=" +
                                         rules.duration(min(0.5, scale(SCRAPE_INTERVAL) / 5)),
    }
    stack = Stack(ROOT, state, environment)
    editor = None
    try:
        began = time.monotonic()
        stack.wait_ready(300)
        edge = f"http://127.0.0.1:{stack.env['EDGE_PORT']}"
        editor = Editor([edge + "/healthcheck", edge + "/web-apps/apps/api/documents/api.js"],
                        timeout=scale(60) + 5)
        settle(stack, editor, receiver, scale, "start-up")
        print(f"==> the stack is up and quiet after {time.monotonic() - began:.0f} s", flush=True)
        wanted = set(args.causes.split(",")) if args.causes else None
        rows = []
        aborted = None
        outlasting = set()
        for kind in causes_module.ALL:
            if wanted and kind.name not in wanted:
                continue
            print(f"==> {kind.name}", flush=True)
            try:
                rows.append(run_cause(kind(stack, scale), stack, editor, receiver, scale,
                                      outlasting))
            except Exception as error:  # noqa: BLE001 (any failure of a cause ends the run)
                # One line under the cause's heading, where a shortened log still shows it; the
                # causes after it would run on a stack that is not back.
                print(f"    FAIL {kind.name}: {error}", flush=True)
                aborted = f"{kind.name}: {error}"
                break
            outlasting |= set(kind.outlasting)
        if not aborted and (not wanted or "healthy" in wanted):
            # Nothing may still fire when the healthy phase starts, outlasting pages included.
            settled = time.monotonic()
            settle(stack, editor, receiver, scale, "before the healthy phase")
            print(f"==> healthy ({args.healthy_minutes:g} min, scaled), after "
                  f"{time.monotonic() - settled:.0f} s of pages outlasting their causes",
                  flush=True)
            rows.append(run_healthy(stack, editor, receiver, scale, args.healthy_minutes))
    finally:
        if editor:
            editor.close()
        stack.close()
        receiver.close()
    print_table(rows)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    failed, missed = verdicts(rows, scale, {"postgres_down", "converter_down", "oom_kill"})
    if aborted:
        failed.append(aborted + " (the causes after it and the healthy phase did not run)")
    for line in failed:
        print("FAIL " + line)
    for line in missed:
        print("MISS " + line)
    return 1 if failed or (missed and factor == 1) else 0


if __name__ == "__main__":
    sys.exit(main())
