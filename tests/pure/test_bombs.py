"""Hostile files: capped in decompressed size, compression ratio, line length and memory."""

import gzip
import io
import os
import time

import pytest

from amazon_api.errors import ReportParseError
from amazon_api.reports import MAX_LINE_CHARS, OrderReport, iter_returns, iter_settlement
from amazon_api.xml_safety import (
    MAX_RATIO,
    RATIO_FREE_BYTES,
    content_size,
    iter_elements,
    open_binary,
)

RETURNS_HEADER = (
    b"Order ID\tOrder date\tReturn request date\tReturn request status\tAmazon RMA ID\t"
    b"Merchant SKU\tReturn quantity\n"
)
SETTLEMENT_HEADER = (
    b"settlement-id\ttransaction-type\tamount-type\tamount\ttotal-amount\tcurrency\torder-id"
    b"\tadjustment-id\tamount-description\torder-item-code\tmerchant-adjustment-item-id\n"
)
ORDER_HEADER = b"order-id\torder-item-id\tsku\n"


def gzip_of(parts, repeat):
    """A gzip of `parts` repeated, written as a stream: the bomb is never whole in memory."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as file:
        file.write(parts[0])
        for _ in range(repeat):
            file.write(parts[1])
        file.write(parts[2])
    return buffer.getvalue()


# Issue 25's bombs: 16 MiB of empty XML elements, and one 32 MiB line of tab-separated cells.
XML_BOMB = gzip_of((b"<AmazonEnvelope>", b"<a/>" * 4096, b"</AmazonEnvelope>"), 1024)
LINE_BOMB = gzip_of((RETURNS_HEADER, b"x\t" * 16384, b"\n"), 1024)


@pytest.mark.parametrize(
    ("bomb", "read"),
    [
        (XML_BOMB, iter_returns),
        (LINE_BOMB, iter_returns),
        (gzip_of((SETTLEMENT_HEADER, b"x\t" * 16384, b"\n"), 1024), iter_settlement),
        (gzip_of((ORDER_HEADER, b"1\t2\t3\n" * 4096, b""), 1024), OrderReport),
    ],
)
def test_bombs_are_refused_by_their_ratio_at_once(bomb, read):
    assert len(bomb) < 40_000
    start = time.perf_counter()
    with pytest.raises(ReportParseError, match=f"more than {MAX_RATIO} times"):
        list(read(bomb))
    assert time.perf_counter() - start < 1


def test_ratio_is_checked_once_the_content_is_big_enough_to_matter():
    small = gzip.compress(b"x" * (RATIO_FREE_BYTES // 2))
    assert len(small) * MAX_RATIO < RATIO_FREE_BYTES // 2
    assert content_size(small, RATIO_FREE_BYTES) == RATIO_FREE_BYTES // 2


def test_an_ordinary_gzip_reads_whole():
    # Random hex compresses about 2 times, as real reports do tens of times at most.
    content = os.urandom(3 * RATIO_FREE_BYTES).hex().encode()
    assert content_size(gzip.compress(content), 10 * len(content)) == len(content)


def test_content_size_counts_no_further_than_the_limit():
    assert content_size(b"x" * 50, 100) == 50
    counted = content_size(io.BytesIO(b"x" * 10_000_000), 100)
    assert 100 < counted < 1_000_000


def test_decompressed_size_is_capped():
    content = os.urandom(200_000).hex().encode()
    with pytest.raises(ReportParseError, match="larger than the limit"):
        content_size(gzip.compress(content), len(content), max_bytes=len(content) - 1)


def test_xml_reader_frees_every_element_not_only_records():
    """Elements that are not records never pile up, whatever the file holds."""
    count = 200_000
    data = b"<AmazonEnvelope>" + b"<a><b/></a>" * count + b"<return_details/></AmazonEnvelope>"
    head, stream = open_binary(data)
    for record in iter_elements(head, stream, "{*}return_details"):
        root = record.getroottree().getroot()
        assert len(root) < count / 50
        assert sum(1 for _ in root.iter()) < count / 50


def test_xml_records_keep_their_content_until_read():
    elements = "".join(f"<x{n}>{n}</x{n}>" for n in range(3000))
    data = f"<AmazonEnvelope><return_details>{elements}</return_details></AmazonEnvelope>"
    head, stream = open_binary(data.encode())
    lengths = [
        (len(record), record.findtext("x2999"))
        for record in iter_elements(head, stream, "return_details")
    ]
    assert lengths == [(3000, "2999")]


def test_tab_lines_are_capped():
    row = b"D1\t" + b"x" * (MAX_LINE_CHARS - 4) + b"\n"
    assert len(row) == MAX_LINE_CHARS
    assert [line.line for line in iter_settlement(SETTLEMENT_HEADER + row)] == [2]
    data = RETURNS_HEADER + b"x" * MAX_LINE_CHARS + b"\n"
    start = time.perf_counter()
    with pytest.raises(ReportParseError, match=f"longer than {MAX_LINE_CHARS} characters") as error:
        list(iter_returns(data))
    assert error.value.line == 2
    assert time.perf_counter() - start < 1
