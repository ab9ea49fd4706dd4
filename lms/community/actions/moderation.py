"""Reports and their review. A report hides the post at once, pending review by the
circle's facilitator or the managers of its structure; they restore it or keep it hidden.
Nothing is deleted: the author still sees their post, marked as hidden."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import User
from lms.accounts.structures import managers_of
from lms.notifications.actions import notify

from ..access import circle_part, may_moderate, may_write
from ..models import CirclePost, HiddenReason, PostReport, ReportDecision
from ._common import CommunityError, in_site_language


def moderators_of(circle) -> list[User]:
    """Who reviews a report: the facilitator and the managers of the circle's structure
    (a circle of the network: the network's managers)."""
    people = [circle.facilitator, *managers_of(circle.structure_id)]
    seen, found = set(), []
    for person in people:
        if person.is_active and person.pk not in seen:
            seen.add(person.pk)
            found.append(person)
    return found


@in_site_language
@transaction.atomic(durable=True)
def report_post(reporter: User, post_id: int, reason: str) -> PostReport:
    """``reporter`` reports a post of a circle they take part in: the post is hidden at
    once (if it was not already) and the moderators are told. Refused for one's own post
    and for a second report of the same post by the same person while it waits."""
    post = (
        CirclePost.objects.select_for_update(of=("self",))
        .select_related("circle__facilitator")
        .get(pk=post_id)
    )
    circle = post.circle
    part = circle_part(reporter, circle)
    if not (may_write(part) or may_moderate(part)):
        raise CommunityError(_("Vous ne faites plus partie de ce cercle."))
    if post.author_id == reporter.pk:
        raise CommunityError(_("C'est votre propre message : il n'a pas été signalé."))
    if PostReport.objects.filter(post=post, reporter=reporter, reviewed_at__isnull=True).exists():
        raise CommunityError(_("Vous avez déjà signalé ce message : il est masqué en attendant."))
    report = PostReport.objects.create(post=post, reporter=reporter, reason=reason)
    if post.hidden_at is None:
        post.hidden_at = timezone.now()
        post.hidden_reason = HiddenReason.REPORTED
        post.save(update_fields=["hidden_at", "hidden_reason"])
    for moderator in moderators_of(circle):
        if moderator.pk == reporter.pk:
            continue
        notify(
            moderator,
            kind="circle_post_reported",
            context={"circle": circle, "reason": reason},
            url=reverse("community:moderation"),
            structure=circle.structure,
        )
    return report


@transaction.atomic(durable=True)
def review_post(moderator: User, post_id: int, decision: str) -> int:
    """Decide on a reported post: ``restore`` puts it back in the thread, ``keep_hidden``
    keeps it hidden (its author still sees it, marked). Every report waiting on it is
    closed with the decision, who and when. Returns how many reports were closed."""
    post = (
        CirclePost.objects.select_for_update(of=("self",))
        .select_related("circle__facilitator")
        .get(pk=post_id)
    )
    if not may_moderate(circle_part(moderator, post.circle)):
        raise CommunityError(_("Seules les personnes qui animent ou suivent ce cercle relisent."))
    if decision not in ReportDecision.values:
        raise CommunityError(
            _("Choisissez de remettre le message en ligne ou de le laisser masqué.")
        )
    pending = PostReport.objects.filter(post=post, reviewed_at__isnull=True)
    if not pending.exists():
        raise CommunityError(_("Ce signalement a déjà été relu."))
    if decision == ReportDecision.RESTORE:
        post.hidden_at, post.hidden_reason = None, ""
    else:
        post.hidden_at = post.hidden_at or timezone.now()
        post.hidden_reason = HiddenReason.MODERATED
    post.save(update_fields=["hidden_at", "hidden_reason"])
    return pending.update(reviewed_by=moderator, reviewed_at=timezone.now(), decision=decision)
