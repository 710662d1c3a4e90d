"""Speed and memory of the Amazon seam: feed building and report parsing.

Run from the repository root: `python3 benchmarks/bench_seam.py [rows]`. Not a test: it prints
figures to compare with the targets (feed well under 10 ms; flat returns report at least
50,000 rows/s with under 50 MB peak memory growth; XML bounded alike).

Each report is generated to a temporary file first and parsed from the file stream in a fresh
child process, so that neither the generator nor an earlier run inflates the peak memory figure.
Peak growth is measured twice: resident set size from /proc (everything, lxml's C memory
included; the peak is reset just before parsing) and tracemalloc (Python objects only, in a
separate run because tracing slows parsing down). Linux only.
"""

import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from amazon_api.documents import (
    AcknowledgementItem,
    AcknowledgementMessage,
    AdjustmentItem,
    AdjustmentMessage,
    build_acknowledgement_feed,
    build_adjustment_feed,
)
from amazon_api.reports import iter_returns_flat, iter_returns_xml

FLAT_HEADER = (
    "Order ID\tOrder date\tReturn request date\tReturn request status\tAmazon RMA ID\t"
    "Seller RMA ID\tLabel type\tLabel cost\tCurrency code\tReturn carrier\tTracking ID\t"
    "Label to be paid by\tA-to-Z Claim\tIs prime\tASIN\tMerchant SKU\tItem Name\t"
    "Return quantity\tReturn Reason\tIn policy\tReturn type\tResolution\tInvoice number\t"
    "Return delivery date\tOrder Amount\tOrder quantity\tSafeT Action reason\tSafeT claim id\t"
    "SafeT claim state\tSafeT claim creation time\tSafeT claim reimbursement amount\t"
    "Refunded Amount\tCategory"
)


def median_ms(function, runs):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def feed_messages():
    adjustments = [
        AdjustmentMessage(
            message_id=number,
            amazon_order_id=f"302-{number:07d}-{number * 7:07d}",
            items=[
                AdjustmentItem(
                    order_item_code=f"{number:07d}{line:07d}",
                    reason="CustomerReturn",
                    components={
                        "Principal": Decimal("19.99"),
                        "Shipping": Decimal("4.50"),
                        "Tax": Decimal("3.80"),
                        "RestockingFee": Decimal("2.00"),
                    },
                    merchant_adjustment_item_id=f"REF-{number}-{line}",
                    reference=f"request {number} line {line}",
                )
                for line in range(1, 3)
            ],
            reference=f"request {number}",
        )
        for number in range(1, 16)
    ]
    cancels = [
        AcknowledgementMessage(
            message_id=number,
            amazon_order_id=f"302-{number:07d}-{number * 7:07d}",
            items=[
                AcknowledgementItem(f"{number:07d}{line:07d}", "NoInventory") for line in (1, 2)
            ],
            reference=f"cancel {number}",
        )
        for number in range(1, 16)
    ]
    return adjustments, cancels


def returns_data(rows):
    """Yield (rma index, item index, values) for `rows` returned items, 1 to 3 per RMA."""
    rng = random.Random(7)
    produced = 0
    rma = 0
    while produced < rows:
        rma += 1
        for item in range(min(rng.choice((1, 1, 1, 2, 3)), rows - produced)):
            produced += 1
            yield rma, item, rng


