"""Signals pathways sends; other apps (coaching) connect to them, pathways imports none."""

from django.dispatch import Signal

# Sent on commit, once per recorded passage, with ``passage`` (a CheckpointPassage
# whose learner and pathway are loaded) and ``point`` (the point's block value:
# title, trigger, learner_message, coach_brief, recommended_modality, questions).
progression_point_reached = Signal()
