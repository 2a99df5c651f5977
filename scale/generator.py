"""A whole country of generated data: regions' bodies, municipalities, schools, plans, rounds.

`generate(schools=40_000, seed=…)` fills a migrated database the way the portal would be after a
year in every region: about 2,400 municipalities and 40,000 schools spread over the 89 regions
(the largest region gets ~5 % of the schools, about 2,000), a regional operator and a municipal
coordinator for each body, ~2,500 plans with ~150,000 items (deadlines parsed by the real parser
relative to each plan's period, responsible parties, statuses including overdue ones), the
demonstration methodology and two rounds of self-diagnosis per region with an answered,
submitted and scored questionnaire for every school. A smaller `schools` scales every count down
in proportion (only the regions with the largest weights get municipalities then).

Deterministic: the same seed and size give the same rows (keys, names, answers, statuses), since
item statuses are drawn against a fixed REFERENCE_DATE rather than the day it runs.

Fast: rows go in with bulk_create (the ones whose ids are needed next) or executemany of plain
tuples (answers, results, link tables), in batches, one transaction per stage; no per-row save.
Results are computed by `selfdiag.scoring.score` and stored exactly as
`selfdiag.results.store_results` stores them (tests/test_generate_scale.py compares the two).

Generated rows carry no django-simple-history records (as if loaded before history was kept).
"""

from __future__ import annotations

import datetime
import math
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from orgs.models import Membership, Municipality, Organization, Region
from orgs.validators import _INN10, _check_digit
from portal import russian
from roadmaps.deadlines import Period, parse_deadline
from roadmaps.models import Direction, Item, ItemResponsible, Party, Roadmap, Section
from selfdiag.loading import load_demo
from selfdiag.models import (
    Answer,
    Deficit,
    DirectionResult,
    Indicator,
    MethodologyDirection,
    Option,
    Round,
    Submission,
)
from selfdiag.scoring import SchoolProfile, compile_methodology, score

FULL_SCHOOLS = 40_000
FULL_MUNICIPALITIES = 2_400
LARGEST_REGION_SHARE = 0.05
USER_PREFIX = "scale-"
PASSWORD = "shkola-scale-2024"
REFERENCE_DATE = datetime.date(2026, 11, 20)
YEAR = 2026
REGION_PERIOD = Period.calendar_year(YEAR)
SCHOOL_PERIOD = Period.academic_year(YEAR)
ROUNDS = (
    ("Самодиагностика — весна 2026", datetime.date(2026, 3, 1), datetime.date(2026, 4, 30)),
    ("Самодиагностика — осень 2026", datetime.date(2026, 10, 1), datetime.date(2026, 11, 30)),
)
REGIONAL_ITEMS = 150
MUNICIPAL_PLAN_SHARE = 0.85
MUNICIPAL_ITEMS = (30, 70)
SCHOOL_PLAN_SHARE = 0.01
SCHOOL_ITEMS = (60, 110)
BATCH = 2000
INN_OFFSET = 5_000_000  # generated ИНН never meet the demo's (47 000 1001…)


class AlreadyGenerated(Exception):
    """The database already holds generated data; pass force=True to add another country."""


# Names ----------------------------------------------------------------------------------------

STEMS = [
    "Бел",
    "Крас",
    "Сосн",
    "Берез",
    "Ольх",
    "Камен",
    "Лес",
    "Речн",
    "Озер",
    "Горн",
    "Поль",
    "Степн",
    "Ясн",
    "Тих",
    "Светл",
    "Вер",
    "Нов",
    "Стар",
    "Кедр",
    "Сокол",
    "Медвед",
    "Лебяж",
    "Журав",
    "Орл",
    "Вороб",
    "Калин",
    "Малин",
    "Рябин",
    "Черемх",
    "Липн",
    "Дуб",
    "Клен",
    "Ельн",
    "Пихт",
    "Ржев",
    "Луг",
    "Борк",
    "Холм",
    "Яр",
    "Заволж",
    "Приозер",
    "Подгор",
    "Залес",
    "Полян",
    "Ключ",
    "Родник",
    "Ручь",
    "Гор",
    "Дол",
    "Овраж",
]
STEM_ENDINGS = ("ов", "ин", "ев", "ан", "ор", "ен", "уш", "ич")
TOWN_ENDINGS = ("ск", "ово", "ино", "ка", "град", "поль")
VILLAGE_NAMES = [
    "Ивановка",
    "Петровка",
    "Никольское",
    "Покровское",
    "Успенка",
    "Троицкое",
    "Михайловка",
    "Александровка",
    "Воскресенское",
    "Знаменка",
    "Богородское",
    "Дмитриевка",
    "Сергиевка",
    "Васильевка",
    "Алексеевка",
    "Ольгино",
]
SURNAMES = [
    "Иванова",
    "Петрова",
    "Смирнова",
    "Кузнецова",
    "Попова",
    "Соколова",
    "Лебедева",
    "Козлова",
    "Новикова",
    "Морозова",
    "Волкова",
    "Соловьёва",
    "Васильева",
    "Зайцева",
    "Павлова",
    "Семёнова",
    "Голубева",
    "Виноградова",
    "Богданова",
]
INITIALS = "АВГДЕИКЛМНОПРСТ"

