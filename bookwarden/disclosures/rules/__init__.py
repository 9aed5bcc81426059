"""The jurisdiction rule packs and the decision on a request for library records.

Pure logic over data: :func:`evaluate` takes :class:`Facts` (and optionally a library's
:class:`Policy`) and returns a :class:`Decision`.  See docs/disclosures.md.
"""

from .evaluate import evaluate
from .loader import load_all, load_pack, normalize_jurisdiction
from .policy import parse_policy, policy_conflicts, policy_for_library
from .schema import Conflict, Decision, Facts, Pack, PackError, Policy, Rule

__all__ = [
    "Conflict",
    "Decision",
    "Facts",
    "Pack",
    "PackError",
    "Policy",
    "Rule",
    "evaluate",
    "load_all",
    "load_pack",
    "normalize_jurisdiction",
    "parse_policy",
    "policy_conflicts",
    "policy_for_library",
]
