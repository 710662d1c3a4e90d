"""What can go wrong when talking to Amazon or reading its files, sorted by what to do about it."""


class AmazonError(Exception):
    """Base of every error the seam raises."""


class RetryableError(AmazonError):
    """Amazon could not take the call now (throttled, down, unreachable): try again later.

    `retry_after` is the number of seconds to wait before the next attempt.
    """

    def __init__(self, message, retry_after=60.0, status=None):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class ThrottledError(RetryableError):
    """Amazon answered 429, or the client-side limiter has no token left for this operation."""


class PermanentError(AmazonError):
    """Amazon refused the call; the same call will be refused again."""

    def __init__(self, message, code=None, status=None):
        super().__init__(message)
        self.code = code
        self.status = status


class DocumentError(AmazonError):
    """A request cannot be turned into a valid feed message; `reference` names the request line."""

    def __init__(self, message, reference=None):
        super().__init__(message)
        self.reference = reference


class ReportParseError(AmazonError):
    """A report file cannot be read; `line`, `column` or `element` say where."""

    def __init__(self, message, line=None, column=None, element=None):
        where = ", ".join(
            f"{name} {value}"
            for name, value in (("line", line), ("column", column), ("element", element))
            if value is not None
        )
        super().__init__(f"{message} ({where})" if where else message)
        self.line = line
        self.column = column
        self.element = element
