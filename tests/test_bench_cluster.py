"""The two-node proof of bench/cluster.py, small: real redis-server, PostgreSQL and two gunicorn
nodes; a node is killed while schools save answers and no acknowledged answer may be lost."""

import os

import pytest

from bench import cluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not cluster.binaries_present() and not os.environ.get("REQUIRE_BROWSER"),
        reason="redis-server or PostgreSQL is not installed",
    ),
]


def test_two_nodes_share_sessions_edits_and_lose_no_answer():
    lines = []
    outcome = cluster.run(schools=3, results=False, say=lines.append)
    assert outcome["ok"], "\n".join(lines)
    assert outcome["lost"] == 0 and outcome["errors"] == 0
    assert outcome["acknowledged"] == outcome["answers"] > 0
    assert outcome["served"]["B"] > 0 and outcome["failovers"] > 0
