"""The preview's policy as plain functions: which hosts are this computer, which requests
are refused, what becomes of a navigation. The real page is in
tests/gui/test_browser_guard.py; here are the cases no test may send traffic to (a map on
another host, this machine's own addresses)."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import QUrl

from launcher.ui.browser_guard import (
    DialogQuota,
    Navigation,
    Verdict,
    blocks_request,
    is_local_host,
    navigation_verdict,
    this_machines_addresses,
)

APP = QUrl("http://127.0.0.1:5001/")
LAN = "192.168.7.20"  # stands for an address of this computer's network card


@pytest.mark.parametrize("host", [
    "127.0.0.1", "127.8.9.10", "::1", "[::1]", "0.0.0.0", "::", "::ffff:127.0.0.1",
    "localhost", "LOCALHOST", "localhost.", "app.localhost", "ip6-localhost", LAN,
    socket.gethostname(),
])
def test_these_name_this_computer(host):
    assert is_local_host(host, {LAN})


@pytest.mark.parametrize("host", [
    "www.openstreetmap.org", "www.youtube-nocookie.com", "192.168.7.21", "10.0.0.1",
    "8.8.8.8", "2001:db8::1", "localhost.example.com", "",
])
def test_these_do_not(host):
    assert not is_local_host(host, {LAN})


def test_this_machines_addresses_include_loopback():
    assert "127.0.0.1" in this_machines_addresses()


@pytest.mark.parametrize(("url", "blocked"), [
    ("http://127.0.0.1:5001/static/app.js", False),  # the app itself
    ("ws://127.0.0.1:5001/socket.io/", False),  # its own WebSocket
    ("http://127.0.0.1:8080/admin", True),  # another port
    ("https://127.0.0.1:5001/", True),  # another scheme
    ("http://localhost:5001/", True),  # another origin, even if the same socket
    ("http://[::1]:6379/", True),
    ("http://0.0.0.0:9000/", True),
    (f"http://{LAN}:5432/", True),
    ("http://grafana.localhost/", True),
    ("https://www.openstreetmap.org/export/embed.html", False),  # maps, videos: allowed
    ("https://www.youtube-nocookie.com/embed/x", False),
    ("data:text/html,hi", False),
])
def test_requests_to_other_services_of_this_computer_are_blocked(url, blocked):
    assert blocks_request(QUrl(url), APP, {LAN}) is blocked


def test_with_no_app_shown_every_local_request_is_blocked():
    assert blocks_request(QUrl("http://127.0.0.1:5001/"), None)
    assert not blocks_request(QUrl("https://example.org/"), None)


@pytest.mark.parametrize(("url", "kind", "main", "acted", "verdict"), [
    ("http://127.0.0.1:5001/about", Navigation.OTHER, True, False, Verdict.STAY),
    ("about:blank", Navigation.OTHER, True, False, Verdict.STAY),
    ("https://example.org/", Navigation.FOLLOW, True, True, Verdict.OFFER),
    ("https://example.org/", Navigation.FOLLOW, True, False, Verdict.REFUSE),
    ("https://example.org/", Navigation.OTHER, True, True, Verdict.REFUSE),
    ("https://example.org/", Navigation.FORM, True, True, Verdict.REFUSE_FORM),
    ("file:///etc/passwd", Navigation.FOLLOW, True, True, Verdict.DROP),
    ("mailto:a@example.org", Navigation.FOLLOW, True, True, Verdict.DROP),
    ("https://www.openstreetmap.org/", Navigation.OTHER, False, False, Verdict.STAY),
    ("http://127.0.0.1:8080/", Navigation.OTHER, False, False, Verdict.DROP),
    ("file:///etc/passwd", Navigation.OTHER, False, False, Verdict.DROP),
])
def test_navigation_verdicts(url, kind, main, acted, verdict):
    assert navigation_verdict(QUrl(url), kind, main, APP, acted) is verdict


def test_the_dialog_quota_counts_what_it_refuses_and_starts_again_per_page():
    quota = DialogQuota(limit=3)
    assert [quota.take() for _ in range(10)] == [True] * 3 + [False] * 7
    assert quota.refused == 7
    quota.reset()
    assert quota.take() and quota.refused == 0
