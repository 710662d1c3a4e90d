"""The one door to Amazon's Selling Partner API, over python-amazon-sp-api.

Every call goes through `AmazonClient._call`, which waits for the rate limiter, runs the library
call and turns whatever happens into a result or into one of the seam's errors: RetryableError
(throttling, Amazon down, network trouble) or PermanentError (Amazon refused the request).
"""

import io
import json
import logging
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import urlsplit

import httpx
from sp_api.api import FeedsV20210630, FinancesV20240619, OrdersV20260101, Reports, Tokens
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import ApiResponse, fill_query_params, sp_endpoint
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.credential_provider import FromCodeCredentialProvider, MissingCredentials
from sp_api.base.exceptions import SellingApiException

from . import const
from .errors import PermanentError, RetryableError, ThrottledError
from .orders import LINK_DATASETS, RESTRICTED_DATASETS, parse_order
from .ratelimit import default_limiter
from .times import parse_time

_logger = logging.getLogger(__name__)

SECRET_KEYS = {"x-amz-access-token", "refresh_token", "client_secret", "restricteddatatoken"}


class _RedactSecrets(logging.Filter):
    """The library logs request headers and bodies at debug level: never let a token through."""

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = _redact(record.args)
        return True


def _redact(value):
    if isinstance(value, ApiResponse):
        value = value.payload
    if isinstance(value, dict):
        return {
            key: "***" if str(key).lower() in SECRET_KEYS else _redact(item)
            for key, item in value.items()
        }
    return value


for _library_logger in ("sp_api.base.client", "sp_api.auth.access_token_client"):
    logging.getLogger(_library_logger).addFilter(_RedactSecrets())

# Seconds a call may wait for the client-side rate limiter before giving up with ThrottledError.
DEFAULT_MAX_WAIT = 10.0
DOWNLOAD_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Connection:
    """Where and as whom to talk to Amazon: plain values, so the seam never reads Odoo records."""

    seller_id: str
    marketplace_id: str
    endpoint: str
    lwa_url: str
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    aws_region: str = "us-east-1"
    timeout: float = 30.0

    @property
    def limiter_key(self):
        return (self.endpoint, self.seller_id)


@dataclass(frozen=True)
class FeedInfo:
    feed_id: str
    feed_type: str
    status: str
    created_time: datetime | None
    result_document_id: str | None = None


@dataclass(frozen=True)
class ReportInfo:
    report_id: str
    report_type: str
    status: str
    document_id: str | None = None
    created_time: datetime | None = None


@dataclass(frozen=True)
class BuyerCancellation:
    """A buyer's request to cancel some or all items of an order, as the Orders API shows it."""

    order_id: str
    order_item_ids: tuple
    reason: str
    last_updated: datetime | None


@dataclass(frozen=True)
class RefundTransaction:
    """Money Amazon gave back on one item of an order, as listTransactions shows it.

    `amounts`: price components given back to the buyer (positive; kept components such as
    the restocking fee negative), net of the promotions Amazon took back; `promotions`: those
    promotions by the component they lowered (positive); `fees`: the fees and withheld taxes by
    Amazon's name, signed for the seller (Commission given back is positive); `unknown`: the
    breakdowns Amazon names in a way the seam does not know ("ProductCharges/NewCharge"),
    skipped; `unreadable`: why the transaction cannot be read (then nothing of it counts), or
    None.
    """

    transaction_id: str
    transaction_type: str
    order_id: str
    adjustment_id: str | None
    sku: str | None
    quantity: int | None
    posted: datetime | None
    currency: str | None
    amounts: dict
    fees: dict
    promotions: dict = field(default_factory=dict)
    unknown: tuple = ()
    unreadable: str | None = None


@dataclass
class _Marketplace:
    """The library's marketplace shape, pointing wherever the account says."""

    endpoint: str
    marketplace_id: str
    region: str


