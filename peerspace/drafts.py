"""Keep what someone typed when their session ran out mid-form.

Only for a user who was signed in on this device a moment ago: when
SessionLimitsMiddleware signs her out, the POST that found her signed out is
kept (encrypted, at most DRAFT_MAX_BYTES) in the new session, marked with her
id. After she signs in again the form page finds it and shows it back, unsaved.
Anyone else signing in on the device drops it, and it expires with the
absolute session limit; expired sessions go in the daily `clearsessions`.

A POST from someone who wasn't signed in keeps nothing and writes no session,
so nobody signed out can fill the disk.
"""

import json
import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, QueryDict

from peerspace import crypto

PREFIX = "draft:"
TOO_BIG = (
    "What you were saving was too long to keep while you were signed out, so it "
    "wasn't kept. Please sign in and type it again."
)


def stash(request: HttpRequest) -> None:
    # Set by SessionLimitsMiddleware, on this request only, when it signs her out.
    user_id = getattr(request, "draft_user_id", None)
    if user_id is None:
        return
    data = {
        k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"
    }
    if not data:
        return
    text = json.dumps(data, ensure_ascii=False)
    if len(text.encode()) > settings.DRAFT_MAX_BYTES:
        messages.warning(request, TOO_BIG)
        return
    request.session[PREFIX + request.path] = {
        "user": user_id,
        "saved_at": int(time.time()),
        "data": crypto.encrypt(text),
    }


def _is_hers(draft, user_id) -> bool:
    return (
        isinstance(draft, dict)
        and draft.get("user") == user_id
        and time.time() - draft.get("saved_at", 0) <= settings.SESSION_COOKIE_AGE
    )


def pop(request: HttpRequest) -> QueryDict | None:
    draft = request.session.pop(PREFIX + request.path, None)
    if not _is_hers(draft, request.user.pk):
        return None
    try:
        data = json.loads(crypto.decrypt(draft["data"]))
    except (crypto.DecryptionError, ValueError, KeyError):
        return None
    qd = QueryDict(mutable=True)
    for key, values in data.items():
        qd.setlist(key, values)
    return qd


def drop_others(sender, request, user, **kwargs) -> None:
    """On signing in: drafts that aren't this user's (or are too old) go."""
    session = getattr(request, "session", None)
    if session is None:
        return
    for key in [k for k in session.keys() if k.startswith(PREFIX)]:
        if not _is_hers(session[key], user.pk):
            del session[key]
