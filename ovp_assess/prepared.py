"""Hot queries compiled to SQL once per process, then run with new parameters.

Django compiles a queryset to SQL each time it runs. For a query with a join or two and a
subquery that costs about a millisecond, ten times what the database then needs to answer
it from a small table. The few queries that nearly every signed-in request runs (who someone
is, the stored brief's key) are still written with the ORM, but compiled once per database:

    _ROLES = PreparedQuery(lambda user_id: OfficeMembership.objects.filter(user_id=user_id)
                           .values_list("office_id", "role"))
    rows = _ROLES.rows(user.pk)

`build` receives stand-ins for its arguments (a whole number for a whole number, a text for a
text); the compiled SQL's parameters that are those stand-ins are swapped for the real
arguments on every run. So a prepared query takes whole numbers (ids) and texts (keys) only,
and its SQL must not depend on their values (no `None`, no lists) or on anything else that
changes (the clock, the language). It is compiled once for each database and kinds of
arguments.

`build` returns a values_list() queryset of a model that is not translated with
modeltranslation (its values_list() reorders columns). Rows come as the database driver
gives them, in the values_list() order, without Django's converters: text, whole
numbers, and booleans as `True`/`False` on PostgreSQL but `1`/`0` on SQLite.
"""

from __future__ import annotations

import threading

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import ValuesListIterable

#: Stand-ins for whole-number arguments while compiling: negative, within a 32-bit integer
#: column's range (Django turns an out-of-range integer lookup into an empty result), and
#: never an id. A text argument's stand-in is a text no key or name holds.
_STAND_IN = -917_000_000
_TEXT_STAND_IN = "\x1fprepared-argument-{}\x1f"


def _stand_in(index, kind):
    return _STAND_IN - index if kind is int else _TEXT_STAND_IN.format(index)


class PreparedQuery:
    def __init__(self, build):
        self._build = build
        self._compiled: dict[tuple, tuple[str, list]] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str, kinds: tuple[type, ...]) -> tuple[str, list]:
        stand_ins = [_stand_in(i, kind) for i, kind in enumerate(kinds)]
        arity = len(kinds)
        queryset = self._build(*stand_ins)
        # Django's own values_list() reads its rows in the SQL's column order; others (such as
        # modeltranslation's, which puts columns in another order) would not match.
        if queryset._iterable_class is not ValuesListIterable:
            raise TypeError("PreparedQuery needs a plain values_list() queryset")
        sql, params = queryset.query.get_compiler(using=using).as_sql()
        # Each parameter is either an argument (its index) or a constant of the query.
        position = {(type(value), value): i for i, value in enumerate(stand_ins)}
        slots = []
        for value in params:
            index = position.get((type(value), value))
            slots.append((True, index) if index is not None else (False, value))
        missing = set(range(arity)) - {index for is_arg, index in slots if is_arg}
        if missing:
            raise ValueError(f"PreparedQuery: argument(s) {sorted(missing)} are not "
                             "parameters of the compiled SQL")
        return sql, slots

    def rows(self, *args: int | str, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        """The query's rows for `args` (one query; compiled on the first call only)."""
        kinds = tuple(type(value) for value in args)
        if not set(kinds) <= {int, str}:
            raise TypeError(f"PreparedQuery takes whole numbers and texts, not {args!r}")
        key = (using, kinds)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(using, kinds)
                self._compiled[key] = compiled
        sql, slots = compiled
        params = [args[value] if is_arg else value for is_arg, value in slots]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