class _CheckedTransport(HttpxTransport):
    """Turns HTTP errors into the seam's errors where the library would let them pass.

    The library raises only for error responses with a JSON `errors` list; a 5xx page from a
    proxy, or any non-JSON error body, would come back as an empty success.
    """

    def request(self, method, url, **kwargs):
        response = super().request(method, url, **kwargs)
        if response.status_code >= 400 and not _has_error_list(response):
            status = response.status_code
            message = f"Amazon answered HTTP {status} without an error description"
            if status == 429:
                raise ThrottledError(message, status=status)
            if status >= 500 or status in (408, 425):
                raise RetryableError(message, status=status)
            raise PermanentError(message, status=status)
        return response


def _has_error_list(response):
    try:
        return bool(response.json().get("errors"))
    except (ValueError, AttributeError):
        return False


def _token_client_class(lwa_url, client_id):
    """An LWA client class aimed at `lwa_url`, with a token cache of its own per endpoint."""
    parts = urlsplit(lwa_url)

    class LwaTokenClient(AccessTokenClient):
        scheme = f"{parts.scheme}://"
        host = parts.netloc
        path = parts.path or "/auth/o2/token"

        def _get_cache_key(self, token_flavor=""):
            # The library's cache is global and keyed on the refresh token only: the same token
            # used against two endpoints (production and an emulator) must not share access tokens.
            return super()._get_cache_key(f"{token_flavor}|{lwa_url}|{client_id}")

    return LwaTokenClient


class _Feeds(FeedsV20210630):
    @sp_endpoint("/feeds/2021-06-30/documents/{}", method="GET")
    def get_feed_document_info(self, feedDocumentId, **kwargs):
        """getFeedDocument without downloading: the library's own method downloads unchecked."""
        return self._request(
            fill_query_params(kwargs.pop("path"), feedDocumentId),
            params=kwargs,
            add_marketplace=False,
        )


def _iso(moment):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _require(payload, key, operation):
    value = payload.get(key) if isinstance(payload, dict) else None
    if not value:
        raise RetryableError(f"{operation}: Amazon's answer has no {key}")
    return value


