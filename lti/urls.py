"""The tool's URLs (``docs/lti.md``: the URLs an administrator needs; ``docs/learner-api.md``)."""

from django.contrib import admin
from django.urls import path, re_path

from lti.views import (
    api,
    basics,
    calendar,
    launch,
    learner_data,
    picker,
    register,
    reminders,
    report,
    series_report,
    staff,
)

# Django tries the patterns in order: the busiest come first (the learner actions, the launch).
urlpatterns = [
    path("lti/api/<int:activity_id>/my_data", learner_data.my_data_api, name="my-data-api"),
    path("lti/api/<int:activity_id>/<str:action>", api.learner_action, name="learner-action"),
    path("lti/login", launch.login, name="login"),
    path("lti/launch", launch.launch, name="launch"),
    path("healthz", basics.healthz, name="healthz"),
    path("readyz", basics.readyz, name="readyz"),
    path("lti/jwks.json", basics.jwks, name="jwks"),
    path("lti/deep-link", picker.deep_link_submit, name="deep-link"),
    path("lti/configure", picker.configure_submit, name="configure"),
    path("lti/next-host", staff.next_host_submit, name="next-host"),
    path("lti/nudge", reminders.nudge_submit, name="nudge"),
    path("lti/reminders/return/<str:token>", reminders.return_page, name="reminder-return"),
    path(
        "lti/reminders/unsubscribe/<str:token>",
        reminders.unsubscribe_page,
        name="reminder-unsubscribe",
    ),
    path("lti/session-date", staff.session_date_submit, name="session-date"),
    # An admin's registration link (koula platforms invite); without one, a 403 page.
    path("lti/register", register.dynamic_registration, name="register"),
    re_path(r"^lti/register/(?P<token>[\s\S]*)\Z", register.dynamic_registration, name="invited"),
    path("lti/my-data/<str:link>", learner_data.my_data_file, name="my-data"),
    path("lti/privacy", learner_data.privacy_page, name="privacy"),
    path("lti/calendar/<str:link>", calendar.calendar_file, name="experiment-calendar"),
    path("lti/static/<str:name>", basics.asset, name="asset"),
    path("favicon.ico", basics.favicon, name="favicon"),
    path("lti/report/<str:link>", report.report_page, name="report-page"),
    path("lti/report/<str:link>/koula.csv", report.export_csv, name="report-csv"),
    path("lti/report/<str:link>/tickets", report.report_ticket, name="report-ticket"),
    path("lti/report/<str:link>/window", report.report_window, name="report-window"),
    path("lti/report/<str:link>/series", series_report.series_page, name="series-page"),
    path("lti/report/<str:link>/koula-series.csv", series_report.series_csv, name="series-csv"),
    path("lti/report/<str:link>/series-window", series_report.series_window, name="series-window"),
    path("lti/report/<str:link>/exports", report.export_request, name="export-request"),
    path(
        "lti/report/<str:link>/exports/<int:export_id>",
        report.export_status,
        name="export-status",
    ),
    path(
        "lti/report/<str:link>/exports/<int:export_id>/koula.csv",
        report.export_download,
        name="export-download",
    ),
    path(
        "lti/report/<str:link>/learners/<path:learner_id>",
        report.learner_detail_page,
        name="report-learner",
    ),
    path("admin/", admin.site.urls),
]
