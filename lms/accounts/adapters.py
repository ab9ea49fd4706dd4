from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from lms.ratelimit import client_ip

from .actions import grant_role
from .roles import Role


class AccountAdapter(DefaultAccountAdapter):
    """Everyone who signs up on the site is a learner; e-mails are stored lower-case."""

    def clean_email(self, email):
        return super().clean_email(email).strip().lower()

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            grant_role(user, Role.LEARNER)
        return user

    def get_client_ip(self, request):
        # allauth's limits on login codes, sign-ups and logins count per client address:
        # behind the TLS proxy, REMOTE_ADDR is the proxy's, shared by every visitor.
        return client_ip(request)

    def send_mail(self, template_prefix, email, context):
        # E-mails speak of Balise and its public address, not of the request's host.
        site = SimpleNamespace(name="Balise", domain=urlsplit(settings.SITE_URL).netloc)
        context = {**context, "current_site": site, "site_url": settings.SITE_URL}
        super().send_mail(template_prefix, email, context)
