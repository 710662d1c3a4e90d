"""A local Amazon: LWA, Tokens, Feeds, Reports and Orders APIs over real HTTP on loopback.

Paths, bodies and errors follow Amazon's OpenAPI models (feeds 2021-06-30, reports 2021-06-30,
tokens 2021-03-01, orders 2026-01-01 and v0 getOrderItems). Time is the injectable `clock` plus
whatever `advance()` added, so tests move through delays and rate limits without sleeping.
"""

import contextlib
import hashlib
import ipaddress
import itertools
import logging
import re
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import amazon, report_content
from .operations import Operations
from .protocol import (
    ApiError,
    Reply,
    compile_template,
    invalid,
    json_body,
    parse_time,
    unauthorized,
)
from .state import (
    ZERO,
    Document,
    Order,
    OrderItem,
    Refund,
    Return,
    ReturnItem,
    Seller,
    Shipment,
)

_logger = logging.getLogger(__name__)

DEMO_SELLER_ID = "A3EMULATORNA01"
DEMO_CLIENT_ID = "amzn1.application-oa2-client.emulator0000000000000001"
DEMO_CLIENT_SECRET = "amzn1.oa2-cs.v1.emulator-secret"
DEMO_REFRESH_TOKEN = "Atzr|emulator-refresh-token-na"

ROUTES = (
    ("POST", "/auth/o2/token", "lwaToken"),
    ("PUT", "/_emulator/upload/{token}", "uploadDocument"),
    ("GET", "/_emulator/download/{token}", "downloadDocument"),
    # Control endpoints, for a demo or a test driving a running emulator: Amazon acts on its own.
    ("POST", "/_emulator/control/amazon-refunds", "controlAmazonRefund"),
    ("POST", "/_emulator/control/settlements", "controlCloseSettlement"),
    *amazon.SPAPI_OPERATIONS,
)
# Operations that are not SP-API calls: no access token, no usage plan.
UNSIGNED_OPERATIONS = (
    "lwaToken",
    "uploadDocument",
    "downloadDocument",
    "controlAmazonRefund",
    "controlCloseSettlement",
)
COMPILED_ROUTES = tuple(
    (method, compile_template(path), operation) for method, path, operation in ROUTES
)
MARKETPLACE_CURRENCIES = {row[0]: row[2] for row in amazon.MARKETPLACES}
MARKETPLACE_COUNTRIES = {row[0]: row[1] for row in amazon.MARKETPLACES}


def _check_loopback(host):
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"The emulator binds loopback addresses only, not {host!r}")


