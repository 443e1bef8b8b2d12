"""A year's funder report on the demo data, timed against WeasyPrint alone.

Run by run.py against the scratch database (see report_benchmark there), or on
its own, which builds or reuses the cached demo database first:

    .venv/bin/python benchmarks/report_bench.py --standalone

It prints JSON: the median time to make the whole PDF (queries, tables, chart,
template and WeasyPrint), the median time WeasyPrint takes to render the same
final HTML on its own in the same run, their ratio (the aim is under 1.3), and
the number of database queries for a year and for a month (they must be equal:
queries don't grow with the number of people or visits).
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerspace.settings")


def measure(repeat: int) -> dict:
    import django

    django.setup()

    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from attendance.models import Person, Visit
    from peerspace.accounts.models import Organisation
    from peerspace.management.commands.demo import ORG_SLUG
    from peerspace.pdf import html_to_pdf
    from peerspace.reports.demo import make_demo
    from peerspace.reports.figures import Options, build_report
    from peerspace.reports.models import SECTION_KEYS, ValueLine
    from peerspace.reports.periods import Period

    org = Organisation.objects.get(slug=ORG_SLUG)
    sites = list(org.sites.filter(is_active=True))
    if not ValueLine.objects.filter(organisation=org).exists():
        make_demo(org, sites, random.Random(1))
    today = timezone.localdate()

    def options(period: Period) -> Options:
        return Options(
            organisation=org,
            period=period,
            sites=sites,
            all_sites=True,
            sections=list(SECTION_KEYS),
            title="A year's report",
        )

    year = Period(today - dt.timedelta(days=364), today)
    month = Period(today - dt.timedelta(days=30), today)

    def whole(period: Period) -> tuple[str, bytes]:
        report = build_report(options(period))
        html = render_to_string(
            "reports/pdf/report.html", {"report": report, "for_pdf": True}
        )
        return html, html_to_pdf(html)

    # Imports and font loading once, outside both timings.
    whole(month)

    with CaptureQueriesContext(connection) as year_queries:
        whole(year)
    with CaptureQueriesContext(connection) as month_queries:
        whole(month)

    totals, renders, sizes = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        html, pdf = whole(year)
        totals.append(time.perf_counter() - started)
        started = time.perf_counter()
        html_to_pdf(html)
        renders.append(time.perf_counter() - started)
        sizes.append(len(pdf))
    total, render = statistics.median(totals), statistics.median(renders)
    return {
        "period": year.label(),
        "people": Person.objects.filter(organisation=org).count(),
        "visits_in_period": Visit.objects.filter(
            session__site__organisation=org,
            session__date__gte=year.start,
            session__date__lte=year.end,
        ).count(),
        "repeat": repeat,
        "total_s": round(total, 3),
        "weasyprint_s": round(render, 3),
        "ratio": round(total / render, 3),
        "queries_year": len(year_queries),
        "queries_month": len(month_queries),
        "pdf_bytes": sizes[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="build or reuse the cached demo database and run against a copy",
    )
    args = parser.parse_args()
    if args.standalone:
        import server

        with server.database(args.scale, False) as (env, _description):
            print(server.script(env, "report_bench.py", "--repeat", args.repeat))
        return
    json.dump(measure(args.repeat), sys.stdout)


if __name__ == "__main__":
    main()
