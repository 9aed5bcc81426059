"""The API's endpoints (docs/api.md): each reads through ``for_user`` and writes through
the app's own action, as the pages do, so that every event names the token's owner (LV-3).

Another library's object is 404, a permission the owner lacks (or the token's libraries do
not give) is 403, a read-only token's write is 403.  Patron library records have no
endpoint (NM-1, CR-5)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookwarden.compliance.controls import evaluate
from bookwarden.core.models import Branch, Library, Membership
from bookwarden.core.permissions import has_perm, libraries_with_perm, library_for
from bookwarden.core.roles import Perm
from bookwarden.devices import actions as devices
from bookwarden.devices.models import Device
from bookwarden.disclosures.actions import record_request
from bookwarden.operations import actions as operations
from bookwarden.operations.models import LogEntry
from bookwarden.training.actions import record_completion
from bookwarden.training.models import Course

from . import actions
from .authentication import AlertSourceAuthentication
from .filters import DeviceFilter, EntryFilter
from .permissions import FromAlertSource
from .serializers import (
    AlertDoneSerializer,
    AlertSerializer,
    CompletionInSerializer,
    CompletionSerializer,
    ConcernSerializer,
    ControlStatusSerializer,
    DeviceSerializer,
    DeviceWriteSerializer,
    EntrySerializer,
    ErrorSerializer,
    IntakeDoneSerializer,
    IntakeSerializer,
    PatchInSerializer,
    PatchSerializer,
    ReportedSerializer,
    RosterSerializer,
)
from .throttles import PerSourceThrottle

_ERROR_TEXT = {
    400: "The request's fields are wrong: each field's messages.",
    401: "No token, or one that is unknown, expired, revoked or whose owner's access ended.",
    403: "The token's owner may not do this there, or the token may only read.",
    404: "No such thing, or it belongs to a library the token does not reach.",
    405: "Not a method of this address.",
    429: "Too many requests with this token: wait and send again.",
}


def answers(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """The answers of an operation: its own, and the errors it may give."""
    errors = {
        code: OpenApiResponse(
            OpenApiTypes.OBJECT if code == 400 else ErrorSerializer, description=_ERROR_TEXT[code]
        )
        for code in (*codes, 401, 405, 429)
    }
    return {**errors, **ok}


def _anywhere(user: Any, perm: str) -> None:
    """403 unless the person holds ``perm`` at one of the token's libraries."""
    if not libraries_with_perm(user, perm):
        raise PermissionDenied


