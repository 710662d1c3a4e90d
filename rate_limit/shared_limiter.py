"""Amazon's quotas kept in the database, shared by every worker and server on it."""

import time

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo.sql_db import Cursor
from odoo.tools import SQL

from ..amazon_api.ratelimit import DEFAULT_LIMIT, SAFETY_MARGIN, Limiter

# The database's clock, the same for every worker and server, as Odoo stores times (naive UTC).
NOW = SQL("(statement_timestamp() AT TIME ZONE 'UTC')")


class SharedRateLimiter(Limiter):
    """Token buckets in `amazon_rate_bucket`, each take a transaction of its own.

    A take is one UPDATE that refills the bucket by the database's clock and takes a token, on
    its own connection in READ COMMITTED: the row is locked for that statement only, never
    across a call to Amazon, and a concurrent take waits for it, then works on what it wrote.
    """

    def __init__(self, registry, rate_scale=1.0, sleep=time.sleep):
        super().__init__(rate_scale=rate_scale, sleep=sleep)
        self.registry = registry

    def _execute(self, query):
        """Run `query` in a short transaction of its own; return its rows."""
        with self.registry.cursor() as cr:
            # A test's shared cursor is already in a transaction: it keeps its own level.
            if isinstance(cr, Cursor):
                cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            cr.execute(query)
            return cr.fetchall() if cr.description else []

    def _where(self, account_key, operation):
        endpoint, seller_id = account_key
        return SQL(
            "endpoint = %s AND seller_id = %s AND operation = %s", endpoint, seller_id, operation
        )

    def _refilled(self):
        """The bucket's tokens now, refilled at its rate since the last take."""
        return SQL(
            "LEAST(burst, tokens + GREATEST(EXTRACT(EPOCH FROM %s - refilled_at), 0) * rate * %s)",
            NOW,
            self.rate_scale,
        )

    def _update(self, account_key, operation, assignments):
        """Refill and change one bucket in one statement, creating it first when it is missing
        (full, as Amazon's own bucket at first use); return its rate."""
        query = SQL(
            "UPDATE amazon_rate_bucket SET %s, refilled_at = GREATEST(refilled_at, %s) "
            "WHERE %s RETURNING rate",
            assignments,
            NOW,
            self._where(account_key, operation),
        )
        rows = self._execute(query)
        if not rows:
            self._create(account_key, operation)
            rows = self._execute(query)
        return rows[0][0]

    def _create(self, account_key, operation):
        endpoint, seller_id = account_key
        rate, burst = self.limits.get(operation, DEFAULT_LIMIT)
        self._execute(
            SQL(
                "INSERT INTO amazon_rate_bucket (endpoint, seller_id, operation, rate, burst, "
                "tokens, refilled_at, create_date, write_date) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (endpoint, seller_id, operation) DO NOTHING",
                endpoint,
                seller_id,
                operation,
                rate,
                burst,
                burst,
                NOW,
                NOW,
                NOW,
            )
        )

    def take(self, account_key, operation, max_wait):
        # The refilled bucket is read under the row lock: after waiting for a concurrent take,
        # PostgreSQL hands over the row as that take left it.
        query = SQL(
            """
            WITH bucket AS (
                SELECT id, %(refilled)s AS tokens, rate * %(scale)s AS rate
                  FROM amazon_rate_bucket
                 WHERE %(where)s
                   FOR UPDATE
            ), decision AS (
                SELECT id, tokens, CASE WHEN tokens >= 1 THEN 0
                                   ELSE (1 - tokens + %(margin)s) / rate END AS wait
                  FROM bucket
            )
            UPDATE amazon_rate_bucket AS target
               SET tokens = decision.tokens - CASE WHEN decision.wait <= %(max_wait)s
                                                   THEN 1 ELSE 0 END,
                   refilled_at = GREATEST(target.refilled_at, %(now)s)
              FROM decision
             WHERE target.id = decision.id
            RETURNING decision.wait, decision.wait <= %(max_wait)s
            """,
            refilled=self._refilled(),
            scale=self.rate_scale,
            where=self._where(account_key, operation),
            margin=SAFETY_MARGIN,
            max_wait=float(max_wait),
            now=NOW,
        )
        rows = self._execute(query)
        if not rows:
            self._create(account_key, operation)
            rows = self._execute(query)
        wait, taken = rows[0]
        if not taken:
            raise self.refused(operation, wait)
        return wait

    def seconds_for(self, account_key, operation, calls):
        """Seconds until `calls` more calls fit in the bucket, at its rate."""
        rows = self._execute(
            SQL(
                "SELECT %s, rate * %s FROM amazon_rate_bucket WHERE %s",
                self._refilled(),
                self.rate_scale,
                self._where(account_key, operation),
            )
        )
        rate, burst = self.limit(operation)
        tokens, rate = rows[0] if rows else (burst, rate)
        return max(calls - tokens, 0) / rate

    def release(self, account_key, operation):
        self._update(account_key, operation, SQL("tokens = LEAST(burst, %s + 1)", self._refilled()))

    def adjust_rate(self, account_key, operation, rate):
        rate = self.announced_rate(rate)
        if rate is None:
            return
        # Nearly every answer announces the rate the bucket already has: that changes no row.
        self._execute(
            SQL(
                "UPDATE amazon_rate_bucket SET tokens = %s, rate = %s, "
                "refilled_at = GREATEST(refilled_at, %s) WHERE %s AND rate != %s",
                self._refilled(),
                rate,
                NOW,
                self._where(account_key, operation),
                rate,
            )
        )

    def throttled(self, account_key, operation):
        rate = self._update(account_key, operation, SQL("tokens = LEAST(%s, 0)", self._refilled()))
        return self.backoff(rate * self.rate_scale)
