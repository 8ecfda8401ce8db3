"""The toolkit of the synthetic-data generators behind `manage.py generate_data`.

Each domain writes `onsite/<app>/generate.py` with

    def generate(center, *, years, rng, until) -> dict[str, int]

that fills one freshly created center with `years` years of realistic data ending on `until`,
draws every random choice from `rng` (so a seed reproduces the data), writes with `bulk`
(batched `bulk_create`, never one INSERT per row) and returns how many rows it wrote per model.
It reads what earlier generators made (users, zones ...) back from the database with a few
queries. The registry and its order live in the command (`GENERATORS`)."""

from __future__ import annotations

import datetime
import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

import chinese_calendar
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from onsite.core.models import Center

# Every generated login signs in with this password (it is also the demo's): the bench signs
# in with it, and hashing it once keeps a 200-person center to a fraction of a second.
GENERATED_PASSWORD = "Onsite@2026"  # noqa: S105 - synthetic data only, never a real account
BATCH_SIZE = 2000

_M = TypeVar("_M", bound=models.Model)
_T = TypeVar("_T")


class Generator(Protocol):
    def __call__(
        self, center: Center, *, years: float, rng: random.Random, until: datetime.date
    ) -> dict[str, int]: ...


_hashes: dict[str, str] = {}


def password_hash() -> str:
    if GENERATED_PASSWORD not in _hashes:
        _hashes[GENERATED_PASSWORD] = make_password(GENERATED_PASSWORD)
    return _hashes[GENERATED_PASSWORD]


def bulk(model: type[_M], rows: Iterable[_M], *, counts: Counter[str] | None = None) -> list[_M]:
    """Inserts rows in batches; primary keys come back on PostgreSQL and SQLite ≥ 3.35."""
    saved = model._default_manager.bulk_create(list(rows), batch_size=BATCH_SIZE)
    if counts is not None:
        counts[model._meta.label] += len(saved)
    return saved


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"  # fmt: skip
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰建国志文斌浩宇欣怡晨阳婷雪梅琳晶波辉鹏飞佳琪思远嘉俊凯雯倩颖慧亮鑫瑞博涵子轩诗雨"  # fmt: skip


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def period(*, years: float, until: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of `years` years ending on `until` (a fraction of a year makes
    the tiny data sets of tests)."""
    whole = int(years)
    if whole == years:
        try:
            start = until.replace(year=until.year - whole)
        except ValueError:  # 29 February
            start = until.replace(year=until.year - whole, day=28)
    else:
        start = until - datetime.timedelta(days=round(years * 365))
    return start + datetime.timedelta(days=1), until


def working_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Chinese working days (holidays and make-up days) where chinese-calendar knows the
    year; Monday to Friday for a year it does not know yet."""
    days: list[datetime.date] = []
    day = start
    while day <= end:
        try:
            working = bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            working = day.weekday() < 5
        if working:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def at_time(
    day: datetime.date, rng: random.Random, *, start_hour: int = 9, end_hour: int = 17
) -> datetime.datetime:
    """A moment of the working day `day`, in the project's time zone."""
    seconds = rng.randrange(start_hour * 3600, end_hour * 3600)
    naive = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(seconds=seconds)
    return timezone.make_aware(naive)


def weighted(rng: random.Random, choices: Sequence[tuple[_T, float]]) -> _T:
    values = [value for value, _weight in choices]
    weights = [weight for _value, weight in choices]
    return rng.choices(values, weights=weights)[0]


def reserve_ids(model: type[models.Model], count: int) -> range:
    """Primary keys for `count` rows inserted next by `copy_rows`, so related rows can point
    at them before they exist. On PostgreSQL one statement moves the sequence on; elsewhere
    they follow the current maximum (generation is the only writer)."""
    if count <= 0:
        return range(0)
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
            last = int(cursor.fetchone()[0])
            return range(last - count + 1, last + 1)
        cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')  # noqa: S608 - our own table names
        first = int(cursor.fetchone()[0]) + 1
        return range(first, first + count)


def copy_rows(
    model: type[models.Model],
    rows: Iterable[dict[str, object]],
    *,
    counts: Counter[str] | None = None,
) -> int:
    """Inserts rows given as {attname: value} (ids from `reserve_ids`); a column left out
    gets the field's default (or "" for blank text). PostgreSQL gets them through COPY, the fastest way in; other
    databases through bulk_create. No signals, no save(): synthetic data only."""
    rows = list(rows)
    if not rows:
        return 0
    pk = model._meta.pk.attname
    # Without ids in the rows the database numbers them.
    fields = [f for f in model._meta.concrete_fields if f.attname != pk or pk in rows[0]]
    # A blank text field defaults to "" (its get_default), as a form would save it.
    defaults = {f.attname: f.get_default() for f in fields if f.has_default() or f.null or f.blank}
    jsons = {f.attname for f in fields if isinstance(f, models.JSONField)}
    if connection.vendor == "postgresql":
        columns = ", ".join(f'"{f.column}"' for f in fields)
        names = [f.attname for f in fields]
        with connection.cursor() as cursor:
            copy_sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    values = [row[n] if n in row else defaults[n] for n in names]
                    if jsons:
                        values = [
                            json.dumps(v, ensure_ascii=False) if n in jsons else v
                            for n, v in zip(names, values, strict=True)
                        ]
                    copy.write_row(values)
    else:
        objects = [model(**{**defaults, **row}) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
    written = len(rows)
    if counts is not None:
        counts[model._meta.label] += written
    return written


class IdPool:
    """Hands out primary keys before the rows exist (in blocks on PostgreSQL)."""

    def __init__(self, model: type[models.Model], *, block: int = 20_000) -> None:
        self.model = model
        self.block = block
        self.by_sequence = connection.vendor == "postgresql"
        self.next_id = 0
        self.last_id = -1

    def take(self) -> int:
        if self.next_id > self.last_id:
            if self.by_sequence or self.last_id < 0:
                ids = reserve_ids(self.model, self.block)
                self.next_id, self.last_id = ids.start, ids.stop - 1
            else:  # elsewhere the table's maximum only moves when we insert: count on
                self.last_id += self.block
        taken = self.next_id
        self.next_id += 1
        return taken


def skip_reference_triggers() -> bool:
    """On PostgreSQL, as a superuser, turns off the per-row foreign-key triggers until the
    end of the transaction (`session_replication_role = replica`): checking a million
    references one by one at commit costs more than writing them. `check_references` then
    checks them all at once. Returns whether the triggers are off."""
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:  # not a superuser: keep the triggers
        return False
    return True


def check_references(model: type[models.Model], *, center_id: int) -> list[str]:
    """Rows of `model` (of this center, when it has one) whose foreign keys point nowhere:
    one anti-join per key instead of a trigger per row."""
    problems = []
    table = model._meta.db_table
    scoped = any(f.attname == "center_id" for f in model._meta.concrete_fields)
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.related_model is None:
            continue
        target = field.related_model._meta
        sql = (
            f'SELECT COUNT(*) FROM "{table}" c WHERE c."{field.column}" IS NOT NULL '  # noqa: S608 - our own table names
            f'AND NOT EXISTS (SELECT 1 FROM "{target.db_table}" p '
            f'WHERE p."{target.pk.column}" = c."{field.column}")'
        )
        params = []
        if scoped:
            sql += ' AND c."center_id" = %s'
            params.append(center_id)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            missing = int(cursor.fetchone()[0])
        if missing:
            problems.append(f"{model._meta.label}.{field.name}: {missing} rows point nowhere")
    return problems
