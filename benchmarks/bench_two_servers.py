"""Two real Odoo servers on one database drain one seller's queue with their cron workers.

    python3 benchmarks/bench_two_servers.py -d DATABASE --addons-path=ADDONS [--servers 2]
        [--cron-threads 2] [--requests 600] [--rate-scale 60] [--timeout 300]

DATABASE must have the addon installed and be a throwaway copy: the benchmark commits a seller
account, its orders and their queued refunds there (as bench_shared_quota.py does). It starts
the emulator with Amazon's quotas refilled `--rate-scale` times faster, then `--servers` Odoo
servers (`python -m odoo`, threaded, HTTP on loopback only, `--max-cron-threads`) whose
configuration file sets the same scale (`amazon_rate_scale`). Every Amazon scheduled action is
made due at once: Odoo's own cron runner decides who runs what. It reports the 429 answers, the
span of the createFeed calls against the least time the quota allows, which server sent what
(from each server's log of its HTTP calls), the scheduled actions that failed, and each job's
state of the account.
"""

import argparse
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_shared_quota import REFRESH_TOKEN, SELLER_ID, _setup  # noqa: E402

from spapi_emulator import Emulator, amazon  # noqa: E402
from spapi_emulator.server import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET  # noqa: E402

FEED_SIZE = 15
CALL = re.compile(r'HTTP Request: (\w+) (\S+) "HTTP/1.1 (\d+)')


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _operation(method, url):
    path = url.split("?", 1)[0]
    if path.endswith("/feeds/2021-06-30/feeds") and method == "POST":
        return "createFeed"
    if path.endswith("/feeds/2021-06-30/documents") and method == "POST":
        return "createFeedDocument"
    if "/auth/o2/token" in path:
        return "token"
    if "/_emulator/upload/" in path:
        return "upload document"
    return f"{method} {re.sub(r'/[0-9A-Za-z-]{8,}', '/{id}', path.split('/', 3)[-1])}"


def _server_calls(log):
    """(operation, status) -> calls, from the server's log of its HTTP calls."""
    calls = Counter()
    for line in log.read_text(errors="replace").splitlines():
        found = CALL.search(line)
        if found:
            method, url, status = found.groups()
            calls[(_operation(method, url), int(status))] += 1
    return calls


def _start_server(args, workdir, index, rate_scale):
    conf = workdir / f"server{index}.conf"
    # The quotas' scale is a server option of the configuration file, as in a real deployment.
    conf.write_text(f"[options]\namazon_rate_scale = {rate_scale}\n")
    log = workdir / f"server{index}.log"
    command = [
        sys.executable,
        "-m",
        "odoo",
        "-c",
        str(conf),
        "-d",
        args.database,
        f"--db-filter=^{re.escape(args.database)}$",
        f"--addons-path={args.addons_path}",
        "--http-interface=127.0.0.1",
        f"--http-port={_free_port()}",
        "--workers=0",
        f"--max-cron-threads={args.cron_threads}",
        f"--data-dir={workdir / 'data'}",
        f"--logfile={log}",
        "--log-level=warn",
        "--log-handler=httpx:INFO",
        "--log-handler=odoo.modules.loading:INFO",
        # The runner's retries of collisions.
        "--log-handler=odoo.addons.amazon_refund_cancel.models.amazon_job_state:INFO",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT), log


