"""One-time invitation codes with which a guardian connects a parent account."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.contrib.auth import get_user_model, password_validation
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from resource_center import audit
from students.models import Guardian, GuardianInvitation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AbstractUser
    from django.http import HttpRequest

# No 0/O, 1/I: a code is read from paper and typed by hand. 32 symbols × 12 = 60 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 12
CODE_GROUP = 4
CODE_VALID_FOR = datetime.timedelta(days=14)

# Cyrillic letters that look like Latin ones in the alphabet: a parent copying the code
# from paper on a Russian keyboard types these.
_LOOKALIKES = str.maketrans("АВЕКМНРСТУХ", "ABEKMHPCTYX")


class InvitationInvalid(Exception):
    """The code is unknown, used or expired; callers must not say which."""


class UsernameTaken(Exception):
    """The login chosen for the new parent account belongs to someone else."""


@dataclass(frozen=True)
class NewAccount:
    """Login and password of the parent account created on acceptance."""

    username: str
    password: str


def invitation_code_normalise(raw: str) -> str:
    """Upper case, without separators, with Cyrillic look-alikes turned into Latin letters."""
    return "".join(ch for ch in raw.upper().translate(_LOOKALIKES) if ch.isalnum())


def invitation_code_is_well_formed(code: str) -> bool:
    """Whether a normalised code could have been issued at all."""
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def invitation_code_format(code: str) -> str:
    """XXXX-XXXX-XXXX: how the code is shown and printed."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def invitation_code_hash(code: str) -> str:
    """SHA-256 of the normalised code: the only form in which a code is stored."""
    return hashlib.sha256(invitation_code_normalise(code).encode()).hexdigest()


def _code_generate() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def guardian_invitation_issue(
    *, guardian: Guardian, by: AbstractBaseUser, request: HttpRequest | None = None
) -> tuple[GuardianInvitation, str]:
    """Issue a new code for the guardian (earlier unused codes stop working); returns the code."""
    now = timezone.now()
    # Earlier codes are expired rather than deleted: the rows keep who issued what and when
    # (admin, support questions), and a parent holding an old paper gets the usual message.
    GuardianInvitation.objects.filter(
        guardian=guardian, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    code = _code_generate()
    invitation = GuardianInvitation.objects.create(
        guardian=guardian,
        code_hash=invitation_code_hash(code),
        created_by=by,
        expires_at=now + CODE_VALID_FOR,
    )
    audit.record(
        actor=by,
        action=audit.Action.INVITATION_ISSUED,
        student=guardian.student,
        details=gettext("Выдан код приглашения на портал родителю: %(name)s")
        % {"name": guardian.full_name},
        request=request,
    )
    return invitation, code


@transaction.atomic
def guardian_invitation_accept(
    *,
    code: str,
    user: AbstractBaseUser | None = None,
    new_account: NewAccount | None = None,
    request: HttpRequest | None = None,
) -> AbstractBaseUser:
    """Link the guardian of a valid code to ``user``, or to a new account; returns the account.

    Raises InvitationInvalid, UsernameTaken or django's ValidationError (weak password);
    nothing is written then.
    """
    if (user is None) == (new_account is None):
        raise TypeError("pass exactly one of user and new_account")
    now = timezone.now()
    if not invitation_code_is_well_formed(invitation_code_normalise(code)):
        raise InvitationInvalid
    # The row lock makes a second request with the same code wait for the first to commit
    # and then see used_at set, so one code never creates or links two accounts.
    invitation = (
        GuardianInvitation.objects.select_for_update()
        .filter(code_hash=invitation_code_hash(code))
        .first()
    )
    if invitation is None or not invitation.is_usable(now):
        raise InvitationInvalid
    guardian = (
        Guardian.objects.select_for_update()
        .select_related("student")
        .get(pk=invitation.guardian_id)
    )
    if new_account is not None:
        if guardian.user_id is not None:
            raise InvitationInvalid
        account = _parent_account_create(guardian=guardian, new_account=new_account)
    else:
        account = cast("AbstractBaseUser", user)
        if guardian.user_id not in (None, account.pk):
            # Linked to another account meanwhile (through the admin): the code is spent.
            raise InvitationInvalid

    guardian.user = account
    guardian.save(update_fields=["user"])
    invitation.used_at = now
    invitation.used_by = account
    invitation.save(update_fields=["used_at", "used_by"])
    GuardianInvitation.objects.filter(
        guardian=guardian, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    audit.record(
        actor=account,
        action=audit.Action.GUARDIAN_LINKED,
        student=guardian.student,
        details=gettext(
            "По коду приглашения учётная запись %(login)s привязана к родителю: %(name)s"
        )
        % {"name": guardian.full_name, "login": account.get_username()},
        request=request,
    )
    return account


def _parent_account_create(*, guardian: Guardian, new_account: NewAccount) -> AbstractUser:
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=new_account.username).exists():
        raise UsernameTaken
    user = user_model(
        username=new_account.username,
        first_name=guardian.first_name,
        last_name=guardian.last_name,
        email=guardian.email,
    )
    # Checked again now that the account has the guardian's name: the form could only
    # compare the password with the login.
    password_validation.validate_password(new_account.password, user)
    user.set_password(new_account.password)
    try:
        # The login may be taken between the check above and this insert.
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise UsernameTaken from error
    return user
