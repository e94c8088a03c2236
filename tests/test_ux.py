"""What a new user hits (issue 12): links and e-mails, associations, owners and consultants, words."""


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
