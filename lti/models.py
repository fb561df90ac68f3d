"""What the tool stores: platforms, keys, activities, learners' states, the score outbox and the
xAPI statement outbox.

Every learner-facing row hangs off a :class:`Deployment` of a :class:`Registration`
(one tenant), so a query that starts from the launch's deployment can never
reach another tenant's data.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

__all__ = [
    "Activity",
    "Deployment",
    "Invitation",
    "LaunchState",
    "LearnerErasure",
    "LearnerRecord",
    "LtiUser",
    "Registration",
    "ReportExport",
    "ScoreOutbox",
    "SentReminder",
    "StatementOutbox",
    "ToolKey",
    "UsedNonce",
]


class Registration(models.Model):
    """One platform registration, keyed by ``(issuer, client_id)`` as LTI requires."""

    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=255)
    auth_login_url = models.URLField(max_length=500)
    auth_token_url = models.URLField(max_length=500)
    keyset_url = models.URLField(max_length=500)
    name = models.CharField(max_length=200, blank=True)
    accept_new_deployments = models.BooleanField(
        default=False, help_text="Accept launches from deployment ids not yet listed."
    )
    added_by_admin = models.BooleanField(
        default=False,
        help_text="Registered with 'koula platforms add': its hosts may be on a private network.",
    )
    configuration_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Where dynamic registration read the platform configuration (origin trusted).",
    )
    service_origins = models.JSONField(
        default=list,
        blank=True,
        help_text="More origins (scheme://host:port) an admin trusts for AGS and NRPS URLs.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="registration_unique")
        ]

    def __str__(self) -> str:
        return self.name or f"{self.issuer} ({self.client_id})"


class Invitation(models.Model):
    """A single-use dynamic registration link (``koula platforms invite``).

    Only the SHA-256 of the token is stored: the URL printed once is the secret.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    spent_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )


class Deployment(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="deployments"
    )
    deployment_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "deployment_id"], name="deployment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} / {self.deployment_id}"


class ToolKey(models.Model):
    """One of the tool's RSA keys: next (published, not yet signing), current, or retiring."""

    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    retire_after = models.DateTimeField(null=True, blank=True)


class UsedNonce(models.Model):
    """A launch nonce already consumed: a replayed id_token carries one of these and fails."""

    issuer = models.CharField(max_length=500)
    nonce = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "nonce"], name="nonce_once")]


class LaunchState(models.Model):
    """An OIDC login in flight: its ``state`` and ``nonce``, consumed by the launch.

    ``storage_target`` and ``storage_value`` are set when the login bound the browser
    through the platform's storage (``lti.put_data``) instead of a cookie;
    ``login_params`` keeps the login request so the launch can be re-run in a new window.
    """

    state = models.CharField(max_length=100, unique=True)
    nonce = models.CharField(max_length=100)
    # Neither has an index of its own: only deleting a registration looks logins up by it,
    # and only the minutely removal of expired logins by expiry, each over the few minutes'
    # logins the table holds (a launch removes its login), while every login and launch
    # would write both indexes.
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, db_index=False)
    expires_at = models.DateTimeField()
    storage_target = models.CharField(max_length=255, blank=True)
    storage_value = models.CharField(max_length=100, blank=True)
    login_params = models.JSONField(default=dict, blank=True)


class Activity(models.Model):
    """One Koula activity: a resource link in one deployment, with the settings staff chose."""

    deployment = models.ForeignKey(  # indexed first by activity_unique and activity_series
        Deployment, on_delete=models.CASCADE, related_name="activities", db_index=False
    )
    resource_link_id = models.CharField(max_length=255)
    context_id = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    configured = models.BooleanField(default=False)
    lineitem_url = models.URLField(max_length=1000, blank=True)
    lineitems_url = models.URLField(max_length=1000, blank=True)
    score_maximum = models.FloatField(default=100)
    memberships_url = models.URLField(max_length=1000, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    next_host = models.CharField(
        max_length=100, blank=True, help_text="Who hosts the next session, as staff confirmed it."
    )
    host_turns = models.JSONField(
        default=list,
        blank=True,
        help_text="The hand-overs so far, oldest first; the last is the next host.",
    )
    session_date = models.DateField(
        null=True, blank=True, help_text="The session's day in the series, as staff set it."
    )
    course_url = models.URLField(
        max_length=1000,
        blank=True,
        help_text="The launch's return URL: the way back to the course.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "resource_link_id"], name="activity_unique"
            )
        ]
        indexes = [models.Index(fields=["deployment", "context_id"], name="activity_series")]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class LtiUser(models.Model):
    """A person as one platform knows them (``sub`` is unique only within a registration)."""

    # indexed first by user_unique
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, db_index=False)
    sub = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=255, blank=True)
    language = models.CharField(
        max_length=10, blank=True, help_text="The language of the person's last launch."
    )
    unsubscribed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person turned Koula's reminder e-mails off."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "sub"], name="user_unique")]


