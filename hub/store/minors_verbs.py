"""The minors'-data verbs of ``RecordStore`` in one mixin (issue 21), so that the store's class line names
them once: record history (``history``), guardians and consents (``consent_verbs``), re-encryption with a
new field key (``key_verbs``), retention (``retention_verbs``),
guardians' requests (``guardian_verbs``), the access review (``review_verbs``)."""

from __future__ import annotations

from .consent_verbs import ConsentVerbs
from .guardian_verbs import GuardianRequestVerbs
from .history import HistoryVerbs
from .key_verbs import KeyVerbs
from .retention_verbs import RetentionVerbs
from .review_verbs import AccessReviewVerbs


class MinorsDataVerbs(HistoryVerbs, ConsentVerbs, KeyVerbs, RetentionVerbs, GuardianRequestVerbs, AccessReviewVerbs):
    """Mixin for ``RecordStore``."""
