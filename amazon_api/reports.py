"""Amazon's report files read as streams: returns (flat file and XML), orders, settlements.

Each parser yields one record at a time, so memory stays bounded whatever the size of the file.
Columns and elements are matched by name, ignoring case, spaces, hyphens and underscores: new,
unknown and reordered columns do not matter. Blank cells read as None. A value that cannot be
read raises ReportParseError naming the line and the column (or element).

Datetimes are returned naive, in UTC, as Odoo stores them. Dates are taken as Amazon wrote them.
"""

import codecs
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache

from .errors import ReportParseError
from .times import parse_time
from .xml_safety import DEFAULT_MAX_BYTES, GZIP_MAGIC, HEAD_SIZE, iter_elements, open_binary

# ---------------------------------------------------------------------------------------------
# Text: gzip, BOM, UTF-8, UTF-16 or Windows-1252


def _cp1252_char(byte):
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        # The five bytes Windows-1252 leaves undefined read as Latin-1.
        return chr(byte)


_CP1252 = [_cp1252_char(byte) for byte in range(256)]
_FALLBACK_ERRORS = "amazon_api.cp1252"


def _decode_as_cp1252(error):
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(_CP1252[byte] for byte in bad), error.end


codecs.register_error(_FALLBACK_ERRORS, _decode_as_cp1252)


def _guess_encoding(head):
    """UTF-8 if the head of the file is valid UTF-8, else Windows-1252."""
    try:
        # Not final: the head may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _known(encoding):
    """Python's name of `encoding`, or None when Python does not know it."""
    try:
        return codecs.lookup(encoding).name if encoding else None
    except LookupError:
        return None


def _text_encoding(head, announced=None):
    """(encoding, length of the byte order mark to skip) of a text file's first bytes.

    A byte order mark wins over the charset announced with the download: Excel's "Unicode
    Text" is UTF-16 with a BOM, and a UTF-8 BOM may lead Windows-1252 text written by a tool that
    added it blindly. An announced charset that Python does not know is ignored.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Python's UTF-16 codec reads the BOM itself to learn the byte order.
        return "utf-16", 0
    if head.startswith(codecs.BOM_UTF8):
        return _guess_encoding(head[len(codecs.BOM_UTF8) :]), len(codecs.BOM_UTF8)
    return _known(announced) or _guess_encoding(head), 0


def _text_head(head):
    """The head of a text file as UTF-8 bytes, for sniffing its format."""
    encoding, skip = _text_encoding(head)
    if encoding == "utf-16":
        return head.decode("utf-16", errors="ignore").encode()
    return head[skip:]


def _check_text(head):
    """Refuse content that is not text: NUL bytes or more than a few control characters."""
    if head.lstrip()[:5].lower() == b"%pdf-":
        raise ReportParseError("The file is a PDF, not a text report")
    controls = sum(head.count(bytes([byte])) for byte in _CONTROL_BYTES)
    if b"\x00" in head or controls > len(head) // 100:
        raise ReportParseError("The file is binary, not a text report")


# Control characters that no text report holds (tab, line feed and carriage return are fine).
_CONTROL_BYTES = [byte for byte in range(32) if byte not in (9, 10, 13)]


def open_text(source, encoding=None, max_bytes=DEFAULT_MAX_BYTES):
    """A text stream over a report (bytes or binary file, maybe gzipped), read line by line.

    UTF-16 and UTF-8 are recognised by their byte order mark. Otherwise `encoding` (e.g. the
    charset of the download's Content-Type) is used when Python knows it, else the file is read
    as UTF-8 when its first 64 KB are valid UTF-8 and as Windows-1252 (Latin-1) otherwise. A
    stray byte that is not UTF-8 later on reads as Windows-1252 rather than failing the whole
    import. Lines split at "\\n" only and keep their ending: a "\\r" inside a cell stays where it
    is. Content that is not text raises ReportParseError.
    """
    head, stream = open_binary(source, max_bytes)
    encoding, skip = _text_encoding(head, encoding)
    _check_text(_text_head(head))
    stream.read(skip)
    return io.TextIOWrapper(stream, encoding=encoding, errors=_FALLBACK_ERRORS, newline="\n")


def detect_returns_format(first_bytes):
    """Tell a returns report's format by its first bytes (maybe gzipped): "xml" or "flat"."""
    data = bytes(first_bytes[:HEAD_SIZE])
    if data.startswith(GZIP_MAGIC):
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, HEAD_SIZE)
        except zlib.error as error:
            raise ReportParseError(f"The compressed file is damaged: {error}") from error
    text = _text_head(data).lstrip(b" \t\r\n")
    if text.startswith(b"%PDF"):
        raise ReportParseError("The file is a PDF, not an Amazon returns report")
    _check_text(text)
    lowered = text[:200].lower()
    if lowered.startswith((b"<html", b"<!doctype html")) or b"<html" in lowered:
        raise ReportParseError("The file is an HTML page, not an Amazon returns report")
    if text.startswith(b"<"):
        return "xml"
    if b"\t" in text.split(b"\n", 1)[0]:
        return "flat"
    raise ReportParseError("The file is neither XML nor a tab-separated Amazon returns report")


