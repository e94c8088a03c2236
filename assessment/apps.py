import ctypes.util

from django.apps import AppConfig
from django.core import checks


class AssessmentConfig(AppConfig):
    name = "assessment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from assessment import signals  # noqa: F401 - connects the stored-PDF cleanup

        checks.register(fast_font_subsetting, checks.Tags.compatibility)


def fast_subsetting_available() -> bool:
    """WeasyPrint subsets fonts quickly only with HarfBuzz's subset library (Debian libharfbuzz-subset0)."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


def fast_font_subsetting(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn at start-up (runserver, workers, `check`) when PDFs would take ~15 s each."""
    if not fast_subsetting_available():
        return [
            checks.Warning(
                "HarfBuzz's subset library is missing: Chinese PDF reports will render very slowly.",
                hint="Install it: apt-get install libharfbuzz-subset0 (make setup does this as root).",
                id="assessment.W001",
            )
        ]
    return []