MBOU = "Муниципальное бюджетное общеобразовательное учреждение"
MKOU = "Муниципальное казённое общеобразовательное учреждение"
# (cumulative share, short name, full name, levels НОО/ООО/СОО; None: drawn)
SCHOOL_KINDS = [
    (
        0.55,
        "МБОУ «СОШ № {n}» г. {town}",
        MBOU + " «Средняя общеобразовательная школа № {n}» г. {town}",
        (True, True, True),
    ),
    (
        0.70,
        "МКОУ «{village} ООШ» ({town})",
        MKOU + " «{village} основная общеобразовательная школа»",
        (True, True, False),
    ),
    (0.78, "МБОУ «Лицей № {n}» г. {town}", MBOU + " «Лицей № {n}» г. {town}", None),
    (
        0.86,
        "МАОУ «Гимназия № {n}» г. {town}",
        "Муниципальное автономное общеобразовательное учреждение «Гимназия № {n}» г. {town}",
        (True, True, True),
    ),
    (
        0.93,
        "МКОУ «{village} НОШ» ({town})",
        MKOU + " «{village} начальная общеобразовательная школа»",
        (True, False, False),
    ),
    (
        0.97,
        "МБОУ «Центр образования № {n}» г. {town}",
        MBOU + " «Центр образования № {n}» г. {town}",
        (True, True, True),
    ),
    (
        1.01,
        "ГКОУ «Школа-интернат № {n}» ({town})",
        "Государственное казённое общеобразовательное учреждение «Школа-интернат № {n} для "
        "обучающихся с ОВЗ»",
        (True, True, False),
    ),
]

SECTION_TITLES = [
    "Организационно-управленческое сопровождение",
    "Знание: качество и объективность",
    "Здоровье",
    "Творчество",
    "Воспитание",
    "Профориентация",
    "Учитель. Школьная команда",
    "Школьный климат",
    "Образовательная среда",
    "Мониторинг и анализ результатов",
]
SECTION_DIRECTIONS = [
    None,
    "znanie",
    "zdorovie",
    "tvorchestvo",
    "vospitanie",
    "proforientatsiya",
    "uchitel",
    "klimat",
    "sreda",
    None,
]
ACTIONS = [
    "Проведение",
    "Организация",
    "Разработка и утверждение",
    "Мониторинг",
    "Методическое сопровождение",
    "Анализ результатов",
    "Участие в",
    "Обновление",
    "Проведение семинара по вопросам",
    "Подготовка отчёта о",
]
SUBJECTS = [
    "самодиагностики общеобразовательных организаций",
    "реализации федеральных рабочих программ",
    "школьных спортивных клубов",
    "школьных театров и музеев",
    "программы воспитания и календарного плана воспитательной работы",
    "профориентационного минимума",
    "повышения квалификации педагогических работников",
    "работы школьной службы примирения",
    "развития цифровой образовательной среды",
    "наставничества молодых педагогов",
    "работы с обучающимися с ОВЗ",
    "внеурочной деятельности",
    "деятельности советников директора по воспитанию",
    "олимпиадного движения",
    "работы с родительской общественностью",
    "дорожных карт муниципального уровня",
    "школьных медиацентров",
    "проектной деятельности обучающихся",
]
RESULTS = [
    "Приказ, план мероприятий",
    "Аналитическая справка",
    "Протокол совещания",
    "Информация на сайте ОО",
    "Отчёт о выполнении",
    "Методические рекомендации",
    "Сводные результаты мониторинга",
    "Программа мероприятия, список участников",
]
DEADLINES_CALENDAR = [
    "Январь",
    "Февраль-март",
    "2 квартал",
    "до 15 октября 2026",
    "в течение года",
    "ежеквартально",
    "2 раза в год",
    "по отдельному графику",
    "Сентябрь",
    "май – июнь",
    "до 1 марта",
    "декабрь",
    "14.02, 15.02, 20.02.2026",
    "не позднее 30 апреля",
    "ежемесячно",
    "по мере необходимости",
    "апрель",
    "до 25 мая",
    "1 полугодие",
    "ноябрь",
    "до 20 ноября 2026",
    "октябрь – ноябрь",
    "3 квартал",
    "постоянно",
]
DEADLINES_ACADEMIC = [
    "Сентябрь",
    "в течение учебного года",
    "октябрь",
    "до 15 октября",
    "ноябрь – декабрь",
    "1 четверть",
    "ежемесячно",
    "2 раза в год",
    "по отдельному графику",
    "Сентябрь 2026 г., май 2027 г.",
    "январь",
    "до 1 марта",
    "май",
    "до 20 ноября 2026",
    "апрель – май",
    "постоянно",
]


def _inn(region_code: str, sequence: int) -> str:
    body = f"{region_code}{INN_OFFSET + sequence:07d}"
    digits = [int(c) for c in body]
    return body + str(_check_digit(digits, _INN10))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(INITIALS)}.{rng.choice(INITIALS)}."


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# Sizes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    schools: int
    municipalities: int
    # region code -> (municipalities, schools)
    regions: dict[str, tuple[int, int]]


