"""Reading Amazon's files safely: gzip detection, caps on size and compression ratio, and XML
without DTDs or entities.

Report files come from Amazon's storage or from a user's upload, so they are treated as hostile:
no DOCTYPE (billion laughs, external entities), no network, no huge-tree mode, at most
`max_bytes` of (decompressed) content, and no gzip expanding more than MAX_RATIO times. Both caps
are checked while the content is decompressed, before a parser sees the bytes beyond them.
"""

import gzip
import io
import re
import zlib

from lxml import etree

from .errors import ReportParseError

GZIP_MAGIC = b"\x1f\x8b"
# Far above a year of returns or a settlement of a big seller (tens of MB), far below what a
# server holds: whatever a parser keeps per byte, a file never costs more than this to read.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# Amazon's gzipped reports expand 5 to 20 times; a gzip bomb about 1000 times (deflate's most).
MAX_RATIO = 100
# Below this much content any ratio is harmless (a small file of repeated text compresses far).
RATIO_FREE_BYTES = 1024 * 1024
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


class _Counted(io.RawIOBase):
    """A binary stream that counts the bytes read from it: the compressed size read so far."""

    def __init__(self, stream):
        self._stream = stream
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


class _Guarded(io.RawIOBase):
    """Delivers at most `max_bytes` (None: no cap), at most MAX_RATIO times the compressed bytes
    read (`compressed`: None for plain content), and turns broken gzip into ReportParseError."""

    def __init__(self, stream, max_bytes, compressed=None):
        self._stream = stream
        self._max_bytes = max_bytes
        self._left = max_bytes
        self._compressed = compressed
        self._delivered = 0

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
        self._delivered += len(data)
        if (
            self._compressed is not None
            and self._delivered > RATIO_FREE_BYTES
            and self._delivered > MAX_RATIO * self._compressed.count
        ):
            raise ReportParseError(
                f"The compressed file expands more than {MAX_RATIO} times, as no Amazon report "
                "does: it is refused as a decompression bomb"
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
    compressed = None
    if magic == GZIP_MAGIC:
        compressed = _Counted(stream)
        stream = gzip.GzipFile(fileobj=compressed, mode="rb")
    stream = _Guarded(stream, max_bytes, compressed)
    head = _read_head(stream, HEAD_SIZE)
    return head, io.BufferedReader(_Chained(head, stream), _BUFFER_SIZE)


def content_size(source, limit, max_bytes=DEFAULT_MAX_BYTES):
    """The size of the (gunzipped) content, counted up to `limit` + 1 bytes: whether a file is
    small enough is known without reading it further. Bombs are refused while counting."""
    _head, stream = open_binary(source, max_bytes)
    size = 0
    while size <= limit and (data := stream.read(_BUFFER_SIZE)):
        size += len(data)
    return size


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


# Elements that end outside a record are freed this many at a time: few enough to keep memory
# bounded, many enough that freeing costs little per element.
_FREE_EVERY = 1024


def _local_name(tag):
    return tag.rpartition("}")[2] if isinstance(tag, str) else None


def iter_elements(head, stream, tag):
    """Yield each `tag` element (of any namespace) as soon as it is complete, then free it.

    `head` and `stream` come from open_binary. The elements that end outside a `tag` element are
    freed too, every _FREE_EVERY of them: whatever else the file holds, memory stays bounded by
    one record, the elements open around it and _FREE_EVERY finished ones.
    """
    check_prolog(head)
    name = _local_name(tag)
    known = {}

    def is_record(element_tag):
        found = known.get(element_tag)
        if found is None:
            found = known[element_tag] = _local_name(element_tag) == name
        return found

    def free(element):
        """Free `element`, just ended, and the finished elements before it and its ancestors,
        except within a record still open: its reader needs it whole."""
        ancestors = []
        parent = element.getparent()
        while parent is not None:
            ancestors.append(parent)
            parent = parent.getparent()
        open_records = [index for index, node in enumerate(ancestors) if is_record(node.tag)]
        node = element
        if open_records:
            node = ancestors[open_records[-1]]
            ancestors = ancestors[open_records[-1] + 1 :]
        else:
            element.clear(keep_tail=False)
        for parent in ancestors:
            while node.getprevious() is not None:
                del parent[0]
            node = parent

    events = etree.iterparse(stream, events=("end",), **_parser_options())
    unfreed = 0
    checked = False
    try:
        for _event, element in events:
            if not checked:
                _check_tree(element.getroottree())
                checked = True
            if is_record(element.tag):
                yield element
                free(element)
                unfreed = 0
            else:
                unfreed += 1
                if unfreed >= _FREE_EVERY:
                    free(element)
                    unfreed = 0
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error) from error
