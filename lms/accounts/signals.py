"""Signals accounts sends to the apps above it, which it never imports.

Sent inside the transaction of their cause, so what a receiver writes commits or rolls
back with it.
"""

from django.dispatch import Signal

# A learner was warned that their idle account will be anonymised: ``user``, ``days``
# (how long they have been idle), ``deadline`` (when it happens unless they come back).
inactivity_warned = Signal()
