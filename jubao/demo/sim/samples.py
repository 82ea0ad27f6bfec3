"""What a citizen in the simulator can send besides text: a few bundled photos, a voice note,
and places to share as a WeChat location. The files live in jubao/demo/sim/static/."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    name: str  # the file under static/, and the MediaId's stem
    label: str
    content_type: str


@dataclass(frozen=True)
class Place:
    label: str  # what WeChat puts in a location message's Label
    latitude: float  # Location_X
    longitude: float  # Location_Y


PICTURES = (
    Sample("blocked-exit.png", "堵塞的消防通道", "image/png"),
    Sample("leaking-drums.png", "漏液的化工桶", "image/png"),
    Sample("open-pit.png", "无护栏的基坑", "image/png"),
)
VOICE = Sample("voice-note.wav", "语音 4″", "audio/wav")
PLACES = (
    Place("江苏省苏州市张家港市塘桥镇南京路18号", 31.8402, 120.6512),
    Place("江苏省苏州市张家港市杨舍镇暨阳中路", 31.8756, 120.5553),
    Place("江苏省苏州市张家港市金港镇长江中路", 31.9627, 120.4013),
    Place("江苏省苏州市张家港市锦丰镇锦绣路", 31.9493, 120.6218),
    Place("江苏省苏州市张家港市凤凰镇凤凰大道", 31.7428, 120.6204),
    Place("江苏省苏州市常熟市虞山街道（不在本市）", 31.6538, 120.7421),
)
