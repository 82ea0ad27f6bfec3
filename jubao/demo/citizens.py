"""The demo's citizens: WeChat users of the Official Account whom the simulator can speak as.
Their openids are made up; the simulator can also create new ones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Citizen:
    openid: str
    nickname: str  # what the simulator shows; the service never learns it


DEMO_CITIZENS = (
    Citizen("o-demo-zhou", "周师傅"),
    Citizen("o-demo-lin", "林女士"),
    Citizen("o-demo-he", "何先生"),
)
