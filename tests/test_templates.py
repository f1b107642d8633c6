"""Template hygiene that Django does not check for us."""

import re
from pathlib import Path

from django.conf import settings

# A {# … #} comment must end on its own line; one that runs on is printed as text (the
# sign-in page once showed a developer's note to everyone).
RUN_ON_COMMENT = re.compile(r"\{#(?:(?!#\}).)*\n")


def test_no_single_line_comment_runs_over_lines():
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0).strip()[:60]}"
        for root in roots for path in sorted(root.rglob("*.html"))
        for match in RUN_ON_COMMENT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "\n".join(offenders)
