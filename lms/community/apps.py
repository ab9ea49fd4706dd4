from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "lms.community"
    label = "community"
    verbose_name = _("Communauté : cercles de pairs et mentorat")
