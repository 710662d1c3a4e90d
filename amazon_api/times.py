"""Amazon's times as the addon stores them: naive datetimes in UTC."""

from datetime import datetime, timezone


def parse_time(value, zone=timezone.utc):
    """An ISO 8601 time as a naive UTC datetime, None for no value; a time without an offset is
    in `zone`."""
    if not value:
        return None
    # Python before 3.11 does not read the "Z" Amazon ends its times with.
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
