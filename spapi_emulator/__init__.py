"""A local Amazon SP-API and LWA emulator for tests and demos (plain Python, no Odoo)."""

from . import amazon
from .feed_processing import FEED_ERRORS
from .seed import DEMO_EU_REFRESH_TOKEN, DEMO_EU_SELLER_ID, seed_demo, seeded_emulator
from .server import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    DEMO_SELLER_ID,
    Emulator,
)

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_EU_REFRESH_TOKEN",
    "DEMO_EU_SELLER_ID",
    "DEMO_REFRESH_TOKEN",
    "DEMO_SELLER_ID",
    "FEED_ERRORS",
    "Emulator",
    "amazon",
    "seed_demo",
    "seeded_emulator",
]
