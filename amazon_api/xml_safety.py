"""Reading Amazon's files safely: gzip detection, a size cap, and XML without DTDs or entities.

Report files come from Amazon's storage or from a user's upload, so they are treated as hostile:
no DOCTYPE (billion laughs, external entities), no network, no huge-tree mode, and at most
`max_bytes` of (decompressed) content.
"""

import gzip
import io
import re
import zlib

from lxml import etree

from .errors import ReportParseError

GZIP_MAGIC = b"\x1f\x8b"
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# How much of a file is read up front to sniff its format and encoding.
HEAD_SIZE = 64 * 1024
_BUFFER_SIZE = 256 * 1024
# Declarations of a DTD or entities; XML names are case-sensitive, but a lower-case variant is
# just as unwelcome.
_DTD_MARKERS = re.compile(rb"<!(doctype|entity)", re.IGNORECASE)
# The root's start tag: '<' followed by a name start character (not '?' or '!').
_FIRST_TAG = re.compile(rb"<[A-Za-z_:\x80-\xff]")
_COMMENTS_AND_PIS = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)
_HTML = re.compile(rb"<html\b", re.IGNORECASE)
_HTML_DOCTYPE = re.compile(rb"<!doctype\s+html\b", re.IGNORECASE)


class _Chained(io.RawIOBase):
    """Bytes already read, followed by the rest of a stream."""

    def __init__(self, head, rest):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self):
        return True

    def readinto(self, buffer):
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        if not data:
            return 0
        buffer[: len(data)] = data
        return len(data)


class _Guarded(io.RawIOBase):
    """Delivers at most `max_bytes` (None: no cap) and turns broken gzip into ReportParseError."""

    def __init__(self, stream, max_bytes):
        self._stream = stream
        self._max_bytes = max_bytes
        self._left = max_bytes

    def readable(self):
        return True

    def readinto(self, buffer):
        size = len(buffer)
        if self._left is not None:
            # One byte more than allowed, so that a file of exactly max_bytes still passes.
            size = min(size, self._left + 1)
        try:
            data = self._stream.read(size)
        except (OSError, EOFError, zlib.error) as error:
            raise ReportParseError(
                f"The compressed file is damaged or truncated: {error}"
            ) from error
        if self._left is not None:
            self._left -= len(data)
            if self._left < 0:
                raise ReportParseError(
                    f"The file is larger than the limit of {self._max_bytes} bytes"
                )
        buffer[: len(data)] = data
        return len(data)


def _read_head(stream, size):
    """Read up to `size` bytes, as many reads as it takes (pipes and gzip return short reads)."""
    parts = []
    left = size
    while left > 0:
        data = stream.read(left)
        if not data:
            break
        if isinstance(data, str):
            raise TypeError("Expected a binary file, not a text file")
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


def open_binary(source, max_bytes=DEFAULT_MAX_BYTES):
    """Return `(head, stream)`: the first bytes of the (gunzipped) content, and all of it.

    `source` is bytes or a binary file object. Gzip is recognised by its magic bytes, whatever the
    caller believes; `max_bytes` caps the decompressed size (None: no cap).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        stream = io.BytesIO(source)
    elif hasattr(source, "read"):
        stream = source
    else:
        raise TypeError(f"Expected bytes or a binary file, not {type(source).__name__}")
    magic = _read_head(stream, len(GZIP_MAGIC))
    stream = io.BufferedReader(_Chained(magic, stream), _BUFFER_SIZE)
    if magic == GZIP_MAGIC:
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    stream = _Guarded(stream, max_bytes)
    head = _read_head(stream, HEAD_SIZE)
    return head, io.BufferedReader(_Chained(head, stream), _BUFFER_SIZE)


def check_prolog(head):
    """Refuse what is not a plain UTF-8 XML document: HTML, DTDs, entity declarations."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        # Amazon writes UTF-8; UTF-16/32 would also hide a DTD from the checks below.
        raise ReportParseError("The XML file is not UTF-8 encoded")
    prolog_free = _COMMENTS_AND_PIS.sub(b"", head)
    first_tag = _FIRST_TAG.search(prolog_free)
    if first_tag is None:
        raise ReportParseError("The file is not XML: no element found at its start")
    start = first_tag.start()
    if _HTML.match(prolog_free, start) or _HTML_DOCTYPE.search(prolog_free, 0, start):
        raise ReportParseError("The file is an HTML page, not an Amazon file")
    # Anywhere in the head, not only in the prolog: Amazon's files never carry one, and a
    # prolog padded past the head is caught again by _check_tree.
    if _DTD_MARKERS.search(head) or b"<!" in prolog_free[:start]:
        raise ReportParseError("XML files with a DOCTYPE or entity declarations are refused")


def _parser_options():
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


def _check_tree(tree):
    """Second line of defence behind check_prolog: the parser saw no DTD."""
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ReportParseError("XML files with a DOCTYPE or entity declarations are refused")


def _syntax_error(error):
    line = error.lineno if getattr(error, "lineno", None) else None
    message = getattr(error, "msg", None) or str(error)
    return ReportParseError(f"The XML is malformed or truncated: {message}", line=line)


def parse_xml(source, max_bytes=DEFAULT_MAX_BYTES):
    """Parse a whole (small) XML document, maybe gzipped, and return its root element."""
    head, stream = open_binary(source, max_bytes)
    check_prolog(head)
    parser = etree.XMLParser(**_parser_options())
    try:
        tree = etree.parse(stream, parser)
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error) from error
    _check_tree(tree)
    return tree.getroot()


def iter_elements(head, stream, tag):
    """Yield each `tag` element of a document as soon as it is complete, then free it.

    `head` and `stream` come from open_binary. The element and everything before it are removed
    from the tree after the caller has seen it, so memory stays bounded whatever the file size.
    """
    check_prolog(head)
    events = etree.iterparse(stream, events=("end",), tag=tag, **_parser_options())
    checked = False
    try:
        for _event, element in events:
            if not checked:
                _check_tree(element.getroottree())
                checked = True
            yield element
            element.clear(keep_tail=False)
            # Drop the finished siblings of the element and of its ancestors (a report may wrap
            # each record in its own Message), otherwise the empty shells pile up.
            node = element
            while (parent := node.getparent()) is not None:
                while node.getprevious() is not None:
                    del parent[0]
                node = parent
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error) from error
