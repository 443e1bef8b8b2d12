"""Keep what someone typed when their session ran out mid-form.

A POST that arrives signed out is stashed (encrypted) in the new session; after
signing in again the form page finds it and shows it back, unsaved.
"""

import json

from django.http import HttpRequest, QueryDict

from peerspace import crypto

PREFIX = "draft:"


def stash(request: HttpRequest) -> None:
    data = {
        k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"
    }
    if data:
        request.session[PREFIX + request.path] = crypto.encrypt(json.dumps(data))


def pop(request: HttpRequest) -> QueryDict | None:
    stored = request.session.pop(PREFIX + request.path, None)
    if not stored:
        return None
    try:
        data = json.loads(crypto.decrypt(stored))
    except (crypto.DecryptionError, ValueError):
        return None
    qd = QueryDict(mutable=True)
    for key, values in data.items():
        qd.setlist(key, values)
    return qd
