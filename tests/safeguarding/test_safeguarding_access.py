"""Every safeguarding URL × every kind of user: who gets in, and who gets a 404.

Three organisations. Users: anonymous; bob, the facilitator who raised the
worry; fran, another facilitator; alice, a coordinator without the safeguarding
role; sally, a safeguarding member; the kiosk; pat, a safeguarding member of the
partner group (partners with sally's, and in the joint session); charlie
(coordinator and facilitator) and ursula (safeguarding) of a third organisation,
which has asked sally's to be partners and had no answer yet.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from peerspace.accounts.models import Partnership
from safeguarding.models import AccessLog, ReflectionSession, UrgentAlert

USERS = ["anon", "bob", "fran", "alice", "sally", "kiosk", "pat", "charlie", "ursula"]

# Anonymous users go to the login page; the kiosk is refused everything here.
LOGIN, NO = 302, 403
# (name, method, expected status per user, in USERS order)
MATRIX = [
    ("worries", "get", [LOGIN, 200, 200, 200, 200, NO, 200, 200, 200]),
    ("worry_new", "get", [LOGIN, 200, 200, 200, 200, NO, 200, 200, 200]),
    ("worry", "get", [LOGIN, 403, 404, 404, 200, NO, 404, 404, 404]),
    ("worry_raised", "get", [LOGIN, 200, 404, 404, 200, NO, 404, 404, 404]),
    ("worry_edit", "get", [LOGIN, 403, 404, 404, 200, NO, 404, 404, 404]),
    ("worry_status", "post", [LOGIN, 403, 404, 404, 302, NO, 404, 404, 404]),
    ("chronology", "get", [LOGIN, 404, 404, 404, 200, NO, 404, 404, 404]),
    ("sessions", "get", [LOGIN, 403, 403, 403, 200, NO, 200, 403, 200]),
    ("session_new", "get", [LOGIN, 403, 403, 403, 200, NO, 200, 403, 200]),
    ("session", "get", [LOGIN, 403, 403, 403, 200, NO, 200, 403, 404]),
    ("session_edit", "get", [LOGIN, 403, 403, 403, 200, NO, 403, 403, 404]),
    ("session_bring", "post", [LOGIN, 403, 403, 403, 302, NO, 403, 403, 404]),
    ("review_shared", "get", [LOGIN, 403, 403, 403, 200, NO, 200, 403, 404]),
    ("review_shared", "post", [LOGIN, 403, 403, 403, 302, NO, 403, 403, 404]),
    ("review_unshared", "get", [LOGIN, 403, 403, 403, 200, NO, 404, 403, 404]),
    ("minutes", "get", [LOGIN, 403, 403, 403, 200, NO, 200, 403, 404]),
    ("action_done", "post", [LOGIN, 403, 403, 403, 302, NO, 404, 403, 404]),
    ("access_log", "get", [LOGIN, 403, 403, 403, 200, NO, 200, 403, 200]),
    ("settings", "get", [LOGIN, 403, 403, 403, 200, NO, 200, 403, 200]),
    ("alert_retry", "post", [LOGIN, 403, 403, 403, 302, NO, 404, 403, 404]),
    ("alert_acknowledge", "post", [LOGIN, 403, 403, 403, 302, NO, 404, 403, 404]),
    # Partner groups: safeguarding members only, each for her own group.
    ("partners", "get", [LOGIN, 403, 403, 403, 200, NO, 200, 403, 200]),
    ("partnership_code", "post", [LOGIN, 403, 403, 403, 302, NO, 302, 403, 302]),
    # Ursula's group asked Sally's: only the group asked answers.
    ("partnership_answer", "post", [LOGIN, 403, 403, 403, 302, NO, 404, 403, 403]),
    # Sally's and Pat's groups are partners: either may end it.
    ("partnership_end", "post", [LOGIN, 403, 403, 403, 302, NO, 302, 403, 404]),
    # A session Pat's group is invited to and hasn't answered: the agenda is
    # hidden from her until she says yes; the invitation is hers alone.
    ("invited", "get", [LOGIN, 403, 403, 403, 200, NO, 404, 403, 404]),
    ("invitation", "get", [LOGIN, 403, 403, 403, 404, NO, 200, 403, 404]),
    ("invitation", "post", [LOGIN, 403, 403, 403, 404, NO, 302, 403, 404]),
]
# The method each view refuses with 405.
WRONG_METHOD = {
    "worries": "post",
    "worry": "post",
    "worry_raised": "post",
    "worry_edit": "delete",
    "worry_new": "put",
    "worry_status": "get",
    "chronology": "post",
    "sessions": "post",
    "session_new": "delete",
    "session": "post",
    "session_edit": "delete",
    "session_bring": "get",
    "review_shared": "delete",
    "minutes": "post",
    "action_done": "get",
    "access_log": "post",
    "settings": "delete",
    "alert_retry": "get",
    "alert_acknowledge": "get",
    "partners": "delete",
    "partnership_code": "get",
    "partnership_answer": "get",
    "partnership_end": "get",
    "invitation": "put",
}


@pytest.fixture
def world(
    request,
    bob,
    fran,
    alice,
    sally,
    kiosk,
    pat,
    charlie,
    ursula,
    her,
    worry,
    unshared,
    joint,
    action,
    org,
    partner_org,
    other_org,
    partnership,
):
    alert = UrgentAlert.objects.create(worry=worry, link="http://testserver/")
    asked, _ = Partnership.objects.propose(
        other_org, ursula, code=org.get_partnership_code()
    )
    invited = ReflectionSession.objects.create(
        host=org, date=timezone.localdate(), created_by=sally
    )
    invited.partners.add(partner_org)
    return {
        "users": {
            "bob": bob,
            "fran": fran,
            "alice": alice,
            "sally": sally,
            "kiosk": kiosk,
            "pat": pat,
            "charlie": charlie,
            "ursula": ursula,
        },
        "urls": {
            "worries": reverse("safeguarding:worries"),
            "worry_new": reverse("safeguarding:worry_new"),
            "worry": reverse("safeguarding:worry", args=[worry.pk]),
            "worry_raised": reverse("safeguarding:worry_raised", args=[worry.pk]),
            "worry_edit": reverse("safeguarding:worry_edit", args=[worry.pk]),
            "worry_status": reverse("safeguarding:worry_status", args=[worry.pk]),
            "chronology": reverse("safeguarding:chronology", args=[her.pk]),
            "sessions": reverse("safeguarding:sessions"),
            "session_new": reverse("safeguarding:session_new"),
            "session": reverse("safeguarding:session", args=[joint.pk]),
            "session_edit": reverse("safeguarding:session_edit", args=[joint.pk]),
            "session_bring": reverse("safeguarding:session_bring", args=[joint.pk]),
            "review_shared": reverse("safeguarding:review", args=[joint.pk, worry.pk]),
            "review_unshared": reverse(
                "safeguarding:review", args=[joint.pk, unshared.pk]
            ),
            "minutes": reverse("safeguarding:minutes", args=[joint.pk]),
            "action_done": reverse("safeguarding:action_done", args=[action.pk]),
            "access_log": reverse("safeguarding:access_log"),
            "settings": reverse("safeguarding:settings"),
            "alert_retry": reverse("safeguarding:alert_retry", args=[alert.pk]),
            "alert_acknowledge": reverse(
                "safeguarding:alert_acknowledge", args=[alert.pk]
            ),
            "partners": reverse("safeguarding:partners"),
            "partnership_code": reverse("safeguarding:partnership_code"),
            "partnership_answer": reverse(
                "safeguarding:partnership_answer", args=[asked.pk]
            ),
            "partnership_end": reverse(
                "safeguarding:partnership_end", args=[partnership.pk]
            ),
            "invited": reverse("safeguarding:session", args=[invited.pk]),
            "invitation": reverse("safeguarding:session_invitation", args=[invited.pk]),
        },
        "posts": {
            "worry_status": {"status": "watching"},
            "session_bring": {"worry": worry.pk, "bring": "1"},
            "review_shared": {
                "notes": "Talked it through.",
                "decision": "keep-in-touch",
                "status_after": "open",
                "actions-TOTAL_FORMS": "0",
                "actions-INITIAL_FORMS": "0",
            },
            "action_done": {},
            "partnership_answer": {"accept": "0"},
            "invitation": {"join": "0"},
        },
    }


@pytest.mark.parametrize(
    "name,method,statuses", MATRIX, ids=[f"{n}-{m}" for n, m, _ in MATRIX]
)
def test_access_matrix(client, world, name, method, statuses):
    """One test per URL and method, every user in turn (one setup, not nine)."""
    url = world["urls"][name]
    seen = {}
    for user in USERS:
        client.logout()
        if user != "anon":
            client.force_login(world["users"][user])
        if method == "post":
            response = client.post(url, world["posts"].get(name, {}))
        else:
            response = client.get(url)
        seen[user] = response.status_code
        if user == "anon":
            assert response["Location"].startswith(reverse("login"))
    assert seen == dict(zip(USERS, statuses, strict=True))


@pytest.mark.parametrize("name,method", sorted(WRONG_METHOD.items()))
def test_each_view_refuses_the_wrong_method(client, world, name, method):
    client.force_login(world["users"]["sally"])
    response = getattr(client, method)(world["urls"][name])
    assert response.status_code == 405


def test_refusals_leave_no_trace_in_the_access_log(client, world):
    for user in ("fran", "alice", "charlie", "ursula"):
        client.force_login(world["users"][user])
        for name in ("worry", "chronology", "session", "minutes", "review_shared"):
            client.get(world["urls"][name])
    assert not AccessLog.objects.exists()