class AmazonClient:
    """SP-API operations the addon needs, for one seller account and marketplace."""

    def __init__(self, connection, limiter=None, max_wait=DEFAULT_MAX_WAIT):
        self.connection = connection
        self.limiter = limiter or default_limiter
        self.max_wait = max_wait
        self._apis = {}
        self._reserved = set()

    # -- plumbing ----------------------------------------------------------------------------

    def _api(self, api_class, restricted_data_token=None):
        key = (api_class, restricted_data_token)
        if key not in self._apis:
            conn = self.connection
            api = api_class(
                marketplace=_Marketplace(
                    conn.endpoint.rstrip("/"), conn.marketplace_id, conn.aws_region
                ),
                credentials={
                    "lwa_app_id": conn.client_id,
                    "lwa_client_secret": conn.client_secret,
                    "refresh_token": conn.refresh_token,
                },
                refresh_token=conn.refresh_token,
                credential_providers=(FromCodeCredentialProvider,),
                auth_token_client_class=_token_client_class(conn.lwa_url, conn.client_id),
                restricted_data_token=restricted_data_token,
                timeout=conn.timeout,
            )
            # SP_API_DEFAULT_MARKETPLACE in the environment overrides the marketplace passed in.
            api.endpoint = conn.endpoint.rstrip("/")
            api.marketplace_id = conn.marketplace_id
            api.region = conn.aws_region
            api._transport = _CheckedTransport(timeout=conn.timeout)
            self._apis[key] = api
        return self._apis[key]

    def reserve(self, operation):
        """Take the token of the next `operation` call now, waiting up to `max_wait` for it.

        For a call that must follow a last check at once: the wait comes before the check, and
        `unreserve` gives the token back when the check says not to call.
        """
        if operation not in self._reserved:
            self.limiter.acquire(self.connection.limiter_key, operation, self.max_wait)
            self._reserved.add(operation)

    def unreserve(self, operation):
        if operation in self._reserved:
            self._reserved.discard(operation)
            self.limiter.release(self.connection.limiter_key, operation)

    def reserve_feed_submission(self):
        """Take the token of the next `create_feed` now: see `reserve`."""
        self.reserve(const.CREATE_FEED)

    def unreserve_feed_submission(self):
        self.unreserve(const.CREATE_FEED)

    def _call(self, operation, api_class, method, *args, restricted_data_token=None, **kwargs):
        key = self.connection.limiter_key
        if operation in self._reserved:
            self._reserved.discard(operation)
        else:
            self.limiter.acquire(key, operation, self.max_wait)
        try:
            api = self._api(api_class, restricted_data_token)
            response = getattr(api, method)(*args, **kwargs)
        except ThrottledError as error:
            error.retry_after = self.limiter.throttled(key, operation)
            raise
        except SellingApiException as error:
            raise self._classify(operation, error) from error
        except AuthorizationError as error:
            raise self._classify_lwa(error) from error
        except MissingCredentials as error:
            raise PermanentError("The seller account has no LWA client id or secret") from error
        except httpx.TimeoutException as error:
            raise RetryableError(f"{operation}: Amazon did not answer in time") from error
        except httpx.ConnectError as error:
            raise RetryableError(self._unreachable(error)) from error
        except httpx.TransportError as error:
            raise RetryableError(
                f"{operation}: the connection to Amazon broke ({error})"
            ) from error
        except json.JSONDecodeError as error:
            raise RetryableError(f"{operation}: Amazon's answer is not JSON") from error
        if isinstance(response, ApiResponse) and response.rate_limit:
            self.limiter.adjust_rate(key, operation, response.rate_limit)
        return response

    def _unreachable(self, error):
        """Nothing answers at the address: say which one, so that the seller can correct it."""
        api_url = urlsplit(self.connection.endpoint)
        try:
            failed = error.request.url
        except RuntimeError:
            failed = None
        if failed is not None and (failed.host, failed.port) != (api_url.hostname, api_url.port):
            return (
                f"Cannot reach {failed.scheme}://{failed.netloc.decode()}: check the LWA token "
                "address"
            )
        return f"Cannot reach {api_url.scheme}://{api_url.netloc}: check the SP-API address"

    def _classify(self, operation, error):
        status = getattr(error, "code", None)
        code = getattr(error, "amzn_code", None)
        message = getattr(error, "message", None) or str(error)
        text = f"{operation}: {message}" + (f" ({code})" if code else "")
        if status == 429:
            retry_after = self.limiter.throttled(self.connection.limiter_key, operation)
            return ThrottledError(text, retry_after=retry_after, status=status)
        if status is None or status >= 500 or status == 999:
            return RetryableError(text, status=status)
        return PermanentError(text, code=code, status=status)

    @staticmethod
    def _classify_lwa(error):
        status = error.status_code if isinstance(error.status_code, int) else 0
        description = error.message or error.error_code or "no description"
        if status >= 500:
            return RetryableError(f"Amazon's login service failed: {description}", status=status)
        return PermanentError(
            f"Amazon refused the account's credentials: {description}",
            code=error.error_code,
            status=status,
        )

    def _download(self, url, compression, target):
        """Stream a pre-signed document URL into the binary `target`, inflating gzip on the way.

        The library reads these URLs without checking the HTTP status, which would store an
        error page as a report; this checks it and keeps memory bounded.
        """
        inflater = zlib.decompressobj(15 + 32) if compression else None
        try:
            with (
                httpx.Client(timeout=self.connection.timeout) as http,
                http.stream("GET", url) as response,
            ):
                if response.status_code >= 400:
                    raise RetryableError(
                        f"Downloading the document failed with HTTP {response.status_code}",
                        status=response.status_code,
                    )
                for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                    target.write(inflater.decompress(chunk) if inflater else chunk)
                if inflater:
                    target.write(inflater.flush())
                return response.charset_encoding
        except zlib.error as error:
            raise RetryableError(f"The document is not valid gzip: {error}") from error
        except httpx.TimeoutException as error:
            raise RetryableError("Downloading the document timed out") from error
        except httpx.TransportError as error:
            raise RetryableError(f"Downloading the document failed: {error}") from error

    # -- connection ----------------------------------------------------------------------------

    def check_connection(self):
        """Log in and read one page of feeds; raise the seam's error when that fails."""
        self.get_feeds(const.FEED_ADJUSTMENT, page_size=1, max_pages=1)
        return True

    # -- feeds -------------------------------------------------------------------------------

    def create_feed_document(self, content):
        """Create a feed document and upload `content` (UTF-8 bytes); return its document id."""
        if not isinstance(content, bytes):
            raise TypeError("Feed content must be UTF-8 bytes")
        response = self._call(
            "createFeedDocument",
            _Feeds,
            "create_feed_document",
            io.BytesIO(content),
            const.FEED_CONTENT_TYPE,
        )
        return _require(response.payload, "feedDocumentId", "createFeedDocument")

    def create_feed(self, feed_type, document_id):
        response = self._call(
            const.CREATE_FEED,
            _Feeds,
            "create_feed",
            feed_type,
            document_id,
            marketplaceIds=[self.connection.marketplace_id],
        )
        return _require(response.payload, "feedId", const.CREATE_FEED)

    def get_feed(self, feed_id):
        response = self._call("getFeed", _Feeds, "get_feed", feed_id)
        return self._feed_info(response.payload)

    @staticmethod
    def _feed_info(payload):
        return FeedInfo(
            feed_id=_require(payload, "feedId", "getFeed"),
            feed_type=payload.get("feedType"),
            status=_require(payload, "processingStatus", "getFeed"),
            created_time=parse_time(payload.get("createdTime")),
            result_document_id=payload.get("resultFeedDocumentId"),
        )

    def get_feeds(self, feed_type, created_since=None, page_size=100, max_pages=10):
        """Feeds of one type, newest first, as Amazon lists them (it keeps them 90 days)."""
        params = {"feedTypes": [feed_type], "pageSize": page_size}
        if created_since:
            params["createdSince"] = _iso(created_since)
        feeds = []
        for _page in range(max_pages):
            response = self._call("getFeeds", _Feeds, "get_feeds", **params)
            feeds.extend(self._feed_info(item) for item in response.payload.get("feeds", []))
            if not response.next_token:
                break
            params = {"nextToken": response.next_token}
        return feeds

    def download_feed_result(self, result_document_id):
        """The processing report's bytes, inflated."""
        response = self._call(
            "getFeedDocument", _Feeds, "get_feed_document_info", result_document_id
        )
        url = _require(response.payload, "url", "getFeedDocument")
        buffer = io.BytesIO()
        self._download(url, response.payload.get("compressionAlgorithm"), buffer)
        return buffer.getvalue()

    # -- reports -----------------------------------------------------------------------------

    def request_report(self, report_type, start=None, end=None):
        params = {"reportType": report_type, "marketplaceIds": [self.connection.marketplace_id]}
        if start:
            params["dataStartTime"] = _iso(start)
        if end:
            params["dataEndTime"] = _iso(end)
        response = self._call("createReport", Reports, "create_report", **params)
        return _require(response.payload, "reportId", "createReport")

    def get_report(self, report_id):
        response = self._call("getReport", Reports, "get_report", report_id)
        payload = response.payload
        return ReportInfo(
            report_id=_require(payload, "reportId", "getReport"),
            report_type=payload.get("reportType"),
            status=_require(payload, "processingStatus", "getReport"),
            document_id=payload.get("reportDocumentId"),
            created_time=parse_time(payload.get("createdTime")),
        )

    def download_report(self, document_id, target, report_type=None):
        """Write a report's bytes into the binary file `target`; return the announced charset.

        Reports that carry buyer data need a restricted data token, asked for on the way.
        """
        token = None
        if report_type in const.RESTRICTED_REPORTS:
            token = self.restricted_data_token(
                [{"method": "GET", "path": f"/reports/2021-06-30/documents/{document_id}"}]
            )
        response = self._call(
            "getReportDocument",
            Reports,
            "get_report_document",
            document_id,
            restricted_data_token=token,
        )
        url = _require(response.payload, "url", "getReportDocument")
        return self._download(url, response.payload.get("compressionAlgorithm"), target)

    def restricted_data_token(self, resources):
        response = self._call(
            "createRestrictedDataToken",
            Tokens,
            "create_restricted_data_token",
            restrictedResources=resources,
        )
        return _require(response.payload, "restrictedDataToken", "createRestrictedDataToken")

    def settlement_reports(self, created_since=None, page_size=100, max_pages=50):
        """Settlement reports Amazon finished since `created_since`, every page of them.

        Amazon makes these on its own schedule; they cannot be requested with createReport.
        """
        params = {
            "reportTypes": [const.REPORT_SETTLEMENT],
            "processingStatuses": [const.REPORT_DONE],
            "pageSize": page_size,
        }
        if created_since:
            params["createdSince"] = _iso(created_since)
        reports = []
        for _page in range(max_pages):
            response = self._call("getReports", Reports, "get_reports", **params)
            for payload in response.payload.get("reports", []):
                reports.append(
                    ReportInfo(
                        report_id=_require(payload, "reportId", "getReports"),
                        report_type=payload.get("reportType"),
                        status=payload.get("processingStatus"),
                        document_id=payload.get("reportDocumentId"),
                        created_time=parse_time(payload.get("createdTime")),
                    )
                )
            if not response.next_token:
                break
            params = {"nextToken": response.next_token}
        return reports

    # -- finances ----------------------------------------------------------------------------

    def refund_transactions(self, posted_after, order_id=None, max_pages=50):
        """Refunds, guarantee claims and chargebacks posted since `posted_after`, per item;
        only those of `order_id` when given."""
        params = {"postedAfter": _iso(posted_after)}
        if order_id:
            params["relatedIdentifierName"] = const.TRANSACTION_ORDER_ID
            params["relatedIdentifierValue"] = order_id
        else:
            params["marketplaceId"] = self.connection.marketplace_id
        found = []
        for _page in range(max_pages):
            response = self._call(
                "listTransactions", FinancesV20240619, "list_transactions", **params
            )
            for transaction in response.payload.get("transactions") or []:
                if transaction.get("transactionType") in const.TRANSACTION_REFUND_TYPES:
                    found.extend(_refund_items(transaction))
            token = response.next_token or response.payload.get("nextToken")
            if not token:
                break
            params = {**params, "nextToken": token}
        return found

    # -- orders ------------------------------------------------------------------------------

    def cancelled_orders(self, updated_since, max_pages=5):
        """Ids of the orders Amazon shows cancelled, among those updated since `updated_since`."""
        params = {
            "lastUpdatedAfter": _iso(updated_since),
            "marketplaceIds": [self.connection.marketplace_id],
            "fulfillmentStatuses": [const.ORDER_CANCELLED],
        }
        found = []
        for _page in range(max_pages):
            response = self._call("searchOrders", OrdersV20260101, "search_orders", **params)
            found.extend(order["orderId"] for order in response.payload.get("orders", []))
            if not response.next_token:
                break
            params["paginationToken"] = response.next_token
        return found

    def buyer_cancellations(self, updated_since, max_pages=5):
        """Orders updated since `updated_since` that carry a buyer's cancellation request."""
        params = {
            "lastUpdatedAfter": _iso(updated_since),
            "marketplaceIds": [self.connection.marketplace_id],
            "fulfillmentStatuses": ["PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED"],
            "includedData": ["CANCELLATION"],
        }
        found = []
        for _page in range(max_pages):
            response = self._call("searchOrders", OrdersV20260101, "search_orders", **params)
            for order in response.payload.get("orders", []):
                cancellation = self._order_cancellation(order)
                if cancellation:
                    found.append(cancellation)
            if not response.next_token:
                break
            params["paginationToken"] = response.next_token
        return found

    def get_order(self, order_id, included=LINK_DATASETS, restricted=False):
        """One order with its items (getOrder), as OrderInfo. With `restricted`, the buyer and
        the delivery address come too: a restricted data token is asked for on the way."""
        token = None
        if restricted:
            included = (*included, *RESTRICTED_DATASETS)
            token = self._orders_token(f"/orders/2026-01-01/orders/{order_id}")
        response = self._call(
            "getOrder",
            OrdersV20260101,
            "get_order",
            order_id,
            includedData=list(included),
            restricted_data_token=token,
        )
        return parse_order(_require(response.payload, "order", "getOrder"))

    def search_orders(
        self,
        updated_after,
        updated_before,
        included,
        restricted=False,
        pagination_token=None,
        marketplace_ids=None,
    ):
        """One page of the orders updated in [updated_after, updated_before] (searchOrders):
        (orders as OrderInfo, the token of the next page or None). A token continues the search
        it came from, and Amazon wants every filter of that search again with it: a next page
        must be asked with the same window and marketplaces as the first."""
        params = {
            "includedData": list(included),
            "maxResultsPerPage": const.ORDERS_PAGE_SIZE,
            "lastUpdatedAfter": _iso(updated_after),
            "lastUpdatedBefore": _iso(updated_before),
            "marketplaceIds": list(marketplace_ids or [self.connection.marketplace_id]),
        }
        if restricted:
            params["includedData"] += list(RESTRICTED_DATASETS)
        if pagination_token:
            params["paginationToken"] = pagination_token
        token = self._orders_token("/orders/2026-01-01/orders") if restricted else None
        response = self._call(
            "searchOrders",
            OrdersV20260101,
            "search_orders",
            restricted_data_token=token,
            **params,
        )
        orders = [parse_order(order) for order in response.payload.get("orders", [])]
        return orders, response.next_token

    def _orders_token(self, path):
        return self.restricted_data_token(
            [{"method": "GET", "path": path, "dataElements": ["buyerInfo", "shippingAddress"]}]
        )

    @staticmethod
    def _order_cancellation(order):
        requested = [
            item
            for item in order.get("orderItems", [])
            if (item.get("cancellation") or {}).get("cancellationRequest", {}).get("requester")
            == "BUYER"
        ]
        if not requested:
            return None
        return BuyerCancellation(
            order_id=order["orderId"],
            order_item_ids=tuple(item["orderItemId"] for item in requested),
            reason=requested[0]["cancellation"]["cancellationRequest"].get("cancelReason") or "",
            last_updated=parse_time(order.get("lastUpdatedTime")),
        )


