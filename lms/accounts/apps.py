from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate
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


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A user joined or left a group: their navigation (roles) changes once this commits."""
    from .facts import changed

    if not reverse and action in {"post_add", "post_remove", "post_clear"}:
        changed(instance.pk)
    elif reverse and action in {"post_add", "post_remove"}:
        changed(*pk_set)
    elif reverse and action == "pre_clear":
        changed(*instance.user_set.values_list("pk", flat=True))


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        # Roles are data every environment needs: (re)granted after each migrate.
        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="balise_ensure_roles")
        m2m_changed.connect(
            _groups_changed,
            sender=self.get_model("User").groups.through,
            dispatch_uid="balise_groups_changed",
        )
        # Each app's privacy.py declares what it holds about a person (export, erasure).
        from .privacy import discover

        discover()
