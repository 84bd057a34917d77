from __future__ import annotations

import pytest

from resource_center.lib.checks import inn_is_valid, inn_with_check_digits, okso_is_valid


@pytest.mark.parametrize(
    "inn",
    [
        "7707083893",  # a published 10-digit ИНН of a public company
        "500100732259",  # the 12-digit example of the format description
    ],
)
def test_published_inn_examples_pass(inn):
    assert inn_is_valid(inn)


@pytest.mark.parametrize(
    "inn", ["7707083894", "770708389", "77070838931", "abcdefghij", "", "５９４２０００１１７"]
)
def test_wrong_inn_fails(inn):
    assert not inn_is_valid(inn)


def test_generated_inn_has_valid_check_digits():
    for prefix in ("594200011", "5942000110"):
        value = inn_with_check_digits(prefix)
        assert inn_is_valid(value)
        broken = value[:-1] + str((int(value[-1]) + 1) % 10)
        assert not inn_is_valid(broken)


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("15.01.05", True),
        ("09.02.07", True),
        ("15.1.05", False),
        ("15-01-05", False),
        ("15.01.055", False),
    ],
)
def test_okso_format(code, ok):
    assert okso_is_valid(code) is ok
