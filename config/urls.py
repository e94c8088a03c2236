from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView, TemplateView

from assessment.api import views as api_views


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")  # at request time: the hashed name exists once collected


urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The JSON API for organisations' own systems (outside the language prefixes: a machine's URL
    # does not change with a language; messages follow Accept-Language).
    path("api/v1/", include("assessment.api.urls", namespace="api")),
    re_path(r"^api/", api_views.not_found),
    # Crawlers ask for it at the root, outside the language prefixes.
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain"), name="robots"),
    # Browsers ask for it at the root where a response has no <link rel="icon"> (a PDF, say).
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
]
urlpatterns += i18n_patterns(path("", include("assessment.urls")))

# Pages keep Django's error pages (templates/400.html, 500.html); the API answers JSON even there.
handler400 = "assessment.api.views.bad_request"
handler500 = "assessment.api.views.server_error"
