"""What anyone may read without logging in, when the organisation switches it on:
the phone-friendly directory page and the Open Referral UK read API.

These views set no cookies: they never touch the session, messages or the CSRF
token, and their templates don't either.
"""

import datetime as dt
import math
import uuid

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from peerspace.accounts.models import Organisation

from . import hsds
from .hsds.schema import number
from .models import Category, DirectorySettings, Service

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def _organisation(slug: str, switch: str) -> Organisation:
    settings_ = get_object_or_404(
        DirectorySettings.objects.select_related("organisation"),
        organisation__slug=slug,
        **{switch: True},
    )
    return settings_.organisation


@login_not_required
@require_safe
def public_directory(request, slug: str):
    organisation = _organisation(slug, "public_page")
    services = (
        Service.objects.filter(organisation=organisation, active=True)
        .prefetch_related("categories")
        .crisis_first()
    )
    categories = Category.objects.filter(organisation=organisation)
    category = None
    if request.GET.get("category"):
        category = next(
            (c for c in categories if c.slug == request.GET["category"]), None
        )
        if category:
            services = services.in_category(category)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        services = services.search(q)
    return render(
        request,
        "signposting/public.html",
        {
            "organisation": organisation,
            "services": services[:300],
            "categories": categories,
            "category": category,
            "q": q,
        },
    )


# --- Open Referral UK ----------------------------------------------------------


