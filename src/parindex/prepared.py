"""Querysets compiled once: the hot reads and writes of the autosave (issue 9, part 9).

Building a queryset and compiling it to SQL costs more CPU than running it for the small
queries of one save (about a third of an autosave went into ``filter()`` and
``as_sql()``). A :class:`Prepared` read is an ordinary queryset, built once with
placeholder integers (:func:`slot`) where its arguments go and compiled by Django for
the connection in use; each call runs the same SQL with the real arguments and builds
the rows as the queryset would (model instances with their ``select_related`` objects,
or the tuples of ``values_list``, through the same converters). The SQL is Django's own,
so it is the same statement on each backend as the plain queryset.

:func:`update_row` and :func:`insert_row` write one row with a statement built from the
model's columns, each value prepared by its field as ``QuerySet.update`` and
``Model.save`` prepare it.

The compiled statements live on the connection object (one per thread and alias).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import partial
from typing import Any

from django.db import connection, models
from django.db.models.constants import OnConflict
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

_BASE = -(2**62) + 7919  # far outside every id and version the tables hold


def slot(i: int) -> int:
    """The placeholder of argument ``i`` while the queryset is built."""
    return _BASE - i


def _cache() -> dict[Hashable, Any]:
    store = connection.__dict__.get("_parindex_prepared")
    if store is None:
        store = connection.__dict__["_parindex_prepared"] = {}
    return store


class _Compiled:
    """One queryset's SQL for one connection, where its arguments go, and how its rows
    become objects."""

    def __init__(self, qs: models.QuerySet[Any], nargs: int) -> None:
        compiler = qs.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        self.sql = sql
        self.params = list(params)
        self.positions: list[list[int]] = []
        for i in range(nargs):
            at = [j for j, p in enumerate(self.params) if p == slot(i)]
            if not at:
                raise ValueError(f"argument {i} is not a parameter of the prepared query")
            self.positions.append(at)
        self.compiler = compiler
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.kind = qs._iterable_class
        if self.kind is ModelIterable:
            klass_info, select = compiler.klass_info, compiler.select
            fetch_mode = qs._fetch_mode  # type: ignore[attr-defined]
            model_cls = klass_info["model"]
            first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            self.span = (first, last)
            self.init_list = [f[0].target.attname for f in select[first:last]]
            self.from_db = partial(model_cls.from_db, fetch_mode=fetch_mode)
            self.populators = get_related_populators(klass_info, select, qs.db, fetch_mode)
            self.annotations = dict(compiler.annotation_col_map or {})
        elif self.kind is not ValuesListIterable:
            raise TypeError("prepared: model instances or values_list() tuples only")

    def run(self, args: Sequence[Any]) -> list[Any]:
        params = list(self.params)
        for at, value in zip(self.positions, args, strict=True):
            for j in at:
                params[j] = value
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows: Any = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.kind is ValuesListIterable:
            return [tuple(r) for r in rows]
        first, last = self.span
        out = []
        db = connection.alias
        for row in rows:
            obj = self.from_db(db, self.init_list, row[first:last])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, pos in self.annotations.items():
                setattr(obj, name, row[pos])
            out.append(obj)
        return out


class Prepared:
    """A read compiled once per connection, ``variant`` and number of arguments:
    ``build(*slots)`` returns the queryset with :func:`slot` placeholders (integers) where
    the call's arguments go. A variant is a shape of the same read that is not an integer
    argument (a constant of the statement, e.g. a stage's code).

    A ``select_for_update()`` read must run inside a transaction, as the queryset would
    (the check is made when it is compiled: inside the service's transaction)."""

    def __init__(self, build: Callable[..., models.QuerySet[Any]]) -> None:
        self._build = build

    def _compiled(self, variant: Hashable, nargs: int) -> _Compiled:
        store = _cache()
        key = (id(self), variant, nargs)
        compiled = store.get(key)
        if compiled is None:
            slots = [slot(i) for i in range(nargs)]
            qs = self._build(*slots) if variant is None else self._build(*slots, variant=variant)
            compiled = store[key] = _Compiled(qs, nargs)
        return compiled

    def all(self, *args: Any, variant: Hashable = None) -> list[Any]:
        """The rows for ``args`` (integers, in the order ``build`` takes them); ``build``
        is called with ``variant=`` when one is given."""
        return self._compiled(variant, len(args)).run(args)

    def first(self, *args: Any, variant: Hashable = None) -> Any:
        rows = self.all(*args, variant=variant)
        return rows[0] if rows else None


def _column_sql(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(n) for n in names]  # type: ignore[misc]


def _col(f: Any) -> str:
    return connection.ops.quote_name(str(f.column))


def _prep(f: models.Field[Any, Any], value: Any) -> Any:
    """``value`` for the column of ``f`` as ``update()`` and ``save()`` send it (a related
    object as its id)."""
    if isinstance(value, models.Model):
        value = value.pk
    return f.get_db_prep_save(value, connection)


def update_row(
    model: type[models.Model],
    values: Mapping[str, Any],
    where: Mapping[str, Any],
    *,
    increment: str = "",
) -> int:
    """``model.objects.filter(**where).update(**values, <increment>=F(increment) + 1)``
    for plain values and equality filters on concrete fields: one statement, the number
    of rows it changed."""
    qn = connection.ops.quote_name
    sets, params = [], []
    for name, f in zip(values, _column_sql(model, list(values)), strict=True):
        sets.append(f"{_col(f)} = %s")
        params.append(_prep(f, values[name]))
    if increment:
        column = _col(model._meta.get_field(increment))
        sets.append(f"{column} = ({column} + 1)")
    conds = []
    for name, f in zip(where, _column_sql(model, list(where)), strict=True):
        conds.append(f"{_col(f)} = %s")
        params.append(f.get_db_prep_value(where[name], connection, prepared=False))
    sql = f"UPDATE {qn(model._meta.db_table)} SET {', '.join(sets)} WHERE {' AND '.join(conds)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert_row(model: type[models.Model], values: Mapping[str, Any]) -> None:
    """Insert one row of ``model`` (its id not read back): the values prepared by their
    fields as ``Model.save`` prepares them (defaults and ``auto_now_add`` are the
    caller's)."""
    insert_rows(model, [values])


def insert_rows(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert ``rows`` (same keys each) in one statement, as ``bulk_create`` does;
    ``ignore_conflicts``: a row that breaks a unique constraint is left out."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = list(rows[0])
    fields = _column_sql(model, names)
    columns = ", ".join(_col(f) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [_prep(f, row[name]) for row in rows for name, f in zip(names, fields, strict=True)]
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    head = connection.ops.insert_statement(on_conflict=on_conflict)
    tail = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    sql = f"{head} {qn(model._meta.db_table)} ({columns}) VALUES {', '.join([one] * len(rows))}"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} {tail}" if tail else sql, params)
