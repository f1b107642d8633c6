"""Walking an identity provider's own pages as a browser would, with requests (no JS)."""

import re
from html import unescape
from urllib.parse import urljoin

import requests


def hidden_inputs(page_html):
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(
            r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page_html)
    }


def oidc_sign_in_at_provider(authorize_url, email, password, *, back_to):
    """Open the provider's authorize URL, fill in its sign-in form, follow its redirects until
    one points at `back_to` (the relying party's callback); return that URL, or the last
    response if the provider never sent the browser back."""
    browser = requests.Session()
    response = browser.get(authorize_url, timeout=15)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    assert csrf, f"no sign-in form at {response.url}"
    response = browser.post(
        response.url,
        data={"csrfmiddlewaretoken": csrf.group(1), "login": email, "password": password},
        headers={"Referer": response.url}, allow_redirects=False, timeout=15)
    for _hop in range(10):
        if not response.is_redirect:
            return response
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(back_to):
            return location
        response = browser.get(location, allow_redirects=False, timeout=15)
    return response


def saml_sign_in_at_idp(sso_url, email, password):
    """Open the IdP's single sign-on URL, fill in its form; return (ACS URL, posted fields)
    of the auto-submitting form it answers with, or the response if it refused."""
    browser = requests.Session()
    form = browser.get(sso_url, timeout=15)
    assert form.status_code == 200, form.text[:500]
    answer = browser.post(re.search(r'<form method="post" action="([^"]+)"', form.text)
                          .group(1),
                          data={**hidden_inputs(form.text), "email": email,
                                "password": password}, timeout=15)
    if answer.status_code != 200 or "SAMLResponse" not in answer.text:
        return answer
    action = unescape(re.search(r'action="([^"]+)"', answer.text).group(1))
    return action, hidden_inputs(answer.text)
