"""`jubao demo` loads the bureau's 2021: its statistics read the bureau's sentence."""

from __future__ import annotations

import re

from tests.e2e.test_demo_process import demo  # noqa: F401 - the running demo, a fixture
from tests.stats.helpers import SENTENCE_2021


def test_the_demo_has_the_bureaus_2021(demo):  # noqa: F811
    token = re.search(r"^\s+li\s+leader\s+(\S+)$", demo.output(), re.M).group(1)
    figures = demo.api("/api/v1/stats?year=2021", token)
    assert figures["sentence"] == SENTENCE_2021 and figures["received"] == 93
