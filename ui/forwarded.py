"""Who is on the other end of a request, for sign-in throttling and the session cookie's
`Secure`: the connection's own address, unless it comes from a proxy the installation trusts
(`ABFLOW_TRUSTED_PROXIES`: addresses or networks, comma-separated), and only then what that proxy
says in `X-Real-IP`, `X-Forwarded-For` (its right-most address not itself a trusted proxy) and
`X-Forwarded-Proto`. Headers from anyone else are the client's own words, never believed."""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(value: str | None = None) -> tuple[Network, ...]:
    """The networks of ABFLOW_TRUSTED_PROXIES (none by default); ValueError names a bad entry."""
    text = os.environ.get("ABFLOW_TRUSTED_PROXIES", "") if value is None else value
    found = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"ABFLOW_TRUSTED_PROXIES: '{part[:64]}' is no address or network") from None
    return tuple(found)


def _trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def _header(headers: Mapping, name: str) -> str:
    value = headers.get(name)
    return value.strip() if isinstance(value, str) else ""


def _connection(peer: object) -> str:
    """The connection's own address: Streamlit reports loopback as None (a test's page, as no text)."""
    return peer if isinstance(peer, str) and peer else "127.0.0.1"


def client_address(peer: str | None, headers: Mapping, trusted: tuple[Network, ...]) -> str:
    """The client's address: `peer` (the connection's), or, when `peer` is a trusted proxy, the
    address it reports."""
    peer = _connection(peer)
    if not _trusted(peer, trusted):
        return peer
    if real := _header(headers, "X-Real-IP"):  # set, not appended, by the proxy
        return real[:64]
    chain = [a.strip() for a in _header(headers, "X-Forwarded-For").split(",") if a.strip()]
    for address in reversed(chain):
        if not _trusted(address, trusted):
            return address[:64]
    return chain[0][:64] if chain else peer


def is_https(peer: str | None, headers: Mapping, trusted: tuple[Network, ...]) -> bool:
    """Whether the browser reached a trusted proxy over HTTPS (the cookie is then `Secure`)."""
    return _trusted(_connection(peer), trusted) and _header(headers, "X-Forwarded-Proto").lower() == "https"