# ---------------------------------------------------------------------------------------------
# Values


def _normalize(name):
    """Column or element name as matched: lower case, without spaces, hyphens or underscores."""
    return _NAME_NOISE.sub("", name).lower()


_NAME_NOISE = re.compile(r"[\s\-_\"'\ufeff]+")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# 10-Jul-2025, 10 July 2025, and with digits only the dotted European 10.07.2025: 10-07-2025
# could be month first as well.
_DAY_FIRST = re.compile(
    r"^(\d{1,2})(?:[-. ]([A-Za-z]{3,9})\.?[-. ]|\.(\d{1,2})\.)(\d{4})(?:$|[T ])"
)
_YEAR_FIRST = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:$|[T ])")
_DOTTED_DATETIME = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ZONES = {
    "UTC": timezone.utc,
    "GMT": timezone.utc,
    "PST": timezone(timedelta(hours=-8)),
    "PDT": timezone(timedelta(hours=-7)),
}
_THOUSANDS_COMMA = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+),\d{1,2}$")
_BOOLEANS = {"y": True, "yes": True, "true": True, "1": True}
_BOOLEANS |= {"n": False, "no": False, "false": False, "0": False}


@lru_cache(maxsize=4096)
def _to_date(value):
    """2025-07-10, 10-Jul-2025, 10.07.2025, 2025/07/10, or any of these followed by a time."""
    match = _YEAR_FIRST.match(value)
    if match:
        year, month, day = match.groups()
    else:
        match = _DAY_FIRST.match(value)
        if not match:
            raise ValueError(value)
        day, month_name, month, year = match.groups()
        if month_name:
            month = _MONTHS[month_name[:3].lower()]
    return date(int(year), int(month), int(day))


@lru_cache(maxsize=4096)
def _to_datetime(value):
    """ISO 8601, or `2025-07-10 08:00:00 UTC` / `10.07.2025 08:00:00 UTC`; naive UTC."""
    text, _space, zone = value.rpartition(" ")
    tzinfo = _ZONES.get(zone.upper()) if text else None
    if tzinfo is None:
        text = value
    dotted = _DOTTED_DATETIME.match(text)
    if dotted:
        day, month, year = dotted.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}{text[dotted.end() :]}"
    return parse_time(text.replace("/", "-"), tzinfo or timezone.utc)


def _to_decimal(value):
    try:
        number = Decimal(value)
    except ArithmeticError:
        number = Decimal(_plain_number(value))
    if not number.is_finite() or "_" in value:
        raise ValueError(value)
    return number


def _plain_number(value):
    """1,234.56 or 1.234,56 or 12,34 as 1234.56 / 1234.56 / 12.34; anything else fails."""
    if _THOUSANDS_COMMA.match(value):
        return value.replace(",", "")
    if _DECIMAL_COMMA.match(value):
        return value.replace(".", "").replace(",", ".")
    raise ValueError(value)


def _to_int(value):
    try:
        return int(value)
    except ValueError:
        # Some files write quantities as 1.0.
        number = _to_decimal(value)
        if number != number.to_integral_value():
            raise
        return int(number)


