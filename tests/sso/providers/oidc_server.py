"""Run the local OpenID Connect provider (allauth.idp.oidc in its own Django project).

    python -m tests.sso.providers.oidc_server --port 8115 \
        --client-id ovp-assess --client-secret local-secret \
        --redirect-uri http://127.0.0.1:8105/accounts/oidc/local-oidc/login/callback/ \
        --user 'ana@city.example|a-long-password|verified|Ana|Ruiz'

It makes a fresh database and signing key in a temporary folder, registers one confidential
client and the given users (each with a primary email address, verified or not), prints
``READY http://127.0.0.1:<port>`` once it accepts connections (``--port 0`` picks a free port)
and serves until stopped. Discovery: ``<url>/.well-known/openid-configuration``.
"""

import argparse
import os
import secrets
import sys
import tempfile

from .common import new_key_pair, parse_user


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8115)
    parser.add_argument("--client-id", default="ovp-assess")
    parser.add_argument("--client-secret", default="local-oidc-secret")
    parser.add_argument("--redirect-uri", action="append", default=[], required=True,
                        help="an allowed callback URL of the relying party (repeatable)")
    parser.add_argument("--user", action="append", default=[],
                        help="email|password[|verified|unverified[|First[|Last]]] (repeatable)")
    args = parser.parse_args(argv)
    users = [parse_user(spec) for spec in args.user]

    folder = tempfile.mkdtemp(prefix="local-oidc-idp-")
    key_pem, _cert = new_key_pair("local OIDC provider")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.providers.oidc_settings"
    os.environ["OIDC_IDP_DIR"] = folder
    os.environ["OIDC_IDP_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["OIDC_IDP_PRIVATE_KEY"] = key_pem

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from allauth.account.models import EmailAddress
    from allauth.idp.oidc.models import Client
    from django.contrib.auth import get_user_model

    User = get_user_model()
    for user in users:
        account = User.objects.create_user(
            username=user.email.split("@")[0][:150],
            email=user.email,
            password=user.password,
            first_name=user.first_name,
            last_name=user.last_name,
        )
        EmailAddress.objects.create(user=account, email=user.email, primary=True,
                                    verified=user.verified)

    client = Client(id=args.client_id, name="OVP Assess (local test)",
                    type=Client.Type.CONFIDENTIAL, skip_consent=True)
    client.set_secret(args.client_secret)
    client.set_scopes(["openid", "profile", "email"])
    client.set_default_scopes(["openid", "profile", "email"])
    client.set_grant_types([Client.GrantType.AUTHORIZATION_CODE])
    client.set_response_types(["code"])
    client.set_redirect_uris(args.redirect_uri)
    client.save()

    import socketserver

    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):  # the stdlib's signature
            pass

    class Server(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True

    httpd = Server((args.host, args.port), QuietHandler)
    httpd.set_app(get_wsgi_application())
    print(f"READY http://{args.host}:{httpd.server_port}", flush=True)
    httpd.serve_forever()

if __name__ == "__main__":
    sys.exit(main())
