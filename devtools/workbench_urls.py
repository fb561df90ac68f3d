"""The workbench's URLs, and Koula's icon at ``/favicon.ico`` (the stock workbench answers 404)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from workbench.urls import urlpatterns as workbench_urlpatterns

from koula_ui.assets import asset_text


def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(asset_text("koula-icon.svg"), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


urlpatterns = [path("favicon.ico", favicon), *workbench_urlpatterns]
