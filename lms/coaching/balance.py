"""The remote / in-person balance: one pure function and its policy.

Accompaniment works best when remote and in-person meetings are mixed: remote
removes the distance for rural learners and fits around a job, while meeting in
person builds trust and anchors the project in its territory.
``recommend_modality`` turns that into a recommendation with a reason in plain
French, worded for each reader: the learner reads « Vous avez indiqué… », the coach
« La personne a indiqué… ».
"""

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

VIDEO, PHONE, IN_PERSON = "video", "phone", "in_person"
REMOTE = (VIDEO, PHONE)


@dataclass(frozen=True)
class BalanceInput:
    preferred: str  # "video" | "phone" | "in_person" | "any"
    area_type: str  # "rural" | "urban" | "qpv"
    employed: bool
    needs_digital_help: bool
    availability: tuple[str, ...] = ()  # "weekday_daytime", "weekday_evening", "weekend"
    point_recommends: str = "any"  # "any" | "remote" | "in_person"
    local_coach: bool = True  # a coach of the learner's département can take it now
    local_covered: bool = False  # without local_coach: someone covers it, but is full or away
    in_person_reachable: bool = True  # a coach of the département meets in person
    remote_sessions: int = 0  # sessions held so far, remote
    in_person_sessions: int = 0  # sessions held so far, in person
    in_person_offered: bool = False  # an in-person meeting was already proposed
    completing_pathway: bool = False  # the request comes at the end of a pathway
    # A group session to come at this point, with a free seat the learner may take, that
    # meets the point (« « Tester son idée », mardi 12 janvier à 18:30, à distance »).
    nearby_group: str = ""


@dataclass(frozen=True)
class Recommendation:
    modality: str
    reason: str  # addressed to the learner
    slots: str = ""  # when to meet, e.g. "en soirée ou le week-end"
    coach_reason: str = ""  # the same reason, about the learner, for the coach
    # When a group session at this point is near: it is suggested too, with this reason
    # (to the learner), whatever the individual modality.
    group_reason: str = ""
    coach_group_reason: str = ""

    def __post_init__(self):
        if not self.coach_reason:  # the reason does not address the learner
            object.__setattr__(self, "coach_reason", self.reason)


def recommend_modality(situation: BalanceInput) -> Recommendation:
    """Recommend how to meet a learner, and say why; when a group session at this point is
    near (``nearby_group``), suggest it as well (``group_reason``): attending it meets
    the point, so the learner may not need an individual meeting at all.
    """
    recommendation = _individual(situation)
    if not situation.nearby_group:
        return recommendation
    return replace(
        recommendation,
        group_reason=_(
            "Une séance collective à cette étape vous est aussi ouverte : %(group)s. Elle "
            "réunit des personnes qui en sont au même point et vaut rendez-vous pour cette "
            "étape."
        )
        % {"group": situation.nearby_group},
        coach_group_reason=_(
            "Une séance collective à cette étape a encore des places : %(group)s. Invitez-y "
            "la personne si elle lui convient."
        )
        % {"group": situation.nearby_group},
    )


