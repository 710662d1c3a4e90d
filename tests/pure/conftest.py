"""Pure tier: the Amazon seam without Odoo.

The repository root goes on sys.path so that `amazon_api` imports as a top-level package (the same
code Odoo loads as `odoo.addons.amazon_refund_cancel.amazon_api`), beside the `spapi_emulator`.
"""

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from spapi_emulator.testing import guard_network  # noqa: E402

SHARED_DIR = Path(os.environ.get("AMAZON_SHARED_DIR", REPO_ROOT.parent / "shared"))

guard_network()


@pytest.fixture(scope="session")
def xsd_dir():
    path = SHARED_DIR / "amazon-xsd"
    if not (path / "OrderAdjustment.xsd").is_file():
        pytest.skip(f"Amazon's feed schemas are not at {path} (set AMAZON_SHARED_DIR)")
    return path


@pytest.fixture(scope="session")
def spapi_models_dir():
    path = SHARED_DIR / "spapi-models"
    if not (path / "feeds_2021-06-30.json").is_file():
        pytest.skip(f"Amazon's SP-API models are not at {path} (set AMAZON_SHARED_DIR)")
    return path


class FakeClock:
    """Time shared by the emulator and the client's limiter, so tests never really sleep."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()
