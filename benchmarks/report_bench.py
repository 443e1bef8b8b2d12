"""A year's funder report on the demo data, timed against WeasyPrint alone.

Run by run.py against the scratch database (see report_benchmark there), or on
its own, which builds or reuses the cached demo database first:

    .venv/bin/python benchmarks/report_bench.py --standalone

It prints JSON: the time to make the whole PDF (queries, tables, chart,
template and WeasyPrint) and the time WeasyPrint takes to render the same final
HTML on its own in the same run, their ratio (the aim is under 1.3), the time
to make the HTML alone (everything before WeasyPrint), and the number of
database queries for a year and for a month (they must be equal: queries
don't grow with the number of people or visits).

The machine is shared, so each figure is the fastest of --repeat runs (other
work only ever adds time), in CPU seconds where they can be counted: this
process's, plus the database server's when it is PostgreSQL on this machine
(its backend's CPU time, read from /proc). CPU time is what the work costs,
whatever else is running; the fastest wall-clock times are given beside it.
Before measuring, PostgreSQL's tables are ANALYZEd, as autovacuum does on any
live database (one copied from a template has no statistics yet, and plans
for an empty table).
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerspace.settings")


AIM = 1.3


class Clock:
    """Wall-clock and CPU time: this process's, and the PostgreSQL backend's
    when it runs on this machine."""

    def __init__(self, connection):
        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            path = Path(f"/proc/{pid}/stat")
            try:
                path.read_text()
                self.backend = path
            except OSError:  # another machine, or not ours to read
                pass
        self.counts_database = connection.vendor == "sqlite" or bool(self.backend)

    def _backend_cpu(self) -> float:
        if self.backend is None:
            return 0.0
        # utime and stime, in clock ticks: the 14th and 15th fields, counted
        # after the command name's closing bracket.
        fields = self.backend.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def now(self) -> tuple[float, float]:
        return time.perf_counter(), time.process_time() + self._backend_cpu()

    def since(self, started: tuple[float, float]) -> tuple[float, float]:
        wall, cpu = self.now()
        return wall - started[0], cpu - started[1]


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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
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

    def html_for(period: Period) -> str:
        report = build_report(options(period))
        return render_to_string(
            "reports/pdf/report.html", {"report": report, "for_pdf": True}
        )

    def whole(period: Period) -> tuple[str, bytes]:
        html = html_for(period)
        return html, html_to_pdf(html)

    # Imports and font loading once, outside both timings.
    whole(month)

    with CaptureQueriesContext(connection) as year_queries:
        whole(year)
    with CaptureQueriesContext(connection) as month_queries:
        whole(month)

    clock = Clock(connection)
    totals, renders, builds, sizes = [], [], [], []
    for _ in range(repeat):
        started = clock.now()
        html, pdf = whole(year)
        totals.append(clock.since(started))
        started = clock.now()
        html_to_pdf(html)
        renders.append(clock.since(started))
        # And the part before WeasyPrint on its own, to see where time goes.
        started = clock.now()
        html_for(year)
        builds.append(clock.since(started))
        sizes.append(len(pdf))
    total_wall, total_cpu = (min(t[i] for t in totals) for i in (0, 1))
    render_wall, render_cpu = (min(r[i] for r in renders) for i in (0, 1))
    build_wall, build_cpu = (min(b[i] for b in builds) for i in (0, 1))
    by_cpu = clock.counts_database
    ratio = total_cpu / render_cpu if by_cpu else total_wall / render_wall
    return {
        "period": year.label(),
        "people": Person.objects.filter(organisation=org).count(),
        "visits_in_period": Visit.objects.filter(
            session__site__organisation=org,
            session__date__gte=year.start,
            session__date__lte=year.end,
        ).count(),
        "repeat": repeat,
        "measured": "fastest CPU time" if by_cpu else "fastest wall-clock time",
        "total_s": round(total_wall, 3),
        "weasyprint_s": round(render_wall, 3),
        "total_cpu_s": round(total_cpu, 3),
        "weasyprint_cpu_s": round(render_cpu, 3),
        "build_s": round(build_wall, 3),
        "build_cpu_s": round(build_cpu, 3),
        "ratio_wall": round(total_wall / render_wall, 3),
        "ratio_cpu": round(total_cpu / render_cpu, 3),
        "ratio": round(ratio, 3),
        "aim": AIM,
        "aim_missed": ratio >= AIM,
        "queries_year": len(year_queries),
        "queries_month": len(month_queries),
        "pdf_bytes": sizes[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
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
