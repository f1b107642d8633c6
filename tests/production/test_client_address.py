"""Sign-in throttling keys on the real client address, also behind proxies.

The unit tests pin the right-most rule; the gunicorn test runs the app as deployed (gunicorn,
DEBUG off, two app processes) behind two emulated proxy hops and checks that a client cannot
escape the lockout by writing its own X-Forwarded-For, nor lock anyone else out with it.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest
from django.test import RequestFactory, override_settings

from ovp_assess.signin import client_ip

from .conftest import ROOT, child_env, manage


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "203.0.113.9", "10.0.0.2"),                         # no proxy: the header is ignored
    (1, "203.0.113.9", "203.0.113.9"),                      # one proxy saw the client
    (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),             # what the client wrote is ignored
    (2, "6.6.6.6, 203.0.113.9, 198.51.100.7", "203.0.113.9"),  # two hops
    (2, "203.0.113.9", "203.0.113.9"),                      # fewer hops than proxies
    (1, "", "10.0.0.2"),                                    # request that skipped the proxy
    (1, "not-an-address", "10.0.0.2"),
    (1, "2001:db8::1", "2001:db8::1"),
])
def test_client_is_the_right_most_untrusted_address(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A tiny HTTP client that keeps its cookies and sends the proxy's headers."""

    def __init__(self, port, forwarded):
        self.port, self.forwarded, self.cookies = port, forwarded, {}

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"X-Forwarded-For": self.forwarded, "Host": f"127.0.0.1:{self.port}",
                   "Referer": f"http://127.0.0.1:{self.port}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        status, text = response.status, response.read().decode()
        conn.close()
        return status, text

    def sign_in(self, username, password):
        _status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": token, "login": username, "password": password})[0]


@pytest.fixture(scope="module")
def gunicorn_behind_two_proxies(tmp_path_factory):
    """gunicorn with DEBUG off and two app processes, trusting two proxy hops."""
    db = tmp_path_factory.mktemp("gunicorn") / "db.sqlite3"
    env = child_env(
        DATABASE_URL=f"sqlite:///{db}", DJANGO_SECRET_KEY="x" * 60, DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0", DJANGO_STATIC_MANIFEST="0", DJANGO_LOG_LEVEL="ERROR",
        DJANGO_TRUSTED_PROXY_COUNT="2", DJANGO_LOGIN_FAILURE_LIMIT="3",
        DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT="8",
    )
    manage("migrate", "--no-input", "-v0", env=env)
    manage("shell", "-c", "from cities.models import User\n"
           "for name in ('alice', 'bob', 'carol'):\n"
           "    User.objects.create_user(name, password='right-pass-2026')", env=env)
    port = _free_port()
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", GUNICORN_THREADS="2")
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn config
        [sys.executable, "-m", "gunicorn", "-c", "ovp_assess/gunicorn.conf.py",
         "--access-logfile", os.devnull],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    try:
        for _ in range(150):
            try:
                if Browser(port, "127.0.0.9, 127.0.0.1").request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            server.kill()
            pytest.fail("gunicorn did not come up: " + server.communicate(timeout=10)[1][-2000:])
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


# The last proxy (REMOTE_ADDR 127.0.0.1) appends the first proxy's address: "…, <client>, P1".
P1 = "192.0.2.1"


@pytest.mark.django_db(transaction=True)
def test_spoofed_forwarded_for_does_not_escape_the_lockout(gunicorn_behind_two_proxies):
    port = gunicorn_behind_two_proxies
    attacker = "203.0.113.66"
    statuses = []
    for i in range(5):
        # Each attempt claims a new address on the left; the proxies append the real one.
        browser = Browser(port, f"10.9.9.{i}, {attacker}, {P1}")
        statuses.append(browser.sign_in("alice", "wrong-guess"))
    assert statuses[:3] == [200, 200, 429] or statuses[2:] == [429, 429, 429], statuses
    # Even the right password from the attacker's address is refused while locked.
    assert Browser(port, f"1.2.3.4, {attacker}, {P1}").sign_in("alice", "right-pass-2026") == 429


@pytest.mark.django_db(transaction=True)
def test_a_spoofed_address_cannot_lock_out_someone_else(gunicorn_behind_two_proxies):
    port = gunicorn_behind_two_proxies
    victim, attacker = "198.51.100.20", "203.0.113.77"
    for _ in range(5):
        # The attacker writes the victim's address into the header, hoping to be counted there.
        Browser(port, f"{victim}, {attacker}, {P1}").sign_in("bob", "wrong-guess")
    assert Browser(port, f"{victim}, {P1}").sign_in("bob", "right-pass-2026") == 302


@pytest.mark.django_db(transaction=True)
def test_many_user_names_from_one_address_are_refused(gunicorn_behind_two_proxies):
    port = gunicorn_behind_two_proxies
    sprayer = "203.0.113.88"
    statuses = [Browser(port, f"{sprayer}, {P1}").sign_in(f"nobody-{i}", "wrong-guess")
                for i in range(10)]
    # One failure per name never reaches the per-name limit (3); the address limit (8) does.
    assert statuses[:7] == [200] * 7 and statuses[-1] == 429, statuses
    assert Browser(port, f"{sprayer}, {P1}").sign_in("carol", "right-pass-2026") == 429
    # Someone else behind the same proxies is not affected.
    assert Browser(port, f"198.51.100.30, {P1}").sign_in("carol", "right-pass-2026") == 302
