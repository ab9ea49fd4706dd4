"""Video links of sessions: one unguessable room per session, on the service the settings
name (``VIDEO_SERVICE``).

- ``jitsi`` (default): a room on a Jitsi-compatible server, ``VIDEO_JITSI_BASE_URL``; the
  link itself is the way in, so its room name is a random token nobody can guess.
- ``bbb``: BigBlueButton, when ``BBB_API_URL`` and ``BBB_SECRET`` are set. Its join links
  are per person (name, role) and signed with the API's checksum, so people get Balise's
  address (``coaching:session_video``), which checks who they are, makes sure the meeting
  exists and sends them on with their own signed link.
"""

import hashlib
import secrets
from urllib.parse import urlencode
from urllib.request import urlopen

from django.conf import settings
from django.urls import reverse

JITSI_ROOM_PREFIX = "balise-"
BBB_TIMEOUT = 10  # seconds for the meeting's creation call


def new_room() -> str:
    """An unguessable room name: 144 random bits, URL-safe."""
    return secrets.token_urlsafe(18)


def link(room: str) -> str:
    """The address people are given for the session's room (e-mails, pages, calendar)."""
    if settings.VIDEO_SERVICE == "bbb":
        return settings.SITE_URL + reverse("coaching:session_video", args=[room])
    return f"{settings.VIDEO_JITSI_BASE_URL}/{JITSI_ROOM_PREFIX}{room}"


def bbb_call(action: str, params: dict[str, str]) -> str:
    """The URL of a BigBlueButton API call, with its checksum: SHA-1 of the call's name, its
    query string and the shared secret (BigBlueButton's API documentation, « Usage »)."""
    query = urlencode(params)
    checksum = hashlib.sha1(  # noqa: S324 - the checksum BigBlueButton's API defines
        f"{action}{query}{settings.BBB_SECRET}".encode()
    ).hexdigest()
    return f"{settings.BBB_API_URL}/{action}?{query}&checksum={checksum}"


def bbb_create_url(room: str, name: str) -> str:
    return bbb_call("create", {"meetingID": room, "name": name, "record": "false"})


def bbb_join_url(room: str, full_name: str, moderator: bool) -> str:
    return bbb_call(
        "join",
        {
            "meetingID": room,
            "fullName": full_name,
            "role": "MODERATOR" if moderator else "VIEWER",
            "redirect": "true",
        },
    )


def ensure_meeting(room: str, name: str) -> None:
    """Create the meeting (BigBlueButton answers « already exists » as success: idempotent)."""
    with urlopen(bbb_create_url(room, name), timeout=BBB_TIMEOUT) as response:  # noqa: S310 - the configured https API
        response.read()