def _individual(situation: BalanceInput) -> Recommendation:
    """Recommend how to meet a learner one to one, and say why.

    Policy, in order (the first rule that applies wins):

    1. No coach covers the learner's département (common in rural areas): start
       remote — video, or phone when the learner needs help with digital tools or
       prefers the phone.
    2. The progression point recommends meeting in person, and a coach of the
       département offers it: in person.
    3. A learner completing a pathway who has never been offered an in-person
       meeting gets one when it is reachable: every learner who completes a
       pathway has been offered at least one.
    4. The learner's stated preference, when feasible (in person needs a coach
       of the département who meets in person).
    5. The history balances the mix: after two or more remote sessions and none
       in person, in person when reachable; after in-person sessions only,
       remote.
    6. The point recommends remote: remote.
    7. Otherwise: rural and employed learners start remote (distance, working
       hours); others meet in person when reachable, else remote.

    Remote means video, or phone when digital comfort is low or the learner
    prefers it. Employed learners are offered evening or weekend slots (and the
    phone fits a lunch break); the slots follow their stated availability.
    """
    remote = _remote_for(situation)
    slots = _slots_for(situation)

    if not situation.local_coach and situation.local_covered:
        return Recommendation(
            remote,
            _(
                "Les accompagnateur·rices de votre département sont complet·es ou absent·es "
                "en ce moment : le premier échange se fait à distance, %(how)s, avec un·e "
                "accompagnateur·rice du réseau."
            )
            % {"how": how_to_meet(remote)},
            slots,
            _(
                "Les accompagnateur·rices du département de la personne sont complet·es, "
                "absent·es ou ne proposent pas la modalité qui lui convient : le premier "
                "échange se fait à distance, %(how)s."
            )
            % {"how": how_to_meet(remote)},
        )
    if not situation.local_coach:
        return Recommendation(
            remote,
            _(
                "Aucun·e accompagnateur·rice ne couvre encore votre département : le premier "
                "échange se fait à distance, %(how)s."
            )
            % {"how": how_to_meet(remote)},
            slots,
            _(
                "Aucun·e accompagnateur·rice ne couvre encore le département de la personne : "
                "le premier échange se fait à distance, %(how)s."
            )
            % {"how": how_to_meet(remote)},
        )
    if situation.point_recommends == IN_PERSON and situation.in_person_reachable:
        return Recommendation(
            IN_PERSON,
            _(
                "Cette étape du parcours se travaille mieux en face à face : "
                "rendez-vous en présentiel."
            ),
            slots,
        )
    if (
        situation.completing_pathway
        and not situation.in_person_offered
        and situation.in_person_sessions == 0
        and situation.in_person_reachable
    ):
        return Recommendation(
            IN_PERSON,
            _(
                "Vous arrivez au bout du parcours : une rencontre en présentiel vous est "
                "proposée pour faire le point ensemble."
            ),
            slots,
            _(
                "La personne arrive au bout du parcours : proposez-lui une rencontre en "
                "présentiel pour faire le point ensemble."
            ),
        )
    if situation.preferred == IN_PERSON and situation.in_person_reachable:
        return Recommendation(
            IN_PERSON,
            _("Vous avez indiqué préférer vous rencontrer."),
            slots,
            _("La personne a indiqué préférer une rencontre en présentiel."),
        )
    if situation.preferred in REMOTE:
        return Recommendation(
            situation.preferred,
            _("Vous avez indiqué préférer un échange %(how)s.")
            % {"how": how_to_meet(situation.preferred)},
            slots,
            _("La personne a indiqué préférer un échange %(how)s.")
            % {"how": how_to_meet(situation.preferred)},
        )
    if situation.preferred == IN_PERSON:
        return Recommendation(
            remote,
            _(
                "Vous préférez vous rencontrer, mais aucun·e accompagnateur·rice ne reçoit en "
                "présentiel près de chez vous pour l'instant : échange %(how)s."
            )
            % {"how": how_to_meet(remote)},
            slots,
            _(
                "La personne préfère une rencontre, mais aucun·e accompagnateur·rice ne reçoit "
                "en présentiel près de chez elle pour l'instant : échange %(how)s."
            )
            % {"how": how_to_meet(remote)},
        )
    if (
        situation.remote_sessions >= 2
        and situation.in_person_sessions == 0
        and situation.in_person_reachable
    ):
        return Recommendation(
            IN_PERSON,
            _("Après plusieurs échanges à distance, une rencontre en présentiel est proposée."),
            slots,
        )
    if situation.in_person_sessions >= 1 and situation.remote_sessions == 0:
        return Recommendation(
            remote,
            _(
                "Après une rencontre, un point à distance (%(how)s) permet d'avancer "
                "sans se déplacer."
            )
            % {"how": how_to_meet(remote)},
            slots,
        )
    if situation.point_recommends == "remote":
        return Recommendation(
            remote,
            _("Cette étape se prête bien à un échange à distance (%(how)s).")
            % {"how": how_to_meet(remote)},
            slots,
        )
    if situation.area_type == "rural" or situation.employed or not situation.in_person_reachable:
        if situation.employed:
            reason = _("Vous êtes en emploi : un échange %(how)s s'adapte à vos horaires.")
            coach_reason = _(
                "La personne est en emploi : un échange %(how)s s'adapte à ses horaires."
            )
        else:
            reason = _("Pour vous éviter un long déplacement, le premier échange se fait %(how)s.")
            coach_reason = _(
                "Pour lui éviter un long déplacement, le premier échange se fait %(how)s."
            )
        how = {"how": how_to_meet(remote)}
        return Recommendation(remote, reason % how, slots, coach_reason % how)
    return Recommendation(
        IN_PERSON,
        _("Une accompagnatrice ou un accompagnateur peut vous recevoir près de chez vous."),
        slots,
        _("Une accompagnatrice ou un accompagnateur peut recevoir la personne près de chez elle."),
    )


def _remote_for(situation: BalanceInput) -> str:
    if situation.preferred == PHONE or situation.needs_digital_help:
        return PHONE
    if situation.preferred == VIDEO:
        return VIDEO
    return (
        PHONE if situation.employed and "weekday_daytime" not in situation.availability else VIDEO
    )


def how_to_meet(modality: str) -> str:
    """« en visioconférence », « par téléphone », « en présentiel »."""
    return {
        VIDEO: _("en visioconférence"),
        PHONE: _("par téléphone"),
        IN_PERSON: _("en présentiel"),
    }[modality]


def _slots_for(situation: BalanceInput) -> str:
    if not situation.employed:
        return ""
    evening = "weekday_evening" in situation.availability
    weekend = "weekend" in situation.availability
    if evening and weekend:
        return _("en soirée ou le week-end")
    if weekend:
        return _("le week-end")
    if evening or not situation.availability:
        return _("en soirée ou pendant la pause de midi")
    return ""
