"""Fetching an Open Referral API politely: every page of its services and each
service in full, one request at a time with a pause between, timeouts, a size
limit on every answer, no redirects, and only https to public addresses (plain
http and private addresses only when developing or testing)."""

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .files import MAX_RECORDS, ImportFileError, parse_json
from .shapes import Batch, batch_from_document, kind_of

MAX_PAGES = 500
USER_AGENT = "Peerspace (Open Referral feed reader)"


class FetchError(ImportFileError):
    """The directory couldn't be read: nothing changes."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise FetchError(
            _(
                "%(full_url)s sends us on to %(new_url)s. Please give that address instead."
            )
            % {"full_url": req.full_url, "new_url": newurl[:200]}
        )


def check_address(url: str) -> str:
    """The address, if we may fetch it; FetchError saying why not otherwise."""
    parts = urlsplit(url.strip())
    insecure = settings.FEEDS_ALLOW_INSECURE
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchError(
            _("Please give the directory's full web address, starting https://")
        )
    if parts.scheme == "http" and not insecure:
        raise FetchError(
            _(
                "That address starts http://, which isn't private: please use its https:// "
                "address."
            )
        )
    if not insecure:
        try:
            found = socket.getaddrinfo(parts.hostname, parts.port or 443)
        except (OSError, UnicodeError):
            raise FetchError(
                _("We couldn't find %(hostname)s on the internet.")
                % {"hostname": parts.hostname}
            ) from None
        for *_address, sockaddr in found:
            address = ipaddress.ip_address(sockaddr[0])
            if not address.is_global:
                raise FetchError(
                    _("%(hostname)s is on a private network, so we won't fetch it.")
                    % {"hostname": parts.hostname}
                )
    return url.strip()


class Fetcher:
    """One directory's requests, paced."""

    def __init__(self):
        self.opener = urllib.request.build_opener(_NoRedirects)
        self.last = 0.0
        self.requests = 0

    def get(self, url: str):
        check_address(url)
        wait = settings.FEED_DELAY_MS / 1000 - (time.monotonic() - self.last)
        if self.requests and wait > 0:
            time.sleep(wait)
        self.requests += 1
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        limit = settings.IMPORT_MAX_BYTES
        try:
            with self.opener.open(request, timeout=settings.FEED_TIMEOUT_SECONDS) as r:
                data = r.read(limit + 1)
        except urllib.error.HTTPError as e:
            raise FetchError(
                _("%(url)s answered “%(code)s %(reason)s”.")
                % {"url": url, "code": e.code, "reason": e.reason}
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            raise FetchError(
                _("We couldn't reach %(url)s (%(reason)s).")
                % {"url": url, "reason": reason}
            ) from None
        finally:
            self.last = time.monotonic()
        if len(data) > limit:
            raise FetchError(
                _("%(url)s sent more than %(megabytes)s MB.")
                % {"url": url, "megabytes": limit // (1024 * 1024)}
            )
        try:
            return parse_json(data)
        except ImportFileError as e:
            raise FetchError(
                _("%(url)s: %(error)s") % {"url": url, "error": e}
            ) from None


def _with_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit((*parts[:3], urlencode(query), parts.fragment))


def services_address(url: str) -> str:
    """Where the list of services is, from the address a coordinator gave: the
    API's front page or its /services list."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path.endswith("/services"):
        path += "/services"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def fetch_directory(url: str, wait_limit: float | None = None) -> Batch:
    """Every service of an Open Referral API, in full. With a wait limit (someone
    is waiting for the page), a directory that would take longer than that to
    fetch politely is left for the daily check."""
    check_address(url)
    fetcher = Fetcher()
    listing = services_address(url)
    summaries, page, total = [], 1, 1
    while page <= total:
        document = fetcher.get(_with_query(listing, page=page))
        if not isinstance(document, dict) or not isinstance(
            document.get("contents"), list
        ):
            if page == 1 and kind_of(document) == "api":
                raise FetchError(
                    _("%(listing)s isn't a list of services.") % {"listing": listing}
                )
            raise FetchError(
                _("%(listing)s didn't answer with a page of services (page %(page)s).")
                % {"listing": listing, "page": page}
            )
        summaries += [s for s in document["contents"] if isinstance(s, dict)]
        total = document.get("total_pages")
        total = total if isinstance(total, int) and not isinstance(total, bool) else 1
        if total > MAX_PAGES or len(summaries) > MAX_RECORDS:
            raise FetchError(
                _(
                    "%(listing)s has more than %(most)s services; that's more than we can follow."
                )
                % {"listing": listing, "most": f"{MAX_RECORDS:,}"}
            )
        if not document["contents"]:
            break
        page += 1
    if (
        wait_limit is not None
        and len(summaries) * settings.FEED_DELAY_MS > wait_limit * 1000
    ):
        raise FetchError(
            _(
                "That directory has %(count)s services, too many to fetch while you wait. The daily check (manage.py check_feeds) will fetch them, and what it finds will be here for you to accept."
            )
            % {"count": f"{len(summaries):,}"}
        )
    base = urlsplit(listing)
    records = []
    for summary in summaries:
        sid = summary.get("id")
        if not isinstance(sid, str) or not sid:
            records.append(summary)  # the import names what's missing
            continue
        one = urlunsplit((*base[:2], f"{base.path}/{quote(sid, safe='')}", "", ""))
        records.append(fetcher.get(one))
    return batch_from_document(records, FetchError, MAX_RECORDS) if records else Batch()


def fetch_document(url: str) -> Batch:
    """Whatever is at an address: an API (its front page or its list of services:
    every page is fetched), or one document of any other shape."""
    document = Fetcher().get(check_address(url))
    listing = urlsplit(url).path.rstrip("/").endswith("/services")
    if kind_of(document) == "api" or (
        listing and isinstance(document, dict) and "contents" in document
    ):
        return fetch_directory(url)
    return batch_from_document(document, FetchError, MAX_RECORDS)