def _to_bool(value):
    return _BOOLEANS[value.lower()]


def _to_moment(value):
    """A date and time as _to_datetime reads it, or a date alone (read as its midnight UTC):
    the returns report writes SAFE-T claim creation times either way."""
    try:
        return _to_datetime(value)
    except ValueError:
        day = _to_date(value)
        return datetime(day.year, day.month, day.day)


_KINDS = {
    _to_date: "date",
    _to_datetime: "date and time",
    _to_decimal: "amount",
    _to_int: "whole number",
    _to_bool: "yes/no value",
    _to_moment: "date and time",
}


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(slots=True)
class ReturnItem:
    """One returned product of an RMA."""

    sku: str
    asin: str | None
    name: str | None
    quantity: int
    reason: str | None
    in_policy: bool | None
    resolution: str | None = None
    refunded_amount: Decimal | None = None
    safet_action_reason: str | None = None
    safet_claim_id: str | None = None
    safet_claim_state: str | None = None
    safet_claim_created_at: datetime | None = None
    safet_reimbursement_amount: Decimal | None = None


@dataclass(slots=True)
class ReturnRecord:
    """One Amazon return (RMA) and its items; `line` is where it starts in the file."""

    amazon_rma_id: str
    order_id: str
    status: str | None
    request_date: date | None
    order_date: date | None
    seller_rma_id: str | None
    label_type: str | None
    label_cost: Decimal | None
    currency: str | None
    carrier: str | None
    tracking_id: str | None
    label_paid_by: str | None
    a_to_z_claim: bool
    is_prime: bool | None
    return_type: str | None
    delivery_date: date | None
    resolution: str | None = None
    refunded_amount: Decimal | None = None
    # The seller's SAFE-T claim on the return, if any: Amazon's reason, claim id and state, when
    # it was filed and what Amazon reimbursed.
    safet_action_reason: str | None = None
    safet_claim_id: str | None = None
    safet_claim_state: str | None = None
    safet_claim_created_at: datetime | None = None
    safet_reimbursement_amount: Decimal | None = None
    items: list = field(default_factory=list)
    line: int | None = None

    @property
    def returnless(self):
        """Amazon refunded without asking for the item back: its resolution (ReturnlessRefund),
        return type or label type says so."""
        markings = f"{self.resolution or ''} {self.return_type or ''} {self.label_type or ''}"
        return "returnless" in markings.lower()


@dataclass(slots=True)
class OrderReportRow:
    """One order line of the order report, with the buyer's cancellation request if shown."""

    order_id: str
    order_item_id: str
    sku: str | None
    quantity: int | None
    quantity_shipped: int | None
    purchase_date: datetime | None
    fulfillment_channel: str | None
    buyer_cancel_requested: bool | None
    buyer_cancel_reason: str | None
    line: int | None = None
    # The cell as written; a value that is neither yes nor no leaves `buyer_cancel_requested`
    # None, for the importer to report without dropping the rest of the file.
    buyer_cancel_value: str | None = None


@dataclass(slots=True)
class SettlementRow:
    """One row of a V2 settlement flat file; the first is the summary (`is_summary`)."""

    settlement_id: str
    start: datetime | None
    end: datetime | None
    deposit_date: datetime | None
    total_amount: Decimal | None
    currency: str | None
    transaction_type: str | None
    order_id: str | None
    merchant_order_id: str | None
    adjustment_id: str | None
    shipment_id: str | None
    marketplace_name: str | None
    amount_type: str | None
    amount_description: str | None
    amount: Decimal | None
    fulfillment_id: str | None
    posted_date: date | None
    posted_at: datetime | None
    order_item_code: str | None
    merchant_order_item_id: str | None
    merchant_adjustment_item_id: str | None
    sku: str | None
    quantity: int | None
    promotion_id: str | None
    line: int | None = None

    @property
    def is_summary(self):
        """The settlement's own row: its period, deposit date and total, no transaction."""
        return self.transaction_type is None and self.total_amount is not None


