"""The retirement's rewrite of records in real edx-submissions tables, in a process of its own.

Run as ``python -m tests.xblock.openedx_records``: Django is set up with edx-submissions on
an SQLite database in memory (migrated), which no other test process may share. Rows are
written through the submissions API as the block writes records, read once so the API
caches them, then :meth:`koula_xblock.openedx.lms_rows.LmsLearnerRows.rewrite_records`
erases one learner; and the retirement receiver describes a Django user. Prints JSON: the
retiree, how many rows changed, every row's learner, item type,
status and answer as the table holds them, and each row as the (cached) API answers it.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

COURSE = "course-v1:Koula+C1+2026"
ITEM = "block-v1:Koula+C1+2026+type@koula+block@usage-1"


def configure() -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    settings.configure(
        SECRET_KEY="openedx-records-tests-only",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "submissions"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        USE_TZ=True,
    )
    django.setup()
    call_command("migrate", verbosity=0)


def main() -> None:
    configure()
    from submissions import api
    from submissions.models import Submission

    from koula_xblock.openedx.lms_rows import LmsLearnerRows
    from koula_xblock.retirement import erased_record

    def save(student: str, answer: dict[str, object], item_type: str = "koula") -> str:
        item_id = ITEM if item_type == "koula" else ITEM.replace("koula", item_type)
        item = {
            "course_id": COURSE,
            "item_id": item_id,
            "item_type": item_type,
            "student_id": student,
        }
        return str(api.create_submission(item, answer)["uuid"])

    card = {"practice_name": "Zoé's words"}
    done = "2026-11-28T09:30:15.123Z"
    record = {"deliverable": {"status": "submitted", "values": card, "submitted_at": done}}
    uuids = [
        save("anon-zoe", {**record, "name": "Zoé Quintana"}),
        save("anon-zoe", {**record, "name": "Zoé Q."}),
        save("anon-ben", {**record, "name": "Ben"}),
        save("anon-zoe", {"answer": "Zoé's ORA answer"}, item_type="openassessment"),
    ]
    deleted = save("anon-zoe", {**record, "name": "Zoé Quintana"})
    Submission.objects.filter(uuid=deleted).update(status="D")
    for uuid in uuids:
        api.get_submission(uuid)  # the API caches what it read
    rows = LmsLearnerRows(SimpleNamespace(pk=1))
    changed = rows.rewrite_records(
        frozenset({"anon-zoe"}),
        lambda item, answer: erased_record(None, answer, "Participant 5ca1ab"),
    )
    table = [
        {
            "student": row.student_item.student_id,
            "item_type": row.student_item.item_type,
            "status": row.status,
            "answer": row.answer,
        }
        for row in Submission._objects.select_related("student_item").order_by("id")
    ]
    from django.contrib.auth.models import User

    from koula_xblock.openedx.signals import retiree_of

    user = User.objects.create(username="zquintana", first_name="Zoé", last_name="Quintana")
    retiree = retiree_of(user, frozenset({"anon-zoe"}))
    json.dump(
        {
            "retiree": {
                "learner_ids": sorted(retiree.learner_ids),
                "names": list(retiree.names),
                "label": retiree.label,
            },
            "changed": changed,
            "table": table,
            "api": [api.get_submission(uuid)["answer"] for uuid in uuids],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
