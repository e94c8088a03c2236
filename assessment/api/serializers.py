"""What the API takes (checked here, with the pages' own rules behind them) and what it gives."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from assessment import languages
from assessment.campaigns import memberlist
from assessment.campaigns.selectors import MEMBER_STATUSES

LANGUAGE_CHOICES = languages.CODES
VARIANTS = ("full", "summary")


# --- In ---------------------------------------------------------------------------------------


class MemberFiltersSerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    per_page = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=MEMBER_STATUSES, required=False, default="")
    search = serializers.CharField(required=False, max_length=100, default="", allow_blank=True)


class ResultLanguageSerializer(serializers.Serializer):
    lang = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


class InvitedMemberSerializer(serializers.Serializer):
    firm_name = serializers.CharField(allow_blank=True, trim_whitespace=True)
    contact_name = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.CharField(allow_blank=True)
    language = serializers.CharField(required=False, allow_blank=True, default="")


class InvitationsSerializer(serializers.Serializer):
    """Either `members` (objects) or `text` (lines as pasted on the campaign page), checked by
    the page's own rules: member N of `members` is line N of the messages."""

    members = InvitedMemberSerializer(many=True, required=False, max_length=memberlist.MAX_MEMBERS)  # type: ignore[call-arg]  # ListSerializer takes it; the stubs lack it
    text = serializers.CharField(required=False, max_length=memberlist.MAX_BYTES, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        if ("members" in attrs) == ("text" in attrs):
            raise serializers.ValidationError(_("Send either “members” (a list) or “text” (one member a line)."))
        return attrs


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The filled-in template, CSV or XLSX.")
    report_language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


class ImportChoiceSerializer(serializers.Serializer):
    replace_rows = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        help_text="Rows (of the upload's conflicts) whose answers replace the member's; other such rows are skipped.",
    )


class BulkJobSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)
    variant = serializers.ChoiceField(choices=VARIANTS)
    assessments = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=5000,
        help_text="Members' result ids (members who share); none: every member who shares its results.",
    )


# --- Out (for the schema; the views build plain dicts of these shapes) ------------------------


class CountsSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    started = serializers.IntegerField()
    submitted = serializers.IntegerField()
    total = serializers.IntegerField()


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    questionnaire_version = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    is_open = serializers.BooleanField()
    link_active = serializers.BooleanField()
    members = CountsSerializer()


class MemberSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="i<n>: an invited member; a<n>: joined by the link or imported.")
    firm = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(choices=["invited", "joined", "imported"])  # type: ignore[assignment]  # a field, not Field.source
    status = serializers.ChoiceField(choices=MEMBER_STATUSES)
    shared = serializers.BooleanField(help_text="The member lets the association see its results.")
    invited_at = serializers.DateTimeField(allow_null=True)
    reminded_at = serializers.DateTimeField(allow_null=True)
    result_id = serializers.UUIDField(allow_null=True, help_text="Set only for members who share submitted results.")
    overall = serializers.IntegerField(allow_null=True, help_text="Only for members who share submitted results.")


class MemberPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    per_page = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = MemberSerializer(many=True)


class CitationSerializer(serializers.Serializer):
    paper = serializers.CharField()
    section = serializers.CharField()
    title = serializers.CharField()


class ActionSerializer(serializers.Serializer):
    key = serializers.CharField()
    area = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    rationale = serializers.CharField()
    why_first = serializers.CharField()
    priority = serializers.CharField()
    horizon = serializers.CharField()
    core = serializers.BooleanField()
    citations = CitationSerializer(many=True)


class AreaSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    band = serializers.CharField(allow_null=True)
    band_label = serializers.CharField()


class ResultSerializer(serializers.Serializer):
    language = serializers.CharField()
    questionnaire_version = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    overall = serializers.IntegerField(allow_null=True)
    overall_band = serializers.CharField(allow_null=True)
    overall_band_label = serializers.CharField()
    areas = AreaSerializer(many=True)
    actions = ActionSerializer(many=True)


class MemberResultSerializer(MemberSerializer):
    result = ResultSerializer(allow_null=True, help_text="Only when the member shares its submitted results.")


class InvitationsResultSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Addresses invited already.")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    firm = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    imported_from = serializers.CharField(allow_blank=True)


class UploadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    status = serializers.ChoiceField(choices=["checking", "importing", "decide", "done", "rejected"])
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField()
    message = serializers.CharField(allow_blank=True)
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]  # a field, not Serializer.errors
    errors_more = serializers.BooleanField()
    conflicts = ConflictSerializer(many=True)
    imported = serializers.IntegerField(allow_null=True)
    replaced = serializers.IntegerField(allow_null=True)
    skipped = serializers.IntegerField(allow_null=True)
    ignored_columns = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    language = serializers.CharField()
    variant = serializers.CharField()
    created_at = serializers.DateTimeField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()
    total = serializers.IntegerField()
    finished = serializers.BooleanField()
    url = serializers.CharField()
    zip_url = serializers.CharField(allow_null=True, help_text="Set once no report is pending.")


class VersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    is_current = serializers.BooleanField()
    checksum = serializers.CharField()
    url = serializers.CharField()


class QuestionnaireSerializer(VersionSerializer):
    content = serializers.JSONField(help_text="The version's content as loaded (docs/content-format.md).")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.ListField(required=False)  # type: ignore[assignment]  # a field, not Serializer.errors
