"""The differential fuzzer's short run: 2,000 random graphs against PyTorch (tests/fuzz_graphs.py).

Every failure must match a signature in ``fuzz_graphs.KNOWN`` (each a reported, not yet fixed bug);
anything else fails the test with the reproductions of the new failures. ``make fuzz`` runs 50,000.
"""

from __future__ import annotations

import pytest
from fuzz_graphs import KNOWN, fuzz, repro
from helpers import requires_torch

GRAPHS = 2000


@requires_torch
@pytest.mark.timeout(300)
def test_fuzz_against_torch() -> None:
    counts, failures = fuzz(GRAPHS, seed=0)
    assert sum(counts.values()) == GRAPHS
    assert counts["ok"] > GRAPHS // 2, counts  # the generator must mostly build valid graphs
    new = [r for r in failures if (r.kind, r.tag) not in KNOWN]
    report = "\n\n".join(f"{r.kind} [{r.tag}] {r.detail}\n{repro(r)}" for r in new[:5])
    assert not new, f"{len(new)} new failures of {GRAPHS} graphs ({dict(counts)}):\n{report}"
