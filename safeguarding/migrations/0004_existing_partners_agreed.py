"""Joint sessions held before partnerships were recorded.

Every group a host had already named as a partner becomes an accepted partner
(the two groups were already meeting together), and each existing joint
session counts as one that group agreed to, so nothing already shared
disappears. Groups never named in a session are not partners of anyone.
"""

from django.db import migrations
from django.utils import timezone


def agree_existing(apps, schema_editor):
    ReflectionSession = apps.get_model("safeguarding", "ReflectionSession")
    SessionAnswer = apps.get_model("safeguarding", "SessionAnswer")
    Partnership = apps.get_model("accounts", "Partnership")
    now = timezone.now()
    Links = ReflectionSession.partners.through
    links = Links.objects.select_related("reflectionsession", "organisation")
    for link in links.order_by("reflectionsession__date", "id"):
        session, partner = link.reflectionsession, link.organisation
        pair = {session.host_id, partner.pk}
        live = Partnership.objects.filter(
            organisation_id__in=pair,
            partner_id__in=pair,
            status__in=["proposed", "accepted"],
        ).first()
        if live is None:
            Partnership.objects.create(
                organisation_id=session.host_id,
                partner=partner,
                asked_for=partner.name,
                status="accepted",
                proposed_by_id=session.created_by_id,
                proposed_at=now,
                answered_at=now,
            )
        elif live.status != "accepted":
            live.status, live.answered_at = "accepted", now
            live.save()
        SessionAnswer.objects.get_or_create(
            session=session,
            organisation=partner,
            defaults={"joining": True, "answered_at": now},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0003_session_answers"),
        ("accounts", "0007_partnerships"),
    ]

    operations = [migrations.RunPython(agree_existing, migrations.RunPython.noop)]
