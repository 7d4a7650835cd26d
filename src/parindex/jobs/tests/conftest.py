"""The reports app's computed cycle and personas, shared by the lease tests."""

from parindex.reports.tests.conftest import admin, computed, leader

__all__ = ["admin", "computed", "leader"]