def _wait_loaded(log, process, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server stopped: see {log}")
        if log.exists() and "Modules loaded." in log.read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise SystemExit(f"server not ready after {timeout} s: see {log}")


def _left(cr, account_id):
    cr.execute(
        "SELECT count(*) FROM amazon_order_request WHERE seller_account_id = %s "
        "AND state IN ('queued', 'sending')",
        [account_id],
    )
    return cr.fetchone()[0]


def main(args):
    config.parse_config(
        ["-d", args.database, f"--addons-path={args.addons_path}", "--log-handler=:WARNING"]
    )
    odoo.netsvc.init_logger()
    registry = odoo.modules.registry.Registry(args.database)
    emulator = Emulator(feed_delay=3600, rate_scale=args.rate_scale).start()
    emulator.add_seller(SELLER_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, REFRESH_TOKEN)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        account, _requests = _setup(env, emulator.url, args.requests)
        account_id = account.id
        # Every Amazon scheduled action is due now: the servers' cron workers share them out.
        crons = env["ir.cron"].browse(
            env["ir.model.data"]
            .search([("module", "=", "amazon_refund_cancel"), ("model", "=", "ir.cron")])
            .mapped("res_id")
        )
        crons.write({"nextcall": odoo.fields.Datetime.now(), "active": True})
    workdir = Path(tempfile.mkdtemp(prefix="bench_two_servers_"))
    servers = [
        _start_server(args, workdir, index, args.rate_scale) for index in range(args.servers)
    ]
    try:
        for process, log in servers:
            _wait_loaded(log, process)
        started = time.monotonic()
        with registry.cursor() as cr:
            # What Odoo sends when a job is triggered: every cron worker looks for due jobs.
            cr.execute("NOTIFY cron_trigger, %s", [args.database])
            cr.commit()
        left = args.requests
        while left and time.monotonic() - started < args.timeout:
            time.sleep(1)
            with registry.cursor() as cr:
                left = _left(cr, account_id)
        drained = time.monotonic() - started
        # Let running jobs end their transaction before the servers stop.
        time.sleep(2)
    finally:
        for process, _log in servers:
            process.terminate()
        for process, _log in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    emulator.stop()

    feeds = sorted(
        (feed for feed in emulator.feeds.values() if feed.seller_id == SELLER_ID),
        key=lambda feed: feed.created_clock,
    )
    rate, burst = amazon.RATE_LIMITS["createFeed"]
    needed = math.ceil(args.requests / FEED_SIZE)
    minimum = max(needed - burst, 0) / (rate * args.rate_scale)
    span = feeds[-1].created_clock - feeds[0].created_clock if feeds else 0.0
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, count(*) FROM amazon_order_request WHERE seller_account_id = %s "
            "GROUP BY state ORDER BY state",
            [account_id],
        )
        states = cr.fetchall()
        cr.execute(
            "SELECT count(*), count(DISTINCT feed_number) FROM amazon_feed_batch "
            "WHERE seller_account_id = %s AND feed_number IS NOT NULL",
            [account_id],
        )
        batches, distinct_feeds = cr.fetchone()
        cr.execute(
            "SELECT job, state, last_error FROM amazon_job_state WHERE account_id = %s "
            "ORDER BY job",
            [account_id],
        )
        jobs = cr.fetchall()

    print(
        f"{args.servers} Odoo servers x {args.cron_threads} cron threads, one database, "
        f"{args.requests} queued requests, quotas x{args.rate_scale} on both sides"
    )
    print(f"queue drained: {'yes' if not left else f'no, {left} left'} in {drained:.1f} s")
    print(f"requests by state: {states}")
    print(f"batches with a feed: {batches}, distinct feeds: {distinct_feeds}")
    print(f"createFeed calls Amazon accepted: {len(feeds)} (needed {needed})")
    print(f"answers 429 (emulator): {emulator.throttled_count}")
    print(
        f"createFeed span, first to last: {span:.1f} s; quota's minimum for {needed} feeds "
        f"(burst {burst}, then {rate} x {args.rate_scale}/s): {minimum:.1f} s"
        + (f"; {(span / minimum - 1) * 100:+.1f} %" if minimum else "")
    )
    failures = 0
    for index, (_process, log) in enumerate(servers):
        calls = _server_calls(log)
        text = log.read_text(errors="replace")
        # Odoo logs every failed query, also those the runner then runs again.
        collisions = text.count("could not serialize access")
        retried = text.count("collided with another transaction, run again")
        # A scheduled action that failed (Odoo's cron runner) or a job that gave up.
        failed = len(re.findall(r"ir_cron: Job .* failed|collided \d+ times", text))
        failures += failed
        sent = sum(n for (op, status), n in calls.items() if op == "createFeed" and status < 300)
        throttled = sum(n for (_op, status), n in calls.items() if status == 429)
        print(
            f"server {index + 1}: createFeed accepted {sent}, answers 429 {throttled}, "
            f"serialization failures {collisions}, run again {retried}, jobs failed {failed}"
        )
        print(
            "  calls: "
            + ", ".join(f"{op} {status}: {n}" for (op, status), n in sorted(calls.items()))
        )
    print("job states of the account: " + "; ".join(f"{j} {s} {e or ''}" for j, s, e in jobs))
    print(f"server logs: {workdir}")
    ok = (
        not left
        and emulator.throttled_count == 0
        and len(feeds) == needed == distinct_feeds
        and (not minimum or span <= minimum * 1.1)
        and not failures
    )
    print("OK" if ok else "NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--cron-threads", type=int, default=2)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rate-scale", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=300)
    arguments = parser.parse_args()
    os.environ.setdefault("TZ", "UTC")
    sys.exit(main(arguments))
