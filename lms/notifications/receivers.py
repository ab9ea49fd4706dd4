"""Notices about accounts' events (accounts sits below notifications and cannot call it)."""

from django.dispatch import receiver
from django.urls import reverse

from lms.accounts.signals import inactivity_warned

from .actions import notify


@receiver(inactivity_warned, dispatch_uid="notify_inactivity_warning")
def tell_of_inactivity_warning(sender, user, days, deadline, **kwargs) -> None:
    notify(
        user,
        kind="inactivity_warning",
        context={"days": days, "deadline": deadline},
        url=reverse("accounts:profile"),
    )
