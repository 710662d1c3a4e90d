import httpx
import pytest

from spapi_emulator.testing import NetworkBlockedError


def test_httpx_refuses_amazon():
    with pytest.raises(NetworkBlockedError):
        httpx.get("https://sellingpartnerapi-na.amazon.com/feeds/2021-06-30/feeds")


def test_socket_refuses_public_address():
    import socket

    with socket.socket() as sock, pytest.raises(NetworkBlockedError):
        sock.connect(("93.184.216.34", 443))
