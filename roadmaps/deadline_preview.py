"""What a deadline typed in the editor means: the dates of the plan's period it is read as,
shown under the field as the user types and answered by the API alike."""

from roadmaps.deadlines import parse_deadline
from roadmaps.models import Item, Roadmap

# As long as Item.deadline_text may be: a longer text is cut, not refused.
MAX_LENGTH = 500


def preview_deadline(text: str, roadmap: Roadmap) -> dict:
    """The deadline as parsed against the plan's period: kind (with its Russian label), start,
    end, occurrences, note and warnings (a date outside the period, a phrase not understood)."""
    deadline = parse_deadline(text, roadmap.period)
    return {
        "text": text,
        "kind": str(deadline.kind),
        "kind_label": Item.DeadlineKind(str(deadline.kind)).label,
        "start": deadline.start,
        "end": deadline.end,
        "occurrences": deadline.occurrences,
        "note": deadline.note,
        "warnings": deadline.warnings,
    }
