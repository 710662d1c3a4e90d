import socket

import httpx
import pytest

# Matched by message, not class: run beside the Odoo tier (pytest-odoo), the guard may be the one
# the addon's tests installed, from the emulator package imported under the addon's name.
REFUSED = "Tests may only reach loopback hosts"


def test_httpx_refuses_amazon():
    with pytest.raises(RuntimeError, match=REFUSED):
        httpx.get("https://sellingpartnerapi-na.amazon.com/feeds/2021-06-30/feeds")


def test_socket_refuses_public_address():
    with socket.socket() as sock, pytest.raises(RuntimeError, match=REFUSED):
        sock.connect(("93.184.216.34", 443))
