"""Safeguarding records in her rights: subject access, retention and erasure.

Connected in apps.py to the signals attendance sends, so attendance never
imports safeguarding.

- Subject access: worries about her, their reviews and actions, but only when a
  safeguarding member chose to include them, and flagged for review first: they
  are about other people too (who raised it, who is around her, what a partner
  said), and some may be withheld where telling her could put someone at risk.
- Retention: worries about people not seen since the cutoff are listed for the
  safeguarding members to review (counts and record numbers, never names),
  never deleted by a cron job.
- Erasure: her safeguarding records are kept. They point at her person record,
  which erasure keeps as "Erased", so they no longer name her; nothing is
  deleted automatically, because a safeguarding record may need to outlive the
  rest of her details (an open referral, a risk to others). Her worries still
  open are flagged for the next session, where the group decides what to keep.
"""

import datetime as dt

from django.db.models import Max, Prefetch, Q

from .models import AccessLog, Action, Worry, WorryReview

REVIEW_NOTE = (
    "Review for other people's information before sharing: these records name "
    "the people who raised and discussed the worries and the people around her, "
    "and may hold what others told us in confidence. Remove or withhold what "
    "isn't hers, and anything that could put her or someone else at risk."
)


def _date(value):
    return value.isoformat() if value else None


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _worry(worry: Worry) -> dict:
    return {
        "raised": _date(worry.raised_at),
        "raised_by": _who(worry.raised_by),
        "what_worries_us": worry.what_worries_us,
        "whats_going_well": worry.whats_going_well,
        "circle_of_support": worry.circle_of_support,
        "her_wishes": worry.her_wishes,
        "does_she_know": worry.get_does_she_know_display(),
        "serious_harm": worry.get_serious_harm_display(),
        "whats_going_on": worry.category_labels(),
        "status": worry.get_status_display(),
        "closed": _date(worry.closed_at),
        "closed_reason": worry.closed_reason,
        "reviews": [
            {
                "session": _date(review.session.date),
                "notes": review.notes,
                "decision": review.get_decision_display(),
                "referred_to": review.referral_label() if review.referral_to else "",
                "referral_date": _date(review.referral_date),
                "reference": review.reference,
                "status_after": review.get_status_after_display(),
            }
            for review in worry.reviews.all()
        ],
        "actions": [
            {
                "what": action.what,
                "who": action.who,
                "due": _date(action.due),
                "done": _date(action.done_at),
            }
            for action in worry.actions.all()
        ],
        "history": [
            {
                "when": _date(h.history_date),
                "change": {"+": "created", "~": "changed", "-": "deleted"}[
                    h.history_type
                ],
                "by": _who(h.history_user),
                "what_worries_us": h.what_worries_us,
                "status": h.status,
            }
            for h in worry.history.select_related("history_user").order_by(
                "history_date"
            )
        ],
    }


def subject_access_section(sender, person, include_sensitive=False, **kwargs):
    if not include_sensitive:
        return None
    worries = (
        Worry.objects.filter(person=person)
        .select_related("raised_by")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=WorryReview.objects.select_related("session").order_by(
                    "session__date", "id"
                ),
            ),
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("assigned_to").order_by("id"),
            ),
        )
        .order_by("raised_at", "id")
    )
    looked = AccessLog.objects.filter(
        Q(person=person) | Q(worry__person=person)
    ).select_related("user")
    return (
        "safeguarding",
        {
            "review_before_sharing": True,
            "note": REVIEW_NOTE,
            "worries": [_worry(w) for w in worries],
            "who_looked": [
                {
                    "when": _date(e.at),
                    "who": _who(e.user),
                    "what": e.get_what_display(),
                }
                for e in looked.order_by("at", "id")
            ],
        },
    )


def not_seen_since(cutoff: dt.date):
    """Worries about registered people whose last visit (or joining) is before
    cutoff, erased or not, and about unregistered people raised before it and
    not reviewed since."""
    return Worry.objects.annotate(
        last_visit=Max("person__visits__session__date"),
        last_review=Max("reviews__session__date"),
    ).filter(
        Q(person__isnull=False, last_visit__lt=cutoff)
        | Q(
            person__isnull=False,
            last_visit__isnull=True,
            person__created__date__lt=cutoff,
        )
        | (
            Q(person__isnull=True, raised_at__date__lt=cutoff)
            & (Q(last_review__isnull=True) | Q(last_review__lt=cutoff))
        )
    )


def retention_review(sender, cutoff: dt.date, **kwargs) -> list[str]:
    by_org: dict = {}
    for org_id, org_name, pk in (
        not_seen_since(cutoff)
        .order_by("organisation__name", "organisation_id", "id")
        .values_list("organisation_id", "organisation__name", "id")
    ):
        by_org.setdefault((org_id, org_name), []).append(pk)
    lines = []
    for (org_id, org_name), ids in by_org.items():
        noun = "worry" if len(ids) == 1 else "worries"
        lines.append(
            f"Safeguarding, {org_name} (#{org_id}): {len(ids)} {noun} about people "
            f"not seen since {cutoff:%-d %B %Y} still kept, for the safeguarding "
            f"members to review: worry {', '.join(f'#{pk}' for pk in ids)}."
        )
    return lines


def person_erased(sender, person, **kwargs) -> None:
    # Saved one by one so the history records the change.
    for worry in Worry.objects.filter(person=person).active():
        if not worry.flagged_for_review:
            worry.flagged_for_review = True
            worry.save(update_fields=["flagged_for_review"])
