"""Which devices are overdue for patching (CC-7) and which branches miss this week's check
of their public computers (CC-3, CR-6d): shared by the pages and "My tasks"."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from bookwarden.core.models import Branch, Library

from .actions import library_today, week_of
from .models import DEFAULT_PATCH_TARGET_DAYS, Device, DeviceKind, PublicComputerCheck


def patch_targets(library_ids: Iterable[int]) -> dict[int, int]:
    """Each library's patch target in days (one query)."""
    targets = dict.fromkeys(library_ids, DEFAULT_PATCH_TARGET_DAYS)
    chosen = Library.objects.filter(pk__in=list(targets), device_settings__isnull=False)
    targets.update(chosen.values_list("pk", "device_settings__patch_target_days"))
    return targets


def overdue_filter(libraries: Iterable[Library]) -> Q:
    """Devices never patched, or patched before their library's target allows."""
    libraries = list(libraries)
    targets = patch_targets(lib.pk for lib in libraries)
    condition = Q(last_patched_on__isnull=True)
    by_library = Q()
    for library in libraries:
        limit = library_today(library) - datetime.timedelta(days=targets[library.pk])
        by_library |= Q(library_id=library.pk, last_patched_on__lt=limit)
    return condition | by_library if libraries else Q(pk__in=[])


def overdue_devices(devices: QuerySet[Device], libraries: Iterable[Library]) -> QuerySet[Device]:
    return devices.in_service().filter(overdue_filter(libraries))  # type: ignore[attr-defined]


def branches_missing_check(branches: QuerySet[Branch]) -> list[Branch]:
    """Of ``branches`` (scoped by the caller), those with public computers in service and no
    check recorded this week (Monday to Sunday in the library's time zone)."""
    with_public = list(
        branches.filter(devices__kind=DeviceKind.PUBLIC_COMPUTER, devices__retired_at__isnull=True)
        .distinct()
        .select_related("library")
        .order_by("library__name", "name")
    )
    if not with_public:
        return []
    checked = Q()
    for library in {b.library_id: b.library for b in with_public}.values():
        checked |= Q(library_id=library.pk, week_of=week_of(library_today(library)))
    done = set(
        PublicComputerCheck.objects.filter(checked, branch__in=with_public).values_list(
            "branch_id", flat=True
        )
    )
    return [b for b in with_public if b.pk not in done]
