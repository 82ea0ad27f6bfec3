"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from 31 (digits
and the capitals but I, O, Z, S, V); the 3rd to 8th are the administrative division code; the
18th is a check character over the first 17 (pure)."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
LENGTH = 18


def check_character(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """What is wrong with `code` (already upper-cased and stripped), in Chinese; None if nothing."""
    if len(code) != LENGTH:
        return f"应为18位，实为{len(code)}位"
    wrong = sorted({char for char in code if char not in CHARSET})
    if wrong:
        return f"含有不允许的字符 {'、'.join(wrong)}（不使用 I、O、Z、S、V）"
    if not code[2:8].isdigit():
        return "第3至8位应为行政区划代码（数字）"
    if check_character(code[:17]) != code[17]:
        return f"校验位不符（应为 {check_character(code[:17])}）"
    return None
