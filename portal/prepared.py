"""Queries compiled once per process, for the few statements nearly every request runs.

For a one-row lookup by primary keys, Django's building and compiling of the SQL costs more
processor time than PostgreSQL's answer: about 0.3–0.7 ms per query against 0.1–0.2 ms. The
autosave of the questionnaire (one request per click, half of a self-diagnosis week's traffic)
and every signed-in request's scope pay it each time. `Prepared` builds the queryset once per
shape, keeps its SQL with the positions of the parameters that change, and then only executes.

The queryset is an ordinary one, built by a function of the parameters, so the SQL is the ORM's
own (the same joins, quoting and placeholders on SQLite and PostgreSQL). Each parameter is
passed to the build as a stand-in integer no real key can equal, and its position in the
compiled parameters is found by that value. Only integer parameters (primary keys) are taken
this way; anything else that shapes the SQL (a scope's sets of ids) goes into the `shape` key.

Rows come back as tuples of the `values_list` fields; `instances` makes model instances of
their slices (`Columns`) with Model.from_db, as the ORM itself does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.http import Http404

from portal.validators import parse_id

# Negative, so never a primary key, and within a 32-bit integer column's range (auth_user.id):
# Django answers a lookup with a value out of the column's range with no rows at all.
_STAND_IN_BASE = -2_147_000_000


class Prepared:
    """A `values_list` queryset compiled once per shape and per database.

    _memberships = Prepared(
        lambda user: Membership.objects.filter(user_id=user).values_list("role", ...),
        params=("user",),
    )
    rows = _memberships.rows(user=user.pk)
    """

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        params: Sequence[str],
        columns: Sequence[Columns] = (),
        limit: int = 1024,
    ):
        self._build = build
        self._params = tuple(params)
        # With `columns`, `build` gives a plain queryset and the row is their fields (`one`).
        self._columns = tuple(columns)
        self._limit = limit
        self._compiled: OrderedDict[Hashable, tuple[str, tuple, tuple]] = OrderedDict()
        self._lock = threading.Lock()

    def _sql(self, shape: Hashable, extra: dict, using: str | None):
        key = (shape, using)
        with self._lock:
            if key in self._compiled:
                self._compiled.move_to_end(key)
                return self._compiled[key]
        stand_ins = {name: _STAND_IN_BASE - n for n, name in enumerate(self._params)}
        queryset = self._queryset(stand_ins, extra)
        model = queryset.model
        using = using or queryset.db or router.db_for_read(model)
        compiler = queryset.query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # e.g. a scope that covers nothing: no rows, whatever the values
            self._check_empty(extra, using)
            compiled = None
        else:
            compiled = self._compile(compiler, sql, params, stand_ins, using)
        with self._lock:
            self._compiled[key] = compiled
            while len(self._compiled) > self._limit:
                self._compiled.popitem(last=False)
        return compiled

    def _queryset(self, values: dict, extra: dict) -> QuerySet:
        queryset = self._build(**values, **extra)
        if self._columns:
            paths = [path for part in self._columns for path in part.paths]
            queryset = queryset.order_by().values_list(*paths)
        return queryset

    def _check_empty(self, extra: dict, using: str) -> None:
        """An empty query must be empty for real values too, not because a stand-in was out of
        a column's range."""
        real = {name: n + 1 for n, name in enumerate(self._params)}
        try:
            self._queryset(real, extra).query.get_compiler(using).as_sql()
        except EmptyResultSet:
            return
        raise ValueError("a parameter's stand-in is out of its column's range")

    def _compile(self, compiler, sql, params, stand_ins, using):
        names = {value: name for name, value in stand_ins.items()}
        # (fixed value, or None) and (parameter name, or None) for each position.
        slots = tuple(names.get(value) if type(value) is int else None for value in params)
        missing = set(self._params) - set(slots)
        if missing:
            raise ValueError(f"parameters not in the SQL: {', '.join(sorted(missing))}")
        # The conversions the ORM applies to what the driver returns (SQLite's text datetimes
        # and UUIDs, JSON), as the compiler's own results_iter does.
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        return sql, tuple(params), slots, using, compiler, converters

    def rows(
        self, *, shape: Hashable = None, extra: dict | None = None, using=None, **values
    ) -> list[tuple]:
        """The rows for these parameter values. `shape` keys what else the build depends on
        and `extra` passes it (e.g. the user's scope); both must go together."""
        compiled = self._sql(shape, extra or {}, using)
        if compiled is None:
            return []
        sql, fixed, slots, using, compiler, converters = compiled
        params = [fixed[n] if name is None else values[name] for n, name in enumerate(slots)]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def row(self, **kwargs) -> tuple | None:
        found = self.rows(**kwargs)
        return found[0] if found else None

    def one(self, *, using=None, **kwargs) -> list | None:
        """The model instances of the first row, one per `columns` (None for an outer join
        that found nothing), or None when there is no row."""
        row = self.row(using=using, **kwargs)
        if row is None:
            return None
        model = self._columns[0].model
        return instances(row, self._columns, using or router.db_for_read(model))

    def in_scope(self, scope, missing: str, **ids) -> list:
        """`one` for a build that takes the user's `scope` (and is compiled once per scope),
        with the ids as a URL gives them: the instances, or Http404(missing) for an id that
        is not one or a row the scope does not reach."""
        parsed = {name: parse_id(value) for name, value in ids.items()}
        found = None
        if all(parsed.values()):
            found = self.one(shape=scope, extra={"scope": scope}, **parsed)
        if found is None:
            raise Http404(missing)
        return found


class Columns:
    """The concrete fields of `model` reached through `prefix` ("round__methodology__"): the
    lookups for values_list, and the model instance made back from their slice of a row."""

    def __init__(self, model: type[Model], prefix: str = "", *, exclude: Sequence[str] = ()):
        fields = [f for f in model._meta.concrete_fields if f.name not in exclude]
        self.model = model
        self.paths = [prefix + f.attname for f in fields]
        self.attnames = [f.attname for f in fields]

    def __len__(self) -> int:
        return len(self.paths)


def instances(row: Sequence, columns: Sequence[Columns], using: str) -> list:
    """Model instances from `row`, one per Columns in order, as the ORM makes them (deferred
    fields stay deferred and load on first access); None for a row of an outer join that
    found nothing (its primary key is null)."""
    made, start = [], 0
    for part in columns:
        values = list(row[start : start + len(part)])
        start += len(part)
        pk = values[part.attnames.index(part.model._meta.pk.attname)]
        made.append(None if pk is None else part.model.from_db(using, part.attnames, values))
    return made
