"""Labels of the content vocabulary's codes (plan horizons, priority levels, firm facts) in the
active language: the report, the results page, the exports and the dashboard all read them here."""

from django.utils.translation import gettext_lazy

from assessment.models import ActionProgress

HORIZON_LABELS = {
    "now": gettext_lazy("Start now"),
    "3m": gettext_lazy("Within 3 months"),
    "12m": gettext_lazy("Within 12 months"),
}
PRIORITY_LABELS = {
    "critical": gettext_lazy("Critical"),
    "high": gettext_lazy("High priority"),
    "medium": gettext_lazy("Medium priority"),
    "low": gettext_lazy("Low priority"),
}
FACT_LABELS = {
    "sector": {
        "primary": gettext_lazy("Primary sector"),
        "secondary": gettext_lazy("Secondary sector"),
        "tertiary": gettext_lazy("Tertiary sector"),
    },
    "region": {
        "eastern": gettext_lazy("Eastern region"),
        "central": gettext_lazy("Central region"),
        "western": gettext_lazy("Western region"),
    },
    "size_class": {
        "micro": gettext_lazy("Micro enterprise"),
        "small": gettext_lazy("Small enterprise"),
        "medium": gettext_lazy("Medium-sized enterprise"),
        "large": gettext_lazy("Above the SME thresholds"),
    },
    "export_orientation": {
        "exporting": gettext_lazy("Exporting"),
        "planning": gettext_lazy("Planning to export"),
        "domestic": gettext_lazy("Domestic market only"),
    },
}
# The name of each fact shown with a firm (definition.SHOWN_FACTS), e.g. in the report's header.
FACT_NAMES = {
    "sector": gettext_lazy("Sector"),
    "region": gettext_lazy("Region"),
    "size_class": gettext_lazy("Size class"),
    "export_orientation": gettext_lazy("Exports"),
}
# Group headers of the industry drop-down: each sector with what it covers.
SECTOR_GROUPS = {
    "primary": gettext_lazy("Primary sector (agriculture)"),
    "secondary": gettext_lazy("Secondary sector (industry and construction)"),
    "tertiary": gettext_lazy("Tertiary sector (services)"),
}
# Where the firm has got with an action (plan.services.action_progress_set).
STATUS_LABELS = dict(ActionProgress.Status.choices)
