"""The SP-API operations of the emulator: what Amazon answers and how feeds and reports live.

A mixin of `server.Emulator`, which holds the state these methods read and change, under its lock.
"""

import gzip
import hashlib
import secrets
import uuid
from datetime import timedelta
from urllib.parse import parse_qs

from . import amazon, finances, order_views, report_content
from .feed_processing import FeedError, OrderBook, read_document
from .processing_report import build_processing_report
from .protocol import (
    Reply,
    check_marketplaces,
    compile_template,
    int_param,
    invalid,
    iso,
    json_body,
    list_param,
    not_found,
    parse_time,
    s3_error,
    single_param,
    unauthorized,
)
from .state import Document, Feed, Report

ACCESS_TOKEN_SECONDS = 3600
RDT_SECONDS = 3600
# Presigned document URLs live five minutes at Amazon.
URL_SECONDS = 300
# Amazon keeps feeds and reports 90 days; that is also getFeeds' and getReports' default window.
LIST_DEFAULT_DAYS = 90
# What createReport covers when no dataStartTime is given.
REPORT_DEFAULT_PERIOD = timedelta(days=30)
# searchOrders refuses a createdBefore/lastUpdatedBefore later than two minutes ago.
ORDERS_LAG = timedelta(minutes=2)
# searchOrders' pagination tokens expire after 24 hours.
SEARCH_TOKEN_SECONDS = 24 * 3600

FEED_TYPES = tuple(amazon.FEED_MESSAGE_TYPES)
INCLUDED_DATA = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
)
FULFILLMENT_STATUSES = (
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)
FEED_OUTCOMES = (None, "FATAL", "FATAL_PARTIAL", "CANCELLED", "STUCK")
REPORT_OUTCOMES = (None, "FATAL", "CANCELLED")
# Paths an RDT may be asked for: the report documents and the orders with buyer data.
RESTRICTED_PATHS = (
    "/reports/2021-06-30/documents/{reportDocumentId}",
    "/orders/v0/orders",
    "/orders/v0/orders/{orderId}",
    "/orders/v0/orders/{orderId}/orderItems",
    "/orders/2026-01-01/orders",
    "/orders/2026-01-01/orders/{orderId}",
)
COMPILED_RESTRICTED = tuple(compile_template(path) for path in RESTRICTED_PATHS)


