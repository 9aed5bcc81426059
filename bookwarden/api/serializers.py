"""What the API reads and writes, field by field (docs/api.md).  Nothing here names a patron
or a patron's library record: those are never in the API (NM-1, CR-5)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from rest_framework import serializers

from bookwarden.core.models import Membership
from bookwarden.core.roles import Role
from bookwarden.devices.actions import DEVICE_FIELDS
from bookwarden.devices.models import Device, DeviceKind
from bookwarden.disclosures.models import (
    FINDING_CHOICES,
    INSTRUMENT_CHOICES,
    ISSUER_CHOICES,
    PURPOSE_CHOICES,
    RECORD_CHOICES,
    REQUESTER_CHOICES,
    DisclosureRequest,
)
from bookwarden.operations.actions import REPORT_KINDS
from bookwarden.operations.models import EntryKind, EntryStatus, LogEntry, Severity

from .actions import ALERT_KINDS


class UtcDateTime(serializers.DateTimeField):
    """Machine output carries ISO 8601 in UTC; a time sent without an offset is UTC."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", datetime.UTC)
        super().__init__(*args, **kwargs)


class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UtcDateTime,
    }


#: A row's number: a whole number a database holds.
ID = {"min_value": 1, "max_value": 2**31 - 1}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class BranchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()


# --- the operations log -----------------------------------------------------------------


class EntrySerializer(ModelSerializer):
    library = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    branch = BranchSerializer(read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    severity = serializers.ChoiceField(choices=Severity.choices)
    status = serializers.ChoiceField(choices=EntryStatus.choices)
    reported_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    is_incident = serializers.BooleanField()

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "library",
            "branch",
            "kind",
            "kind_label",
            "is_incident",
            "severity",
            "status",
            "title",
            "narrative",
            "occurred_at",
            "recorded_at",
            "closed_at",
            "reported_by",
            "patron_data_involved",
        ]
        read_only_fields = fields


class ConcernSerializer(serializers.Serializer):
    narrative = serializers.CharField(max_length=5000, help_text="What happened.")
    kind = serializers.ChoiceField(choices=REPORT_KINDS, default=EntryKind.CONCERN)
    occurred_at = UtcDateTime(required=False, help_text="Now, if not given.")
    branch = serializers.IntegerField(required=False, help_text="The branch's number.", **ID)
    device = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    patron_data_involved = serializers.BooleanField(default=False)


class ReportedSerializer(ModelSerializer):
    """What the reporter learns of their report (they may not read the log)."""

    class Meta:
        model = LogEntry
        fields = ["id", "kind", "status", "title", "recorded_at"]
        read_only_fields = fields


# --- the staff roster -------------------------------------------------------------------


class RosterSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.__str__")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    email = serializers.CharField(source="user.email")
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField(source="get_role_display")
    branch = BranchSerializer(read_only=True, allow_null=True)
    since = UtcDateTime(source="granted_at")

    class Meta:
        model = Membership
        fields = [
            "username",
            "name",
            "first_name",
            "last_name",
            "email",
            "role",
            "role_label",
            "branch",
            "since",
            "ends_on",
        ]
        read_only_fields = fields


# --- training -----------------------------------------------------------------------------


class CompletionInSerializer(serializers.Serializer):
    course = serializers.IntegerField(required=False, help_text="The course's number.", **ID)
    course_code = serializers.CharField(
        required=False, max_length=40, help_text="Or the course's short code, such as SEC-2026."
    )
    username = serializers.CharField(max_length=150, help_text="Who completed it.")
    completed_on = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("course") and not attrs.get("course_code"):
            raise serializers.ValidationError({"course": "Name the course: its number or code."})
        return attrs


class CompletionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id")
    username = serializers.CharField(source="user.username")
    completed_on = serializers.DateField()
    late = serializers.BooleanField()


# --- devices ------------------------------------------------------------------------------


class DeviceSerializer(ModelSerializer):
    library = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    branch = BranchSerializer(read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=DeviceKind.choices)
    isolated = serializers.BooleanField(source="is_isolated", read_only=True)

    class Meta:
        model = Device
        fields = ["id", "library", "branch", *DEVICE_FIELDS, "isolated"]
        read_only_fields = fields


