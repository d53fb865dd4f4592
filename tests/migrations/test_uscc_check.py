"""The USCC check of migration 0014 refuses exactly the codes the regex it replaced refused."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

from sqlalchemy import text

from geo.uscc import generate

PATH = Path(__file__).parents[2] / "migrations" / "versions" / "0014_uscc_check.py"
SPEC = importlib.util.spec_from_file_location("migration_0014", PATH)
assert SPEC is not None and SPEC.loader is not None
MIGRATION = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(MIGRATION)

# a valid code with letters (half of the generated ones are digits only)
VALID = next(c for c in (generate(random.Random(i)) for i in range(50)) if not c.isdigit())
CODES = [
    VALID, VALID.lower(), VALID[:17], VALID + "0", VALID + "\n", " " + VALID[1:], VALID[:-1] + " ",
    "91" + "32059A" + VALID[8:], "9I" + VALID[2:], "91320594" + "MAOOSVZ123", "ＡＢ" + VALID[2:],
    "9１" + VALID[2:], "91" + "苏州工业园" + VALID[7:], "", "918" + VALID[3:], "AY320594MA1MXQ0000",
    "００" * 9, None,
]  # fmt: skip


def test_the_new_check_refuses_what_the_regex_refused(db):
    # each code through both expressions; NULL passes both (the column's NOT NULL refuses it)
    passed = []
    for code in CODES:
        fast, regex = db.execute(
            text(
                f"SELECT ({MIGRATION.FAST}) IS NOT FALSE, ({MIGRATION.REGEX}) IS NOT FALSE "
                "FROM (SELECT CAST(:code AS varchar(40)) AS uscc) AS c"
            ),
            {"code": code},
        ).one()
        assert fast == regex, code
        passed += [code] if fast else []
    # the format only (the checksum is the importer's): the valid code, a digit for a digit
    # in places 3–8, letters of the alphabet where letters may be, and NULL
    assert passed == [VALID, "918" + VALID[3:], "AY320594MA1MXQ0000", None]


def test_the_table_has_the_new_check(db):
    definition = db.execute(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'ck_enterprise_uscc_format'"
        )
    ).scalar_one()
    assert "octet_length" in definition and "~ '^" not in definition
