"""Test helpers shared by both test tiers: no test may ever reach Amazon."""

import ipaddress
import socket

import httpx


class NetworkBlockedError(RuntimeError):
    pass


def _is_loopback(host):
    host = (host or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url):
    host = url.host if isinstance(url, httpx.URL) else httpx.URL(str(url)).host
    if not _is_loopback(host):
        raise NetworkBlockedError(f"Tests may only reach loopback hosts, not {host!r}")


_installed = False


def guard_network():
    """Refuse any httpx request and any socket connection to a host that is not loopback."""
    global _installed
    if _installed:
        return
    _installed = True

    http_handle = httpx.HTTPTransport.handle_request

    def guarded_handle(self, request):
        _check_url(request.url)
        return http_handle(self, request)

    httpx.HTTPTransport.handle_request = guarded_handle

    connect = socket.socket.connect

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NetworkBlockedError(f"Tests may only reach loopback hosts, not {address[0]!r}")
        return connect(self, address)

    socket.socket.connect = guarded_connect
