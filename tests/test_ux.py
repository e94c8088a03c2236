"""What a new user hits (issue 12): links and e-mails, associations, owners and consultants, words."""

import re

from tests.test_campaigns import associations, run_worker  # noqa: F401 - the fixture is used by name
from tests.test_workspace import url

THREE = "Firm One, Ms Li, li@example.com\nFirm Two, Mr Wu, wu@example.com\nFirm Three, Ms Ma, ma@example.com\n"


def test_it_counts_the_members_invited_by_pasting(associations, django_capture_on_commit_callbacks):  # noqa: F811
    x = associations["x"]
    for lang, expected in (("zh-hans", "已邀请 3 家会员"), ("en", "3 members invited")):
        x["campaign"].invitations.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            response = x["client"].post(
                url("campaign_invite", x["campaign"].pk, lang=lang), {"members": THREE}, follow=True
            )
        assert expected in response.content.decode()


def test_it_fills_the_campaign_dates_in_a_form_a_date_input_accepts(associations):  # noqa: F811
    x = associations["x"]
    for lang in ("zh-hans", "en"):
        page = x["client"].get(url("association_home", lang=lang)).content.decode()
        for name in ("opens_on", "closes_on"):
            field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
            assert re.search(r'value="\d{4}-\d{2}-\d{2}"', field), (lang, field)
