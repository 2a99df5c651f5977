"""The load test's figures from its records: plain Python, shared by bench/locustfile.py (which
runs under locust and gevent) and the tests."""


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))]


class Steady:
    """The requests of the steady state: those *started* from the moment given to `begin` (the
    locustfile gives the end of the ramp and a few seconds). A request started during the ramp
    and finished after it is left out: each new school coordinator opens its questionnaire at
    once, and the ramp's burst of them (a hundred pages in two seconds, which no real week has)
    would otherwise finish, queued, inside the measured window."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.records: list[tuple[float, str, float, bool]] = []

    def begin(self, since: float) -> None:
        self.since = since

    def record(self, name: str, ms: float, failed: bool, started: float | None, now: float):
        if self.since is not None and started is not None and started >= self.since:
            self.records.append((now, name, ms, failed))


def steady_figures(records: list[tuple[float, str, float, bool]]) -> dict:
    """Requests per second, failures and percentiles, in all and per kind of request."""
    times = sorted(ms for _, _, ms, _ in records)
    span = max(max(r[0] for r in records) - min(r[0] for r in records), 1e-9)
    kinds: dict[str, list[float]] = {}
    for _, name, ms, _ in records:
        kinds.setdefault(name, []).append(ms)
    return {
        "requests": len(times),
        "failures": sum(1 for *_, failed in records if failed),
        "rps": len(times) / span,
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "kinds": {
            name: {
                "requests": len(values),
                "p50": percentile(sorted(values), 50),
                "p95": percentile(sorted(values), 95),
            }
            for name, values in kinds.items()
        },
    }


# The server's side: gunicorn's access log in ACCESS_LOG_FORMAT, one line per request with the
# time gunicorn spent on it (%(D)s, microseconds: from reading the request to the last byte
# written). Next to the generator's times it separates the portal's own time from the waiting
# before a worker took the request and from the generator's own delays.
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(D)s"
KINDS = [  # (method, path pattern, the locustfile's name)
    ("POST", r"/selfdiag/rounds/\d+/schools/\d+/answer/", "анкета: сохранение ответа"),
    ("GET", r"/selfdiag/rounds/\d+/schools/\d+/", "анкета"),
    ("GET", r"/selfdiag/rounds/\d+/schools/\d+/result/", "результат анкеты"),
    ("GET", r"/selfdiag/rounds/\d+/", "страница раунда"),
    ("GET", r"/", "главная"),
    ("GET", r"/roadmaps/monitoring/", "мониторинг"),
    ("GET", r"/roadmaps/\d+/", "страница плана"),
    ("GET", r"/api/v1/items/", "API: мероприятия плана"),
    ("GET", r"/reports/deficit-map/", "карта дефицитов"),
    ("GET", r"/reports/roadmaps/\d+/pdf/", "PDF утверждённого плана"),
]


def kind_of(method: str, path: str) -> str:
    import re

    for kind_method, pattern, name in KINDS:
        if method == kind_method and re.fullmatch(pattern, path):
            return name
    return f"{method} {path}"


def server_figures(lines: list[str]) -> dict:
    """p50/p95 of the server's own time (ms), in all and per kind, from access log lines."""
    kinds: dict[str, list[float]] = {}
    for line in lines:
        parts = line.split()
        if len(parts) != 4 or not parts[3].isdigit():
            continue
        method, path, _status, micros = parts
        kinds.setdefault(kind_of(method, path), []).append(int(micros) / 1000)
    times = sorted(ms for values in kinds.values() for ms in values)
    if not times:
        return {"requests": 0}
    return {
        "requests": len(times),
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "kinds": {
            name: {"p50": percentile(sorted(v), 50), "p95": percentile(sorted(v), 95)}
            for name, v in kinds.items()
        },
    }
