"""Several Odoo processes call the sender at once (around Odoo's cron lock): no 429.

    python3 benchmarks/bench_shared_quota.py -d DATABASE --addons-path=ADDONS [--workers 4]
        [--requests 600] [--rate-scale 60]

DATABASE must have the addon installed and be a throwaway copy: the benchmark commits a seller
account, an order and its queued refunds there. It starts the emulator with Amazon's quotas,
refilled `--rate-scale` times faster, then starts `--workers` separate Odoo processes on the
database that run the scheduled actions which batch and send the queue, each whenever batches
are due, with the same scaled quotas. It prints how long the queue took to reach Amazon, against
the least time Amazon's createFeed quota allows, and how many calls Amazon throttled.

Odoo never runs one scheduled action in two processes at once (its cron lock), so this stresses
the shared buckets beyond what Odoo does; bench_two_servers.py measures Odoo as it runs.
"""

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spapi_emulator import Emulator, amazon  # noqa: E402
from spapi_emulator.server import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET  # noqa: E402

SELLER_ID = "A1QUOTABENCH"
REFRESH_TOKEN = "Atzr|quota-benchmark"
# A worker with nothing due looks again after at most this long (Odoo's cron waits for triggers).
IDLE_POLL = 0.2
MIN_PAUSE = 0.05


def _registry(args):
    config.parse_config(
        ["-d", args.database, f"--addons-path={args.addons_path}", "--log-handler=:WARNING"]
    )
    config["amazon_rate_scale"] = args.rate_scale
    odoo.netsvc.init_logger()
    return odoo.modules.registry.Registry(args.database)


def _setup(env, emulator_url, count):
    """An account at the emulator with `count` orders and a queued refund of each, which the
    company submits automatically in batches."""
    company = env.ref("base.main_company")
    company.write(
        {
            "amazon_queue_requests": True,
            "amazon_queue_auto_submit": True,
            "amazon_allow_over_refund": True,
        }
    )
    account = env["amazon.seller.account"].create(
        {
            "name": f"Quota benchmark {time.time():.0f}",
            "company_id": company.id,
            "seller_id": SELLER_ID,
            "marketplace_ids": [Command.set(env.ref("amazon_refund_cancel.marketplace_us").ids)],
            "endpoint": "custom",
            "custom_api_url": emulator_url,
            "custom_lwa_url": f"{emulator_url}/auth/o2/token",
            "lwa_client_id": DEMO_CLIENT_ID,
            "lwa_client_secret": DEMO_CLIENT_SECRET,
            "lwa_refresh_token": REFRESH_TOKEN,
        }
    )
    partner = env["res.partner"].create({"name": "Quota benchmark buyer"})
    product = env["product.product"].create({"name": "Quota benchmark mug", "list_price": 20})
    prefix = int(time.time()) % 10**3
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "amazon_seller_account_id": account.id,
                "amazon_order_number": f"120-{prefix:03d}{index:04d}-0000001",
                "amazon_fulfillment": "amazon",
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "price_unit": 20,
                            "amazon_order_item_code": f"120{prefix:03d}{index:08d}",
                        }
                    )
                ],
            }
            for index in range(count)
        ]
    )
    requests = env["amazon.order.request"].create(
        [
            {
                "request_type": "refund",
                "order_id": order.id,
                "seller_account_id": account.id,
                "reason": "CustomerReturn",
                "state": "queued",
                "line_ids": [
                    Command.create({"order_line_id": order.order_line.id, "amount_principal": 1})
                ],
            }
            for order in orders
        ]
    )
    return account, requests


def _left(cr, account_id):
    """Requests of the account not sent yet, and how long until a batch is due."""
    cr.execute(
        "SELECT count(*) FROM amazon_order_request WHERE seller_account_id = %s "
        "AND state IN ('queued', 'sending')",
        [account_id],
    )
    left = cr.fetchone()[0]
    cr.execute(
        "SELECT EXTRACT(EPOCH FROM min(next_attempt_at) - (now() AT TIME ZONE 'UTC')) "
        "FROM amazon_feed_batch WHERE seller_account_id = %s AND state IN ('draft', 'uploaded')",
        [account_id],
    )
    due_in = cr.fetchone()[0]
    return left, float(due_in or 0)


