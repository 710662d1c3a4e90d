"""The emulator served in process: the same Amazon, without a server thread, sockets or HTTP.

Every request the seam makes (the library's SP-API calls, its LWA token requests, document
uploads and downloads) leaves through httpx's `HTTPTransport`. While an emulator is served in
process, that transport hands the requests for the emulator's address to the emulator's request
handler in the calling thread, and the answer back as an httpx response: the same routes,
state, faults and quotas, and the same client code, only the network is left out. Requests for
any other address go on as before, through the network guard of `testing`.

The address is a loopback port taken for the emulator and never listened on: nothing else can
answer there, and a request that missed the in-process route would be refused, not served by a
stranger.
"""

import socket
import threading
import time

import httpx

# (host, port) -> emulator served in process.
_served = {}
_lock = threading.Lock()
_installed = False


class InProcessServer:
    """Serves `emulator` in process until `stop()`; `emulator.url` is its address meanwhile."""

    def __init__(self, emulator):
        _install()
        self.emulator = emulator
        # Taken, not listened on: the port stays the emulator's alone until stop().
        self._socket = socket.socket(socket.AF_INET6 if ":" in emulator.host else socket.AF_INET)
        self._socket.bind((emulator.host, 0))
        emulator.port = self._socket.getsockname()[1]
        self._address = (emulator.host, emulator.port)
        with _lock:
            _served[self._address] = emulator

    def stop(self):
        with _lock:
            _served.pop(self._address, None)
        self._socket.close()


def serve_in_process(emulator):
    """Serve `emulator` in process; returns the InProcessServer to stop."""
    return InProcessServer(emulator)


def _emulator_for(url):
    with _lock:
        return _served.get((url.host, url.port))


def _answer(emulator, request):
    """The emulator's answer to an httpx request, as the HTTP server would send it."""
    body = request.read()
    started = time.monotonic()
    reply = emulator._handle(
        request.method, request.url.raw_path.decode("ascii"), request.headers, body
    )
    # An injected delay is slept in the handler: past the client's read timeout, the client
    # gives up as it would on the wire, and the work is done all the same.
    read_timeout = (request.extensions.get("timeout") or {}).get("read")
    if read_timeout is not None and time.monotonic() - started > read_timeout:
        raise httpx.ReadTimeout("timed out", request=request)
    headers = [
        ("Content-Type", reply.content_type),
        ("Content-Length", str(len(reply.body))),
        *reply.headers.items(),
    ]
    return httpx.Response(
        reply.status, headers=headers, stream=httpx.ByteStream(reply.body), request=request
    )


def _install():
    """Route httpx's requests for in-process emulators to them (once per process)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        send = httpx.HTTPTransport.handle_request

        def handle_request(self, request):
            emulator = _emulator_for(request.url)
            if emulator is None:
                return send(self, request)
            return _answer(emulator, request)

        httpx.HTTPTransport.handle_request = handle_request
