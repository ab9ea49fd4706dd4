from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, using="default", **kwargs):
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .roles import ensure_role_groups

    # post_migrate reaches apps one by one: make sure every app's permissions
    # exist before granting them, whatever the order of INSTALLED_APPS.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_role_groups()


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        # Roles are data every environment needs: (re)granted after each migrate.
        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="balise_ensure_roles")
        # Each app's privacy.py declares what it holds about a person (export, erasure).
        from .privacy import discover

        discover()
