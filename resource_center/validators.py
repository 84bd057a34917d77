"""Django validators for identifiers used across the apps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from resource_center.lib.checks import inn_is_valid, okso_is_valid


def validate_inn(value: str) -> None:
    if not inn_is_valid(value):
        raise ValidationError(
            _("ИНН должен состоять из 10 или 12 цифр с верными контрольными цифрами."),
            code="invalid_inn",
        )


def validate_okso(value: str) -> None:
    if not okso_is_valid(value):
        raise ValidationError(
            _("Код ОКСО записывается в виде NN.NN.NN, например 15.01.05."),
            code="invalid_okso",
        )


validate_phone = RegexValidator(
    r"^\+?[\d\s()\-]{6,20}$",
    _("Введите телефон цифрами, например +7 (34272) 3-12-34."),
    code="invalid_phone",
)


def validate_upload_size(file: object, limit: int) -> None:
    """An uploaded file of at most ``limit`` bytes (pupil lists, vacancy exports)."""
    from resource_center.lib.text import megabytes

    if getattr(file, "size", 0) > limit:
        raise ValidationError(
            _("Файл слишком большой: можно загрузить не более %(mb)s МБ."),
            code="too_large",
            params={"mb": megabytes(limit)},
        )
