"""Loading a methodology document into the database, creating or updating it by version.

The document is validated first (selfdiag.methodology, every problem reported in Russian); the
rows are then brought in line with it in one transaction: new directions, indicators and options
are added, changed ones updated, the ones the document no longer has removed (with the answers
given to them). Results of rounds that use the version are recomputed.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from portal import russian
from roadmaps.models import Direction as RoadmapDirection
from selfdiag import methodology as plain
from selfdiag.models import Indicator, Methodology, MethodologyDirection, Option
from selfdiag.results import recompute


@dataclass
class LoadReport:
    methodology: Methodology
    created: bool
    indicators_added: int = 0
    indicators_updated: int = 0
    indicators_removed: int = 0
    recomputed: int = 0

    def summary(self) -> str:
        verb = "загружена" if self.created else "обновлена"
        parts = [
            f"Методика {russian.quote(self.methodology.name)} "
            f"(версия {self.methodology.version}) {verb}: "
            f"направлений {self.methodology.directions.count()}, "
            f"показателей {self.methodology.indicators.count()}."
        ]
        if not self.created:
            parts.append(
                f"Показателей добавлено {self.indicators_added}, изменено "
                f"{self.indicators_updated}, удалено {self.indicators_removed}."
            )
        if self.recomputed:
            parts.append(
                f"Пересчитаны результаты {russian.count(self.recomputed, 'анкеты,анкет,анкет')}."
            )
        return " ".join(parts)


def read_document(path: str | Path) -> tuple[plain.Methodology, dict]:
    """The validated methodology and the document as written. Raises MethodologyError."""
    methodology = plain.load_methodology(path)
    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text) if Path(path).suffix.lower() == ".json" else yaml.safe_load(text)
    return methodology, data


def load_file(path: str | Path, *, is_demo: bool = False) -> LoadReport:
    methodology, data = read_document(path)
    return save_methodology(methodology, source=data, filename=Path(path).name, is_demo=is_demo)


def load_demo() -> Methodology:
    """The demonstration methodology, loaded once (a second call changes nothing)."""
    existing = Methodology.objects.filter(version="2024-demo").first()
    if existing is not None:
        return existing
    return load_file(plain.DEMO_METHODOLOGY_PATH, is_demo=True).methodology


def _thresholds(thresholds: plain.Thresholds) -> dict:
    return {
        "threshold_mode": thresholds.mode,
        "threshold_base": thresholds.base,
        "threshold_medium": thresholds.medium,
        "threshold_high": thresholds.high,
    }


def _changed(instance, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


@transaction.atomic
def save_methodology(
    methodology: plain.Methodology, *, source: dict, filename: str = "", is_demo: bool = False
) -> LoadReport:
    row, created = Methodology.objects.get_or_create(
        version=methodology.version,
        defaults={"name": methodology.name, **_thresholds(methodology.thresholds)},
    )
    row.name = methodology.name
    row.description = methodology.description
    row.is_demo = is_demo
    row.critical_caps_overall = methodology.critical_caps_overall
    row.source = source
    row.source_filename = filename[:255]
    row.loaded_at = timezone.now()
    for name, value in _thresholds(methodology.thresholds).items():
        setattr(row, name, value)
    row.save()
    report = LoadReport(methodology=row, created=created)

    roadmap_directions = dict(RoadmapDirection.objects.values_list("code", "pk"))
    directions = {d.code: d for d in row.directions.all()}
    for position, direction in enumerate(methodology.directions):
        values = {
            "name": direction.name,
            "group": direction.group,
            "position": position,
            "roadmap_direction_id": roadmap_directions.get(direction.code),
            **_thresholds(direction.thresholds),
        }
        existing = directions.get(direction.code)
        if existing is None:
            directions[direction.code] = MethodologyDirection.objects.create(
                methodology=row, code=direction.code, **values
            )
        elif _changed(existing, values):
            existing.save()

    indicators = {i.code: i for i in row.indicators.prefetch_related("options")}
    wanted = {i.code for i in methodology.indicators}
    removed = [i.pk for code, i in indicators.items() if code not in wanted]
    report.indicators_removed = len(removed)
    Indicator.objects.filter(pk__in=removed).delete()

    new_indicators: list[tuple[Indicator, plain.Indicator]] = []
    new_options: list[Option] = []
    positions: dict[str, int] = {}
    for indicator in methodology.indicators:
        position = positions.get(indicator.direction, 0)
        positions[indicator.direction] = position + 1
        levels = indicator.applies_to.levels
        values = {
            "direction": directions[indicator.direction],
            "wording": indicator.wording,
            "critical": indicator.critical,
            "for_noo": "НОО" in levels,
            "for_ooo": "ООО" in levels,
            "for_soo": "СОО" in levels,
            "ovz_only": bool(indicator.applies_to.ovz),
            "position": position,
        }
        existing = indicators.get(indicator.code)
        if existing is None:
            new_indicators.append(
                (Indicator(methodology=row, code=indicator.code, **values), indicator)
            )
            continue
        changed = _changed(existing, values)
        if changed:
            existing.save()
        old_options = {o.code: o for o in existing.options.all()}
        changed |= _sync_options(existing, indicator, old_options, new_options)
        report.indicators_updated += changed
    Indicator.objects.bulk_create([row_ for row_, _ in new_indicators])
    for indicator_row, indicator in new_indicators:
        _sync_options(indicator_row, indicator, {}, new_options)
    report.indicators_added = 0 if created else len(new_indicators)
    Option.objects.bulk_create(new_options)
    wanted_directions = {direction.code for direction in methodology.directions}
    MethodologyDirection.objects.filter(methodology=row).exclude(
        code__in=wanted_directions
    ).delete()

    report.recomputed = recompute(row)
    return report


def _sync_options(indicator_row, indicator, old_options, new_options) -> bool:
    changed = False
    wanted = {option.code for option in indicator.options}
    gone = [o.pk for code, o in old_options.items() if code not in wanted]
    if gone:
        Option.objects.filter(pk__in=gone).delete()
        changed = True
    for position, option in enumerate(indicator.options):
        values = {"label": option.label, "points": float(option.points), "position": position}
        existing = old_options.get(option.code)
        if existing is None:
            new_options.append(Option(indicator=indicator_row, code=option.code, **values))
            changed = True
        elif _changed(existing, values):
            existing.save()
            changed = True
    return changed