def _identifiers(identifiers, name_key, value_key):
    return {entry.get(name_key): entry.get(value_key) for entry in identifiers or []}


class _Unreadable(ValueError):
    """A breakdown the seam cannot take as money."""


def _breakdown_amount(breakdown, path, currency):
    money = breakdown.get("breakdownAmount")
    if not isinstance(money, dict):
        raise _Unreadable(f"{path} has no amount")
    try:
        amount = Decimal(str(money.get("currencyAmount")))
    except ArithmeticError as error:
        raise _Unreadable(f"{path} has no amount: {money.get('currencyAmount')!r}") from error
    if not amount.is_finite():
        raise _Unreadable(f"{path} has no amount: {money.get('currencyAmount')!r}")
    if currency and money.get("currencyCode") not in (None, currency):
        raise _Unreadable(f"{path} is in {money.get('currencyCode')}, not {currency}")
    return amount


def _read_breakdowns(breakdowns, currency, found, path=""):
    """Add the amounts of the breakdowns Amazon names, at any depth, to `found`: (charges,
    promotions, fees, unknown). A named breakdown counts whole, with whatever it contains; an
    unnamed group is walked through; an unnamed leaf is unknown, noted only when it holds money."""
    charges, promotions, fees, unknown = found
    if not isinstance(breakdowns, list):
        raise _Unreadable(f"{path or 'the item'}: breakdowns is not a list")
    for breakdown in breakdowns:
        if not isinstance(breakdown, dict):
            raise _Unreadable(f"{path or 'the item'}: a breakdown is not an object")
        name = str(breakdown.get("breakdownType") or "")
        where = f"{path}/{name}" if path else name
        if name in const.TRANSACTION_CHARGES:
            into, key = charges, const.TRANSACTION_CHARGES[name]
        elif name in const.TRANSACTION_PROMOTIONS:
            into, key = promotions, const.TRANSACTION_PROMOTIONS[name]
        elif name in const.TRANSACTION_FEES:
            into, key = fees, name
        elif breakdown.get("breakdowns"):
            _read_breakdowns(breakdown["breakdowns"], currency, found, where)
            continue
        else:
            try:
                held = _breakdown_amount(breakdown, where, currency)
            except _Unreadable:
                held = True  # not the seam's to read, but maybe money: say it was skipped
            if held:
                unknown.append(where)
            continue
        into[key] = into.get(key, Decimal(0)) + _breakdown_amount(breakdown, where, currency)
    return found