def _json(data, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _api_view(view):
    """Public, read-only, CORS-open, and a JSON 404 when switched off."""

    @login_not_required
    @require_safe
    def wrapped(request, slug: str, *args, **kwargs):
        try:
            organisation = _organisation(slug, "open_api")
            return view(request, organisation, *args, **kwargs)
        except Http404:
            return _json({"error": "Not found"}, status=404)
        except BadQuery as e:
            return _json({"error": str(e)}, status=400)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _int(value: str, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _page(request, items: list, render_item) -> dict:
    """The standard's Page: total_items, total_pages, page_number, size, first_page,
    last_page, empty, contents. Pages count from 1."""
    per_page = min(
        max(_int(request.GET.get("per_page"), DEFAULT_PER_PAGE), 1), MAX_PER_PAGE
    )
    total = len(items)
    total_pages = max(math.ceil(total / per_page), 1)
    page = max(_int(request.GET.get("page"), 1), 1)
    contents = [render_item(i) for i in items[(page - 1) * per_page : page * per_page]]
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None


class BadQuery(ValueError):
    """A search parameter we can't use: a JSON 400 that says which."""


def _number(request, name: str) -> float | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    parsed = number(value)
    if parsed is None:
        raise BadQuery(f"{name} should be a number")
    return parsed


def _services(request, organisation: Organisation):
    """The level 2 searches of the UK profile: text, taxonomy term or taxonomy,
    ages, modified since; proximity is applied by _near."""
    services = Service.objects.filter(organisation=organisation, active=True)
    search = request.GET.get("search", "").strip()[:100]
    if search:
        services = services.search(search)
    term = request.GET.get("taxonomy_term_id", "")
    if term == hsds.CRISIS_TERM["id"]:
        services = services.filter(is_emergency=True)
    elif term == hsds.SELF_REFERRAL_TERM["id"]:
        services = services.filter(self_referral=True)
    elif term:
        services = services.filter(categories__hsds_id=_uuid_or_none(term))
    taxonomy = request.GET.get("taxonomy_id", "")
    if taxonomy == hsds.CATEGORY_TAXONOMY["id"]:
        services = services.filter(categories__isnull=False).distinct()
    elif taxonomy == hsds.ACCESS_TAXONOMY["id"]:
        services = services.filter(is_emergency=True) | services.filter(
            self_referral=True
        )
    elif taxonomy:
        services = services.none()
    # As the profile says: a minimum age of at least this, a maximum age of at
    # most this.
    minimum, maximum = _number(request, "minimum_age"), _number(request, "maximum_age")
    if minimum is not None:
        services = services.filter(minimum_age__gte=minimum)
    if maximum is not None:
        services = services.filter(maximum_age__lte=maximum)
    since = request.GET.get("modified_after", "").strip()
    if since:
        try:
            moment = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            raise BadQuery(
                "modified_after should be a date and time like 2025-03-31T09:00:00Z"
            ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.UTC)
        services = services.filter(last_modified__gte=moment)
    return services.prefetch_related("categories").order_by("name", "id")


def _near(request, organisation: Organisation, services) -> list[Service]:
    """Nearest first from a postcode, and only those within `proximity` metres
    when it's given. Offline, a postcode is placed where the services we hold
    with that postcode (or, failing that, in its district) are."""
    services = list(services)
    postcode = " ".join(request.GET.get("postcode", "").upper().split())
    if not postcode:
        if request.GET.get("proximity"):
            raise BadQuery("proximity needs a postcode to measure from")
        return services
    proximity = _number(request, "proximity")
    centre = Service.objects.filter(organisation=organisation).centre_of(postcode)
    if centre is None:
        raise BadQuery(
            f"We don't know where {postcode[:10]} is: none of this directory's "
            "services are at that postcode or in its district"
        )
    placed = [(s.distance_from(*centre), s) for s in services]
    if proximity is not None:
        placed = [(d, s) for d, s in placed if d is not None and d <= proximity]
    placed.sort(key=lambda pair: (pair[0] is None, pair[0] or 0))
    return [s for _, s in placed]


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@_api_view
def api_root(request, organisation):
    return _json(
        {
            "version": hsds.HSDS_VERSION,
            "profile": hsds.PROFILE_URL,
            "openapi_url": "https://raw.githubusercontent.com/openreferral/uk-profile/main/openapi.json",
        }
    )


@_api_view
def api_services(request, organisation):
    services = _near(request, organisation, _services(request, organisation))
    return _json(_page(request, services, hsds.service_summary))


def _service_by_id(organisation, id_: str) -> Service:
    return get_object_or_404(
        Service.objects.prefetch_related("categories"),
        organisation=organisation,
        active=True,
        hsds_id=_uuid_or_404(id_),
    )


@_api_view
def api_service(request, organisation, id: str):
    return _json(hsds.service_full(_service_by_id(organisation, id)))


def _with_locations(request, organisation) -> list[Service]:
    services = _near(request, organisation, _services(request, organisation))
    return [s for s in services if hsds.has_location(s)]


@_api_view
def api_service_at_locations(request, organisation):
    services = _with_locations(request, organisation)
    return _json(_page(request, services, hsds.service_at_location_summary))


@_api_view
def api_service_at_location(request, organisation, id: str):
    wanted = str(_uuid_or_404(id))
    services = Service.objects.filter(organisation=organisation, active=True)
    for service in services.prefetch_related("categories"):
        if (
            hsds.has_location(service)
            and hsds.service_at_location_id(service) == wanted
        ):
            return _json(hsds.service_at_location_full(service))
    raise Http404


def _terms(organisation) -> list[dict]:
    categories = Category.objects.filter(organisation=organisation)
    return [hsds.taxonomy_term(c) for c in categories] + hsds.flag_terms()


@_api_view
def api_taxonomies(request, organisation):
    return _json(_page(request, hsds.taxonomies(), lambda t: t))


@_api_view
def api_taxonomy(request, organisation, id: str):
    for taxonomy in hsds.taxonomies():
        if taxonomy["id"] == str(_uuid_or_404(id)):
            return _json(taxonomy)
    raise Http404


@_api_view
def api_taxonomy_terms(request, organisation):
    terms = _terms(organisation)
    taxonomy = request.GET.get("taxonomy_id")
    if taxonomy:
        terms = [t for t in terms if t["taxonomy_id"] == taxonomy]
    return _json(_page(request, terms, lambda t: t))


@_api_view
def api_taxonomy_term(request, organisation, id: str):
    wanted = str(_uuid_or_404(id))
    for term in _terms(organisation):
        if term["id"] == wanted:
            return _json(term)
    raise Http404
