import re

from django.core.exceptions import ValidationError

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    """ИНН of an organization (10 digits) or of a person (12 digits), checksum included."""
    if not re.fullmatch(r"[0-9]{10}|[0-9]{12}", value):
        return False
    digits = [int(c) for c in value]
    if len(digits) == 10:
        return _check_digit(digits, _INN10) == digits[9]
    return (
        _check_digit(digits, _INN12_1) == digits[10]
        and _check_digit(digits, _INN12_2) == digits[11]
    )


def validate_inn(value: str) -> None:
    if value and not inn_is_valid(value):
        raise ValidationError(
            "ИНН должен состоять из 10 или 12 цифр с верной контрольной суммой.", code="inn"
        )