def _field_error(field: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


def _branch_of(library: Library, branch_id: int | None, field: str = "branch") -> Branch | None:
    if branch_id is None:
        return None
    branch = Branch.objects.filter(library=library, pk=branch_id).first()
    if branch is None:
        raise _field_error(field, "No such branch at this library.")
    return branch


def _valid(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> Any:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- the operations log (IT-10, CC-2, CC-9) ---------------------------------------------------


@extend_schema(tags=["operations"], responses=answers({200: EntrySerializer}, 400, 403, 404))
class EntryList(generics.ListAPIView):
    """The operations log of the token's libraries, newest first, with the log page's
    filters."""

    serializer_class = EntrySerializer
    filterset_class = EntryFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return LogEntry.objects.none()
        _anywhere(self.request.user, Perm.VIEW_OPERATIONS)
        return (
            LogEntry.objects.for_user(self.request.user, Perm.VIEW_OPERATIONS)
            .select_related("library", "branch", "reported_by")
            .order_by("-occurred_at", "-pk")
        )


@extend_schema(tags=["operations"], responses=answers({200: EntrySerializer}, 403, 404))
class EntryDetail(generics.RetrieveAPIView):
    """One entry of the operations log."""

    serializer_class = EntrySerializer

    def get_object(self) -> LogEntry:
        entry = get_object_or_404(
            LogEntry.objects.for_user(self.request.user).select_related(
                "library", "branch", "reported_by"
            ),
            pk=self.kwargs["entry_id"],
        )
        if not has_perm(self.request.user, Perm.VIEW_OPERATIONS, entry.library_id):
            raise PermissionDenied
        return entry


#: A key the client chooses for one report, so that the same report sent again (a retry
#: after a lost answer) finds the entry it made instead of making another.
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional: the same key sent again by the same person returns the report "
    "already made (200) instead of making another.",
)


class ConcernCreate(APIView):
    @extend_schema(
        tags=["operations"],
        request=ConcernSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses=answers(
            {
                201: OpenApiResponse(ReportedSerializer, "The report made."),
                200: OpenApiResponse(ReportedSerializer, "Already made with this key."),
            },
            400,
            403,
            404,
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        """Report a security concern at the library, as the report page does; one that is a
        security incident is told at once to those who must hear of it."""
        library = library_for(request, slug, Perm.REPORT_CONCERN)
        data = _valid(ConcernSerializer, request.data)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 64:
            raise _field_error("Idempotency-Key", "At most 64 characters.")
        entry = operations.report_concern(
            actor=request.user,
            library=library,
            narrative=data["narrative"],
            occurred_at=data.get("occurred_at"),
            branch=_branch_of(library, data.get("branch")),
            device=data["device"],
            patron_data_involved=data["patron_data_involved"],
            kind=data["kind"],
            submission_token=key,
        )
        again = getattr(entry, "resubmitted", False)
        return Response(
            ReportedSerializer(entry).data,
            status=status.HTTP_200_OK if again else status.HTTP_201_CREATED,
        )


# --- the staff roster (CC-1) ------------------------------------------------------------------


@extend_schema(tags=["staff"], responses=answers({200: RosterSerializer}, 403, 404))
class Roster(generics.ListAPIView):
    """The library's staff and their roles in force today, for a human resources system."""

    serializer_class = RosterSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        library = library_for(self.request, self.kwargs["slug"], Perm.VIEW_STAFF)
        return (
            Membership.objects.active()
            .for_user(self.request.user, Perm.VIEW_STAFF)
            .filter(library=library)
            .select_related("user", "branch")
            .order_by("user__last_name", "user__username", "role")
        )


# --- compliance (CC-8) ----------------------------------------------------------------------


class ComplianceStatus(APIView):
    @extend_schema(
        tags=["compliance"],
        parameters=[
            OpenApiParameter(
                "framework",
                OpenApiTypes.STR,
                enum=["bookwarden", "ala"],
                description="Only the controls of one framework (both when left out).",
            )
        ],
        responses=answers({200: ControlStatusSerializer(many=True)}, 403, 404),
    )
    def get(self, request: Request, slug: str) -> Response:
        """Each control of the library with its status computed now from the records, as
        the compliance pages show it: operating, failing (and what fails), no evidence yet,
        or not applicable."""
        library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
        results = evaluate([library])[library.pk]
        framework = request.query_params.get("framework")
        if framework:
            results = [r for r in results if r.control.framework == framework]
        return Response(ControlStatusSerializer(results, many=True).data)


# --- training (CC-10) -------------------------------------------------------------------------


class CompletionCreate(APIView):
    @extend_schema(
        tags=["training"],
        request=CompletionInSerializer,
        responses=answers({201: CompletionSerializer}, 400, 403, 404),
    )
    def post(self, request: Request, slug: str) -> Response:
        """Record that a person completed a course (an online training provider's
        certificate), as the coordinator does on the course's page."""
        library = library_for(request, slug, Perm.MANAGE_TRAINING)
        data = _valid(CompletionInSerializer, request.data)
        courses = Course.objects.for_user(request.user, Perm.MANAGE_TRAINING).filter(
            library=library
        )
        course = (
            courses.filter(pk=data["course"]).first()
            if data.get("course")
            else courses.filter(code__iexact=data["course_code"].strip()).first()
        )
        if course is None:
            raise _field_error("course", "No such course at this library.")
        member = (
            Membership.objects.for_user(request.user, Perm.MANAGE_TRAINING)
            .filter(library=library, user__username__iexact=data["username"].strip())
            .select_related("user")
            .first()
        )
        if member is None:
            raise _field_error("username", "Nobody of this library's staff has this username.")
        completion = record_completion(
            actor=request.user,
            course=course,
            user=member.user,
            completed_on=data["completed_on"],
        )
        return Response(CompletionSerializer(completion).data, status=status.HTTP_201_CREATED)


# --- devices (CC-7) ---------------------------------------------------------------------------


@extend_schema(tags=["devices"], responses=answers({200: DeviceSerializer}, 400, 403, 404))
class DeviceList(generics.ListAPIView):
    """The devices in service of the token's libraries, with the devices page's filters."""

    serializer_class = DeviceSerializer
    filterset_class = DeviceFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        _anywhere(self.request.user, Perm.VIEW_IT_INVENTORY)
        return (
            Device.objects.for_user(self.request.user, Perm.VIEW_IT_INVENTORY)
            .filter(retired_at__isnull=True)
            .select_related("library", "branch")
            .order_by("library__name", "name", "pk")
        )


def _device_values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "branch"}


class DeviceCreate(APIView):
    @extend_schema(
        tags=["devices"],
        request=DeviceWriteSerializer,
        responses=answers({201: DeviceSerializer}, 400, 403, 404),
    )
    def post(self, request: Request, slug: str) -> Response:
        """Add a device to the library's inventory."""
        library = library_for(request, slug, Perm.MANAGE_IT_INVENTORY)
        data = _valid(DeviceWriteSerializer, request.data)
        device = devices.create_device(
            actor=request.user,
            library=library,
            branch=_branch_of(library, data.get("branch")),
            **_device_values(data),
        )
        return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED)


class DeviceDetail(APIView):
    def _device(self, request: Request, device_id: int, perm: str) -> Device:
        device = get_object_or_404(
            Device.objects.for_user(request.user).select_related("library", "branch"),
            pk=device_id,
        )
        if not has_perm(request.user, perm, device.library_id):
            raise PermissionDenied
        return device

    @extend_schema(tags=["devices"], responses=answers({200: DeviceSerializer}, 403, 404))
    def get(self, request: Request, device_id: int) -> Response:
        """One device of the inventory."""
        device = self._device(request, device_id, Perm.VIEW_IT_INVENTORY)
        return Response(DeviceSerializer(device).data)

    @extend_schema(
        tags=["devices"],
        request=DeviceWriteSerializer(partial=True),
        responses=answers({200: DeviceSerializer}, 400, 403, 404),
    )
    def patch(self, request: Request, device_id: int) -> Response:
        """Change a device: only the fields sent change."""
        device = self._device(request, device_id, Perm.MANAGE_IT_INVENTORY)
        data = _valid(DeviceWriteSerializer, request.data, partial=True)
        branch = _branch_of(device.library, data["branch"]) if "branch" in data else device.branch
        device, _changed = devices.update_device(
            actor=request.user,
            device=device,
            branch=branch,
            **_device_values(data),
        )
        return Response(DeviceSerializer(device).data)


class PatchCreate(APIView):
    @extend_schema(
        tags=["devices"],
        request=PatchInSerializer,
        responses=answers({201: PatchSerializer(many=True)}, 400, 403, 404),
    )
    def post(self, request: Request, slug: str) -> Response:
        """Record that devices of the library were patched on a day (a patch management
        tool's report)."""
        library = library_for(request, slug, Perm.MANAGE_IT_INVENTORY)
        data = _valid(PatchInSerializer, request.data)
        wanted = set(data["devices"])
        chosen = list(
            Device.objects.for_user(request.user, Perm.MANAGE_IT_INVENTORY).filter(
                library=library, pk__in=wanted
            )
        )
        if len(chosen) != len(wanted):
            raise _field_error("devices", "Some of these devices are not this library's.")
        entry = None
        if data.get("entry"):
            entry = (
                LogEntry.objects.for_user(request.user)
                .filter(library=library, pk=data["entry"])
                .first()
            )
            if entry is None:
                raise _field_error("entry", "No such entry in this library's operations log.")
        patches = devices.record_patches(
            actor=request.user, devices=chosen, patched_on=data["patched_on"], entry=entry
        )
        return Response(PatchSerializer(patches, many=True).data, status=status.HTTP_201_CREATED)


# --- requests for records: intake only (CC-5, CR-5a) ------------------------------------------


class IntakeCreate(APIView):
    @extend_schema(
        tags=["disclosures"],
        request=IntakeSerializer,
        responses=answers({201: IntakeDoneSerializer}, 400, 403, 404),
    )
    def post(self, request: Request, slug: str) -> Response:
        """Record a request for patron records for the custodian to decide, as the intake
        page does.  Nothing is released: the answer says only that it was recorded."""
        library = library_for(request, slug, Perm.RECORD_REQUESTS)
        data = _valid(IntakeSerializer, request.data)
        done = record_request(actor=request.user, library=library, patrons=[], **data)
        return Response(IntakeDoneSerializer(done).data, status=status.HTTP_201_CREATED)


# --- alerts into the operations log (CC-9, IT-10) ---------------------------------------------


class AlertWebhook(APIView):
    authentication_classes = [AlertSourceAuthentication]
    permission_classes = [FromAlertSource]
    throttle_classes = [PerSourceThrottle]

    @extend_schema(
        tags=["alerts"],
        request=AlertSerializer,
        responses=answers(
            {
                201: OpenApiResponse(AlertDoneSerializer, "The entry made."),
                200: OpenApiResponse(AlertDoneSerializer, "Already received: its entry."),
            },
            400,
            403,
        ),
    )
    def post(self, request: Request, source_key: str) -> Response:
        """An alert of a connected monitoring or firewall service becomes an entry of its
        library's operations log; "incident": true makes it a security incident, told at
        once to the director, the technology coordinator and human resources.  The same
        alert_id sent again answers 200 with the entry it made."""
        data = _valid(AlertSerializer, request.data)
        entry, created = actions.receive_alert(source=request.auth, **data)
        body = {"entry": entry.pk, "created": created, "incident": entry.is_incident}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