class LearnerRecord(models.Model):
    """One learner's state (:class:`koula.state.LearnerState` data) in one activity."""

    activity = models.ForeignKey(  # indexed first by record_unique
        Activity, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    user = models.ForeignKey(LtiUser, on_delete=models.CASCADE)
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "user"], name="record_unique")]


class ScoreOutbox(models.Model):
    """A score to deliver to the platform, written in the same transaction as the action."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        SUPERSEDED = "superseded"
        REFUSED = "refused"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="scores")
    user = models.ForeignKey(LtiUser, on_delete=models.CASCADE)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    uncertain = models.BooleanField(
        default=False, help_text="The last attempt timed out: the platform may have it already."
    )
    conflicts = models.PositiveSmallIntegerField(
        default=0, help_text="HTTP 409s met by this score (a newer one held by the platform)."
    )
    next_attempt_at = models.DateTimeField()  # found through the (status, next_attempt_at) index
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class StatementOutbox(models.Model):
    """An xAPI statement to deliver to the LRS, written in the same transaction as the action.

    ``statement`` is sent exactly as stored (its ``id`` is :func:`koula.statement_id`), so a
    retry or a second delivery of the same row is the same statement, which an LRS keeps once.
    ``user`` is the learner the statement is about (their data: exported and erased with them).
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        REFUSED = "refused"

    activity = models.ForeignKey(  # indexed first by statement_activity
        Activity, on_delete=models.CASCADE, related_name="statements", db_index=False
    )
    user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="statements")
    statement_id = models.UUIDField(unique=True)
    verb = models.CharField(max_length=40)
    statement = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="statement_due"),
            models.Index(fields=["activity", "status"], name="statement_activity"),
        ]


class ReportExport(models.Model):
    """A CSV export prepared in the background (a queue row, as the score outbox is one)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    learners = models.PositiveIntegerField(default=0, help_text="Rows to write, counted at start.")
    rows_written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    lease_until = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="A worker holds it until then."
    )
    finished_at = models.DateTimeField(null=True, blank=True)


class SentReminder(models.Model):
    """A reminder e-mail sent (or being sent): its key is unique, so none goes twice.

    ``key`` is :func:`koula.reminder_key` for the scheduled reminders, and a key of the
    learner, activity and day for a staff member's nudge (one a day).
    """

    key = models.CharField(max_length=64, unique=True)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(LtiUser, on_delete=models.CASCADE)
    kind = models.CharField(max_length=10)
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)


class LearnerErasure(models.Model):
    """The audit log of erasures: who asked, when, why and how many rows of what went.

    The learner is named only by a keyed hash of their issuer and platform user id
    (:func:`lti.selectors.learner_data.learner_key`): it tells whether a learner was erased,
    and cannot be turned back into who they were.
    """

    class Reason(models.TextChoices):
        REQUEST = "request"
        RETENTION = "retention"

    learner = models.CharField(max_length=64, db_index=True)
    registration = models.ForeignKey(Registration, null=True, on_delete=models.SET_NULL)
    by = models.CharField(max_length=200, help_text="Who erased: the operator, or 'retention'.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    removed = models.JSONField(default=dict, help_text="How many of each kind of row.")
    graded_activities = models.JSONField(
        default=list,
        help_text="On request: the activities whose gradebook had a score of the learner.",
    )
    at = models.DateTimeField(db_index=True)
