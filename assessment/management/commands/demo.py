from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from assessment import selectors, services
from assessment.campaigns import services as campaigns_services
from assessment.campaigns.memberlist import Member
from assessment.languages import EN, ZH_HANS
from assessment.models import Assessment, Invitation, Organisation
from assessment.plan import services as plan_services
from assessment.questionnaire.samples import sample_answers
from assessment.workspace import services as workspace_services

DEMO_USER = "demo"
DEMO_EMAIL = "demo@example.invalid"  # marks the accounts as the demo's own
CONSULTANT = "consultant"
ASSOCIATION_USER = "association"
ASSOCIATION = "武汉市光谷中小企业协会 (demo)"
# Campaign members: (firm, language, industry, employees, quality, state); state is
# "shared" / "private" (submitted, with or without consent), "started" or "invited".
MEMBERS = [
    ("武汉光谷精密仪器有限公司", ZH_HANS, "mfg_machinery", 120, 0.7, "shared"),
    ("湖北楚天物流有限公司", ZH_HANS, "logistics", 60, 0.45, "shared"),
    ("Wuhan Eastlake Biotech Ltd.", EN, "mfg_electronics", 35, 0.8, "shared"),
    ("武汉江城餐饮管理有限公司", ZH_HANS, "hospitality", 40, 0.3, "private"),
    ("黄石新材料科技有限公司", ZH_HANS, "mfg_other", 90, 0.55, "private"),
    ("Hankou Textile Trading Co.", EN, "wholesale", 15, 0.4, "shared"),
    ("武汉长江电子元件有限公司", ZH_HANS, "mfg_electronics", 75, 0.65, "shared"),
    ("武汉云帆软件有限公司", ZH_HANS, "software_it", 25, 0.6, "started"),
    ("孝感鑫源农业合作社", ZH_HANS, "crop_farming", 18, 0.5, "invited"),
]
CONSULTANCY = "成都市中小企业服务中心 (demo)"
CLIENTS = [
    # (firm, profile, [(quality, days ago)]): the first client has two assessments months apart
    (
        "四川川味食品有限公司",
        {
            "industry": "mfg_food",
            "province": "sichuan",
            "employees": 45,
            "revenue": 1800,
            "total_assets": 1200,
            "legal_form": "company",
            "growth_ambition": "grow",
            "export_channel": "indirect",
            "export_share": 5,
            "export_plan": "already",
        },
        [(0.25, 180), (0.6, 7)],
    ),
    (
        "Chengdu Hilltop Tea Farm",
        {
            "industry": "crop_farming",
            "province": "sichuan",
            "employees": 12,
            "revenue": 300,
            "total_assets": 400,
            "legal_form": "cooperative",
            "growth_ambition": "grow",
            "export_channel": "none",
            "export_share": 0,
            "export_plan": "exploring",
        },
        [(0.4, 20)],
    ),
]
DEMO_PASSWORD = "demo-owner-2026"  # noqa: S105 - a published demo login

FIRMS = [
    (
        ZH_HANS,
        0.45,
        {
            "firm_name": "杭州锦程纺织有限公司",
            "industry": "mfg_textiles",
            "province": "zhejiang",
            "employees": 85,
            "revenue": 4200,
            "total_assets": 3100,
            "legal_form": "company",
            "growth_ambition": "grow",
            "export_channel": "direct",
            "export_share": 35,
            "export_plan": "already",
            "main_products": "针织面料和成衣，主要出口东南亚。",
        },
    ),
    (
        EN,
        0.3,
        {
            "firm_name": "Chengdu Riverside Catering Co.",
            "industry": "hospitality",
            "province": "sichuan",
            "employees": 28,
            "revenue": 650,
            "total_assets": 300,
            "legal_form": "company",
            "growth_ambition": "steady",
            "export_channel": "none",
            "export_share": 0,
            "export_plan": "no_plan",
        },
    ),
    (
        ZH_HANS,
        0.65,
        {
            "firm_name": "郑州恒力机械配件厂",
            "industry": "mfg_machinery",
            "province": "henan",
            "employees": 160,
            "revenue": 9000,
            "total_assets": 7000,
            "legal_form": "company",
            "growth_ambition": "lead",
            "export_channel": "none",
            "export_share": 0,
            "export_plan": "planned",
        },
    ),
    (
        EN,
        0.8,
        {
            "firm_name": "Xiamen Bluewave Software Ltd.",
            "industry": "software_it",
            "province": "fujian",
            "employees": 40,
            "revenue": 1200,
            "total_assets": 800,
            "legal_form": "company",
            "growth_ambition": "lead",
            "export_channel": "direct",
            "export_share": 10,
            "export_plan": "already",
        },
    ),
]


