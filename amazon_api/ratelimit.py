"""Client-side token buckets, so that the module itself never provokes a 429 from Amazon.

Amazon meters each operation per seller account and application with a token bucket (a rate in
requests per second and a burst). We keep the same buckets on our side, per account and operation,
and wait for a token before calling. The buckets live in the process: one Odoo worker's scheduled
actions share them; when another process spends the same quota, Amazon's 429 is still handled.
"""

import random
import threading
import time

from .const import RATE_LIMITS
from .errors import ThrottledError

# After a 429 Amazon gives no Retry-After: wait at least one token's time, plus jitter so that
# workers throttled together do not come back together.
THROTTLE_JITTER = 0.25
# Our clock and Amazon's never agree exactly: wait a little longer than the bucket says.
SAFETY_MARGIN = 1.05


class _Bucket:
    __slots__ = ("burst", "rate", "tokens", "updated")

    def __init__(self, rate, burst, now):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = now

    def refill(self, now):
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


class RateLimiter:
    """Token buckets keyed by (account key, operation)."""

    def __init__(self, limits=None, clock=time.monotonic, sleep=time.sleep):
        self.limits = dict(RATE_LIMITS if limits is None else limits)
        self.clock = clock
        self.sleep = sleep
        self._buckets = {}
        self._lock = threading.Lock()

    def _bucket(self, account_key, operation, now):
        key = (account_key, operation)
        bucket = self._buckets.get(key)
        if bucket is None:
            rate, burst = self.limits.get(operation, (1.0, 1))
            bucket = self._buckets[key] = _Bucket(rate, burst, now)
        return bucket

    def acquire(self, account_key, operation, max_wait=0.0):
        """Take a token, sleeping up to `max_wait` seconds for it; return the time waited.

        Raise ThrottledError with the time to come back when the token is further away.
        """
        with self._lock:
            now = self.clock()
            bucket = self._bucket(account_key, operation, now)
            bucket.refill(now)
            wait = 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / bucket.rate * SAFETY_MARGIN
            if wait > max_wait:
                raise ThrottledError(
                    f"{operation}: Amazon's rate limit allows the next call in {wait:.0f} s",
                    retry_after=wait,
                )
            # The token is reserved before sleeping, so that concurrent callers queue up behind it.
            bucket.tokens -= 1
        if wait:
            self.sleep(wait)
        return wait

    def adjust_rate(self, account_key, operation, rate):
        """Follow the rate Amazon announces in `x-amzn-RateLimit-Limit` for this account."""
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            return
        if rate <= 0:
            return
        with self._lock:
            now = self.clock()
            bucket = self._bucket(account_key, operation, now)
            bucket.refill(now)
            bucket.rate = rate

    def throttled(self, account_key, operation):
        """Amazon answered 429 anyway: empty the bucket and return how long to back off."""
        with self._lock:
            now = self.clock()
            bucket = self._bucket(account_key, operation, now)
            bucket.refill(now)
            bucket.tokens = min(bucket.tokens, 0.0)
            base = 1 / bucket.rate
        return base * (1 + random.uniform(0, THROTTLE_JITTER))


default_limiter = RateLimiter()
