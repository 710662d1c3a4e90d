"""Amazon's times, read once for every answer and report: naive datetimes in UTC."""

from datetime import datetime, timedelta, timezone

import pytest

from amazon_api.times import parse_time

PST = timezone(timedelta(hours=-8))


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("2026-01-02T03:04:05Z", timezone.utc, datetime(2026, 1, 2, 3, 4, 5)),
        ("2026-01-02T03:04:05.123Z", timezone.utc, datetime(2026, 1, 2, 3, 4, 5, 123000)),
        ("2026-01-02T03:04:05+01:00", timezone.utc, datetime(2026, 1, 2, 2, 4, 5)),
        ("2026-01-02T03:04:05", timezone.utc, datetime(2026, 1, 2, 3, 4, 5)),
        # A time without offset is in the zone given; one with an offset keeps it.
        ("2026-01-02 03:04:05", PST, datetime(2026, 1, 2, 11, 4, 5)),
        ("2026-01-02T03:04:05Z", PST, datetime(2026, 1, 2, 3, 4, 5)),
    ],
)
def test_times_are_naive_utc(value, zone, expected):
    assert parse_time(value, zone) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_no_value_is_no_time(value):
    assert parse_time(value) is None


def test_what_is_not_a_time_is_refused():
    with pytest.raises(ValueError):
        parse_time("next Tuesday")