def worker(args):
    """One Odoo process running the scheduled actions that batch and send, as a cron worker."""
    registry = _registry(args)
    if args.buckets_per_process:
        from odoo.addons.amazon_refund_cancel.amazon_api.ratelimit import RateLimiter

        limiter = RateLimiter(rate_scale=args.rate_scale)
        registry["amazon.rate.bucket"]._limiter = lambda _self: limiter
    print("ready", flush=True)
    sys.stdin.readline()
    runs = 0
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # Odoo runs a scheduled action in one process at a time: the first worker batches.
            if args.batcher:
                env["amazon.feed.batch"]._cron_auto_submit()
            env["amazon.feed.batch"]._cron_send_requests()
            runs += 1
            cr.commit()
            left, due_in = _left(cr, args.account)
        if not left:
            break
        # Due batches may be locked by the other workers: no need to ask again at once.
        time.sleep(max(MIN_PAUSE, min(due_in, IDLE_POLL)))
    print(f"runs {runs}", flush=True)


def main(args):
    emulator = Emulator(feed_delay=3600, rate_scale=args.rate_scale).start()
    emulator.add_seller(SELLER_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, REFRESH_TOKEN)
    registry = _registry(args)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        account, requests = _setup(env, emulator.url, args.requests)
        account_id, request_ids = account.id, requests.ids
    command = [sys.executable, __file__, "-d", args.database, "--addons-path", args.addons_path]
    command += ["--rate-scale", str(args.rate_scale), "--account", str(account_id), "worker"]
    if args.buckets_per_process:
        command.append("--buckets-per-process")
    workers = [
        subprocess.Popen(
            command + (["--batcher"] if index == 0 else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(args.workers)
    ]
    for process in workers:
        assert process.stdout.readline().strip() == "ready"
    started = time.monotonic()
    for process in workers:
        process.stdin.write("go\n")
        process.stdin.flush()
    runs = [process.stdout.readline().strip() for process in workers]
    for process in workers:
        process.wait()
    feeds = sorted(
        (feed for feed in emulator.feeds.values() if feed.seller_id == SELLER_ID),
        key=lambda feed: feed.created_clock,
    )
    elapsed = feeds[-1].created_clock - started
    emulator.stop()

    rate, burst = amazon.RATE_LIMITS["createFeed"]
    size = 15
    needed = math.ceil(args.requests / size)
    minimum = max(needed - burst, 0) / (rate * args.rate_scale)
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, count(*), count(DISTINCT batch_id) FROM amazon_order_request "
            "WHERE id = ANY(%s) GROUP BY state",
            [request_ids],
        )
        states = cr.fetchall()
        cr.execute(
            "SELECT count(DISTINCT feed_number), count(*) FROM amazon_feed_batch "
            "WHERE seller_account_id = %s AND feed_number IS NOT NULL",
            [account_id],
        )
        distinct_feeds, batches = cr.fetchone()
    print(
        f"{args.workers} Odoo processes, {args.requests} queued requests, quotas x{args.rate_scale}"
    )
    print(f"worker runs: {', '.join(runs)}")
    print(f"requests by state (state, requests, batches): {states}")
    print(f"batches with a feed: {batches}, distinct feeds: {distinct_feeds}")
    print(f"createFeed calls Amazon accepted: {len(feeds)}")
    print(f"answers 429: {emulator.throttled_count}")
    print(
        "createFeed calls, seconds after the start: "
        + " ".join(f"{feed.created_clock - started:.1f}" for feed in feeds)
    )
    print(
        f"time to the last createFeed: {elapsed:.1f} s; quota's minimum for {needed} feeds "
        f"(burst {burst}, then {rate} x {args.rate_scale}/s): {minimum:.1f} s; "
        f"{(elapsed / minimum - 1) * 100:+.1f} %"
    )
    ok = emulator.throttled_count == 0 and elapsed <= minimum * 1.1 and len(feeds) == needed
    print("OK" if ok else "NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rate-scale", type=float, default=60)
    parser.add_argument("--account", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batcher", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--buckets-per-process",
        action="store_true",
        help="each process keeps its own buckets, as before they were shared: Amazon throttles",
    )
    parser.add_argument("role", nargs="?", default="main", choices=("main", "worker"))
    arguments = parser.parse_args()
    os.environ.setdefault("TZ", "UTC")
    if arguments.role == "worker":
        worker(arguments)
    else:
        sys.exit(main(arguments))
