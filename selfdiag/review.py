"""Who reviews a school's self-diagnosis: what the questionnaire and result pages, the inbox and
notifications show.

The same rule as for the school's plan (orgs/reviewers.py): the school's municipal education
office, or the region's bodies when nobody in the municipality may write; selfdiag/access.py
`can_review` lets any writer of those levels accept or return the questionnaire.
"""

from orgs.reviewers import Reviewers, reviewers_of
from selfdiag.models import Submission

__all__ = ["Reviewers", "reviewers_for"]


def reviewers_for(submission: Submission) -> Reviewers:
    """Who reviews `submission`: `Reviewers(organization, users)`; one query (two when
    nobody can write at the reviewing levels). Pass a submission with `school` loaded
    (select_related) to save the query that reads it."""
    return reviewers_of(submission.school)
