"""Run the local SAML 2.0 identity provider (pysaml2, no Django) used by the SSO tests.

    python -m tests.sso.providers.saml_server --port 8116 \
        --sp-metadata http://127.0.0.1:8105/accounts/saml/local-saml/metadata/ \
        --user 'ana@city.example|a-long-password|verified|Ana|Ruiz'

Endpoints (``<url>`` is what it prints as ``READY <url>``; ``--port 0`` picks a free port):
- ``<url>/metadata``: the IdP's metadata (entity ID, single sign-on URLs, signing certificate);
  the entity ID is this URL too.
- ``<url>/sso/redirect`` (HTTP-Redirect) and ``<url>/sso/post`` (HTTP-POST): take a service
  provider's AuthnRequest and show a sign-in form; a correct email and password answer with a
  signed Response holding a signed Assertion, posted back to the provider's ACS URL.

The service provider's metadata (``--sp-metadata``, a URL or a file; repeatable) is read when
the first request from that provider arrives, so the provider may start after this server.
The key and certificate are made anew at every start, in a temporary folder.
Attributes sent: mail, givenName, sn (as urn:oid names), subject-id, and
``http://schemas.auth0.com/email_verified`` (``true``/``false``); NameID is the email address.
"""

import argparse
import html
import os
import socketserver
import sys
import tempfile
import threading
import urllib.request
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.s_utils import UnknownPrincipal, UnsupportedBinding
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from .common import LocalUser, new_key_pair, parse_user

XMLSEC = "/usr/bin/xmlsec1"
PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local SAML IdP: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Local SAML identity provider</h1>
<p>Service provider: <code>{sp}</code></p>{error}
<form method="post" action="{action}">
<input type="hidden" name="SAMLRequest" value="{saml_request}">
<input type="hidden" name="RelayState" value="{relay_state}">
<input type="hidden" name="binding" value="{binding}">
<p><label for="email">Email</label> <input id="email" name="email" type="email"
 autocomplete="username" required value="{email}"></p>
<p><label for="password">Password</label> <input id="password" name="password"
 type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form></main></body></html>