# A field: (attribute, converter or None for text, accepted names (normalized), required value).
_RETURN_FIELDS = (
    ("amazon_rma_id", None, ("amazonrmaid", "rmaid"), True),
    ("order_id", None, ("orderid",), True),
    ("status", None, ("returnrequeststatus", "status"), False),
    ("request_date", _to_date, ("returnrequestdate",), False),
    ("order_date", _to_date, ("orderdate",), False),
    ("seller_rma_id", None, ("sellerrmaid", "merchantrmaid"), False),
    ("label_type", None, ("labeltype",), False),
    ("label_cost", _to_decimal, ("labelcost",), False),
    ("currency", None, ("currencycode", "currency"), False),
    ("carrier", None, ("returncarrier", "carrier"), False),
    ("tracking_id", None, ("trackingid",), False),
    ("label_paid_by", None, ("labeltobepaidby",), False),
    ("a_to_z_claim", _to_bool, ("atozclaim",), False),
    ("is_prime", _to_bool, ("isprime",), False),
    ("return_type", None, ("returntype",), False),
    ("delivery_date", _to_date, ("returndeliverydate",), False),
)
# The flat file's "SafeT Action reason", "SafeT claim id", "SafeT claim state", "SafeT claim
# creation time" and "SafeT claim reimbursement amount"; the XML's elements of the same names.
_SAFET_FIELDS = (
    ("safet_action_reason", None, ("safetactionreason",), False),
    ("safet_claim_id", None, ("safetclaimid",), False),
    ("safet_claim_state", None, ("safetclaimstate", "safetclaimstatus"), False),
    ("safet_claim_created_at", _to_moment, ("safetclaimcreationtime",), False),
    (
        "safet_reimbursement_amount",
        _to_decimal,
        ("safetclaimreimbursementamount", "safetreimbursementamount"),
        False,
    ),
)
_RETURN_SUMMARY_FIELDS = (
    ("resolution", None, ("resolution",), False),
    ("refunded_amount", _to_decimal, ("refundedamount", "refundamount"), False),
    *_SAFET_FIELDS,
)
_RETURN_ITEM_FIELDS = (
    ("sku", None, ("merchantsku", "sellersku", "sku"), True),
    ("asin", None, ("asin",), False),
    ("name", None, ("itemname", "productname"), False),
    ("quantity", _to_int, ("returnquantity", "quantity"), True),
    ("reason", None, ("returnreason", "returnreasoncode"), False),
    ("in_policy", _to_bool, ("inpolicy",), False),
    *_RETURN_SUMMARY_FIELDS,
)
_RETURN_COLUMNS = (
    ("Order ID", ("orderid",)),
    ("Amazon RMA ID", ("amazonrmaid", "rmaid")),
    ("Return request status", ("returnrequeststatus", "status")),
    ("Merchant SKU", ("merchantsku", "sellersku", "sku")),
    ("Return quantity", ("returnquantity", "quantity")),
)

_BUYER_CANCEL = ("isbuyerrequestedcancellation", "isbuyerrequestedcancelation")
_ORDER_FIELDS = (
    ("order_id", None, ("orderid",), True),
    ("order_item_id", None, ("orderitemid",), True),
    ("sku", None, ("sku",), False),
    ("quantity", _to_int, ("quantitypurchased", "quantity"), False),
    ("quantity_shipped", _to_int, ("quantityshipped",), False),
    ("purchase_date", _to_datetime, ("purchasedate",), False),
    ("fulfillment_channel", None, ("fulfillmentchannel",), False),
    ("buyer_cancel_requested", None, _BUYER_CANCEL, False),
    ("buyer_cancel_reason", None, ("buyerrequestedcancelreason", "buyercancelreason"), False),
)
_ORDER_COLUMNS = (("order-id", ("orderid",)), ("order-item-id", ("orderitemid",)))

