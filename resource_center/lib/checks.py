"""Framework-free checks of Russian identifiers (ИНН, ОКСО codes)."""

from __future__ import annotations

import re

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
OKSO_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    """True for a 10-digit (organisation) or 12-digit (person) ИНН with correct check digits."""
    if not value.isascii() or not value.isdigit() or len(value) not in (10, 12):
        return False
    digits = [int(c) for c in value]
    if len(digits) == 10:
        return digits[9] == _check_digit(digits, _INN10_WEIGHTS)
    return digits[10] == _check_digit(digits, _INN12_WEIGHTS_11) and digits[11] == _check_digit(
        digits, _INN12_WEIGHTS_12
    )


def inn_with_check_digits(prefix: str) -> str:
    """Complete a 9- or 10-digit prefix into a valid ИНН (used to make up demo data)."""
    digits = [int(c) for c in prefix]
    if len(digits) == 9:
        return prefix + str(_check_digit(digits, _INN10_WEIGHTS))
    if len(digits) == 10:
        n11 = _check_digit(digits, _INN12_WEIGHTS_11)
        n12 = _check_digit([*digits, n11], _INN12_WEIGHTS_12)
        return f"{prefix}{n11}{n12}"
    raise ValueError("prefix must have 9 or 10 digits")


def okso_is_valid(value: str) -> bool:
    """True for an ОКСО code written as NN.NN.NN."""
    return bool(OKSO_RE.match(value))