def _split(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), each at least `minimum`."""
    counts = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    if rest <= 0:
        return counts
    scale = sum(weights)
    raw = [rest * w / scale for w in weights]
    floors = [math.floor(r) for r in raw]
    left = rest - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return [c + f for c, f in zip(counts, floors, strict=True)]


def plan_sizes(schools: int, region_codes: list[str], seed: int) -> Sizes:
    rng = random.Random(f"{seed}:sizes")
    weights = {code: rng.lognormvariate(0, 0.75) for code in region_codes}
    largest = max(weights, key=weights.get)
    others = sum(w for code, w in weights.items() if code != largest)
    # The largest region holds LARGEST_REGION_SHARE of the schools, as the biggest ones do.
    weights[largest] = others * LARGEST_REGION_SHARE / (1 - LARGEST_REGION_SHARE)
    municipalities = max(1, round(FULL_MUNICIPALITIES * schools / FULL_SCHOOLS))
    used = sorted(region_codes, key=lambda code: -weights[code])[
        : min(len(region_codes), municipalities)
    ]
    used.sort()
    school_counts = _split(schools, [weights[c] for c in used], minimum=1)
    municipality_counts = _split(municipalities, [weights[c] for c in used], minimum=1)
    regions = {}
    for code, m, s in zip(used, municipality_counts, school_counts, strict=True):
        regions[code] = (min(m, s), s)
    return Sizes(
        schools=schools, municipalities=sum(m for m, _ in regions.values()), regions=regions
    )


# Low-level inserts ----------------------------------------------------------------------------


def insert_rows(model, fields: list[str], rows: Iterable[tuple], batch: int = 5000) -> int:
    """Plain INSERTs of tuples through executemany: for link and result tables, whose ids
    nobody needs back; the same SQL on SQLite and PostgreSQL."""
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if connection.vendor == "postgresql":
        return _copy_rows(meta.db_table, columns, rows)
    count = 0
    chunk: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def _copy_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """PostgreSQL: COPY FROM STDIN, several times faster than INSERTs for millions of rows."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


# The generator --------------------------------------------------------------------------------