_SETTLEMENT_FIELDS = (
    ("settlement_id", None, ("settlementid",), True),
    ("start", _to_datetime, ("settlementstartdate",), False),
    ("end", _to_datetime, ("settlementenddate",), False),
    ("deposit_date", _to_datetime, ("depositdate",), False),
    ("total_amount", _to_decimal, ("totalamount",), False),
    ("currency", None, ("currency",), False),
    ("transaction_type", None, ("transactiontype",), False),
    ("order_id", None, ("orderid",), False),
    ("merchant_order_id", None, ("merchantorderid",), False),
    ("adjustment_id", None, ("adjustmentid",), False),
    ("shipment_id", None, ("shipmentid",), False),
    ("marketplace_name", None, ("marketplacename",), False),
    ("amount_type", None, ("amounttype",), False),
    ("amount_description", None, ("amountdescription",), False),
    ("amount", _to_decimal, ("amount",), False),
    ("fulfillment_id", None, ("fulfillmentid",), False),
    ("posted_date", _to_date, ("posteddate",), False),
    ("posted_at", _to_datetime, ("posteddatetime",), False),
    ("order_item_code", None, ("orderitemcode",), False),
    ("merchant_order_item_id", None, ("merchantorderitemid",), False),
    ("merchant_adjustment_item_id", None, ("merchantadjustmentitemid",), False),
    ("sku", None, ("sku",), False),
    ("quantity", _to_int, ("quantitypurchased",), False),
    ("promotion_id", None, ("promotionid",), False),
)
# Every column that matching a refund needs: a file without one imports nothing, naming it.
_SETTLEMENT_COLUMNS = (
    ("settlement-id", ("settlementid",)),
    ("total-amount", ("totalamount",)),
    ("currency", ("currency",)),
    ("transaction-type", ("transactiontype",)),
    ("order-id", ("orderid",)),
    ("adjustment-id", ("adjustmentid",)),
    ("amount-type", ("amounttype",)),
    ("amount-description", ("amountdescription",)),
    ("amount", ("amount",)),
    ("order-item-code", ("orderitemcode",)),
    ("merchant-adjustment-item-id", ("merchantadjustmentitemid",)),
)


def _bad_value(value, convert, line, column=None, element=None):
    return ReportParseError(
        f"{value!r} is not a valid {_KINDS[convert]}", line=line, column=column, element=element
    )


# ---------------------------------------------------------------------------------------------
# Tab-separated files

# A row of Amazon's widest report (orders, about 50 columns) is a few KB. A line is read whole
# before it is split, so a longer one is refused before it fills the server's memory.
MAX_LINE_CHARS = 1024 * 1024


def _bounded_lines(stream):
    """The lines of a text stream, refusing one longer than MAX_LINE_CHARS characters."""
    number = 0
    while text := stream.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(text) > MAX_LINE_CHARS:
            raise ReportParseError(
                f"The line is longer than {MAX_LINE_CHARS} characters, as no Amazon report's "
                "is: the file is refused",
                line=number,
            )
        yield text


class _TabFile:
    """A tab-separated report: its header, then its rows as lists of cells."""

    def __init__(self, source, required, encoding=None, max_bytes=DEFAULT_MAX_BYTES):
        self._lines = _bounded_lines(open_text(source, encoding, max_bytes))
        self.line = 0
        header = self._header()
        self.names = [name.strip() for name in header]
        self.positions = {}
        for position, name in enumerate(header):
            self.positions.setdefault(_normalize(name), position)
        missing = [label for label, names in required if self.position(names) is None]
        if missing:
            hint = "The file is not tab-separated, or it" if len(header) == 1 else "The report"
            raise ReportParseError(
                f"{hint} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                line=self.line,
                column=missing[0],
            )

    def _header(self):
        for text in self._lines:
            self.line += 1
            if text.isspace():
                continue
            start = text.lstrip("\ufeff \t")[:200].lower()
            if start.startswith("%pdf"):
                raise ReportParseError(
                    "The file is a PDF, not a tab-separated report", line=self.line
                )
            if start.startswith("<"):
                raise ReportParseError(
                    "The file is HTML or XML, not a tab-separated report", line=self.line
                )
            if "\x00" in start:
                raise ReportParseError(
                    "The file is binary, not a tab-separated report", line=self.line
                )
            return text.rstrip("\r\n").split("\t")
        raise ReportParseError("The file is empty")

    def position(self, names):
        for name in names:
            position = self.positions.get(name)
            if position is not None:
                return position
        return None

    def rows(self):
        """Yield (line number, cells) for each non-blank line, padded to the header's width."""
        width = len(self.names)
        line = self.line
        for text in self._lines:
            line += 1
            if text.isspace():
                continue
            cells = text.rstrip("\r\n").split("\t")
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield line, cells

    def converter(self, fields):
        """A function (cells, line) -> list of the fields' values, converted."""
        plan = []
        for _attribute, convert, names, required in fields:
            position = self.position(names)
            column = self.names[position] if position is not None else names[0]
            plan.append((position, convert, column, required))

        def values(cells, line):
            result = []
            append = result.append
            for position, convert, column, required in plan:
                value = cells[position].strip() if position is not None else ""
                if not value:
                    if required:
                        raise ReportParseError("The value is missing", line=line, column=column)
                    append(None)
                elif convert is None:
                    append(value)
                else:
                    try:
                        append(convert(value))
                    except (ValueError, ArithmeticError, KeyError):
                        raise _bad_value(value, convert, line, column=column) from None
            return result

        return values


