"""The SP-API side of the wire: error answers, replies, and reading parameters and bodies."""

import json
import re
from datetime import datetime, timezone

from . import amazon

MARKETPLACE_IDS = {row[0] for row in amazon.MARKETPLACES}


def compile_template(template):
    """A path template (/feeds/{feedId}) as a regex with one named group per placeholder."""
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}$")


class ApiError(Exception):
    """An SP-API error answer: status and one Error of an ErrorList."""

    def __init__(self, status, code, message, details=""):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def invalid(message, details=""):
    return ApiError(400, "InvalidInput", message, details)


def not_found(what):
    return ApiError(404, "NotFound", f"The requested {what} was not found.")


def unauthorized(details=""):
    return ApiError(403, "Unauthorized", "Access to requested resource is denied.", details)


class Reply:
    """What the handler writes back."""

    def __init__(self, status, body=b"", content_type="application/json", headers=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}

    @classmethod
    def json(cls, status, payload, headers=None):
        return cls(status, json.dumps(payload).encode(), headers=headers)

    @classmethod
    def error(cls, error):
        entry = {"code": error.code, "message": error.message, "details": error.details}
        return cls.json(error.status, {"errors": [entry]})


def parse_time(value, name):
    """An ISO 8601 date-time parameter as an aware UTC datetime."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError) as error:
        raise invalid(f"Invalid {name}: {value!r} is not an ISO 8601 date-time.") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00") if moment else None


def list_param(query, name):
    """A list query parameter, sent repeated (a=1&a=2) or comma-separated (a=1,2)."""
    values = []
    for raw in query.get(name, []):
        values.extend(part for part in raw.split(",") if part)
    return values


def single_param(query, name):
    values = query.get(name)
    return values[-1] if values else None


def int_param(query, name, default, low, high):
    raw = single_param(query, name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid(f"Invalid {name}: must be an integer from {low} to {high}.")
    return int(raw)


def check_marketplaces(ids, name="marketplaceIds"):
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise invalid(f"{name} must be a non-empty list of marketplace identifiers.")
    unknown = [marketplace for marketplace in ids if marketplace not in MARKETPLACE_IDS]
    if unknown:
        raise invalid(f"Invalid marketplace identifier: {unknown[0]}.")
    return ids


def json_body(body):
    try:
        payload = json.loads(body or b"null")
    except ValueError as error:
        raise invalid("The request body is not valid JSON.") from error
    if not isinstance(payload, dict):
        raise invalid("The request body must be a JSON object.")
    return payload


def s3_error(status, code, message):
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return Reply(status, body.encode(), "application/xml")
