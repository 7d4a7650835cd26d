"""Writes for accounts (keyword-only, audited in the same transaction)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from parindex.accounts.models import Role, User
from parindex.audit.services import record, save_created
from parindex.units.models import Unit

UNIT_ROLES = (Role.UNIT_STAFF, Role.UNIT_HEAD)


def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    actor: User | None,
    full_name: str = "",
    unit: Unit | None = None,
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create an account. Unit roles must belong to a unit; a password must pass
    ``AUTH_PASSWORD_VALIDATORS`` (None: no usable password, e.g. single sign-on later)."""
    if role not in Role.values:
        raise ValidationError({"role": f"Vai trò không hợp lệ: {role}."})
    if role in UNIT_ROLES and unit is None:
        raise ValidationError({"unit": "Cán bộ và thủ trưởng đơn vị phải thuộc một đơn vị."})
    # Not durable: the demo loader creates its accounts inside its own transaction.
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            unit=unit,
            email=email,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
            user.set_password(password)
        else:
            user.set_unusable_password()
        save_created(
            user,
            actor=actor,
            action="user.create",
            after={
                "username": username,
                "role": role,
                "unit": unit.code if unit is not None else None,
            },
        )
    return user


def user_password_set(*, user: User, password: str, actor: User | None) -> User:
    """Set ``user``'s password after ``AUTH_PASSWORD_VALIDATORS``; audited (never the
    password itself). The user's own change, or the admin's (or a command's) reset."""
    if actor is not None and actor.pk != user.pk and not actor.is_province_admin:
        raise PermissionDenied("Bạn không được đặt mật khẩu cho người khác.")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(actor=actor, action="user.password_set", obj=user, field="password")
    return user
