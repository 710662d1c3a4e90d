"""The emulator served in process answers the client as its HTTP server does.

Every test of test_client runs again here, with the emulator served in process instead of over
HTTP: the client, the library and httpx are the same, only the network is left out.
"""

import httpx
import pytest

# The client's tests, run again against the double.
from test_client import *
from test_client import seed_seller_and_order

from spapi_emulator import Emulator
from spapi_emulator.in_process import serve_in_process

REFUSED = "Tests may only reach loopback hosts"


@pytest.fixture
def emulator(clock):
    emulator = Emulator(clock=clock, feed_delay=60, report_delay=60)
    server = serve_in_process(emulator)
    seed_seller_and_order(emulator)
    yield emulator
    server.stop()


def test_no_server_thread_or_socket_answers(emulator):
    assert emulator._server is None
    with pytest.raises(httpx.ConnectError):
        httpx.Client(transport=httpx.HTTPTransport(retries=0)).post(
            emulator.lwa_url.replace(str(emulator.port), "9")
        )


def test_stopped_emulator_no_longer_answers(clock):
    emulator = Emulator(clock=clock)
    serve_in_process(emulator).stop()
    with pytest.raises(httpx.ConnectError):
        httpx.post(emulator.lwa_url)


def test_other_hosts_still_meet_the_network_guard(emulator):
    with pytest.raises(RuntimeError, match=REFUSED):
        httpx.get("https://sellingpartnerapi-na.amazon.com/feeds/2021-06-30/feeds")
