"""Django's password validators say everything in Vietnamese but the too-short error,
whose Vietnamese translation Django lacks (Django 6.1): this one subclass supplies it."""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"Mật khẩu này quá ngắn: phải có ít nhất {self.min_length} ký tự."
