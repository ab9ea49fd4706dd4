"""Signals pathways sends; other apps (coaching) connect to them, pathways imports none."""

from django.dispatch import Signal

# Sent inside the transaction that records the passage, once per recorded passage, in a
# savepoint: a receiver's failure rolls back its own writes only, and is logged (the
# receiver's app repairs it later). Arguments: ``passage`` (a CheckpointPassage whose
# learner and pathway are loaded) and ``point`` (the point's block value: title,
# trigger, learner_message, coach_brief, recommended_modality, questions).
progression_point_reached = Signal()
