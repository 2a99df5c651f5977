"""The floor of each benchmark: hand-written SQL that answers the same question as the portal's
code, run through the same connection. Its time is what the database itself needs; the ratio
of the portal's time to it is what the ORM, the scoping and the Python around it add.

Table names come from the models, so the SQL is the same on SQLite and PostgreSQL.
"""

from django.db import connection

from orgs.models import Municipality, Organization
from roadmaps.models import Direction, Item, ItemResponsible, Party, Roadmap
from selfdiag.models import Deficit, DirectionResult, MethodologyDirection, Round, Submission

SCORED = "('submitted', 'accepted')"
OPEN_ITEMS = "('not_started', 'in_progress')"


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def deficit_map(round_id: int, region_id: int, methodology_id: int) -> int:
    """The three reads of a region's map: its schools with their overall level, the direction
    results of the round, the round's directions."""
    through = connection.ops.quote_name(Round.schools.through._meta.db_table)
    schools = _fetch(
        f"""
        SELECT o.id, o.short_name, o.municipality_id, m.name, s.level
        FROM {through} rs
        JOIN {_t(Organization)} o ON o.id = rs.organization_id
        LEFT JOIN {_t(Municipality)} m ON m.id = o.municipality_id
        LEFT JOIN {_t(Submission)} s ON s.round_id = rs.round_id AND s.school_id = o.id
             AND s.status IN {SCORED} AND s.scored_at IS NOT NULL
        WHERE rs.round_id = %s AND o.region_id = %s
        ORDER BY m.name, o.short_name, o.id
        """,
        [round_id, region_id],
    )
    _fetch(
        f"""
        SELECT r.school_id, r.direction_code, r.level, r.points, r.max_points, r.share,
               r.capped_by_critical
        FROM {_t(DirectionResult)} r
        JOIN {_t(Submission)} s ON s.id = r.submission_id
        JOIN {_t(Organization)} o ON o.id = r.school_id
        WHERE r.round_id = %s AND o.region_id = %s
          AND s.status IN {SCORED} AND s.scored_at IS NOT NULL
        """,
        [round_id, region_id],
    )
    _fetch(
        f"""SELECT code, name, {connection.ops.quote_name("group")}
        FROM {_t(MethodologyDirection)} WHERE methodology_id = %s ORDER BY position, id""",
        [methodology_id],
    )
    return len(schools)


def level_distribution(round_name: str) -> int:
    rows = _fetch(
        f"""
        SELECT s.level, COUNT(*)
        FROM {_t(Submission)} s JOIN {_t(Round)} r ON r.id = s.round_id
        WHERE r.name = %s AND s.status IN {SCORED} AND s.scored_at IS NOT NULL
        GROUP BY s.level ORDER BY s.level
        """,
        [round_name],
    )
    return sum(n for _, n in rows)


def items_page(region_id: int | None, size: int = 50) -> int:
    """What one page of /api/v1/items/ shows: 50 items with plan and owner (and one more row, to
    know whether a next page exists; the list does not count the total), their responsible
    parties and directions. In the API's order: by plan, then by id (the index item_roadmap_id)."""
    where, params = ("WHERE o.region_id = %s", [region_id]) if region_id else ("", [])
    rows = _fetch(
        f"""
        SELECT i.id, i.key, i.roadmap_id, i.section_id, i.number, i.title, i.deadline_text,
               i.deadline_kind, i.deadline_start, i.deadline_end, i.deadline_occurrences,
               i.deadline_note, i.deadline_warnings, i.responsible_text, i.result, i.status,
               i.source_item_id, i.position, i.lock_version, p.title, o.short_name
        FROM {_t(Item)} i
        JOIN {_t(Roadmap)} p ON p.id = i.roadmap_id
        JOIN {_t(Organization)} o ON o.id = p.owner_id
        {where}
        ORDER BY i.roadmap_id, i.id
        LIMIT {size + 1}
        """,
        params,
    )[:size]
    ids = [row[0] for row in rows]
    if ids:
        marks = ", ".join(["%s"] * len(ids))
        _fetch(
            f"""SELECT l.item_id, pa.name FROM {_t(ItemResponsible)} l
            JOIN {_t(Party)} pa ON pa.id = l.party_id
            WHERE l.item_id IN ({marks}) ORDER BY l.item_id, l.position""",
            ids,
        )
        through = connection.ops.quote_name(Item.directions.through._meta.db_table)
        _fetch(
            f"""SELECT l.item_id, d.code FROM {through} l
            JOIN {_t(Direction)} d ON d.id = l.direction_id WHERE l.item_id IN ({marks})""",
            ids,
        )
    return len(rows)


