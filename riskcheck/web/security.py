"""Request guards for the local web form: host check, body size, CSRF, security headers."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Request bodies larger than this are refused with 413 before they are parsed.
MAX_BODY_BYTES = 1024 * 1024
CSRF_COOKIE = "riskcheck_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        (
            b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        ),
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class BodyTooLarge(Exception):
    """The request body grew past the limit while it was being read."""


class Guard:
    """ASGI middleware: refuse foreign Host headers and oversized bodies; add security headers.

    The Host check stops DNS-rebinding pages from reading the local server. The
    body limit applies to the declared Content-Length and, for chunked uploads,
    to the bytes actually received.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: tuple[str, ...] | None, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.allowed_hosts is not None and _host_name(headers.get("host", "")) not in self.allowed_hosts:
            await _plain(send, 400, "Bad request: this riskcheck server only answers to 127.0.0.1 and localhost.")
            return
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _plain(send, 413, too_large_message(self.max_body))
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        async def secured_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *(h for h in SECURITY_HEADERS if h[0] not in present)]
            await send(message)

        try:
            await self.app(scope, limited_receive, secured_send)
        except BodyTooLarge:
            if not started:
                await _plain(send, 413, too_large_message(self.max_body))


def too_large_message(limit: int) -> str:
    return f"Request too large: riskcheck accepts at most {limit:,} bytes per request. Nothing was saved."


#: A Host header as RFC 9110 allows it: a name, an IPv4 address or a bracketed IPv6
#: address, then an optional port. Anything else (``127.0.0.1:1@evil.com``) is refused.
_HOST_HEADER = re.compile(r"(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?")


def _host_name(host: str) -> str:
    """The name in a Host header, lower-cased; ``""`` (matching no allowed host) when malformed."""
    match = _HOST_HEADER.fullmatch(host)
    if match is None or (match.group("port") is not None and int(match.group("port")) > 65535):
        return ""
    return match.group("name").lower()


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Csrf:
    """Signed double-submit tokens: a random cookie, and its HMAC in every form.

    A page from another origin can neither read the cookie nor compute the HMAC
    (the key lives only in this process), so it cannot forge a valid form.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def new_nonce(self) -> str:
        return secrets.token_urlsafe(32)

    def token(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode("utf-8"), hashlib.sha256).hexdigest()

    def valid(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token or len(nonce) > 100 or len(token) > 100:
            return False
        return hmac.compare_digest(self.token(nonce), token)
