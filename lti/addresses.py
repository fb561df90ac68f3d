"""Addresses and origins, judged with :mod:`ipaddress`, never by comparing strings.

:func:`address_refusal` says why the tool must not connect to an IP address (loopback,
private, link-local, multicast, unspecified, reserved, or any other address that is not
public), looking also inside the IPv6 forms that carry an IPv4 address
(``::ffff:127.0.0.1``, 6to4, Teredo, NAT64). :func:`is_loopback_host` decides whether a
URL's host is this machine (``localhost`` or a loopback IP literal; ``127.1``-style
shorthand is not a literal and so is not loopback here, though resolvers accept it).
:func:`origin` gives a URL's origin (scheme, host, port) in one canonical spelling.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["DEFAULT_PORTS", "address_refusal", "is_loopback_host", "origin", "parse_address"]

DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def parse_address(text: str) -> IPAddress | None:
    """The IP address ``text`` spells in its standard form (brackets and zone id allowed), or
    None: ``127.1``, ``0x7f.1`` and other shorthand are not addresses here."""
    text = text.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded(address: IPAddress) -> list[IPAddress]:
    """``address`` and every IPv4 address an IPv6 form carries inside it."""
    found: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.extend(address.teredo)
        if address in NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def address_refusal(address: IPAddress | str) -> str | None:
    """Return why the tool must not connect to ``address`` (a short reason such as
    ``"loopback"``), or None for a public unicast address."""
    parsed = parse_address(address) if isinstance(address, str) else address
    if parsed is None:
        return "not an IP address"
    for candidate in _embedded(parsed):
        for reason, refused in (
            ("unspecified", candidate.is_unspecified),
            ("loopback", candidate.is_loopback),
            ("link-local", candidate.is_link_local),
            ("multicast", candidate.is_multicast),
            ("private", candidate.is_private),
            ("reserved", candidate.is_reserved),
            ("not public", not candidate.is_global),
        ):
            if refused:
                return reason
    return None


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback IP literals (``127.0.0.2``, ``[::1]``,
    ``[::ffff:127.0.0.1]``); False for anything else, ``0.0.0.0`` and ``127.1`` included."""
    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    parsed = parse_address(host)
    if parsed is None:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return parsed.is_loopback


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, the default port left out; raise
    ValueError when ``url`` is not an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    port = parts.port  # raises ValueError on a malformed port
    if ":" in host:
        host = f"[{host}]"
    shown_port = "" if port in (None, DEFAULT_PORTS[scheme]) else f":{port}"
    return f"{scheme}://{host}{shown_port}"
