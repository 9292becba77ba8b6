"""Whose address a request is from: forwarded headers count only from a trusted proxy, and then
the right-most address that is not itself one (a client cannot pick its own, nor lock out
another's)."""
from __future__ import annotations

import pytest

from ui.forwarded import client_address, is_https, trusted_proxies

PROXIES = trusted_proxies("127.0.0.1, 10.0.0.0/8, ::1")


@pytest.mark.parametrize("peer,headers,expected", [
    (None, {"X-Real-IP": "203.0.113.5"}, "127.0.0.1"),                      # nothing trusted: the spoof is ignored
    ("198.51.100.7", {"X-Forwarded-For": "203.0.113.5"}, "198.51.100.7"),
])
def test_with_no_trusted_proxy_headers_are_the_clients_own_words(peer, headers, expected):
    assert client_address(peer, headers, trusted_proxies("")) == expected


@pytest.mark.parametrize("peer,headers,expected", [
    (None, {"X-Real-IP": "203.0.113.5"}, "203.0.113.5"),                    # nginx on this host sets it
    (None, {"X-Forwarded-For": "6.6.6.6, 203.0.113.5"}, "203.0.113.5"),      # the client's own entry is left of it
    ("10.1.2.3", {"X-Forwarded-For": "6.6.6.6, 203.0.113.5, 10.9.9.9"}, "203.0.113.5"),  # two proxies
    ("198.51.100.7", {"X-Real-IP": "203.0.113.5"}, "198.51.100.7"),         # not a proxy of ours
    (None, {}, "127.0.0.1"),                                                # a local user, no proxy
    (None, {"X-Forwarded-For": "10.0.0.1, 10.0.0.2"}, "10.0.0.1"),           # only proxies: the first
])
def test_a_trusted_proxy_is_believed_right_to_left(peer, headers, expected):
    assert client_address(peer, headers, PROXIES) == expected


def test_https_only_as_a_trusted_proxy_says():
    assert is_https(None, {"X-Forwarded-Proto": "https"}, PROXIES)
    assert not is_https("198.51.100.7", {"X-Forwarded-Proto": "https"}, PROXIES)
    assert not is_https(None, {"X-Forwarded-Proto": "https"}, trusted_proxies(""))
    assert not is_https(None, {}, PROXIES)


def test_a_bad_entry_is_named():
    with pytest.raises(ValueError, match="'not-an-ip' is no address"):
        trusted_proxies("127.0.0.1, not-an-ip")