def _item_money(item, currency):
    """(amounts, promotions, fees, unknown) of one item of a refund; raises _Unreadable."""
    if not item.get("breakdowns"):
        raise _Unreadable("the item has no breakdowns")
    charges, promotions, fees, unknown = _read_breakdowns(
        item["breakdowns"], currency, ({}, {}, {}, [])
    )
    amounts = {}
    # The seller's charges are negative and the promotions taken back positive: the buyer got
    # back the opposite of their sum.
    for component in charges.keys() | promotions.keys():
        amount = -(charges.get(component, Decimal(0)) + promotions.get(component, Decimal(0)))
        if amount:
            amounts[component] = amount
    if not amounts:
        why = f"unknown breakdowns {', '.join(unknown)}" if unknown else "no price component"
        raise _Unreadable(f"nothing given back to the buyer can be read ({why})")
    return amounts, {k: v for k, v in promotions.items() if v}, fees, tuple(unknown)


def _refund_items(transaction):
    """One RefundTransaction per item of a refund transaction (money back as positive)."""
    related = _identifiers(
        transaction.get("relatedIdentifiers"), "relatedIdentifierName", "relatedIdentifierValue"
    )
    order_id = related.get(const.TRANSACTION_ORDER_ID)
    if not order_id:
        return []
    total = transaction.get("totalAmount") or {}
    items = []
    for item in transaction.get("items") or []:
        item = item if isinstance(item, dict) else {}
        item_ids = _identifiers(
            item.get("relatedIdentifiers"),
            "itemRelatedIdentifierName",
            "itemRelatedIdentifierValue",
        )
        product = next(
            (c for c in item.get("contexts") or [] if c.get("contextType") == "ProductContext"),
            {},
        )
        transaction_id = transaction.get("transactionId") or ""
        money = {"amounts": {}, "fees": {}}
        try:
            amounts, promotions, fees, unknown = _item_money(item, total.get("currencyCode"))
        except _Unreadable as error:
            _logger.warning(
                "Amazon transaction %s of order %s cannot be read: %s",
                transaction_id,
                order_id,
                error,
            )
            money["unreadable"] = str(error)
        else:
            if unknown:
                _logger.warning(
                    "Amazon transaction %s of order %s: unknown breakdowns skipped: %s",
                    transaction_id,
                    order_id,
                    ", ".join(unknown),
                )
            money.update(amounts=amounts, promotions=promotions, fees=fees, unknown=unknown)
        items.append(
            RefundTransaction(
                transaction_id=transaction_id,
                transaction_type=transaction["transactionType"],
                order_id=order_id,
                adjustment_id=item_ids.get(const.TRANSACTION_ADJUSTMENT_ITEM_ID),
                sku=product.get("sku"),
                quantity=product.get("quantityShipped"),
                posted=parse_time(transaction.get("postedDate")),
                currency=total.get("currencyCode"),
                **money,
            )
        )
    return items
