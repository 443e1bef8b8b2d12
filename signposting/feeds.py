"""Following another directory's Open Referral feed: check it, keep what changed
for a coordinator to see, and apply it only when she accepts."""

import json

from django.db import transaction
from django.utils import timezone

from . import hsds
from .hsds.fetch import FetchError, fetch_directory
from .hsds.shapes import Batch
from .models import Feed, PendingImport

# A coordinator waiting for the page won't wait longer than this for a fetch.
WAIT_LIMIT_SECONDS = 20


def check(feed: Feed, wait_limit: float | None = None) -> hsds.ImportPlan:
    """Fetch the feed and keep what would change for a coordinator to accept.
    Changes no service. Raises FetchError (noted on the feed) if it can't be read."""
    try:
        batch = fetch_directory(feed.url, wait_limit)
    except FetchError as e:
        feed.last_error, feed.last_checked = str(e)[:500], timezone.now()
        feed.save(update_fields=["last_error", "last_checked"])
        raise
    plan = hsds.plan_import(feed.organisation, batch, feed=feed, complete=True)
    with transaction.atomic():
        feed.pending.all().delete()
        if not plan.ok or plan.has_changes:
            PendingImport.objects.create(
                organisation=feed.organisation,
                kind=PendingImport.FEED,
                feed=feed,
                filename=feed.url[:200],
                data=json.dumps(batch.to_json()).encode(),
            )
        feed.last_error, feed.last_checked = "", timezone.now()
        feed.save(update_fields=["last_error", "last_checked"])
    return plan


def waiting(feed: Feed) -> hsds.ImportPlan | None:
    """What the last check found that hasn't been accepted, as it would apply now."""
    pending = feed.pending.order_by("-created").first()
    if pending is None:
        return None
    batch = Batch.from_json(json.loads(bytes(pending.data)))
    return hsds.plan_import(feed.organisation, batch, feed=feed, complete=True)


@transaction.atomic
def accept(feed: Feed) -> hsds.ImportPlan | None:
    plan = waiting(feed)
    if plan is None or not plan.ok:
        return plan
    hsds.apply_import(plan)
    feed.pending.all().delete()
    return plan


def summary(plan: hsds.ImportPlan) -> str:
    """One line for the daily job's output."""
    if not plan.ok:
        return "can't be imported: " + " ".join(plan.errors[:3])
    parts = []
    if plan.added:
        parts.append(
            f"{len(plan.added)} new ("
            + ", ".join(r.values["name"] for r in plan.added)
            + ")"
        )
    for row in plan.changed:
        parts.append(f"“{row.service.name}” changed: " + ", ".join(row.changes))
    if plan.vanished:
        parts.append(
            "no longer listed: " + ", ".join(f"“{s.name}”" for s in plan.vanished)
        )
    if plan.new_categories:
        parts.append("new categories: " + ", ".join(plan.new_categories))
    return "; ".join(parts) or "no changes"
