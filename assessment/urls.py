"""The app's URLs, one list per feature package; every URL name is used by templates and tests."""

from assessment.accounts import urls as accounts
from assessment.api import urls as api
from assessment.bulk import urls as bulk
from assessment.campaigns import urls as campaigns
from assessment.reports import urls as reports
from assessment.wizard import urls as wizard
from assessment.workspace import urls as workspace

urlpatterns = [
    *wizard.urlpatterns,
    *reports.urlpatterns,
    *accounts.urlpatterns,
    *workspace.urlpatterns,
    *campaigns.urlpatterns,
    *bulk.urlpatterns,
    *api.page_urlpatterns,
]
