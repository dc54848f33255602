"""Which IP addresses are not public: the one judgement of the online checks' guard (a
rule's URLs must not make cliplint probe its own network) and of rules that report
URLs pointing at private hosts."""

from __future__ import annotations

import ipaddress


def address_category(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """``loopback``, ``private``, ``link-local``... for a non-public address, else ``None``."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for category in ("loopback", "link_local", "unspecified", "private", "multicast", "reserved"):
        if getattr(address, f"is_{category}"):
            return category.replace("_", "-")
    return None if address.is_global else "not public"