class DeviceWriteSerializer(serializers.Serializer):
    """A device's fields as a person edits them (``branch``: the branch's number, or null
    for the whole library)."""

    branch = serializers.IntegerField(required=False, allow_null=True, **ID)
    kind = serializers.ChoiceField(choices=DeviceKind.choices)
    name = serializers.CharField(max_length=120)
    operating_system = serializers.CharField(max_length=120, allow_blank=True, required=False)
    antivirus = serializers.BooleanField(required=False)
    firewall = serializers.BooleanField(required=False)
    intrusion_detection = serializers.BooleanField(required=False)
    last_patched_on = serializers.DateField(required=False, allow_null=True)
    remote_access = serializers.CharField(max_length=200, allow_blank=True, required=False)
    remote_access_authenticated = serializers.BooleanField(required=False)
    remote_access_encrypted = serializers.BooleanField(required=False)
    reset_mechanism = serializers.CharField(max_length=200, allow_blank=True, required=False)
    notes = serializers.CharField(max_length=5000, allow_blank=True, required=False)


class PatchInSerializer(serializers.Serializer):
    devices = serializers.ListField(
        child=serializers.IntegerField(**ID),
        min_length=1,
        max_length=500,
        help_text="The numbers of the devices patched.",
    )
    patched_on = serializers.DateField()
    entry = serializers.IntegerField(
        required=False, help_text="The operations-log entry that recorded the work.", **ID
    )


class PatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    device = serializers.IntegerField(source="device_id")
    patched_on = serializers.DateField()


# --- requests for records: intake only ------------------------------------------------------


class IntakeSerializer(serializers.Serializer):
    """A request for patron records, recorded for the custodian to decide (CC-5).  Nothing is
    released through the API; patrons are named as the request names them."""

    requester_name = serializers.CharField(max_length=200)
    requester_agency = serializers.CharField(max_length=200, allow_blank=True, default="")
    requester_type = serializers.ChoiceField(choices=REQUESTER_CHOICES)
    requester_contact = serializers.CharField(max_length=300, allow_blank=True, default="")
    instrument = serializers.ChoiceField(choices=INSTRUMENT_CHOICES)
    instrument_reference = serializers.CharField(max_length=300, allow_blank=True, default="")
    finding = serializers.ChoiceField(choices=FINDING_CHOICES, default="none")
    issued_by = serializers.ChoiceField(choices=ISSUER_CHOICES, allow_blank=True, default="")
    stated_purpose = serializers.ChoiceField(choices=PURPOSE_CHOICES, default="unstated")
    patrons_as_named = serializers.CharField(
        max_length=2000, help_text="The patrons as the request names them."
    )
    record_types = serializers.ListField(
        child=serializers.ChoiceField(choices=RECORD_CHOICES), min_length=1, max_length=20
    )
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=5000, allow_blank=True, default="")


class IntakeDoneSerializer(ModelSerializer):
    class Meta:
        model = DisclosureRequest
        fields = ["id", "status", "received_at"]
        read_only_fields = fields


# --- alerts -----------------------------------------------------------------------------------


ALERT_KIND_CHOICES = [(k, EntryKind(k).label) for k in ALERT_KINDS]


class AlertSerializer(serializers.Serializer):
    alert_id = serializers.CharField(max_length=200, help_text="The sender's own id of the alert.")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    incident = serializers.BooleanField(
        default=False, help_text="True: a security incident, told at once to those who must know."
    )
    kind = serializers.ChoiceField(choices=ALERT_KIND_CHOICES, required=False)
    occurred_at = UtcDateTime(required=False)
    device = serializers.CharField(max_length=200, allow_blank=True, default="")


class AlertDoneSerializer(serializers.Serializer):
    entry = serializers.IntegerField(help_text="The operations-log entry.")
    created = serializers.BooleanField(help_text="False: this alert was already received.")
    incident = serializers.BooleanField()


class ControlStatusSerializer(serializers.Serializer):
    """One control of the compliance catalog with its status today (CC-8): what the
    control's page shows first, without the evidence's links."""

    id = serializers.CharField(source="control.id")
    title = serializers.CharField(source="control.title")
    framework = serializers.CharField(source="control.framework")
    requirements = serializers.ListField(
        child=serializers.CharField(), source="control.requirements"
    )
    status = serializers.CharField()
    status_label = serializers.CharField()
    summaries = serializers.SerializerMethodField()
    failures = serializers.SerializerMethodField()
    not_applicable_reason = serializers.CharField()

    def get_summaries(self, result: Any) -> list[str]:
        return [check.summary for check in result.checks]

    def get_failures(self, result: Any) -> list[str]:
        return [failure for check in result.checks for failure in check.failures]
