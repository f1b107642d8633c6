"""Real identity providers for the single sign-on tests, each in its own process on loopback.

- ``oidc_server``: an OpenID Connect provider, django-allauth's ``allauth.idp.oidc`` in a
  second, minimal Django project (docs/sso.md says why this one).
- ``saml_server``: a SAML 2.0 identity provider built with pysaml2 (signs with xmlsec1).

``LocalProvider`` starts one, waits for its ``READY <url>`` line and stops it again.
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


class LocalProvider:
    """``python -m tests.sso.providers.<module> --port 0 <args>`` as a child process."""

    def __init__(self, module, args, timeout=90):
        self.module = module
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open while it runs
            prefix=f"{module}-", suffix=".log", delete=False)
        self.process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", f"tests.sso.providers.{module}", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        self.url = self._wait_until_ready(timeout)

    def _wait_until_ready(self, timeout):
        found = {}

        def read():
            for line in self.process.stdout:
                if line.startswith("READY "):
                    found["url"] = line.split(None, 1)[1].strip()
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if "url" not in found:
            self.stop()
            raise RuntimeError(
                f"{self.module} did not start within {timeout}s:\n{self.errors()}")
        return found["url"]

    def errors(self):
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.process.stdout:
            self.process.stdout.close()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def oidc_provider(*, redirect_uris, users, client_id="ovp-assess",
                  client_secret="local-oidc-secret"):  # noqa: S107 - a test-only secret
    args = ["--client-id", client_id, "--client-secret", client_secret]
    for uri in redirect_uris:
        args += ["--redirect-uri", uri]
    for user in users:
        args += ["--user", user]
    return LocalProvider("oidc_server", args)


def saml_idp(*, sp_metadata, users):
    args = []
    for source in sp_metadata:
        args += ["--sp-metadata", source]
    for user in users:
        args += ["--user", user]
    return LocalProvider("saml_server", args)
