from django.contrib.staticfiles.apps import StaticFilesConfig


class WebStaticFilesConfig(StaticFilesConfig):
    """collectstatic gathers what browsers load. The report fonts (5.9 MB) and the report
    stylesheet are read only by WeasyPrint, straight from static/ (reports/pdf.py): copying,
    hashing and compressing them took most of collectstatic's time and disk for nothing. Nor
    do pages load Bootstrap's full stylesheet: it is the source `make css` reduces. Nor Django
    REST framework's browsable API files: the API renders JSON only (its docs are Swagger UI,
    from drf-spectacular-sidecar), and their CSS names fonts the "fonts" pattern leaves out,
    which the manifest storage refuses. Nor Redoc (drf-spectacular-sidecar's other docs
    viewer, 5 MB): the docs page is Swagger UI."""

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "fonts",
        "css/report.css",
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.min.css.map",
        "rest_framework",
        "drf_spectacular_sidecar/redoc/*",  # fnmatch: * spans folders; a folder matches by its name only
    ]