"""


class LocalSamlIdp:
    def __init__(self, base_url, users, sp_metadata, folder):
        self.base_url = base_url
        self.users = {user.email.lower(): user for user in users}
        self.sp_metadata = list(sp_metadata)
        self.folder = folder
        key_pem, cert_pem = new_key_pair("local SAML IdP")
        self.key_file = os.path.join(folder, "idp.key")
        self.cert_file = os.path.join(folder, "idp.crt")
        with open(self.key_file, "w") as fh:
            fh.write(key_pem)
        with open(self.cert_file, "w") as fh:
            fh.write(cert_pem)
        self._lock = threading.Lock()
        self._server = None
        self._loaded_metadata = []

    @property
    def entity_id(self):
        return f"{self.base_url}/metadata"

    def config(self, sp_metadata_xml=()):
        conf = IdPConfig()
        conf.load({
            "entityid": self.entity_id,
            "xmlsec_binary": XMLSEC,
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "metadata": {"inline": list(sp_metadata_xml)} if sp_metadata_xml else {},
            "service": {
                "idp": {
                    "name": "Local SAML IdP",
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT),
                            (f"{self.base_url}/sso/post", BINDING_HTTP_POST),
                        ],
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "want_authn_requests_signed": False,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 15},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        },
                    },
                },
            },
        })
        return conf

    def _read_sp_metadata(self):
        documents = []
        for source in self.sp_metadata:
            if source.startswith(("http://", "https://")):
                with urllib.request.urlopen(source, timeout=10) as response:  # noqa: S310
                    documents.append(response.read().decode())
            else:
                with open(source) as fh:
                    documents.append(fh.read())
        return documents

    def server(self, reload=False):
        """The pysaml2 Server, made on first use (and again with ``reload``) so that it reads
        the service providers' metadata when they are up."""
        with self._lock:
            if self._server is None or reload:
                self._server = Server(config=self.config(self._read_sp_metadata()))
            return self._server

    def metadata(self):
        return create_metadata_string(None, config=self.config(), sign=False)

    def parse(self, saml_request, binding):
        try:
            return self.server().parse_authn_request(saml_request, binding)
        except Exception:  # noqa: BLE001 - an unknown SP: read its metadata again, once
            return self.server(reload=True).parse_authn_request(saml_request, binding)

    def respond(self, authn_request, user: LocalUser, relay_state):
        server = self.server()
        args = server.response_args(authn_request.message, [BINDING_HTTP_POST])
        identity = {
            "mail": [user.email],
            "givenName": [user.first_name] if user.first_name else [],
            "sn": [user.last_name] if user.last_name else [],
            "urn:oasis:names:tc:SAML:attribute:subject-id": [user.email.lower()],
            "http://schemas.auth0.com/email_verified": ["true" if user.verified else "false"],
        }
        identity = {key: value for key, value in identity.items() if value}
        response = server.create_authn_response(
            identity,
            userid=user.email,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=user.email),
            authn={"class_ref": PASSWORD_PROTECTED, "authn_auth": self.entity_id},
            sign_response=True,
            sign_assertion=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            **args,
        )
        return server.apply_binding(
            BINDING_HTTP_POST, str(response), args["destination"], relay_state, response=True
        )

    # WSGI ---------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size).decode()
            params = {key: values[0] for key, values in parse_qs(body).items()}
        else:
            params = {key: values[0] for key, values in
                      parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            if path == "/metadata" and method == "GET":
                return self._reply(start_response, "200 OK", self.metadata(),
                                   "application/samlmetadata+xml")
            if path in ("/sso/redirect", "/sso/post"):
                binding = BINDING_HTTP_REDIRECT if path.endswith("redirect") else BINDING_HTTP_POST
                return self.login_form(start_response, params, binding)
            if path == "/login" and method == "POST":
                return self.login(start_response, params)
            return self._reply(start_response, "404 Not Found", "Not found", "text/plain")
        except (UnknownPrincipal, UnsupportedBinding, ValueError, KeyError) as error:
            return self._reply(start_response, "400 Bad Request",
                               f"Bad SAML request: {error}", "text/plain")

    def login_form(self, start_response, params, binding, error="", email="", status="200 OK"):
        saml_request = params.get("SAMLRequest")
        if not saml_request:
            return self._reply(start_response, "400 Bad Request", "SAMLRequest is missing",
                               "text/plain")
        request = self.parse(saml_request, binding)
        page = PAGE.format(
            sp=html.escape(request.message.issuer.text),
            error=f'<p role="alert"><strong>{html.escape(error)}</strong></p>' if error else "",
            action=f"{self.base_url}/login",
            saml_request=html.escape(saml_request),
            relay_state=html.escape(params.get("RelayState", "")),
            binding=html.escape(binding),
            email=html.escape(email),
        )
        return self._reply(start_response, status, page, "text/html; charset=utf-8")

    def login(self, start_response, params):
        binding = params.get("binding", BINDING_HTTP_REDIRECT)
        if binding not in (BINDING_HTTP_REDIRECT, BINDING_HTTP_POST):
            raise ValueError("unknown binding")
        email = params.get("email", "").strip()
        user = self.users.get(email.lower())
        if user is None or params.get("password", "") != user.password:
            return self.login_form(start_response, params, binding,
                                   error="Wrong email or password.", email=email,
                                   status="401 Unauthorized")
        request = self.parse(params["SAMLRequest"], binding)
        http_args = self.respond(request, user, params.get("RelayState", ""))
        return self._reply(start_response, "200 OK", http_args["data"],
                           "text/html; charset=utf-8")

    @staticmethod
    def _reply(start_response, status, body, content_type):
        data = body.encode() if isinstance(body, str) else body
        start_response(status, [("Content-Type", content_type),
                                ("Content-Length", str(len(data))),
                                ("Cache-Control", "no-store")])
        return [data]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # the stdlib's signature
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8116)
    parser.add_argument("--sp-metadata", action="append", default=[], required=True,
                        help="a service provider's metadata, URL or file (repeatable)")
    parser.add_argument("--user", action="append", default=[],
                        help="email|password[|verified|unverified[|First[|Last]]] (repeatable)")
    args = parser.parse_args(argv)
    if not os.path.exists(XMLSEC):
        parser.error(f"{XMLSEC} is missing: install Debian's xmlsec1 package")
    users = [parse_user(spec) for spec in args.user]
    httpd = _ThreadingServer((args.host, args.port), _QuietHandler)
    base_url = f"http://{args.host}:{httpd.server_port}"
    idp = LocalSamlIdp(base_url, users, args.sp_metadata,
                       tempfile.mkdtemp(prefix="local-saml-idp-"))
    httpd.set_app(idp)
    print(f"READY {base_url}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
