"""Run the emulator on loopback: python3 -m spapi_emulator --port 8765 --seed demo"""

import argparse
import contextlib
import sys
import threading

from . import seed
from .server import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN, DEMO_SELLER_ID, Emulator


def say(line):
    """The console is this command's interface: where to point an account, and as whom."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m spapi_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", choices=("demo", "none"), default="demo")
    parser.add_argument(
        "--feed-delay", type=float, default=5.0, help="seconds until a feed is done"
    )
    parser.add_argument("--report-delay", type=float, default=5.0)
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument(
        "--rate-scale",
        type=float,
        default=1.0,
        help="quotas refill this many times faster than Amazon's (benchmarks)",
    )
    args = parser.parse_args(argv)

    emulator = Emulator(
        host=args.host,
        port=args.port,
        feed_delay=args.feed_delay,
        report_delay=args.report_delay,
        enforce_rate_limits=not args.no_rate_limits,
        rate_scale=args.rate_scale,
    )
    if args.seed == "demo":
        seed.seed_demo(emulator)
    else:
        emulator.add_seller()
    emulator.start()
    say(f"SP-API endpoint: {emulator.url}")
    say(f"LWA token URL:   {emulator.lwa_url}")
    say(f"client id:       {DEMO_CLIENT_ID}")
    say(f"client secret:   {DEMO_CLIENT_SECRET}")
    for seller_id, refresh_token in (
        (DEMO_SELLER_ID, DEMO_REFRESH_TOKEN),
        (seed.DEMO_EU_SELLER_ID, seed.DEMO_EU_REFRESH_TOKEN),
    ):
        if seller_id in emulator.sellers:
            say(f"seller {seller_id}: refresh token {refresh_token}")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