def write_flat(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(FLAT_HEADER + "\r\n")
        for rma, item, rng in returns_data(rows):
            order = f"302-{rma % 9999999:07d}-{rma * 13 % 9999999:07d}"
            cells = [
                order,
                "01-Jul-2025",
                f"{rng.randint(1, 28):02d}-Jul-2025",
                "Approved",
                f"D{rma:09d}RMA",
                "",
                "AmazonPrePaidLabel",
                "5.40",
                "EUR",
                "DHL",
                f"JJD{rma:014d}",
                "Seller",
                "N",
                rng.choice(("Y", "N")),
                f"B0{rma % 99999999:08d}",
                f"SKU-{rma % 5000}-{item}",
                "Ergonomic office chair, black \u2013 size L",
                str(rng.randint(1, 3)),
                "AMZ-PG-BAD-DESC",
                "Y",
                "C-Returns",
                "StandardRefund",
                "",
                "2025-07-20",
                "59.90",
                "1",
                "",
                "",
                "",
                "",
                "",
                "59.90",
                "Furniture",
            ]
            out.write("\t".join(cells) + "\r\n")


def write_xml(path, rows):
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><Message>\n')
        open_rma = None
        tail = ""
        for rma, _item, rng in returns_data(rows):
            if rma != open_rma:
                out.write(tail)
                open_rma = rma
                # Amazon puts the RMA fields after its items.
                tail = (
                    f"<order_id>302-{rma % 9999999:07d}-{rma * 13 % 9999999:07d}</order_id>"
                    "<order_date>2025-07-01T10:00:00Z</order_date>"
                    f"<amazon_rma_id>D{rma:09d}RMA</amazon_rma_id>"
                    f"<return_request_date>2025-07-{rng.randint(1, 28):02d}T08:00:00Z"
                    "</return_request_date>"
                    "<return_request_status>Approved</return_request_status>"
                    "<a_to_z_claim>false</a_to_z_claim><is_prime>N</is_prime>"
                    "<label_details><currency_code>EUR</currency_code><label_cost>5.40</label_cost>"
                    "<label_type>AmazonPrePaidLabel</label_type></label_details>"
                    f"<tracking_id>JJD{rma:014d}</tracking_id>"
                    "<label_to_be_paid_by>Seller</label_to_be_paid_by>"
                    "<return_type>C-Returns</return_type></return_details>\n"
                )
                out.write("<return_details>")
            out.write(
                "<item_details>"
                f"<item_name>{escape('Ergonomic office chair, black & size L')}</item_name>"
                f"<asin>B0{rma % 99999999:08d}</asin>"
                "<return_reason_code>AMZ-PG-BAD-DESC</return_reason_code>"
                f"<merchant_sku>SKU-{rma % 5000}</merchant_sku><in_policy>Y</in_policy>"
                f"<return_quantity>{rng.randint(1, 3)}</return_quantity>"
                "<resolution>StandardRefund</resolution><refund_amount>59.9</refund_amount>"
                "</item_details>"
            )
        out.write(tail)
        out.write("</Message></AmazonEnvelope>\n")


def memory_mb(field):
    """VmRSS (now) or VmHWM (peak) of this process from /proc, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak():
    """Start the peak (VmHWM) afresh from the current size, so imports do not hide growth."""
    Path("/proc/self/clear_refs").write_text("5")


def child(kind, path, traced):
    """Parse one file; print `items records seconds rss_growth_mb traced_peak_mb`."""
    parse = iter_returns_flat if kind == "flat" else iter_returns_xml
    with open(path, "rb") as stream:
        reset_peak()
        before = memory_mb("VmRSS")
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        items = records = 0
        for record in parse(stream):
            records += 1
            items += len(record.items)
        seconds = time.perf_counter() - start
        traced_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024 if traced else 0.0
        growth = memory_mb("VmHWM") - before
    print(items, records, seconds, growth, traced_peak)


def measure(kind, path):
    def run(traced):
        output = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(path), "1" if traced else "0"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        return int(output[0]), int(output[1]), *map(float, output[2:])

    items, records, seconds, rss_growth, _ = run(traced=False)
    _, _, _, _, traced_peak = run(traced=True)
    size_mb = path.stat().st_size / 1024 / 1024
    print(
        f"{kind:>4} returns report: {items:,} rows ({records:,} RMAs, {size_mb:.1f} MB) "
        f"in {seconds:.2f} s = {items / seconds:,.0f} rows/s; peak growth "
        f"{rss_growth:.1f} MB resident, {traced_peak:.1f} MB Python objects"
    )


def main(rows):
    adjustments, cancels = feed_messages()
    adjustment_ms = median_ms(lambda: build_adjustment_feed("A1EXAMPLE", adjustments, "EUR"), 200)
    cancel_ms = median_ms(lambda: build_acknowledgement_feed("A1EXAMPLE", cancels), 200)
    print(f"15-message adjustment feed (30 lines), build + check: {adjustment_ms:.3f} ms median")
    print(f"15-message acknowledgement feed (30 lines), build + check: {cancel_ms:.3f} ms median")
    with tempfile.TemporaryDirectory() as folder:
        flat = Path(folder) / "returns.txt"
        xml = Path(folder) / "returns.xml"
        write_flat(flat, rows)
        write_xml(xml, rows)
        measure("flat", flat)
        measure("xml", xml)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4] == "1")
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