class Operations:
    """Handlers named _op_<operationId>, called with the caller's (seller id, RDT) as `auth`."""

    # Documents and pages -----------------------------------------------------------------------

    def _new_url(self, kind, document_id, gzip_header=False):
        token = secrets.token_urlsafe(24)
        self._urls[token] = {
            "kind": kind,
            "document_id": document_id,
            "expires": self._ticks() + URL_SECONDS,
            "gzip_header": gzip_header,
        }
        return f"{self.url}/_emulator/{kind}/{token}"

    def _new_document(self, seller_id, prefix, **fields):
        document_id = f"{prefix}.{uuid.uuid4()}.T{secrets.token_hex(6).upper()}"
        document = Document(document_id=document_id, seller_id=seller_id, **fields)
        self.documents[document_id] = document
        return document

    def _page(self, kind, items, page_size, extra=None):
        """Split off the first page of a list; the rest waits behind a token."""
        token = None
        if len(items) > page_size:
            token = secrets.token_urlsafe(32)
            self._pages[token] = {
                "kind": kind,
                "items": items[page_size:],
                "page_size": page_size,
                "extra": extra,
            }
        return items[:page_size], token

    def _resume(self, kind, token):
        page = self._pages.pop(token, None)
        if page is None or page["kind"] != kind:
            raise invalid("Invalid pagination token.")
        return page

    def _search_page(self, kind, query, token_name, free, select, page_size):
        """One page of a search whose next pages repeat its filters (searchOrders,
        listTransactions): `select()` gives (items, extra) on the first call; a next page is
        refused when a filter differs from the first call's, except the parameters `free`.
        Tokens can be used again until they expire, as Amazon's can."""
        filters = _filters(query, (token_name, *free))
        token = single_param(query, token_name)
        if token:
            search = self._pages.get(token)
            if search is None or search["kind"] != kind:
                raise invalid("Invalid pagination token.")
            if self._ticks() > search["expires"]:
                raise invalid("The pagination token has expired.")
            if filters != search["filters"]:
                raise invalid(
                    "All other parameters must be provided with the same values that were "
                    "provided with the request that generated this token."
                )
            items, extra, start = search["items"], search["extra"], search["start"]
        else:
            (items, extra), start = select(), 0
        end = start + page_size
        next_token = None
        if len(items) > end:
            next_token = secrets.token_urlsafe(32)
            self._pages[next_token] = {
                "kind": kind,
                "items": items,
                "start": end,
                "extra": extra,
                "filters": filters,
                "expires": self._ticks() + SEARCH_TOKEN_SECONDS,
            }
        return items[start:end], extra, next_token

    # LWA and Tokens ----------------------------------------------------------------------------

    def _op_lwaToken(self, body, **_):
        form = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
        fault = None
        if form.get("grant_type") != "refresh_token":
            fault = (400, "unsupported_grant_type", "The grant type is not supported.")
        elif not form.get("client_id") or not form.get("client_secret"):
            fault = (400, "invalid_request", "The request is missing a required parameter.")
        else:
            app_known = any(
                seller.client_id == form["client_id"]
                and seller.client_secret == form["client_secret"]
                for seller in self.sellers.values()
            )
            seller = next(
                (
                    seller
                    for seller in self.sellers.values()
                    if seller.refresh_token == form.get("refresh_token")
                    and seller.client_id == form["client_id"]
                ),
                None,
            )
            if not app_known:
                fault = (401, "invalid_client", "Client authentication failed")
            elif seller is None or seller.client_secret != form["client_secret"]:
                fault = (
                    400,
                    "invalid_grant",
                    "The request has an invalid grant parameter : refresh_token",
                )
        if fault:
            status, error, description = fault
            return Reply.json(status, {"error": error, "error_description": description})
        token = self._access_token(seller)
        self._access_tokens[token] = seller.seller_id
        return Reply.json(
            200,
            {
                "access_token": token,
                "refresh_token": seller.refresh_token,
                "token_type": "bearer",
                "expires_in": ACCESS_TOKEN_SECONDS,
            },
        )

    def _op_createRestrictedDataToken(self, auth, body, **_):
        seller_id, restricted = auth
        if restricted:
            raise unauthorized("A restricted data token cannot ask for another one.")
        payload = json_body(body)
        resources = payload.get("restrictedResources")
        if not isinstance(resources, list) or not 1 <= len(resources) <= 50:
            raise invalid("restrictedResources must list 1 to 50 resources.")
        for resource in resources:
            if not isinstance(resource, dict) or resource.get("method") not in (
                "GET",
                "PUT",
                "POST",
                "DELETE",
            ):
                raise invalid("Each restricted resource needs a method: GET, PUT, POST or DELETE.")
            path = resource.get("path")
            if not isinstance(path, str) or not any(
                pattern.match(path) for pattern in COMPILED_RESTRICTED
            ):
                raise invalid(f"{path!r} is not a restricted resource.")
        token = "Atz.sprdt|emu-" + secrets.token_urlsafe(32)
        self._restricted_tokens[token] = {
            "seller_id": seller_id,
            "resources": resources,
            "expires": self._ticks() + RDT_SECONDS,
        }
        return Reply.json(200, {"restrictedDataToken": token, "expiresIn": RDT_SECONDS})

    # Documents ---------------------------------------------------------------------------------

    def _op_uploadDocument(self, token, body, headers, **_):
        document = self._url_document(token, "upload")
        if isinstance(document, Reply):
            return document
        document.content = body
        document.content_type = headers.get("Content-Type", document.content_type)
        self.feed_documents[document.document_id] = body
        etag = hashlib.md5(body, usedforsecurity=False).hexdigest()
        return Reply(200, b"", "text/plain", {"ETag": f'"{etag}"'})

    def _op_downloadDocument(self, token, **_):
        document = self._url_document(token, "download")
        if isinstance(document, Reply):
            return document
        headers = {}
        if self._urls[token]["gzip_header"] and document.compressed:
            headers["Content-Encoding"] = "gzip"
        content_type = document.content_type or "application/octet-stream"
        if document.charset:
            content_type = f"{content_type}; charset={document.charset}"
        return Reply(200, document.content or b"", content_type, headers)

    def _url_document(self, token, kind):
        """The document behind a presigned URL, or S3's XML refusal."""
        grant = self._urls.get(token)
        if grant is None or grant["kind"] != kind:
            return s3_error(403, "AccessDenied", "Access Denied")
        if self._ticks() > grant["expires"]:
            return s3_error(403, "AccessDenied", "Request has expired")
        return self.documents[grant["document_id"]]

    # Feeds -------------------------------------------------------------------------------------

    def _op_createFeedDocument(self, auth, body, **_):
        payload = json_body(body)
        content_type = payload.get("contentType")
        if not isinstance(content_type, str) or not content_type:
            raise invalid("contentType is required.")
        document = self._new_document(auth[0], "amzn1.tortuga.4.na", content_type=content_type)
        url = self._new_url("upload", document.document_id)
        return Reply.json(201, {"feedDocumentId": document.document_id, "url": url})

    def _op_createFeed(self, auth, body, **_):
        seller_id = auth[0]
        payload = json_body(body)
        feed_type = payload.get("feedType")
        if feed_type not in FEED_TYPES:
            raise invalid(f"Invalid feed type: {feed_type}.")
        marketplace_ids = check_marketplaces(payload.get("marketplaceIds"))
        if len(marketplace_ids) > 25:
            raise invalid("marketplaceIds allows at most 25 marketplaces.")
        document = self.documents.get(payload.get("inputFeedDocumentId") or "")
        if document is None or document.seller_id != seller_id:
            raise invalid("Invalid inputFeedDocumentId: the feed document does not exist.")
        if document.content is None:
            raise invalid("The feed document has no content: upload it before calling createFeed.")
        outcome, self.next_feed_outcome = self.next_feed_outcome, None
        if outcome not in FEED_OUTCOMES:
            raise ValueError(f"next_feed_outcome must be one of {FEED_OUTCOMES}")
        feed = Feed(
            feed_id=str(60_000_000_000 + next(self._ids)),
            seller_id=seller_id,
            feed_type=feed_type,
            marketplace_ids=marketplace_ids,
            input_document_id=document.document_id,
            created=self.now(),
            created_clock=self._ticks(),
            forced_outcome=outcome,
        )
        self.feeds[feed.feed_id] = feed
        return Reply.json(202, {"feedId": feed.feed_id})

    def _seller_feed(self, seller_id, feed_id):
        feed = self.feeds.get(feed_id)
        if feed is None or feed.seller_id != seller_id:
            raise not_found("feed")
        return feed

    def _op_getFeed(self, auth, feedId, **_):
        feed = self._seller_feed(auth[0], feedId)
        self._advance_feed(feed)
        return Reply.json(200, self._feed_json(feed))

    def _op_getFeeds(self, auth, query, **_):
        token = single_param(query, "nextToken")
        if token:
            if set(query) != {"nextToken"}:
                raise invalid("nextToken must be the only parameter.")
            page = self._resume("feeds", token)
            feeds, next_token = self._page("feeds", page["items"], page["page_size"])
        else:
            feed_types = list_param(query, "feedTypes")
            if not 1 <= len(feed_types) <= 10:
                raise invalid("Either feedTypes or nextToken is required (1 to 10 feed types).")
            statuses = self._statuses(query)
            marketplaces = list_param(query, "marketplaceIds")
            page_size = int_param(query, "pageSize", 10, 1, 100)
            since, until = self._window(query, "createdSince", "createdUntil")
            for feed in self.feeds.values():
                self._advance_feed(feed)
            selected = [
                feed
                for feed in self.feeds.values()
                if feed.seller_id == auth[0]
                and feed.feed_type in feed_types
                and (not statuses or feed.status in statuses)
                and (not marketplaces or set(marketplaces) & set(feed.marketplace_ids))
                and since <= feed.created <= until
            ]
            selected.sort(key=lambda feed: (feed.created, feed.feed_id), reverse=True)
            feeds, next_token = self._page("feeds", selected, page_size)
        for feed in feeds:
            self._advance_feed(feed)
        payload = {"feeds": [self._feed_json(feed) for feed in feeds]}
        if next_token:
            payload["nextToken"] = next_token
        return Reply.json(200, payload)

    def _statuses(self, query):
        statuses = list_param(query, "processingStatuses")
        bad = [status for status in statuses if status not in amazon.PROCESSING_STATUSES]
        if bad:
            raise invalid(f"Invalid processingStatuses value: {bad[0]}.")
        return statuses

    def _window(self, query, since_name, until_name):
        now = self.now()
        since = single_param(query, since_name)
        until = single_param(query, until_name)
        since = parse_time(since, since_name) if since else now - timedelta(days=LIST_DEFAULT_DAYS)
        until = parse_time(until, until_name) if until else now
        return since, until

    def _op_cancelFeed(self, auth, feedId, **_):
        feed = self._seller_feed(auth[0], feedId)
        self._advance_feed(feed)
        if feed.status != "IN_QUEUE":
            raise invalid(f"The feed cannot be cancelled: its processing status is {feed.status}.")
        feed.status = "CANCELLED"
        feed.ended = self.now()
        return Reply(200, b"")

    def _op_getFeedDocument(self, auth, query, feedDocumentId, **_):
        document = self.documents.get(feedDocumentId)
        if (
            document is None
            or document.seller_id != auth[0]
            or not document.document_id.startswith("amzn1.tortuga")
        ):
            raise not_found("feed document")
        gzip_header = single_param(query, "enableContentEncodingUrlHeader") == "true"
        payload = {
            "feedDocumentId": document.document_id,
            "url": self._new_url("download", document.document_id, gzip_header),
        }
        if document.compressed:
            payload["compressionAlgorithm"] = "GZIP"
        return Reply.json(200, payload)

    def _feed_json(self, feed):
        payload = {
            "feedId": feed.feed_id,
            "feedType": feed.feed_type,
            "marketplaceIds": feed.marketplace_ids,
            "createdTime": iso(feed.created),
            "processingStatus": feed.status,
        }
        if feed.started:
            payload["processingStartTime"] = iso(feed.started)
        if feed.ended and feed.status != "CANCELLED":
            payload["processingEndTime"] = iso(feed.ended)
        if feed.result_document_id:
            payload["resultFeedDocumentId"] = feed.result_document_id
        return payload

    def _advance_feed(self, feed, force=False):
        """Move a feed along its life as time passed: IN_QUEUE, IN_PROGRESS half-way, then done."""
        if feed.status in amazon.FINAL_STATUSES:
            return
        elapsed = self._ticks() - feed.created_clock
        if feed.forced_outcome == "CANCELLED" and (force or elapsed >= self.feed_delay):
            feed.status = "CANCELLED"
            feed.ended = self.now()
            return
        if feed.status == "IN_QUEUE" and (force or elapsed >= self.feed_delay / 2):
            feed.status = "IN_PROGRESS"
            feed.started = self.now()
        if feed.forced_outcome == "STUCK" or not (force or elapsed >= self.feed_delay):
            return
        self._process_feed(feed)

    def _process_feed(self, feed):
        book = OrderBook(self.orders, feed.seller_id, self.now(), self._record_refund)
        content = self.documents[feed.input_document_id].content
        try:
            feed.messages = read_document(feed.feed_type, content)
            results = []
            envelope_failed = False
        except FeedError as error:
            feed.messages = []
            results = [error.result("0")]
            envelope_failed = True
        if feed.forced_outcome in ("FATAL", "FATAL_PARTIAL"):
            # Amazon: "Some, none, or all of the operations within the feed may have completed."
            for index, message in enumerate(feed.messages):
                if index == 0 and feed.forced_outcome == "FATAL_PARTIAL":
                    book.process(message, feed.feed_id)
                elif message.outcome == "pending":
                    message.outcome = "not-applied"
            feed.status = "FATAL"
        else:
            for message in feed.messages:
                results.extend(book.process(message, feed.feed_id))
            processed = 0 if envelope_failed else len(feed.messages)
            report = build_processing_report(
                feed.feed_id, processed, results, merchant_id=feed.seller_id
            )
            if self.malformed_report:
                report = report[: len(report) // 2]
            document = self._new_document(
                feed.seller_id,
                "amzn1.tortuga.4.na",
                content=gzip.compress(report),
                content_type="text/xml",
                compressed=True,
            )
            feed.result_document_id = document.document_id
            feed.status = "DONE"
        feed.ended = self.now()

    # Reports -----------------------------------------------------------------------------------

    def _op_createReport(self, auth, body, **_):
        payload = json_body(body)
        report_type = payload.get("reportType")
        if report_type not in amazon.REPORT_TYPES:
            raise invalid(f"Invalid reportType: {report_type}.")
        if report_type == amazon.REPORT_SETTLEMENT:
            raise invalid(
                f"{report_type} reports are created by Amazon when a settlement closes; "
                "list them with getReports."
            )
        marketplace_ids = check_marketplaces(payload.get("marketplaceIds"))
        now = self.now()
        start = payload.get("dataStartTime")
        end = payload.get("dataEndTime")
        end = parse_time(end, "dataEndTime") if end else now
        # The model says the start defaults to now, which would select nothing; Amazon's order
        # and returns reports cover a recent period instead.
        start = parse_time(start, "dataStartTime") if start else end - REPORT_DEFAULT_PERIOD
        if start > end:
            raise invalid("dataStartTime must be before dataEndTime.")
        if start > now:
            raise invalid("dataStartTime must not be in the future.")
        if report_type in amazon.RETURNS_REPORTS and end - start > timedelta(
            days=amazon.RETURNS_REPORT_MAX_DAYS
        ):
            raise invalid(
                f"The date range for {report_type} cannot exceed "
                f"{amazon.RETURNS_REPORT_MAX_DAYS} days."
            )
        outcome, self.next_report_outcome = self.next_report_outcome, None
        if outcome not in REPORT_OUTCOMES:
            raise ValueError(f"next_report_outcome must be one of {REPORT_OUTCOMES}")
        report = self._new_report(auth[0], report_type, marketplace_ids)
        report.data_start, report.data_end = start, end
        report.forced_outcome = outcome
        return Reply.json(202, {"reportId": report.report_id})

    def _new_report(self, seller_id, report_type, marketplace_ids):
        report = Report(
            report_id=str(70_000_000_000 + next(self._ids)),
            seller_id=seller_id,
            report_type=report_type,
            marketplace_ids=marketplace_ids,
            created=self.now(),
            created_clock=self._ticks(),
        )
        self.reports[report.report_id] = report
        return report

    def _seller_report(self, seller_id, report_id):
        report = self.reports.get(report_id)
        if report is None or report.seller_id != seller_id:
            raise not_found("report")
        return report

    def _op_getReport(self, auth, reportId, **_):
        report = self._seller_report(auth[0], reportId)
        self._advance_report(report)
        return Reply.json(200, self._report_json(report))

    def _op_getReports(self, auth, query, **_):
        token = single_param(query, "nextToken")
        if token:
            if set(query) != {"nextToken"}:
                raise invalid("nextToken must be the only parameter.")
            page = self._resume("reports", token)
            reports, next_token = self._page("reports", page["items"], page["page_size"])
        else:
            report_types = list_param(query, "reportTypes")
            if not 1 <= len(report_types) <= 10:
                raise invalid("Either reportTypes or nextToken is required (1 to 10 types).")
            statuses = self._statuses(query)
            marketplaces = list_param(query, "marketplaceIds")
            page_size = int_param(query, "pageSize", 10, 1, 100)
            since, until = self._window(query, "createdSince", "createdUntil")
            for report in self.reports.values():
                self._advance_report(report)
            selected = [
                report
                for report in self.reports.values()
                if report.seller_id == auth[0]
                and report.report_type in report_types
                and (not statuses or report.status in statuses)
                and (not marketplaces or set(marketplaces) & set(report.marketplace_ids))
                and since <= report.created <= until
            ]
            selected.sort(key=lambda report: (report.created, report.report_id), reverse=True)
            reports, next_token = self._page("reports", selected, page_size)
        for report in reports:
            self._advance_report(report)
        payload = {"reports": [self._report_json(report) for report in reports]}
        if next_token:
            payload["nextToken"] = next_token
        return Reply.json(200, payload)

    def _op_cancelReport(self, auth, reportId, **_):
        report = self._seller_report(auth[0], reportId)
        self._advance_report(report)
        if report.status != "IN_QUEUE":
            raise invalid(
                f"The report cannot be cancelled: its processing status is {report.status}."
            )
        report.status = "CANCELLED"
        return Reply(200, b"")

    def _op_getReportDocument(self, auth, query, method, reportDocumentId, **_):
        seller_id, restricted = auth
        document = self.documents.get(reportDocumentId)
        if (
            document is None
            or document.seller_id != seller_id
            or not document.document_id.startswith("amzn1.spdoc")
        ):
            raise not_found("report document")
        if document.restricted and not restricted:
            raise unauthorized(
                "This report holds buyer data: call getReportDocument with a restricted data token."
            )
        gzip_header = single_param(query, "enableContentEncodingUrlHeader") == "true"
        payload = {
            "reportDocumentId": document.document_id,
            "url": self._new_url("download", document.document_id, gzip_header),
        }
        if document.compressed:
            payload["compressionAlgorithm"] = "GZIP"
        return Reply.json(200, payload)

    def _report_json(self, report):
        payload = {
            "reportId": report.report_id,
            "reportType": report.report_type,
            "marketplaceIds": report.marketplace_ids,
            "createdTime": iso(report.created),
            "processingStatus": report.status,
        }
        optional = {
            "dataStartTime": iso(report.data_start),
            "dataEndTime": iso(report.data_end),
            "processingStartTime": iso(report.started),
            "processingEndTime": iso(report.ended),
            "reportDocumentId": report.document_id,
        }
        payload.update({key: value for key, value in optional.items() if value})
        return payload

    def _advance_report(self, report, force=False):
        if report.status in amazon.FINAL_STATUSES:
            return
        elapsed = self._ticks() - report.created_clock
        if report.status == "IN_QUEUE" and (force or elapsed >= self.report_delay / 2):
            report.status = "IN_PROGRESS"
            report.started = self.now()
        if not (force or elapsed >= self.report_delay):
            return
        report.ended = self.now()
        if report.forced_outcome:
            report.status = report.forced_outcome
            return
        text, rows, media_type = self._report_content(report)
        if not rows:
            # Amazon cancels a report that has no data to return.
            report.status = "CANCELLED"
            return
        self._store_report_document(report, text, media_type)
        report.status = "DONE"

    def _report_content(self, report):
        kind = report.report_type
        if kind == amazon.REPORT_RETURNS_FLAT:
            return *report_content.returns_flat(self.returns, self.orders, report), "text/plain"
        if kind == amazon.REPORT_RETURNS_XML:
            text, rows = report_content.returns_xml(
                self.returns, self.orders, report, self.report_encoding
            )
            return text, rows, "text/xml"
        if kind == amazon.REPORT_ORDERS_SHIPPING:
            text, rows = report_content.order_report(
                self.orders, report, self.order_report_cancel_column
            )
            return text, rows, "text/plain"
        text, rows = report_content.unshipped_report(self.orders, report, self.now())
        return text, rows, "text/plain"

    def _store_report_document(self, report, text, media_type):
        content = text.encode(self.report_encoding, errors="replace")
        compressed = self.report_compression == "GZIP"
        document = self._new_document(
            report.seller_id,
            "amzn1.spdoc.1.4.na",
            content=gzip.compress(content) if compressed else content,
            content_type=media_type,
            compressed=compressed,
            charset=self.report_encoding,
            restricted=report.report_type in amazon.RESTRICTED_REPORTS,
        )
        report.document_id = document.document_id

    # Orders ------------------------------------------------------------------------------------

    def _included(self, query):
        included = set(list_param(query, "includedData"))
        bad = included - set(INCLUDED_DATA)
        if bad:
            raise invalid(f"Invalid includedData value: {min(bad)}.")
        return included

    def _op_searchOrders(self, auth, query, **_):
        seller_id, restricted = auth
        included = self._included(query)
        page_size = int_param(query, "maxResultsPerPage", 100, 1, 100)
        # Only the page size and the datasets may change from one page to the next.
        orders, before, next_token = self._search_page(
            "orders",
            query,
            "paginationToken",
            ("maxResultsPerPage", "includedData"),
            lambda: self._select_orders(seller_id, query),
            page_size,
        )
        payload = {
            "orders": [
                order_views.order_2026(order, included, restricted is not None) for order in orders
            ],
            **before,
        }
        if next_token:
            payload["pagination"] = {"nextToken": next_token}
        return Reply.json(200, payload)

    def _select_orders(self, seller_id, query):
        names = ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
        values = {name: single_param(query, name) for name in names}
        by_creation = bool(values["createdAfter"])
        if by_creation == bool(values["lastUpdatedAfter"]):
            raise invalid("Exactly one of createdAfter and lastUpdatedAfter is required.")
        if by_creation and (values["lastUpdatedAfter"] or values["lastUpdatedBefore"]):
            raise invalid("createdAfter cannot be combined with lastUpdated parameters.")
        if not by_creation and values["createdBefore"]:
            raise invalid("lastUpdatedAfter cannot be combined with createdBefore.")
        prefix = "created" if by_creation else "lastUpdated"
        after = parse_time(values[f"{prefix}After"], f"{prefix}After")
        latest = self.now() - ORDERS_LAG
        before_value = values[f"{prefix}Before"]
        before = parse_time(before_value, f"{prefix}Before") if before_value else latest
        if before < after:
            raise invalid(f"{prefix}Before must be equal to or after {prefix}After.")
        if before > latest:
            raise invalid(f"{prefix}Before must be at least two minutes before the request.")
        statuses = list_param(query, "fulfillmentStatuses")
        if set(statuses) - set(FULFILLMENT_STATUSES):
            raise invalid("Invalid fulfillmentStatuses value.")
        fulfilled_by = list_param(query, "fulfilledBy")
        if set(fulfilled_by) - {"MERCHANT", "AMAZON"}:
            raise invalid("Invalid fulfilledBy value.")
        channels = {"MERCHANT": "MFN", "AMAZON": "AFN"}
        marketplaces = list_param(query, "marketplaceIds")
        selected = []
        for order in self.orders.values():
            moment = order.purchase_date if by_creation else order.last_updated
            if (
                order.seller_id == seller_id
                and after <= moment <= before
                and (not marketplaces or order.marketplace_id in marketplaces)
                and (not statuses or order.fulfillment_status in statuses)
                and (
                    not fulfilled_by
                    or order.fulfillment_channel in {channels[who] for who in fulfilled_by}
                )
            ):
                selected.append(order)
        selected.sort(key=lambda order: (order.purchase_date, order.amazon_order_id))
        return selected, {f"{prefix}Before": order_views.iso_z(before)}

    def _seller_order(self, seller_id, order_id):
        order = self.orders.get(order_id)
        if order is None or order.seller_id != seller_id:
            raise not_found("order")
        return order

    def _op_getOrder(self, auth, query, orderId, **_):
        seller_id, restricted = auth
        order = self._seller_order(seller_id, orderId)
        included = self._included(query)
        return Reply.json(
            200, {"order": order_views.order_2026(order, included, restricted is not None)}
        )

    def _op_getOrderItems(self, auth, orderId, **_):
        order = self._seller_order(auth[0], orderId)
        return Reply.json(200, {"payload": order_views.order_items_v0(order)})

    # Finances ----------------------------------------------------------------------------------

    def _op_listTransactions(self, auth, query, **_):
        """Finances 2024-06-19 listTransactions: the refunds of the seller's orders, newest last,
        a page at a time (Amazon sets the page size, not the caller); a next page repeats the
        arguments of the first call with the token."""
        transactions, _extra, next_token = self._search_page(
            "transactions",
            query,
            "nextToken",
            (),
            lambda: (self._select_transactions(auth[0], query), None),
            self.transactions_page_size,
        )
        payload = {"transactions": transactions}
        if next_token:
            payload["nextToken"] = next_token
        return Reply.json(200, {"payload": payload})

    def _select_transactions(self, seller_id, query):
        name = single_param(query, "relatedIdentifierName")
        value = single_param(query, "relatedIdentifierValue")
        if bool(name) != bool(value):
            raise invalid("relatedIdentifierName and relatedIdentifierValue go together.")
        if name and name not in ("ORDER_ID", "FINANCIAL_EVENT_GROUP_ID"):
            raise invalid(f"Invalid relatedIdentifierName: {name}.")
        since = single_param(query, "postedAfter")
        if not since and not name:
            raise invalid("postedAfter is required if you do not specify a related identifier.")
        now = self.now()
        since = parse_time(since, "postedAfter") if since else now - timedelta(days=180)
        before = single_param(query, "postedBefore")
        before = parse_time(before, "postedBefore") if before else now
        if since > before:
            raise invalid("postedAfter must be before postedBefore.")
        marketplace = single_param(query, "marketplaceId")
        selected = []
        for refund in self.refunds:
            order = self.orders[refund.amazon_order_id]
            if (
                refund.seller_id != seller_id
                or not since <= refund.posted <= before
                or (name == "ORDER_ID" and refund.amazon_order_id != value)
                or (marketplace and order.marketplace_id != marketplace)
            ):
                continue
            selected.append(finances.refund_transaction(refund, order))
        return selected


def _filters(query, ignored):
    """A call's parameters but `ignored`, lists read alike however they were sent."""
    return {name: list_param(query, name) for name in query if name not in ignored}
