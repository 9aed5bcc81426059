"""The monitoring notice's middleware (LV-8, CC-4); see :mod:`bookwarden.policies.notice`."""

from .notice import MonitoringNoticeMiddleware

__all__ = ["MonitoringNoticeMiddleware"]