class Command(BaseCommand):
    help = "Create demo firms with submitted assessments in Chinese and English (replaces earlier demo data)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="", help="where the app runs (default: SITE_URL)")

    def handle(self, *args, base_url, **options):
        base_url = (base_url or settings.SITE_URL).rstrip("/")
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only (DEBUG is off).")
        for name in (DEMO_USER, CONSULTANT, ASSOCIATION_USER):
            existing = get_user_model().objects.filter(username=name).first()
            if existing is not None and existing.email != DEMO_EMAIL:
                raise CommandError(f"A real account named {name!r} exists; the demo would overwrite it.")
        version = selectors.current_version()
        if version is None:
            raise CommandError("No questionnaire is loaded. Run: python manage.py load_questionnaire")
        qn = selectors.questionnaire_of(version)
        User = get_user_model()
        lines = []
        with transaction.atomic():
            user, _ = User.objects.get_or_create(username=DEMO_USER, defaults={"email": DEMO_EMAIL})
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.assessments.all().delete()
            for seed, (lang, quality, profile) in enumerate(FIRMS):
                assessment, token = services.assessment_create(version=version, owner=user, language=lang)
                answers = sample_answers(qn, profile, quality, seed=seed)
                services.answers_save(assessment=assessment, values=answers)
                services.assessment_submit(assessment=assessment)
                with translation.override(lang):
                    results = reverse("results", args=[assessment.public_id])
                    resume = reverse("resume", args=[token])
                lines.append(
                    f"  {profile['firm_name']} ({lang}, overall {assessment.outcome.overall}):\n"
                    f"    results     {base_url}{results}\n"
                    f"    private link {base_url}{resume}"
                )
            self._consultancy(version, qn)
            campaign, invitation_link = self._association(version, qn, base_url)
        self.stdout.write(self.style.SUCCESS(f"Created {len(FIRMS)} demo assessments."))
        self.stdout.write(f"Log in at {base_url}/en/accounts/login/ as {DEMO_USER} / {DEMO_PASSWORD}, or open:")
        self.stdout.write("\n".join(lines))
        self.stdout.write(
            f"Consultant workspace: log in as {CONSULTANT} / {DEMO_PASSWORD} and open {base_url}/en/workspace/ "
            f"({len(CLIENTS)} client firms; the first has two assessments months apart)."
        )
        self.stdout.write(
            f"Association: log in as {ASSOCIATION_USER} / {DEMO_PASSWORD} and open {base_url}/en/campaigns/ "
            f"(campaign '{campaign.name}', {len(MEMBERS)} members: some submitted, one started, one invited).\n"
            f"  The invited member's link (open it in another browser): {invitation_link}"
        )

    def _consultancy(self, version, qn) -> None:
        user, _ = get_user_model().objects.get_or_create(username=CONSULTANT, defaults={"email": DEMO_EMAIL})
        user.set_password(DEMO_PASSWORD)
        user.save()
        Organisation.objects.filter(name=CONSULTANCY).delete()
        organisation = workspace_services.organisation_create(user=user, name=CONSULTANCY, kind="consultancy")
        for seed, (name, profile, rounds) in enumerate(CLIENTS):
            firm = workspace_services.firm_create(organisation=organisation, name=name)
            for round_number, (quality, days_ago) in enumerate(rounds):
                assessment, _ = services.assessment_create(
                    version=version, owner=None, language=ZH_HANS, firm=firm, created_by=user
                )
                answers = sample_answers(qn, {**profile, "firm_name": name}, quality, seed=100 + seed)
                services.answers_save(assessment=assessment, values=answers)
                services.assessment_submit(assessment=assessment)
                when = timezone.now() - timedelta(days=days_ago)
                Assessment.objects.filter(pk=assessment.pk).update(created_at=when, submitted_at=when)
                if seed == 0:
                    self._plan(assessment, user, later=round_number > 0)

    def _plan(self, assessment: Assessment, user, *, later: bool) -> None:
        """The first client's plan: the earlier round's first actions done, the later round's
        planned with due dates (one overdue, one due within the week of the reminder)."""
        keys = assessment.outcome.action_keys()
        today = timezone.localdate()
        if not later:
            for key in keys[:2]:
                plan_services.action_progress_set(assessment=assessment, action_key=key, status="done", user=user)
            return
        for key, status, owner, days in zip(
            keys, ("in_progress", "planned"), ("王经理", "李会计"), (-3, 5), strict=False
        ):
            plan_services.action_progress_set(
                assessment=assessment,
                action_key=key,
                status=status,
                owner_name=owner,
                due_on=today + timedelta(days=days),
                user=user,
            )

    def _association(self, version, qn, base_url: str):
        user, _ = get_user_model().objects.get_or_create(username=ASSOCIATION_USER, defaults={"email": DEMO_EMAIL})
        user.set_password(DEMO_PASSWORD)
        user.save()
        Organisation.objects.filter(name=ASSOCIATION).delete()
        organisation = workspace_services.organisation_create(user=user, name=ASSOCIATION, kind="association")
        today = timezone.localdate()
        campaign = campaigns_services.campaign_create(
            organisation=organisation,
            user=user,
            name="2026 年度会员企业体检 (demo)",
            questionnaire=version,
            opens_on=today - timedelta(days=14),
            closes_on=today + timedelta(days=30),
        )
        members = [
            Member(firm_name=name, contact_name="", email=f"member{n}@example.invalid", language=lang)
            for n, (name, lang, *_rest) in enumerate(MEMBERS, start=1)
        ]
        # No e-mails: the demo's addresses do not exist. The links come back instead, and the
        # member list shows them as sent, as it would after a real worker sent them.
        links, _skipped = campaigns_services.invitations_add(campaign=campaign, members=members, notify=False)
        Invitation.objects.filter(campaign=campaign).update(sent_at=timezone.now() - timedelta(days=13))
        invited_link = ""
        for member, (name, lang, industry, employees, quality, state) in zip(members, MEMBERS, strict=True):
            link = links[member.email]
            if state == "invited":
                invited_link = link.replace(settings.SITE_URL, base_url)
                continue
            token = link.rstrip("/").rsplit("/", 1)[1]
            assessment, _ = campaigns_services.invitation_accept(
                token=token, user=None, share=state == "shared", language=lang
            )
            profile = {
                "firm_name": name,
                "industry": industry,
                "province": "hubei",
                "employees": employees,
                "revenue": employees * 40,
                "total_assets": employees * 30,
                "legal_form": "company",
                "growth_ambition": "grow",
                "export_channel": "direct" if lang == EN else "none",
                "export_share": 10 if lang == EN else 0,
                "export_plan": "already" if lang == EN else "exploring",
            }
            answers = sample_answers(qn, profile, quality, seed=200 + employees)
            if state == "started":
                answers = {k: v for k, v in answers.items() if k in profile}
            services.answers_save(assessment=assessment, values=answers)
            if state != "started":
                services.assessment_submit(assessment=assessment)
        return campaign, invited_link