# ---------------------------------------------------------------------------------------------
# Returns


def _finish(record):
    """Fill the RMA's resolution, refunded amount and SAFE-T claim from its items when it has
    none itself."""
    if record.resolution is None:
        record.resolution = next(
            (item.resolution for item in record.items if item.resolution), None
        )
    if record.refunded_amount is None:
        amounts = [
            item.refunded_amount for item in record.items if item.refunded_amount is not None
        ]
        if amounts:
            record.refunded_amount = sum(amounts)
    if record.safet_claim_id is None:
        _claim_from_items(record)
    return record


def _claim_from_items(record):
    """The first claim the items name; reimbursements of distinct claims add up, while the
    rows of one claim repeat its amount."""
    claims = {}
    for item in record.items:
        if item.safet_claim_id:
            claims.setdefault(item.safet_claim_id, item)
    if not claims:
        record.safet_action_reason = record.safet_action_reason or next(
            (item.safet_action_reason for item in record.items if item.safet_action_reason), None
        )
        return
    first = next(iter(claims.values()))
    record.safet_claim_id = first.safet_claim_id
    record.safet_claim_state = first.safet_claim_state
    record.safet_claim_created_at = first.safet_claim_created_at
    record.safet_action_reason = first.safet_action_reason
    amounts = [
        claim.safet_reimbursement_amount
        for claim in claims.values()
        if claim.safet_reimbursement_amount is not None
    ]
    if amounts:
        record.safet_reimbursement_amount = sum(amounts)


def _new_return(values, line):
    record = ReturnRecord(*values, line=line)
    record.a_to_z_claim = bool(record.a_to_z_claim)
    return record


def iter_returns_flat(source, encoding=None, max_bytes=DEFAULT_MAX_BYTES):
    """Yield a ReturnRecord per RMA of a GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE file.

    The file has one row per returned item; consecutive rows of one RMA make one record. Only
    one RMA is held at a time, so an RMA id that comes back after other RMAs' rows yields a
    second record with the later items: the importer merges records by `amazon_rma_id`.
    """
    table = _TabFile(source, _RETURN_COLUMNS, encoding, max_bytes)
    record_values = table.converter(_RETURN_FIELDS)
    item_values = table.converter(_RETURN_ITEM_FIELDS)
    rma_position = table.position(_RETURN_FIELDS[0][2])
    record = None
    for line, cells in table.rows():
        rma_id = cells[rma_position].strip()
        if record is None or rma_id != record.amazon_rma_id:
            if record is not None:
                yield _finish(record)
            record = _new_return(record_values(cells, line), line)
        record.items.append(ReturnItem(*item_values(cells, line)))
    if record is not None:
        yield _finish(record)


@lru_cache(maxsize=1024)
def _element_key(tag):
    """An element's tag as matched: its local name, normalized like a column name."""
    return _normalize(tag.rpartition("}")[2])


