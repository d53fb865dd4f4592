"""Unified social credit codes (统一社会信用代码, GB 32100-2015) with valid check characters.

Own small implementation on purpose: the generator must not depend on the application.

>>> uscc_check("91350100M000100Y4")
'3'
>>> org_check("M000100Y")
'4'
"""

from __future__ import annotations

import random

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714 organisation code
KNOWN_VALID = "91350100M000100Y43"


def uscc_check(body: str) -> str:
    """The 18th character for a 17-character body."""
    total = sum(CHARSET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_check(body: str) -> str:
    """The 9th character of an organisation code for its 8-character body (GB 11714)."""
    total = sum(int(c, 36) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def is_valid(code: str) -> bool:
    """Both check characters right, and only allowed characters."""
    return (
        len(code) == 18
        and all(c in CHARSET for c in code)
        and code[2:8].isdigit()
        and org_check(code[8:16]) == code[16]
        and uscc_check(code[:17]) == code[17]
    )


class CreditCodes:
    """Unique valid codes of enterprises (91) registered in one division."""

    def __init__(self, division: str) -> None:
        self.division = division
        self.used: set[str] = set()

    def next(self, rnd: random.Random) -> str:
        """A fresh code: post-2015 'MA' bodies mostly, older all-digit bodies sometimes."""
        while True:
            if rnd.random() < 0.7:
                org = "MA" + "".join(rnd.choice(CHARSET) for _ in range(6))
            else:
                org = "".join(rnd.choice("0123456789") for _ in range(8))
            body = "91" + self.division + org + org_check(org)
            code = body + uscc_check(body)
            if code not in self.used:
                self.used.add(code)
                return code
