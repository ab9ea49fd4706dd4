"""Receivers: they only call actions."""

from .actions import open_request_for_point


def open_request_on_point(sender, passage, point, **kwargs):
    """Automatic and gate points open a request when reached; offered points wait for the
    learner to accept."""
    if point is not None and point["trigger"] in ("automatic", "gate"):
        open_request_for_point(passage, point)