def _leaves(element, into):
    """Map the leaf elements under `element` by normalized name (the first one wins)."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if len(child):
            _leaves(child, into)
        else:
            into.setdefault(_element_key(tag), child)
    return into


def _xml_values(found, fields, parent):
    values = []
    for attribute, convert, names, required in fields:
        element = None
        for name in names:
            element = found.get(name)
            if element is not None:
                break
        value = element.text if element is not None else None
        value = value.strip() if value else None
        if not value:
            if required:
                raise ReportParseError(
                    f"<{_element_name(parent)}> has no {attribute.replace('_', ' ')}",
                    line=parent.sourceline,
                    element=_element_name(parent),
                )
            values.append(None)
        elif convert is None:
            values.append(value)
        else:
            try:
                values.append(convert(value))
            except (ValueError, ArithmeticError, KeyError):
                raise _bad_value(
                    value, convert, element.sourceline, element=_element_name(element)
                ) from None
    return values


def _element_name(element):
    return element.tag.rpartition("}")[2]


def iter_returns_xml(source, max_bytes=DEFAULT_MAX_BYTES):
    """Yield a ReturnRecord per <return_details> of a GET_XML_RETURNS_DATA_BY_RETURN_DATE file.

    Parsed with iterparse and freed as it goes; DOCTYPEs and entities are refused.
    """
    head, stream = open_binary(source, max_bytes)
    for details in iter_elements(head, stream, "{*}return_details"):
        found = {}
        item_elements = []
        for child in details:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            key = _element_key(tag)
            if key == "itemdetails":
                item_elements.append(child)
            elif len(child):
                # Nested groups such as <label_details> hold plain RMA fields.
                _leaves(child, found)
            elif key not in found:
                found[key] = child
        record = _new_return(_xml_values(found, _RETURN_FIELDS, details), details.sourceline)
        summary = _xml_values(found, _RETURN_SUMMARY_FIELDS, details)
        for (attribute, _convert, _names, _required), value in zip(
            _RETURN_SUMMARY_FIELDS, summary, strict=True
        ):
            setattr(record, attribute, value)
        for item in item_elements:
            record.items.append(
                ReturnItem(*_xml_values(_leaves(item, {}), _RETURN_ITEM_FIELDS, item))
            )
        yield _finish(record)


def iter_returns(source, encoding=None, max_bytes=DEFAULT_MAX_BYTES):
    """Yield the ReturnRecords of a returns report in either format, told apart by content."""
    head, stream = open_binary(source, max_bytes)
    if detect_returns_format(head) == "xml":
        return iter_returns_xml(stream, max_bytes)
    return iter_returns_flat(stream, encoding, max_bytes)


# ---------------------------------------------------------------------------------------------
# Orders and settlements


class OrderReport:
    """A GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING file; iterate it for OrderReportRow objects.

    The header is read on creation: `has_buyer_cancel_column` tells whether the seller enabled
    the buyer cancellation columns. Without them `buyer_cancel_requested` is None, not False.
    """

    def __init__(self, source, encoding=None, max_bytes=DEFAULT_MAX_BYTES):
        self._table = _TabFile(source, _ORDER_COLUMNS, encoding, max_bytes)
        self.has_buyer_cancel_column = self._table.position(_BUYER_CANCEL) is not None

    def __iter__(self):
        values = self._table.converter(_ORDER_FIELDS)
        for line, cells in self._table.rows():
            row = OrderReportRow(*values(cells, line), line=line)
            raw = row.buyer_cancel_value = row.buyer_cancel_requested
            if raw is not None:
                row.buyer_cancel_requested = _BOOLEANS.get(raw.lower())
            elif self.has_buyer_cancel_column:
                row.buyer_cancel_requested = False
            yield row


def iter_settlement(source, encoding=None, max_bytes=DEFAULT_MAX_BYTES):
    """Yield a SettlementRow per row of a GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 file."""
    table = _TabFile(source, _SETTLEMENT_COLUMNS, encoding, max_bytes)
    values = table.converter(_SETTLEMENT_FIELDS)
    for line, cells in table.rows():
        yield SettlementRow(*values(cells, line), line=line)
