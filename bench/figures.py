"""The load test's figures from its records: plain Python, shared by bench/locustfile.py (which
runs under locust and gevent) and the tests."""


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))]


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
