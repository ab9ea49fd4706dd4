"""What every page's navigation shows: the user's roles and their unread notifications."""

from functools import cache

from django.contrib.auth.models import Group
from django.db import connection
from django.utils.functional import SimpleLazyObject

from lms.accounts.models import User
from lms.accounts.roles import remember_roles, roles_of, roles_remembered
from lms.notifications.models import Notification


class _Navigation:
    """Both facts from one query on first use (the roles are remembered on the user, as
    ``roles_of`` does); nothing for a response that never shows them (htmx fragments)."""

    def __init__(self, user):
        self.user = user
        self.unread = None

    def roles(self) -> tuple:
        """Sorted, so that the navigation's fragment key is the same in every process."""
        if not roles_remembered(self.user):
            self._load()
        return tuple(sorted(roles_of(self.user)))

    def unread_count(self) -> int:
        if self.unread is None:
            if roles_remembered(self.user):
                self.unread = Notification.objects.visible_to(self.user).unread().count()
            else:
                self._load()
        return self.unread

    def _load(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(_navigation_sql(), [self.user.pk, self.user.pk])
            rows = cursor.fetchall()
        remember_roles(self.user, [name for name, count in rows if count is None])
        self.unread = next(count for name, count in rows if count is not None)


@cache
def _navigation_sql() -> str:
    """The user's group names, then their unread notifications count (as
    ``Notification.objects.visible_to(user).unread().count()``), in one statement: built
    by hand because the ORM's compilation of the same query cost more than the two
    queries it replaced."""
    memberships = User.groups.through._meta
    quote = connection.ops.quote_name
    # Identifiers from the models' metadata only; the user id goes as a parameter.
    return (
        f"SELECT g.{quote('name')}, NULL FROM {quote(Group._meta.db_table)} g "  # noqa: S608
        f"INNER JOIN {quote(memberships.db_table)} m "
        f"ON g.{quote('id')} = m.{quote(memberships.get_field('group').column)} "
        f"WHERE m.{quote(memberships.get_field('user').column)} = %s "
        f"UNION ALL SELECT NULL, COUNT(*) FROM {quote(Notification._meta.db_table)} "
        f"WHERE {quote(Notification._meta.get_field('recipient').column)} = %s "
        f"AND {quote(Notification._meta.get_field('read_at').column)} IS NULL"
    )


def navigation(request):
    """``user_roles`` and ``unread_notifications_count``, lazy: one query between them for a
    signed-in user, none for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "unread_notifications_count": 0}
    nav = _Navigation(user)
    return {
        "user_roles": SimpleLazyObject(nav.roles),
        "unread_notifications_count": SimpleLazyObject(nav.unread_count),
    }
