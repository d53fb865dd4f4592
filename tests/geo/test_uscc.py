"""geo.uscc: the GB 32100 / GB 11714 checks against published codes, reasons, generation."""

from __future__ import annotations

import doctest
import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from geo import uscc
from geo.errors import InvalidInput

# Codes published as valid: the GB 32100-2015 worked example (91350100M000100Y43), the
# Sichuan example of a widely copied validator walk-through (91512081MA62K0260E), and
# samples of the "found online" list in python-stdnum's tests/test_cn_uscc.doctest.
PUBLISHED = [
    "91350100M000100Y43",
    "91512081MA62K0260E",
    "121200004013590816",
    "91110000600037341L",
    "91110000710926094P",
    "91152201078371135X",
    "913101127033980359",
    "91310115MA1K3BTP2B",
    "91320214745555318W",
    "91340600MA2PBM9HXD",
    "9144030071526726XG",
    "91620105L015101280",
    "92340602MA2PBMEM24",
    "92340621MA2UK3PJXE",
    "92340621MA2PBNFH07",
    "9162010555628132X1",
]
# Fujian pilot codes quoted in aarioai/id-rule's chinese_org_id.go as real but non-conforming:
# their organisation code checks, their GB 32100 check character does not.
PILOT = {"91350100M0001TGQXM": "1", "91350211M0000XUF46": "R", "91350203M0001FUE2P": "J"}


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass_both_checks(code):
    assert uscc.is_valid(code)
    assert uscc.explain(code) is None


def test_check_digit_follows_the_standard_worked_example():
    # GB 32100-2015 appendix: sum of C_i * W_i is 1640, 1640 mod 31 = 28, 31 - 28 = 3.
    assert uscc.check_digit("91350100M000100Y4") == "3"


def test_org_check_digit_follows_gb_11714_worked_example():
    # 59467239-9: weighted sum 255, 255 mod 11 = 2, 11 - 2 = 9.
    assert uscc.org_check_digit("59467239") == "9"
    assert uscc.org_check_digit("M000100Y") == "4"


def test_org_check_digit_writes_10_as_x_and_11_as_0():
    assert uscc.org_check_digit("55628132") == "X"  # from 9162010555628132X1
    assert uscc.org_check_digit("MA2PBNFH") == "0"  # from 92340621MA2PBNFH07


@pytest.mark.parametrize("bad", ["", "9135010", "91350100M000100Y4I", "91350100m000100Y4"])
def test_check_digit_refuses_malformed_input(bad):
    with pytest.raises(InvalidInput):
        uscc.check_digit(bad)


@pytest.mark.parametrize(("code", "expected"), PILOT.items())
def test_fujian_pilot_codes_are_reported_with_the_expected_check_character(code, expected):
    assert not uscc.is_valid(code, strict=False)
    assert f"expected '{expected}'" in uscc.explain(code)


@pytest.mark.parametrize(
    ("code", "fragments"),
    [
        ("91350100M000100Y4", ["应为18位", "实际 17 位", "must have 18 characters (got 17)"]),
        ("91350100M000100Y433", ["实际 19 位", "(got 19)"]),
        ("", ["实际 0 位"]),
        ("91350100M000100I43", ["第 16 位", "'I'", "never uses I, O, Z, S or V"]),
        ("9135O100M000100Y43", ["第 5 位", "'O'", "position 5"]),
        ("91350100m000100Y43", ["第 9 位", "应为大写", "must be upper case"]),
        ("91350100M000100Y4*", ["第 18 位", "无效", "invalid character '*'"]),
        ("913501A0M000100Y43", ["第 7 位应为数字", "position 7 must be a digit"]),
        ("91350100M000100Y4Y", ["校验码错误", "第 18 位应为 '3'", "expected '3' (got 'Y')"]),
    ],
)
def test_explain_gives_the_reason_in_chinese_then_english(code, fragments):
    reason = uscc.explain(code)
    assert reason is not None and not uscc.is_valid(code)
    assert reason.index("/") > 0 and reason[0] not in "abcdefghijklmnopqrstuvwxyzUW"
    for fragment in fragments:
        assert fragment in reason


def test_wrong_organisation_check_fails_strict_only():
    first17 = "91350100M000100Y5"  # the organisation code's own check should be 4
    code = first17 + uscc.check_digit(first17)
    assert uscc.is_valid(code, strict=False)
    assert not uscc.is_valid(code)
    reason = uscc.explain(code)
    assert "组织机构代码校验码错误" in reason and "position 17: expected '4' (got '5')" in reason


def test_normalize_cleans_what_people_type():
    assert uscc.normalize(" 9135 0100-m000100y43\t") == "91350100M000100Y43"
    assert uscc.is_valid(uscc.normalize("91350100m000100y43"))


def test_generate_is_repeatable_and_uses_the_division():
    first = [uscc.generate(random.Random(42)) for _ in range(2)]
    assert first[0] == first[1]
    code = uscc.generate(random.Random(1), "440305")
    assert code.startswith("91440305") and uscc.is_valid(code)


@pytest.mark.parametrize(
    ("division", "kind"), [("32059", "91"), ("3205AB", "91"), ("320594", "9I")]
)
def test_generate_refuses_bad_division_or_kind(division, kind):
    with pytest.raises(InvalidInput):
        uscc.generate(random.Random(0), division, kind=kind)


@given(st.integers(0, 2**32), st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
def test_generated_codes_are_always_valid(seed, division):
    code = uscc.generate(random.Random(seed), division)
    assert len(code) == 18 and code[2:8] == division
    assert uscc.is_valid(code)


@given(st.integers(0, 2**32), st.integers(0, 17), st.sampled_from(uscc.ALPHABET))
def test_any_single_character_typo_is_caught(seed, position, char):
    code = uscc.generate(random.Random(seed))
    assume(code[position] != char)
    typo = code[:position] + char + code[position + 1 :]
    assert not uscc.is_valid(typo)


@given(st.integers(0, 2**32), st.integers(0, 15))
def test_swapping_two_neighbours_in_the_first_17_is_caught(seed, position):
    code = uscc.generate(random.Random(seed))
    assume(code[position] != code[position + 1])
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not uscc.is_valid(swapped, strict=False)


def test_docstring_examples_run():
    assert doctest.testmod(uscc).failed == 0
