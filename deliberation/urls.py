from django.contrib import admin
from django.urls import include, path, register_converter

from deliberation.converters import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("compounds.urls")),
    path("", include("meetings.urls")),
    path("", include("proposals.urls")),
    path("", include("voting.urls")),
    path("", include("minutes.urls")),
]
