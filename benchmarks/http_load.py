"""A small closed-loop HTTP load generator: stdlib threads and http.client.

Each client thread has its own connection and cookies (so its own session), and
sends its next request as soon as the last one is answered. Only answers that
arrive after the warm-up and before the deadline are counted.
"""

import gzip
import http.client
import re
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

TIMEOUT = 10  # seconds for any one request: a stuck server fails, not hangs

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str
    size: int = 0  # bytes of body on the wire (compressed, if it was)


class BenchError(Exception):
    """The server answered, but not as the benchmark expects."""


class Client:
    """One browser: a connection to 127.0.0.1, its cookies, its CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def request(
        self,
        method: str,
        path: str,
        data: dict | None = None,
        headers: dict | None = None,
    ) -> Response:
        # As every browser does: the answer may come compressed.
        headers = {"Accept-Encoding": "gzip", **(headers or {})}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST":
            # What a browser sends with every form post and htmx request.
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            raw = self.conn.getresponse()
            content = raw.read()
            size = len(content)
            if raw.headers.get("Content-Encoding") == "gzip":
                content = gzip.decompress(content)
            text = content.decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            # Start the next request on a fresh connection.
            self.conn.close()
            raise
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text, size)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> Response:
        return self.request("POST", path, data=data or {}, **kwargs)

    def login(self, username: str, password: str) -> None:
        page = self.get("/login/")
        match = CSRF_INPUT.search(page.body)
        if page.status != 200 or not match:
            raise BenchError(f"GET /login/ gave {page.status} and no CSRF token")
        response = self.request(
            "POST",
            "/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": match.group(1),
            },
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"Logging in as {username} failed ({response.status})")

    def close(self) -> None:
        self.conn.close()


# A step makes one request with its client and returns (label, ok): the label
# groups latencies (e.g. "sign-in" and "sign-out" in one scenario), and ok=False
# records an answer that came back 2xx/3xx but wrong.
Step = Callable[[], tuple[str, bool]]


@dataclass
class Stats:
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def rps(self) -> float:
        return self.count / self.seconds

    def summary(self, label: str | None = None) -> dict:
        values = (
            self.latencies.get(label, [])
            if label
            else [x for v in self.latencies.values() for x in v]
        )
        return {
            "requests": len(values),
            "rps": round(len(values) / self.seconds, 1),
            "p50_ms": _percentile_ms(values, 50),
            "p95_ms": _percentile_ms(values, 95),
        }


def _percentile_ms(values: list[float], pct: int) -> float | None:
    if len(values) < 2:
        return round(values[0] * 1000, 1) if values else None
    return round(
        statistics.quantiles(values, n=100, method="inclusive")[pct - 1] * 1000, 1
    )


def run(steps: list[Step], seconds: float, warmup: float) -> Stats:
    """Run each step function in a loop on its own thread; one step per client."""
    stats = Stats(seconds=seconds)
    lock = threading.Lock()
    start = time.perf_counter() + 0.05
    measure_from = start + warmup
    deadline = measure_from + seconds

    def worker(step: Step) -> None:
        mine: dict[str, list[float]] = {}
        errors: list[str] = []
        while time.perf_counter() < start:
            time.sleep(0.001)
        while (began := time.perf_counter()) < deadline:
            try:
                label, ok = step()
                problem = None if ok else f"{label}: unexpected answer"
            except BenchError as e:
                label, problem = "error", str(e)
            except (OSError, http.client.HTTPException) as e:
                label, problem = "error", f"{type(e).__name__}: {e}"
            ended = time.perf_counter()
            # Throughput counts answers that arrive inside the window, however
            # long ago they were asked for: a page slower than the window still
            # counts, and a closed loop keeps the server equally busy throughout.
            if not measure_from <= ended <= deadline:
                continue
            if problem:
                errors.append(problem)
            else:
                mine.setdefault(label, []).append(ended - began)
        with lock:
            for label, values in mine.items():
                stats.latencies.setdefault(label, []).extend(values)
            stats.errors += len(errors)
            stats.error_samples.extend(errors[: 5 - len(stats.error_samples)])

    threads = [threading.Thread(target=worker, args=(s,), daemon=True) for s in steps]
    for t in threads:
        t.start()
    for t in threads:
        # Bounded: a worker's last request can outlive the deadline by TIMEOUT.
        t.join(timeout=warmup + seconds + 2 * TIMEOUT + 5)
    if any(t.is_alive() for t in threads):
        raise BenchError("A load thread did not finish in time")
    return stats


def expect(response: Response, label: str, *, status: int = 200) -> tuple[str, bool]:
    """A step's usual check: an error for non-2xx/3xx, not-ok for another status."""
    if not 200 <= response.status < 400:
        raise BenchError(f"{label}: HTTP {response.status}")
    return label, response.status == status