def overdue_items(region_id: int, today) -> int:
    rows = _fetch(
        f"""
        SELECT i.id, i.roadmap_id, i.deadline_end
        FROM {_t(Item)} i
        JOIN {_t(Roadmap)} p ON p.id = i.roadmap_id
        JOIN {_t(Organization)} o ON o.id = p.owner_id
        WHERE o.region_id = %s AND (i.deadline_end < %s OR i.next_due < %s)
            AND i.status IN {OPEN_ITEMS}
        ORDER BY i.deadline_end, i.id
        """,
        [region_id, today, today],
    )
    return len(rows)


def round_export(round_name: str, direction_codes: list[str]) -> int:
    """The rows of the results workbook: one per scored submission, a column pair per direction
    and the count of critical deficits."""
    columns, params = [], []
    for code in direction_codes:
        columns.append("MAX(CASE WHEN r.direction_code = %s THEN r.points END)")
        columns.append("MAX(CASE WHEN r.direction_code = %s THEN r.level END)")
        params += [code, code]
    critical = f"(SELECT COUNT(*) FROM {_t(Deficit)} d WHERE d.submission_id = s.id AND d.critical)"
    cursor = connection.cursor()
    count = 0
    try:
        cursor.execute(
            f"""
            SELECT s.id, s.status, s.level, s.total_points, s.max_points, s.share,
                   s.deficit_count, s.unanswered_count, s.submitted_at, o.short_name, o.inn,
                   m.name, {", ".join(columns)}, {critical}
            FROM {_t(Submission)} s
            JOIN {_t(Round)} rd ON rd.id = s.round_id
            JOIN {_t(Organization)} o ON o.id = s.school_id
            LEFT JOIN {_t(Municipality)} m ON m.id = o.municipality_id
            LEFT JOIN {_t(DirectionResult)} r ON r.submission_id = s.id
            WHERE rd.name = %s AND s.scored_at IS NOT NULL
            GROUP BY s.id, o.short_name, o.inn, m.name
            ORDER BY m.name, o.short_name, s.id
            """,
            [*params, round_name],
        )
        while chunk := cursor.fetchmany(2000):
            count += len(chunk)
    finally:
        cursor.close()
    return count


def answer_save(school_id: int, round_id: int, indicator_code: str) -> int:
    """One autosave in SQL: in a transaction, lock the submission (FOR UPDATE on PostgreSQL),
    update the answer row to its own option, touch the submission, read the answered ids for
    the counts. What the database needs for a save, without the request around it."""
    from django.db import transaction
    from django.utils import timezone

    from selfdiag.models import Answer, Indicator

    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with transaction.atomic():
        rows = _fetch(
            f"SELECT id FROM {_t(Submission)} WHERE round_id = %s AND school_id = %s{lock}",
            [round_id, school_id],
        )
        if not rows:
            return 0
        (submission_id,) = rows[0]
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {_t(Answer)} SET answered_at = %s
                WHERE submission_id = %s AND indicator_id = (
                    SELECT i.id FROM {_t(Indicator)} i
                    JOIN {_t(Round)} r ON r.methodology_id = i.methodology_id
                    WHERE r.id = %s AND i.code = %s)
                """,
                [now, submission_id, round_id, indicator_code],
            )
            cursor.execute(
                f"UPDATE {_t(Submission)} SET updated = %s WHERE id = %s", [now, submission_id]
            )
        return len(
            _fetch(
                f"SELECT indicator_id FROM {_t(Answer)} WHERE submission_id = %s", [submission_id]
            )
        )