class Generator:
    def __init__(
        self,
        *,
        schools: int = FULL_SCHOOLS,
        seed: int = 2026,
        answers: bool = True,
        force: bool = False,
        log: Callable[[str], None] = lambda line: None,
    ):
        self.schools = schools
        self.seed = seed
        self.store_answers = answers
        self.force = force
        self.log = log
        self.started = time.monotonic()
        self.counts: dict[str, int] = defaultdict(int)

    def rng(self, name: str) -> random.Random:
        # A forced second run draws other keys (UUIDs are unique per plan and version).
        return random.Random(f"{self.seed}:{getattr(self, 'run_tag', '')}{name}")

    def say(self, line: str) -> None:
        self.log(f"[{time.monotonic() - self.started:7.1f} с] {line}")

    # Entry --------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        User = get_user_model()
        existing = User.objects.filter(username__startswith=USER_PREFIX).count()
        if existing and not self.force:
            raise AlreadyGenerated(
                "В базе уже есть сгенерированные данные "
                f"({russian.count(existing, 'пользователь,пользователя,пользователей')} "
                f"«{USER_PREFIX}…»)."
            )
        # A second country on top (force) gets its own user names and organization names.
        self.run_tag = "" if not existing else f"{int(time.time()) % 100000}-"
        regions = list(Region.objects.order_by("code"))
        self.sizes = plan_sizes(self.schools, [r.code for r in regions], self.seed)
        self.regions = [r for r in regions if r.code in self.sizes.regions]
        self.say(
            f"регионов {len(self.regions)}, муниципалитетов {self.sizes.municipalities}, "
            f"школ {self.sizes.schools}"
        )
        if connection.vendor == "sqlite":
            # Random keys (UUIDs) land all over their indexes: a larger page cache keeps the
            # insert from re-reading the same pages from disk.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -400000")
        with transaction.atomic():
            self.directory()
        with transaction.atomic():
            self.users()
        with transaction.atomic():
            self.plans()
        self.selfdiag()
        self.say("готово: " + ", ".join(f"{k} {v}" for k, v in self.counts.items()))
        return dict(self.counts)

    # Directory ----------------------------------------------------------------------------

    def directory(self) -> None:
        rng = self.rng("directory")
        taken_names = defaultdict(set)
        for region_id, name in Municipality.objects.values_list("region_id", "name"):
            taken_names[region_id].add(name)
        inn_sequence = Organization.objects.count()
        bodies: list[Organization] = []
        municipalities: list[Municipality] = []
        towns: list[str] = []
        for region in self.regions:
            n_mun, _ = self.sizes.regions[region.code]
            bodies.append(
                Organization(
                    kind=Organization.Kind.REGIONAL_AUTHORITY,
                    short_name=f"Минобразования {region.code}{self._tag()}",
                    name=f"Министерство образования — {region.name}",
                    region=region,
                )
            )
            bodies.append(
                Organization(
                    kind=Organization.Kind.REGIONAL_OPERATOR,
                    short_name=f"ИРО {region.code}{self._tag()}",
                    name=f"ГАУ ДПО «Институт развития образования» — {region.name}",
                    region=region,
                )
            )
            for index in range(n_mun):
                name, town, kind = self._municipality_name(rng, taken_names[region.pk], index)
                municipalities.append(
                    Municipality(
                        region=region,
                        name=name,
                        kind=kind,
                        oktmo=f"{int(region.code):02d}{6000 + index:04d}000"[:11],
                    )
                )
                towns.append(town)
        Municipality.objects.bulk_create(municipalities, batch_size=BATCH)
        Organization.objects.bulk_create(bodies, batch_size=BATCH)
        self.counts["муниципалитетов"] = len(municipalities)
        self.region_bodies = {(b.region_id, b.kind): b for b in bodies}  # (region, kind) -> body
        self.say(f"муниципалитетов {len(municipalities)}")

        municipal_bodies: list[Organization] = []
        for municipality in municipalities:
            stem = municipality.name.split()[0]
            municipal_bodies.append(
                Organization(
                    kind=Organization.Kind.MUNICIPAL_AUTHORITY,
                    short_name=f"Управление образования ({stem}){self._tag()}",
                    name=f"Управление образования администрации «{municipality.name}»",
                    region_id=municipality.region_id,
                    municipality=municipality,
                )
            )
            municipal_bodies.append(
                Organization(
                    kind=Organization.Kind.METHODICAL_SERVICE,
                    short_name=f"ИМЦ ({stem}){self._tag()}",
                    name=f"МКУ «Информационно-методический центр» «{municipality.name}»",
                    region_id=municipality.region_id,
                    municipality=municipality,
                )
            )
        Organization.objects.bulk_create(municipal_bodies, batch_size=BATCH)
        self.municipalities = municipalities
        self.municipal_bodies = {(b.municipality_id, b.kind): b for b in municipal_bodies}

        schools: list[Organization] = []
        by_region = defaultdict(list)
        for municipality, town in zip(municipalities, towns, strict=True):
            by_region[municipality.region_id].append((municipality, town))
        for region in self.regions:
            _, n_schools = self.sizes.regions[region.code]
            places = by_region[region.pk]
            # The first municipality is the regional capital's city okrug: more schools there.
            weights = [4.0 if i == 0 else rng.uniform(0.5, 1.5) for i in range(len(places))]
            for (municipality, town), count in zip(
                places, _split(n_schools, weights, minimum=1), strict=True
            ):
                for number in range(1, count + 1):
                    inn_sequence += 1
                    schools.append(
                        self._school(rng, region, municipality, town, number, inn_sequence)
                    )
        for start in range(0, len(schools), BATCH):
            Organization.objects.bulk_create(schools[start : start + BATCH])
        self.school_list = schools
        self.counts["органов"] = len(bodies) + len(municipal_bodies)
        self.counts["школ"] = len(schools)
        self.say(f"органов {len(bodies) + len(municipal_bodies)}, школ {len(schools)}")

    def _tag(self) -> str:
        return f" [{self.run_tag.rstrip('-')}]" if self.run_tag else ""

    def _municipality_name(self, rng, taken: set[str], index: int):
        for attempt in range(200):
            stem = rng.choice(STEMS)
            ending = rng.choice(STEM_ENDINGS)
            adjective = f"{stem}{ending}ский"
            town = f"{stem}{rng.choice(TOWN_ENDINGS)}"
            if index == 0:
                kind = Municipality.Kind.CITY_OKRUG
                name = f"{adjective.capitalize()} городской округ"
            else:
                kind = rng.choice(
                    [Municipality.Kind.MUNICIPAL_DISTRICT] * 3 + [Municipality.Kind.MUNICIPAL_OKRUG]
                )
                suffix = (
                    "муниципальный район"
                    if kind == Municipality.Kind.MUNICIPAL_DISTRICT
                    else "муниципальный округ"
                )
                name = f"{adjective.capitalize()} {suffix}"
            if attempt > 100:
                name = f"{name} ({index + 1})"
            if self.run_tag:
                name = f"{name} [{self.run_tag.rstrip('-')}]"
            if name not in taken:
                taken.add(name)
                return name, town, kind
        raise RuntimeError("no free municipality name")

    def _school(self, rng, region, municipality, town, number, inn_sequence) -> Organization:
        roll = rng.random()
        village = rng.choice(VILLAGE_NAMES)
        kind = next(kind for kind in SCHOOL_KINDS if roll < kind[0])
        _, short, full, levels = kind
        values = {"n": number, "town": town, "village": village}
        short, full = short.format(**values), full.format(**values)
        if levels is None:  # a lyceum teaches primary grades in about half the cases
            levels = (rng.random() < 0.5, True, True)
        ovz = short.startswith("ГКОУ") or rng.random() < 0.55
        return Organization(
            kind=Organization.Kind.SCHOOL,
            short_name=short[:150],
            name=full[:500],
            region=region,
            municipality=municipality,
            inn=_inn(region.code, inn_sequence),
            address=f"{region.name}, {town}, ул. Школьная, д. {number}",
            teaches_noo=levels[0],
            teaches_ooo=levels[1],
            teaches_soo=levels[2],
            has_ovz_pupils=ovz,
            in_project_since=rng.choice([2022, 2023, 2024, 2025]),
        )

    # Users --------------------------------------------------------------------------------

    def users(self) -> None:
        User = get_user_model()
        password = make_password(PASSWORD)  # hashed once: every generated user shares it
        prefix = f"{USER_PREFIX}{self.run_tag}"
        users, memberships = [], []
        for region in self.regions:
            operator = self.region_bodies[(region.pk, Organization.Kind.REGIONAL_OPERATOR)]
            user = User(username=f"{prefix}op-{region.code}", password=password)
            users.append(user)
            memberships.append((user, operator, Membership.Role.REGIONAL_OPERATOR))
        for municipality in self.municipalities:
            body = self.municipal_bodies[(municipality.pk, Organization.Kind.MUNICIPAL_AUTHORITY)]
            user = User(username=f"{prefix}mun-{municipality.pk}", password=password)
            users.append(user)
            memberships.append((user, body, Membership.Role.MUNICIPAL_COORDINATOR))
        User.objects.bulk_create(users, batch_size=BATCH)
        if any(user.pk is None for user in users):  # a backend without RETURNING
            ids = dict(
                User.objects.filter(username__in=[u.username for u in users]).values_list(
                    "username", "pk"
                )
            )
            for user in users:
                user.pk = ids[user.username]
        Membership.objects.bulk_create(
            [
                Membership(user_id=user.pk, organization=org, role=role)
                for user, org, role in memberships
            ],
            batch_size=BATCH,
        )
        self.counts["пользователей"] = len(users)
        self.say(f"пользователей {len(users)} (пароль {PASSWORD})")

    # Plans --------------------------------------------------------------------------------

    def plans(self) -> None:
        rng = self.rng("plans")
        directions = dict(Direction.objects.values_list("code", "pk"))
        self._deadline_cache: dict[tuple[str, Period], object] = {}
        specs = []  # (owner, period, n_items, level, parent_key)
        regional = {}
        for region in self.regions:
            owner = self.region_bodies[(region.pk, Organization.Kind.REGIONAL_AUTHORITY)]
            specs.append((owner, REGION_PERIOD, REGIONAL_ITEMS, "region", None))
            regional[region.pk] = len(specs) - 1
        municipal = {}
        for municipality in self.municipalities:
            if rng.random() < MUNICIPAL_PLAN_SHARE:
                owner = self.municipal_bodies[
                    (municipality.pk, Organization.Kind.MUNICIPAL_AUTHORITY)
                ]
                specs.append(
                    (
                        owner,
                        REGION_PERIOD,
                        rng.randint(*MUNICIPAL_ITEMS),
                        "municipality",
                        regional[municipality.region_id],
                    )
                )
                municipal[municipality.pk] = len(specs) - 1
        for school in self.school_list:
            if rng.random() < SCHOOL_PLAN_SHARE:
                specs.append(
                    (
                        school,
                        SCHOOL_PERIOD,
                        rng.randint(*SCHOOL_ITEMS),
                        "school",
                        municipal.get(school.municipality_id),
                    )
                )

        roadmaps = []
        for owner, period, _, level, _ in specs:
            status = self._plan_status(rng, level)
            roadmap = Roadmap(
                owner=owner,
                title=self._plan_title(owner, level, period),
                period_start=period.start,
                period_end=period.end,
                status=status,
                lineage=_uuid(rng),
                source_filename="",
            )
            if status == Roadmap.Status.APPROVED:
                roadmap.approval_kind = "распоряжение" if level != "school" else "приказ"
                roadmap.approval_number = f"{rng.randint(10, 2999)}-р"
                roadmap.approval_date = period.start - datetime.timedelta(days=rng.randint(5, 40))
                roadmap.approval_issuer = owner.name[:500]
                roadmap.approved_by_name = _person(rng)
                roadmap.approved_by_position = "Руководитель" if level != "school" else "Директор"
            roadmaps.append(roadmap)
        Roadmap.objects.bulk_create(roadmaps, batch_size=BATCH)
        implements = []
        for roadmap, spec in zip(roadmaps, specs, strict=True):
            if spec[4] is not None:
                roadmap.implements_id = roadmaps[spec[4]].pk
                implements.append(roadmap)
        Roadmap.objects.bulk_update(implements, ["implements_id"], batch_size=BATCH)
        self.say(f"планов {len(roadmaps)}")

        parties: list[Party] = []
        plan_parties: list[list[Party]] = []
        for roadmap, (owner, _, _, level, _) in zip(roadmaps, specs, strict=True):
            mine = self._parties(roadmap, owner, level)
            plan_parties.append(mine)
            parties.extend(mine)
        Party.objects.bulk_create(parties, batch_size=BATCH)

        total_items = 0
        sections_all: list[Section] = []
        plan_sections: list[list[tuple[Section, str | None]]] = []
        for roadmap, (_, _, n_items, _, _) in zip(roadmaps, specs, strict=True):
            count = min(len(SECTION_TITLES), max(3, n_items // 15))
            chosen = sorted(rng.sample(range(len(SECTION_TITLES)), count))
            rows = []
            for position, index in enumerate(chosen):
                section = Section(
                    roadmap=roadmap,
                    number=f"{position + 1}.",
                    title=SECTION_TITLES[index],
                    position=position,
                    key=_uuid(rng),
                )
                rows.append((section, SECTION_DIRECTIONS[index]))
                sections_all.append(section)
            plan_sections.append(rows)
        Section.objects.bulk_create(sections_all, batch_size=BATCH)

        pending: list[Item] = []
        pending_links: list[tuple[Item, list[Party], list[int]]] = []

        def flush():
            Item.objects.bulk_create(pending, batch_size=BATCH)
            insert_rows(
                ItemResponsible,
                ["item", "party", "position"],
                (
                    (item.pk, party.pk, position)
                    for item, chosen, _ in pending_links
                    for position, party in enumerate(chosen)
                ),
            )
            insert_rows(
                Item.directions.through,
                ["item", "direction"],
                ((item.pk, d) for item, _, ds in pending_links for d in ds),
            )
            pending.clear()
            pending_links.clear()

        for roadmap, spec, sections, mine in zip(
            roadmaps, specs, plan_sections, plan_parties, strict=True
        ):
            _, period, n_items, level, _ = spec
            per_section = _split(n_items, [1.0] * len(sections), minimum=1)
            position = 0
            for (section, direction), count in zip(sections, per_section, strict=True):
                for number in range(1, count + 1):
                    chosen = rng.sample(mine, rng.choice((1, 1, 2, 2, 3)))
                    item = self._item(rng, roadmap, section, number, position, period, chosen)
                    ds = [directions[direction]] if direction in directions else []
                    if rng.random() < 0.2:
                        ds.append(directions[rng.choice(SECTION_DIRECTIONS[1:9])])
                    pending.append(item)
                    pending_links.append((item, chosen, sorted(set(ds))))
                    position += 1
                    total_items += 1
            if len(pending) >= 10_000:
                flush()
        if pending:
            flush()
        self.counts["планов"] = len(roadmaps)
        self.counts["мероприятий"] = total_items
        self.say(f"мероприятий {total_items}, разделов {len(sections_all)}")

    def _plan_status(self, rng, level) -> str:
        roll = rng.random()
        if roll < 0.8:
            return Roadmap.Status.APPROVED
        if roll < 0.9:
            return Roadmap.Status.DRAFT
        if roll < 0.97:
            return Roadmap.Status.REVIEW
        return Roadmap.Status.RETURNED

    def _plan_title(self, owner, level, period) -> str:
        project = "проекта «Школа Минпросвещения России»"
        if level == "region":
            return f"Дорожная карта реализации {project} — {owner.region.name}, {YEAR} год"
        if level == "municipality":
            return (
                f"План мероприятий по реализации {project} — {owner.municipality.name}, {YEAR} год"
            )
        return (
            f"План мероприятий {owner.short_name} по реализации {project} на "
            f"{period.start.year}/{period.end.year} учебный год"
        )

    def _parties(self, roadmap, owner, level) -> list[Party]:
        if level == "region":
            operator = self.region_bodies[(owner.region_id, Organization.Kind.REGIONAL_OPERATOR)]
            rows = [
                (owner.short_name, owner.name, owner),
                (operator.short_name, operator.name, operator),
                (
                    "ОМСУ",
                    "органы местного самоуправления, осуществляющие управление в сфере образования",
                    None,
                ),
                ("ММС", "муниципальные методические службы", None),
                ("ОО", "общеобразовательные организации", None),
            ]
        elif level == "municipality":
            imc = self.municipal_bodies[
                (owner.municipality_id, Organization.Kind.METHODICAL_SERVICE)
            ]
            rows = [
                (owner.short_name, owner.name, owner),
                (imc.short_name, imc.name, imc),
                ("ОО", "общеобразовательные организации", None),
                ("Руководители ОО", "", None),
            ]
        else:
            rows = [
                ("Директор", "", None),
                ("Заместитель директора по УВР", "", None),
                ("Советник директора по воспитанию", "", None),
                ("Классные руководители", "", None),
                ("ШМО", "школьные методические объединения", None),
            ]
        parties = []
        for position, (name, full_name, organization) in enumerate(rows):
            if organization is not None:
                kind = Party.Kind.ORGANIZATION
            elif name in ("ОМСУ", "ММС", "ОО"):
                kind = Party.Kind.CATEGORY
            else:
                kind = Party.Kind.ROLE
            parties.append(
                Party(
                    roadmap=roadmap,
                    name=name[:300],
                    full_name=full_name[:1000],
                    kind=kind,
                    organization=organization,
                    in_glossary=bool(full_name),
                    position=position,
                )
            )
        return parties

    def _deadline(self, text: str, period: Period):
        key = (text, period)
        parsed = self._deadline_cache.get(key)
        if parsed is None:
            parsed = self._deadline_cache[key] = parse_deadline(text, period)
        return parsed

    def _item(self, rng, roadmap, section, number, position, period, parties) -> Item:
        pool = DEADLINES_ACADEMIC if period.is_academic else DEADLINES_CALENDAR
        deadline = self._deadline(rng.choice(pool), period)
        item = Item(
            roadmap=roadmap,
            section=section,
            number=f"{section.number.rstrip('.')}.{number}",
            title=f"{rng.choice(ACTIONS)} {rng.choice(SUBJECTS)}",
            responsible_text=", ".join(party.name for party in parties),
            result=rng.choice(RESULTS),
            position=position,
            key=_uuid(rng),
            status=self._item_status(rng, roadmap.status, deadline.end),
        )
        item.apply_deadline(deadline)
        return item

    def _item_status(self, rng, plan_status, end) -> str:
        if plan_status != Roadmap.Status.APPROVED:
            return Item.Status.NOT_STARTED
        roll = rng.random()
        if end is not None and end < REFERENCE_DATE:
            # Past deadlines: mostly done; what is left open is overdue.
            if roll < 0.74:
                return Item.Status.DONE
            if roll < 0.86:
                return Item.Status.IN_PROGRESS
            if roll < 0.95:
                return Item.Status.NOT_STARTED
            return Item.Status.CANCELLED
        if roll < 0.1:
            return Item.Status.DONE
        if roll < 0.5:
            return Item.Status.IN_PROGRESS
        return Item.Status.NOT_STARTED

    # Self-diagnosis ------------------------------------------------------------------------

    def selfdiag(self) -> None:
        with transaction.atomic():
            methodology = load_demo()
        plain = methodology.as_plain()
        compiled = compile_methodology(plain)
        self.direction_ids = dict(
            MethodologyDirection.objects.filter(methodology=methodology).values_list("code", "pk")
        )
        self.indicator_ids = dict(
            Indicator.objects.filter(methodology=methodology).values_list("code", "pk")
        )
        self.option_ids = {
            (code, option): pk
            for pk, option, code in Option.objects.filter(
                indicator__methodology=methodology
            ).values_list("pk", "code", "indicator__code")
        }
        codes = [d.code for d in plain.directions]
        rng = self.rng("selfdiag")
        by_region = defaultdict(list)
        for school in self.school_list:
            by_region[school.region_id].append(school)
        spring_strength, autumn_strength = {}, {}
        for school in self.school_list:
            base = rng.uniform(0.35, 0.97)
            spring_strength[school.pk] = {
                code: min(1.0, max(0.1, base + rng.gauss(0, 0.13))) for code in codes
            }
            change = rng.uniform(-0.14, -0.04) if rng.random() < 0.16 else rng.uniform(0.02, 0.14)
            autumn_strength[school.pk] = {
                code: min(1.0, max(0.1, v + change + rng.gauss(0, 0.04)))
                for code, v in spring_strength[school.pk].items()
            }
        creator = (
            get_user_model()
            .objects.filter(username=f"{USER_PREFIX}{self.run_tag}op-{self.regions[0].code}")
            .first()
        )
        done = 0
        for region in self.regions:
            schools = by_region[region.pk]
            with transaction.atomic():
                for (name, opens, closes), strengths, closed in (
                    (ROUNDS[0], spring_strength, True),
                    (ROUNDS[1], autumn_strength, False),
                ):
                    round_ = Round.objects.create(
                        region=region,
                        name=name if not self.run_tag else f"{name} [{self.run_tag.rstrip('-')}]",
                        opens_on=opens,
                        closes_on=closes,
                        methodology=methodology,
                        status=Round.Status.CLOSED if closed else Round.Status.OPEN,
                        created_by=creator,
                    )
                    insert_rows(
                        Round.schools.through,
                        ["round", "organization"],
                        ((round_.pk, school.pk) for school in schools),
                    )
                    for start in range(0, len(schools), BATCH):
                        self._submissions(
                            rng, round_, schools[start : start + BATCH], strengths, compiled, closed
                        )
            done += len(schools)
            self.say(f"самодиагностика: {region.name} — школ {len(schools)} (всего {done})")
        self.counts["анкет"] = done * 2

    def _answers(self, rng, plan, strength) -> dict[str, str]:
        answers = {}
        for indicator in plan.indicators:
            options = sorted(indicator.points.items(), key=lambda pair: pair[1])
            level = strength[indicator.direction]
            if indicator.critical:
                missed = rng.random() < 0.25 * (1 - level) ** 3
                answers[indicator.code] = options[0][0] if missed else options[-1][0]
                continue
            position = level * (len(options) - 1) + rng.gauss(0, 0.55)
            answers[indicator.code] = options[min(len(options) - 1, max(0, round(position)))][0]
        return answers

    def _submissions(self, rng, round_, schools, strengths, compiled, closed) -> None:
        now = timezone.now()
        rows, answers_of, results = [], [], []
        for school in schools:
            profile = SchoolProfile(school.education_levels, school.has_ovz_pupils)
            answers = self._answers(rng, compiled.plan(profile), strengths[school.pk])
            result = score(compiled, profile, answers)
            submitted = timezone.make_aware(
                datetime.datetime.combine(
                    round_.opens_on + datetime.timedelta(days=rng.randint(2, 40)),
                    datetime.time(9),
                )
                + datetime.timedelta(minutes=rng.randint(0, 480))
            )
            accepted = closed or rng.random() < 0.6
            rows.append(
                Submission(
                    round=round_,
                    school=school,
                    status=Submission.Status.ACCEPTED if accepted else Submission.Status.SUBMITTED,
                    profile_levels=list(school.education_levels),
                    profile_has_ovz=school.has_ovz_pupils,
                    submitted_at=submitted,
                    reviewed_at=submitted + datetime.timedelta(days=rng.randint(2, 9))
                    if accepted
                    else None,
                    # The stored result, as selfdiag.results._store_batch writes it.
                    total_points=result.total_points,
                    max_points=result.max_points,
                    share=result.share,
                    level=result.level,
                    capped_by_critical=result.capped_by_critical,
                    unanswered_count=len(result.unanswered) + len(result.invalid),
                    deficit_count=len(result.deficits),
                    scored_at=now,
                )
            )
            answers_of.append(answers)
            results.append(result)
        Submission.objects.bulk_create(rows, batch_size=BATCH)
        insert_rows(
            DirectionResult,
            [
                "submission",
                "round",
                "school",
                "direction",
                "direction_code",
                "points",
                "max_points",
                "share",
                "level",
                "capped_by_critical",
            ],
            (
                (
                    submission.pk,
                    round_.pk,
                    submission.school_id,
                    self.direction_ids[item.direction],
                    item.direction,
                    item.points,
                    item.max_points,
                    item.share,
                    item.level,
                    item.capped_by_critical,
                )
                for submission, result in zip(rows, results, strict=True)
                for item in result.directions
            ),
        )
        self.counts["результатов по направлениям"] += sum(len(r.directions) for r in results)
        self.counts["дефицитов"] += insert_rows(
            Deficit,
            [
                "submission",
                "round",
                "school",
                "indicator",
                "indicator_code",
                "direction_code",
                "points",
                "max_points",
                "critical",
                "position",
            ],
            (
                (
                    submission.pk,
                    round_.pk,
                    submission.school_id,
                    self.indicator_ids[deficit.indicator],
                    deficit.indicator,
                    deficit.direction,
                    deficit.points,
                    deficit.max_points,
                    deficit.critical,
                    position,
                )
                for submission, result in zip(rows, results, strict=True)
                for position, deficit in enumerate(result.deficits)
            ),
        )
        if self.store_answers:
            answered_at = connection.ops.adapt_datetimefield_value(now)
            self.counts["ответов"] += insert_rows(
                Answer,
                ["submission", "indicator", "option", "answered_by", "answered_at"],
                (
                    (
                        submission.pk,
                        self.indicator_ids[code],
                        self.option_ids[(code, option)],
                        None,
                        answered_at,
                    )
                    for submission, answers in zip(rows, answers_of, strict=True)
                    for code, option in answers.items()
                ),
            )


def generate(**kwargs) -> dict[str, int]:
    return Generator(**kwargs).run()


def generated_answers(compiled, schools, seed: int = 1) -> list[tuple[SchoolProfile, dict]]:
    """Answer dicts for `schools` the way the generator draws them, for scoring benchmarks."""
    generator = Generator(seed=seed)
    rng = generator.rng("answers")
    out = []
    for school in schools:
        profile = SchoolProfile(school.education_levels, school.has_ovz_pupils)
        base = rng.uniform(0.35, 0.97)
        strength = {
            d.code: min(1.0, max(0.1, base + rng.gauss(0, 0.13))) for d in compiled.directions
        }
        out.append((profile, generator._answers(rng, compiled.plan(profile), strength)))
    return out


# A large plan as a Word document, for the import benchmark -------------------------------------


def plan_docx(items: int = 300, seed: int = 2026) -> bytes:
    """A plan of `items` items in the layout regional plans are published in: the grif, the
    title, one table (merged section rows, then items), the glossary after it."""
    import io

    from docx import Document

    rng = random.Random(f"{seed}:docx")
    document = Document()
    for line in (
        "УТВЕРЖДЕНО",
        "распоряжением Министерства образования",
        f"от 26.09.{YEAR - 1} № 3.12-1331-р",
    ):
        document.add_paragraph(line)
    document.add_paragraph("")
    heading = document.add_paragraph()
    heading.add_run(
        f"Дорожная карта реализации проекта «Школа Минпросвещения России» на {YEAR} год"
    ).bold = True
    table = document.add_table(rows=1, cols=5)
    for cell, title in zip(
        table.rows[0].cells,
        ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственные", "Ожидаемый результат"],
        strict=True,
    ):
        cell.text = title
    parties = ["ИРО", "МО", "ОМСУ", "ММС", "ОО"]
    per_section = _split(items, [1.0] * len(SECTION_TITLES), minimum=1)
    for index, (title, count) in enumerate(zip(SECTION_TITLES, per_section, strict=True), 1):
        cells = table.add_row().cells
        merged = cells[0].merge(cells[-1])
        merged.text = ""
        merged.paragraphs[0].add_run(f"{index}. {title}").bold = True
        for number in range(1, count + 1):
            row = table.add_row().cells
            row[0].text = f"{index}.{number}."
            row[1].text = f"{rng.choice(ACTIONS)} {rng.choice(SUBJECTS)}"
            row[2].text = rng.choice(DEADLINES_CALENDAR)
            row[3].text = ", ".join(rng.sample(parties, rng.choice((1, 2))))
            row[4].text = rng.choice(RESULTS)
    document.add_paragraph("Обозначения и сокращения")
    glossary = document.add_table(rows=0, cols=2)
    for short, full in (
        ("ИРО", "Институт развития образования"),
        ("МО", "Министерство образования"),
        ("ОМСУ", "органы местного самоуправления, осуществляющие управление в сфере образования"),
        ("ММС", "муниципальные методические службы"),
        ("ОО", "общеобразовательные организации"),
    ):
        cells = glossary.add_row().cells
        cells[0].text, cells[1].text = short, full
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
