"""A coach's weekly slots and the days they take no booking. Forms validate the input;
each change is one transaction and touches the coach's own rows only."""

from datetime import date

from django.db import transaction

from lms.accounts.models import User

from ..models import AvailabilityException, AvailabilityRule


@transaction.atomic(durable=True)
def add_availability_rule(coach: User, **fields) -> AvailabilityRule:
    """Publish weekly recurring slots (``fields``: those of ``AvailabilityRule``). Booked
    sessions are never touched by a later change of rules."""
    return AvailabilityRule.objects.create(coach=coach, **fields)


@transaction.atomic(durable=True)
def remove_availability_rule(coach: User, rule_id: int) -> bool:
    """Stop offering a rule's slots; the sessions booked on them stay (their rule is
    forgotten). False when the rule is not the coach's (or is gone already)."""
    deleted, _ = AvailabilityRule.objects.filter(coach=coach, pk=rule_id).delete()
    return bool(deleted)


@transaction.atomic(durable=True)
def add_availability_exception(
    coach: User, *, starts_on: date, ends_on: date, reason: str = ""
) -> AvailabilityException:
    """No booking on these days (both included); sessions already booked stay."""
    return AvailabilityException.objects.create(
        coach=coach, starts_on=starts_on, ends_on=ends_on, reason=reason
    )


@transaction.atomic(durable=True)
def remove_availability_exception(coach: User, exception_id: int) -> bool:
    deleted, _ = AvailabilityException.objects.filter(coach=coach, pk=exception_id).delete()
    return bool(deleted)