def _as_time(value):
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)
    return parse_time(value, "date")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without this, Nagle and delayed ACKs add 40 ms.
    disable_nagle_algorithm = True
    # Idle keep-alive connections end on their own instead of pinning a thread forever.
    timeout = 30
    emulator = None  # set on the subclass each Emulator makes

    def setup(self):
        result = super().setup()
        self.emulator._connections.add(self.connection)
        return result

    def finish(self):
        self.emulator._connections.discard(self.connection)
        return super().finish()

    def log_message(self, format, *args):
        """Quiet: tests read `Emulator.requests` instead."""

    def _body(self):
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""
        # httpx sends a file object in chunks.
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0], 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(chunks)

    def _serve(self):
        body = self._body()
        reply = self.emulator._handle(self.command, self.path, self.headers, body)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout test): Amazon would have done the work all the same.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class Emulator(Operations):
    """A local Amazon SP-API and LWA server with seeding, fault injection and inspection."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        feed_delay=0.0,
        report_delay=0.0,
        enforce_rate_limits=True,
        clock=time.monotonic,
        rate_scale=1.0,
    ):
        _check_loopback(host)
        self.host = host
        self.port = port
        self.feed_delay = feed_delay
        self.report_delay = report_delay
        self.enforce_rate_limits = enforce_rate_limits
        # Quotas refill this many times faster than Amazon's (tests, benchmarks); the rate the
        # answers announce stays Amazon's, for clients that scale their own buckets alike.
        self.rate_scale = float(rate_scale)
        self._clock = clock
        self._epoch_clock = clock()
        self._epoch = datetime.now(timezone.utc).replace(microsecond=0)
        self._lock = threading.RLock()
        self._connections = set()
        self._server = None
        self._thread = None
        self._ids = itertools.count(1)
        # Who may call: kept by reset(), like the server itself.
        self.sellers = {}
        self._access_tokens = {}
        self._expired_tokens = set()
        self._token_generation = 0
        self._clear()

    def _clear(self):
        """Amazon's state, the test knobs and the usage plans, as on a fresh start."""
        self._offset = 0.0

        # Amazon's state, open to tests.
        self.orders = {}
        self.returns = {}
        self.refunds = []
        self.feeds = {}
        self.reports = {}
        self.documents = {}
        self.feed_documents = {}
        self.requests = []
        self.throttled_count = 0

        # Knobs for tests and the demo.
        self.next_feed_outcome = None
        self.next_report_outcome = None
        self.malformed_report = False
        self.report_compression = None  # "GZIP" to gzip report documents
        self.report_encoding = "utf-8"  # e.g. "iso-8859-1", announced in Content-Type
        self.order_report_cancel_column = "is-buyer-requested-cancellation"
        self.transactions_page_size = 100

        self._faults = {}
        self._buckets = {}
        self._restricted_tokens = {}
        self._urls = {}
        self._pages = {}

    def reset(self):
        """Forget orders, returns, feeds, reports, faults and used quotas; keep serving the same
        sellers with the same tokens, so that one emulator can serve many tests in turn."""
        with self._lock:
            self._clear()

    # Lifecycle -------------------------------------------------------------------------------

    def start(self):
        """Serve in a daemon thread; returns self."""
        handler = type("EmulatorHandler", (_Handler,), {"emulator": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            # A short poll keeps stop() quick.
            kwargs={"poll_interval": 0.01},
            name="amazon-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop serving, drop open connections and free the port."""
        if self._server is None:
            return
        self._server.shutdown()
        for connection in list(self._connections):
            # A connection the client closed already has nothing left to shut down.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = None

    def __enter__(self):
        return self if self._server else self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        """The SP-API base URL."""
        return f"http://{self.host}:{self.port}"

    @property
    def lwa_url(self):
        return f"{self.url}/auth/o2/token"

    # Time ------------------------------------------------------------------------------------

    def _ticks(self):
        return self._clock() + self._offset

    def now(self):
        """The emulated UTC time: follows the clock, including what `advance()` added."""
        return self._epoch + timedelta(seconds=self._ticks() - self._epoch_clock)

    def advance(self, seconds):
        """Move the emulated time forward (feed and report delays, rate limits, token expiry)."""
        with self._lock:
            self._offset += seconds

    # Seeding ---------------------------------------------------------------------------------

    def add_seller(
        self,
        seller_id=DEMO_SELLER_ID,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        refresh_token=DEMO_REFRESH_TOKEN,
    ):
        with self._lock:
            seller = Seller(seller_id, client_id, client_secret, refresh_token)
            self.sellers[seller_id] = seller
            self._access_tokens[self._access_token(seller)] = seller_id
            return seller

    def access_token_for(self, seller_id):
        """The LWA access token LWA would hand out now (for tests that skip the LWA call)."""
        with self._lock:
            return self._access_token(self.sellers[seller_id])

    def expire_access_tokens(self):
        """Make every access token handed out so far expire, as after an hour."""
        with self._lock:
            self._expired_tokens.update(self._access_tokens)
            self._token_generation += 1
            self._access_tokens = {
                self._access_token(seller): seller_id for seller_id, seller in self.sellers.items()
            }

    def _access_token(self, seller):
        # Derived from the credentials, so a client's token cache (python-amazon-sp-api keeps one
        # per process) stays valid across emulator instances seeded with the same seller.
        secret = f"{seller.client_id}|{seller.refresh_token}|{self._token_generation}"
        return "Atza|emu-" + hashlib.sha256(secret.encode()).hexdigest()[:48]

    def add_order(
        self,
        seller_id,
        amazon_order_id,
        marketplace_id,
        items,
        currency=None,
        purchase_date=None,
        fulfillment_channel="MFN",
        status=None,
        **details,
    ):
        """Add an order. `items`: dicts with order_item_id, sku, asin, quantity, prices (component
        -> Decimal for the whole line; promotions as negative Discount, ShippingDiscount or
        GiftWrapDiscount, on the item, its shipping or its gift wrap) and optionally
        quantity_shipped, title and promotion_ids. `details` sets other Order fields (buyer_name,
        is_prime, ship_country, latest_ship_date, facilitator_tax...)."""
        with self._lock:
            if seller_id not in self.sellers:
                raise ValueError(f"Unknown seller {seller_id}")
            if not re.match(amazon.AMAZON_ORDER_ID_PATTERN, amazon_order_id):
                raise ValueError(f"{amazon_order_id} is not an Amazon order id (3-7-7 digits)")
            purchase_date = _as_time(purchase_date) or self.now() - timedelta(days=1)
            lines = {}
            for spec in items:
                item = OrderItem(
                    order_item_id=spec["order_item_id"],
                    sku=spec["sku"],
                    asin=spec.get("asin", "B000000000"),
                    title=spec.get("title", spec["sku"]),
                    quantity=spec.get("quantity", 1),
                    promotion_ids=tuple(spec.get("promotion_ids", ())),
                    prices={
                        component: Decimal(str(amount)).quantize(Decimal("0.01"))
                        for component, amount in spec["prices"].items()
                    },
                )
                lines[item.order_item_id] = item
            details.setdefault("ship_country", MARKETPLACE_COUNTRIES.get(marketplace_id, "US"))
            if details.get("latest_ship_date"):
                details["latest_ship_date"] = _as_time(details["latest_ship_date"])
            order = Order(
                seller_id=seller_id,
                amazon_order_id=amazon_order_id,
                marketplace_id=marketplace_id,
                currency=currency or MARKETPLACE_CURRENCIES.get(marketplace_id, "USD"),
                purchase_date=purchase_date,
                last_updated=purchase_date,
                fulfillment_channel=fulfillment_channel,
                items=lines,
                status=status,
                **details,
            )
            self.orders[amazon_order_id] = order
            for spec in items:
                if spec.get("quantity_shipped"):
                    self.ship(
                        amazon_order_id,
                        spec["order_item_id"],
                        spec["quantity_shipped"],
                        when=purchase_date + timedelta(days=1),
                    )
            order.last_updated = max(order.last_updated, purchase_date)
            return order

    def release(self, amazon_order_id, when=None):
        """Amazon authorised the payment of a Pending order: it becomes Unshipped."""
        with self._lock:
            order = self.orders[amazon_order_id]
            order.status = None
            order.last_updated = _as_time(when) or self.now()

    def ship(self, amazon_order_id, order_item_id=None, quantity=None, carrier="UPS", when=None):
        """Ship a line (or every open line), all its open quantity unless `quantity` says less."""
        with self._lock:
            order = self.orders[amazon_order_id]
            when = _as_time(when) or self.now()
            targets = [order.items[order_item_id]] if order_item_id else order.items.values()
            shipped = {}
            for item in targets:
                count = item.quantity_unshipped if quantity is None else quantity
                if count > item.quantity_unshipped:
                    raise ValueError(f"Only {item.quantity_unshipped} left to ship on {item.sku}")
                if count:
                    item.quantity_shipped += count
                    shipped[item.order_item_id] = count
            if shipped:
                order.status = None
                number = next(self._ids)
                order.shipments.append(
                    Shipment(f"PKG-{number:06d}", when, shipped, carrier, f"1Z999EMU{number:010d}")
                )
                order.last_updated = max(order.last_updated, when)

    def request_buyer_cancel(self, amazon_order_id, reason, when=None):
        """The buyer asks Amazon to cancel the order (shown by the Orders API and order reports)."""
        with self._lock:
            order = self.orders[amazon_order_id]
            order.buyer_cancel_reason = reason
            order.buyer_cancel_requested_at = _as_time(when) or self.now()
            order.last_updated = max(order.last_updated, order.buyer_cancel_requested_at)

    def add_return(
        self,
        amazon_order_id,
        items,
        rma_id=None,
        status="Approved",
        request_date=None,
        returnless=False,
        a_to_z_claim=False,
        tracking_id=None,
        carrier="UPS",
        **details,
    ):
        """Add an Amazon RMA. `items`: dicts with order_item_id or sku, quantity, reason and
        optionally in_policy and refunded_amount. A returnless refund has no label or tracking;
        `details` sets other Return fields (label_cost, merchant_rma_id, delivery_date...)."""
        with self._lock:
            order = self.orders[amazon_order_id]
            lines = []
            for spec in items:
                item_id = spec.get("order_item_id") or next(
                    item.order_item_id for item in order.items.values() if item.sku == spec["sku"]
                )
                lines.append(
                    ReturnItem(
                        order_item_id=item_id,
                        quantity=spec.get("quantity", 1),
                        reason=spec.get("reason", "CR-UNWANTED_ITEM"),
                        in_policy=spec.get("in_policy", True),
                        refunded_amount=spec.get("refunded_amount"),
                    )
                )
            number = next(self._ids)
            if returnless:
                details.update(label_type="", label_paid_by="", resolution="ReturnlessRefund")
                tracking_id, carrier = "", ""
            if "delivery_date" in details:
                details["delivery_date"] = _as_time(details["delivery_date"])
            rma = Return(
                seller_id=order.seller_id,
                rma_id=rma_id or f"D{number:07d}RRMA",
                amazon_order_id=amazon_order_id,
                request_date=_as_time(request_date) or self.now(),
                status=status,
                items=lines,
                returnless=returnless,
                a_to_z_claim=a_to_z_claim,
                tracking_id=tracking_id if tracking_id is not None else f"1Z999RET{number:010d}",
                carrier=carrier,
                **details,
            )
            self.returns[rma.rma_id] = rma
            return rma

    def file_safet_claim(self, rma_id, reason="Item returned damaged", when=None):
        """The seller files a SAFE-T claim on a return; Amazon investigates it."""
        with self._lock:
            rma = self.returns[rma_id]
            rma.safet_claim_id = f"{next(self._ids):010d}"
            rma.safet_action_reason = reason
            rma.safet_claim_state = "Under Investigation"
            rma.safet_claim_created = _as_time(when) or self.now()
            return rma.safet_claim_id

    def decide_safet_claim(self, rma_id, state="Granted", reimbursement=None):
        """Amazon decides a SAFE-T claim: Granted with the amount reimbursed, or Denied."""
        with self._lock:
            rma = self.returns[rma_id]
            rma.safet_claim_state = state
            rma.safet_reimbursement = Decimal(reimbursement) if reimbursement else None

    def amazon_refund(
        self, amazon_order_id, order_item_id, amounts, reason="Other", when=None, kind="amazon"
    ):
        """A refund Amazon made itself, or the seller in Seller Central: no feed, no reference.
        `kind`: "amazon" (Amazon or Seller Central), "atoz" (A-to-z guarantee), "chargeback"."""
        if kind not in amazon.REFUND_KINDS or kind == "feed":
            raise ValueError(f"Unknown refund kind {kind!r}")
        with self._lock:
            order = self.orders[amazon_order_id]
            item = order.items[order_item_id]
            amounts = {key: Decimal(str(value)) for key, value in amounts.items()}
            for component, amount in amounts.items():
                item.refunded[component] = item.refunded.get(component, ZERO) + amount
            return self._record_refund(
                order, item, amounts, reason=reason, when=_as_time(when), kind=kind
            )

    def amazon_cancel(self, amazon_order_id, order_item_id=None, reason="BuyerCanceled"):
        """Amazon cancels open lines itself (buyer request granted, payment failed...)."""
        with self._lock:
            order = self.orders[amazon_order_id]
            targets = [order.items[order_item_id]] if order_item_id else order.items.values()
            for item in targets:
                item.quantity_cancelled += item.quantity_unshipped
                item.cancelled_by = "AMAZON"
                item.cancel_reason = reason
            order.last_updated = self.now()

    def close_settlement(self, seller_id, end=None):
        """Amazon closes a settlement period: one DONE settlement report per currency holding the
        refunds not settled yet. Returns the new report ids."""
        with self._lock:
            end = _as_time(end) or self.now()
            open_refunds = [
                refund
                for refund in self.refunds
                if refund.seller_id == seller_id
                and not refund.settlement_id
                and refund.posted <= end
            ]
            by_currency = {}
            for refund in open_refunds:
                order = self.orders[refund.amazon_order_id]
                by_currency.setdefault((order.currency, order.marketplace_id), []).append(refund)
            report_ids = []
            for (currency, marketplace_id), refunds in sorted(by_currency.items()):
                settlement_id = str(12_000_000_000 + next(self._ids))
                start = min(refund.posted for refund in refunds).replace(hour=0, minute=0, second=0)
                rows = []
                for refund in refunds:
                    refund.settlement_id = settlement_id
                    order = self.orders[refund.amazon_order_id]
                    item = order.items[refund.order_item_id]
                    rows.extend(report_content.settlement_rows(refund, order, item))
                text, _ = report_content.settlement_report(
                    settlement_id, start, end, currency, rows
                )
                report = self._new_report(seller_id, amazon.REPORT_SETTLEMENT, [marketplace_id])
                report.data_start, report.data_end = start, end
                self._store_report_document(report, text, "text/plain")
                report.status = "DONE"
                report.started = report.ended = self.now()
                report_ids.append(report.report_id)
            return report_ids

    def relist_settlement(self, report_id):
        """Amazon lists a settlement again under a new report id, with a document of its own
        holding the same file (as it does when it regenerates a settlement report). Returns the
        new report id."""
        with self._lock:
            listed = self.reports[report_id]
            original = self.documents[listed.document_id]
            return self._settlement_report(
                listed.seller_id, listed.marketplace_ids[0], original, listed.data_start
            )

    def add_settlement_report(self, seller_id, marketplace_id, content):
        """A DONE settlement report holding `content`, a settlement file made elsewhere (a
        benchmark's). Returns its report id."""
        with self._lock:
            return self._settlement_report(
                seller_id,
                marketplace_id,
                Document(
                    document_id="", seller_id=seller_id, content_type="text/plain", content=content
                ),
            )

    def _settlement_report(self, seller_id, marketplace_id, original, start=None):
        report = self._new_report(seller_id, amazon.REPORT_SETTLEMENT, [marketplace_id])
        report.data_start, report.data_end = start or self.now(), self.now()
        document = self._new_document(
            seller_id,
            "amzn1.spdoc.1.4.na",
            content=original.content,
            content_type=original.content_type,
            compressed=original.compressed,
            charset=original.charset,
        )
        report.document_id = document.document_id
        report.status = "DONE"
        report.started = report.ended = self.now()
        return report.report_id

    def _record_refund(self, order, item, amounts, when=None, **details):
        refund = Refund(
            seller_id=order.seller_id,
            amazon_order_id=order.amazon_order_id,
            order_item_id=item.order_item_id,
            amounts=dict(amounts),
            posted=when or self.now(),
            adjustment_id=f"amzn1.adj.{next(self._ids):08d}",
            **details,
        )
        self.refunds.append(refund)
        order.last_updated = max(order.last_updated, refund.posted)
        return refund

    def _op_controlAmazonRefund(self, body, **_):
        """POST {"amazonOrderId", "orderItemId", "amounts": {component: amount}, "kind"}: a
        refund made by Amazon; answers its adjustment id."""
        payload = json_body(body)
        try:
            refund = self.amazon_refund(
                payload["amazonOrderId"],
                payload["orderItemId"],
                payload["amounts"],
                kind=payload.get("kind", "amazon"),
            )
        except (KeyError, ValueError, TypeError, ArithmeticError) as error:
            raise invalid(f"Cannot make this refund: {error!r}") from error
        return Reply.json(201, {"adjustmentId": refund.adjustment_id})

    def _op_controlCloseSettlement(self, body, **_):
        """POST {"sellerId"}: Amazon closes the seller's settlement period now; answers the new
        settlement report ids."""
        payload = json_body(body)
        if payload.get("sellerId") not in self.sellers:
            raise invalid("Unknown sellerId.")
        return Reply.json(201, {"reportIds": self.close_settlement(payload["sellerId"])})

    # Fault injection -------------------------------------------------------------------------

    def inject(self, operation, status=500, times=1, non_json=False):
        """Answer the next `times` calls of an operation (an operationId, or lwaToken,
        uploadDocument, downloadDocument) with `status`; `non_json` sends a proxy's HTML page."""
        with self._lock:
            self._faults.setdefault(operation, []).extend(
                [{"status": status, "non_json": non_json}] * times
            )

    def inject_timeout(self, operation, seconds, times=1):
        """Sleep `seconds` before answering the next `times` calls (the work is still done)."""
        with self._lock:
            self._faults.setdefault(f"{operation}:delay", []).extend([seconds] * times)

    def _take_fault(self, key):
        queue = self._faults.get(key)
        return queue.pop(0) if queue else None

    # Processing --------------------------------------------------------------------------------

    def process_feeds(self):
        """Finish every waiting feed now, whatever the delay (STUCK feeds stay IN_PROGRESS)."""
        with self._lock:
            for feed in list(self.feeds.values()):
                self._advance_feed(feed, force=True)

    def process_reports(self):
        """Finish every waiting report now, whatever the delay."""
        with self._lock:
            for report in list(self.reports.values()):
                self._advance_report(report, force=True)

    def reset_rate_limits(self):
        with self._lock:
            self._buckets.clear()

    # HTTP dispatch -----------------------------------------------------------------------------

    def _handle(self, method, target, headers, body):
        parts = urlsplit(target)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        operation, params = None, {}
        for route_method, pattern, route_operation in COMPILED_ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                operation, params = route_operation, match.groupdict()
                break
        if operation:
            with self._lock:
                delay = self._take_fault(f"{operation}:delay")
            if delay:
                time.sleep(delay)
        with self._lock:
            if operation is None:
                reply = Reply.error(ApiError(404, "NotFound", "Resource not found."))
            else:
                reply = self._call(operation, method, path, query, headers, body, params)
            self.requests.append((method, path, query, reply.status))
            if reply.status == 429:
                self.throttled_count += 1
            return reply

    def _call(self, operation, method, path, query, headers, body, params):
        request_id = str(uuid.uuid4())
        try:
            auth = None
            if operation not in UNSIGNED_OPERATIONS:
                auth = self._authenticate(headers.get("x-amz-access-token"), method, path)
            fault = self._take_fault(operation)
            if fault:
                reply = self._fault_reply(fault)
            elif auth and not self._take_quota(auth[0], operation):
                reply = self._fault_reply({"status": 429, "non_json": False})
            else:
                handler = getattr(self, f"_op_{operation}")
                reply = handler(
                    auth=auth, query=query, headers=headers, body=body, method=method, **params
                )
                if auth and reply.status < 400:
                    reply.headers["x-amzn-RateLimit-Limit"] = str(self._limits(operation)[0])
        except ApiError as error:
            reply = Reply.error(error)
        except Exception:
            # An emulator bug: answer like Amazon's own failures, and say where it broke.
            _logger.exception("The emulator failed on %s %s", method, path)
            reply = Reply.error(ApiError(500, "InternalFailure", "Emulator error (see stderr)."))
        if operation not in UNSIGNED_OPERATIONS:
            reply.headers["x-amzn-RequestId"] = request_id
        return reply

    @staticmethod
    def _fault_reply(fault):
        status = fault["status"]
        if fault["non_json"]:
            title = f"{status} {HTTPStatus(status).phrase}"
            page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
            return Reply(status, page.encode(), "text/html")
        codes = {
            429: ("QuotaExceeded", "You exceeded your quota for the requested resource."),
            503: ("ServiceUnavailable", "Service temporarily unavailable."),
            400: ("InvalidInput", "Invalid input."),
        }
        code, message = codes.get(status, ("InternalFailure", "We encountered an internal error."))
        return Reply.error(ApiError(status, code, message))

    def _authenticate(self, token, method, path):
        """The seller behind an access token or an RDT: (seller id, restricted token or None)."""
        if not token:
            raise unauthorized()
        restricted = self._restricted_tokens.get(token)
        if restricted:
            if self._ticks() > restricted["expires"]:
                raise unauthorized("The restricted data token you provided has expired.")
            resources = restricted["resources"]
            if not any(_resource_matches(resource, method, path) for resource in resources):
                raise unauthorized("The restricted data token does not cover this resource.")
            return restricted["seller_id"], restricted
        seller_id = self._access_tokens.get(token)
        if seller_id is None:
            if token in self._expired_tokens:
                raise unauthorized("The access token you provided has expired.")
            raise unauthorized("The access token you provided is revoked, malformed or invalid.")
        return seller_id, None

    @staticmethod
    def _limits(operation):
        return amazon.RATE_LIMITS[operation]

    def _take_quota(self, seller_id, operation):
        """Token bucket per seller and operation, full at first use, refilled at the rate."""
        if not self.enforce_rate_limits:
            return True
        rate, burst = self._limits(operation)
        rate *= self.rate_scale
        now = self._ticks()
        tokens, last = self._buckets.get((seller_id, operation), (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        if tokens < 1:
            self._buckets[(seller_id, operation)] = (tokens, now)
            return False
        self._buckets[(seller_id, operation)] = (tokens - 1, now)
        return True


def _resource_matches(resource, method, path):
    """Whether an RDT's restricted resource covers a call; {placeholders} match any segment."""
    if resource.get("method") != method:
        return False
    return bool(compile_template(resource.get("path", "")).match(path))
