"""Client-side token buckets, so that the module itself never provokes a 429 from Amazon.

Amazon meters each operation per seller account and application with a token bucket (a rate in
requests per second and a burst). We keep the same buckets on our side, per account and operation,
and wait for a token before calling.

`Limiter` is what the client needs from such buckets; where they live is up to the subclass.
`RateLimiter` keeps them in the process, which is right for one process alone. Several processes
spending one seller's quota need buckets they all share (the addon keeps them in its database);
with buckets per process each one believes it has the whole burst, and Amazon answers 429.
"""

import random
import threading
import time

from .const import RATE_LIMITS
from .errors import ThrottledError

# After a 429 Amazon gives no Retry-After: wait at least one token's time, plus jitter so that
# workers throttled together do not come back together.
THROTTLE_JITTER = 0.25
# Our clock and Amazon's never agree exactly: a caller that has to wait for a token waits for a
# little more than one (a fixed part of a token's time, so that a queue of callers still goes at
# Amazon's rate).
SAFETY_MARGIN = 0.05
# Operations Amazon does not document a usage plan for get one call a second.
DEFAULT_LIMIT = (1.0, 1)


def wait_for_token(tokens, rate):
    """Seconds until a bucket holding `tokens` and refilling at `rate` can give one."""
    return 0.0 if tokens >= 1 else (1 - tokens + SAFETY_MARGIN) / rate


class Limiter:
    """Token buckets keyed by (account key, operation), full at first use.

    `rate_scale` makes the buckets refill that many times faster than Amazon's, for tests and
    benchmarks against an emulator scaled alike; 1, the default, is Amazon's own pace.
    """

    def __init__(self, limits=None, rate_scale=1.0, sleep=time.sleep):
        self.limits = dict(RATE_LIMITS if limits is None else limits)
        self.rate_scale = float(rate_scale)
        self.sleep = sleep

    def limit(self, operation):
        """(requests per second, burst) of `operation` at this limiter's pace."""
        rate, burst = self.limits.get(operation, DEFAULT_LIMIT)
        return rate * self.rate_scale, burst

    def acquire(self, account_key, operation, max_wait=0.0):
        """Take a token, sleeping up to `max_wait` seconds for it; return the time waited.

        Raise ThrottledError with the time to come back when the token is further away.
        """
        wait = self.take(account_key, operation, max_wait)
        if wait:
            self.sleep(wait)
        return wait

    def take(self, account_key, operation, max_wait):
        """Reserve a token due within `max_wait` seconds and return how long until it is due,
        or raise ThrottledError; a reserved token is spent, so later callers queue behind it."""
        raise NotImplementedError

    def release(self, account_key, operation):
        """Give back a token taken for a call that was not made after all."""
        raise NotImplementedError

    def adjust_rate(self, account_key, operation, rate):
        """Follow the rate Amazon announces in `x-amzn-RateLimit-Limit` for this account."""
        raise NotImplementedError

    def throttled(self, account_key, operation):
        """Amazon answered 429 anyway: empty the bucket and return how long to back off."""
        raise NotImplementedError

    @staticmethod
    def announced_rate(rate):
        """Amazon's `x-amzn-RateLimit-Limit` as a rate, or None when it is not one."""
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            return None
        return rate if rate > 0 else None

    @staticmethod
    def backoff(rate):
        """After a 429: one token's time at `rate`, with jitter."""
        return (1 / rate) * (1 + random.uniform(0, THROTTLE_JITTER))

    @staticmethod
    def refused(operation, wait):
        return ThrottledError(
            f"{operation}: Amazon's rate limit allows the next call in {wait:.0f} s",
            retry_after=wait,
        )


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


class RateLimiter(Limiter):
    """Buckets in this process: shared by its threads, unknown to other processes."""

    def __init__(self, limits=None, clock=time.monotonic, sleep=time.sleep, rate_scale=1.0):
        super().__init__(limits, rate_scale, sleep)
        self.clock = clock
        self._buckets = {}
        self._lock = threading.Lock()

    def _bucket(self, account_key, operation):
        """The bucket refilled up to now (call with the lock held)."""
        now = self.clock()
        key = (account_key, operation)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(*self.limit(operation), now)
        bucket.refill(now)
        return bucket

    def take(self, account_key, operation, max_wait):
        with self._lock:
            bucket = self._bucket(account_key, operation)
            wait = wait_for_token(bucket.tokens, bucket.rate)
            if wait > max_wait:
                raise self.refused(operation, wait)
            bucket.tokens -= 1
        return wait

    def release(self, account_key, operation):
        with self._lock:
            bucket = self._bucket(account_key, operation)
            bucket.tokens = min(bucket.burst, bucket.tokens + 1)

    def adjust_rate(self, account_key, operation, rate):
        rate = self.announced_rate(rate)
        if rate is None:
            return
        with self._lock:
            self._bucket(account_key, operation).rate = rate * self.rate_scale

    def throttled(self, account_key, operation):
        with self._lock:
            bucket = self._bucket(account_key, operation)
            bucket.tokens = min(bucket.tokens, 0.0)
            rate = bucket.rate
        return self.backoff(rate)


default_limiter = RateLimiter()
