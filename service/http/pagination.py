"""Opaque cursors for keyset paging: what was asked, the pinned snapshot, the last key.

A cursor is base64url JSON. It is not secret, only opaque: a client that edits one gets
a 400 naming `cursor`, never another query's page or a server error.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from .problems import validation_problem

VERSION = 1
MAX_ID = 2**31 - 1  # snapshot ids are 32-bit integers on both engines
MAX_KEYS = 4


@dataclass(frozen=True)
class Cursor:
    what: dict[str, Any]  # the request's canonical parameters the walk belongs to
    snapshot_id: int | None
    after: list[Any]
    # The store's data version the walk began at, for a walk whose order moves with
    # every write (`sort=-upvotes`: the counts are the papers' latest); else None.
    data_version: int | None = None

    def encode(self) -> str:
        payload: dict[str, Any] = {"v": VERSION, "w": self.what, "s": self.snapshot_id,
                                   "a": self.after}
        if self.data_version is not None:
            payload["d"] = self.data_version
        raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, what: dict[str, Any]) -> Cursor:
    """The cursor in `token`, which must belong to a walk of `what`; else a 400 problem."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise _invalid("is not a cursor this service issued") from None
    if not isinstance(payload, dict) or payload.get("v") != VERSION:
        raise _invalid("is not a cursor this service issued")
    snapshot_id, after = payload.get("s"), payload.get("a")
    if not isinstance(after, list) or len(after) > MAX_KEYS or not (
            snapshot_id is None or type(snapshot_id) is int and 0 < snapshot_id <= MAX_ID):
        raise _invalid("is not a cursor this service issued")
    data_version = payload.get("d")
    if not (data_version is None or type(data_version) is int and 0 <= data_version < 2**63):
        raise _invalid("is not a cursor this service issued")
    if payload.get("w") != what:
        raise _invalid("belongs to another query: repeat the query's parameters with it")
    return Cursor(what=what, snapshot_id=snapshot_id, after=after, data_version=data_version)


def _invalid(message: str) -> Exception:
    return validation_problem({"cursor": [message]})
