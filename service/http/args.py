"""Query strings through marshmallow: one schema per kind of request, unknown keys ignored.

`load(schema)` returns the validated, canonical arguments or raises a 400 problem whose
`errors` name each bad parameter.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from .. import bounds, query
from ..ingest import utcnow
from ..listing import SCOPES, SORTS
from ..sources import SOURCE_FORMATS
from ..urls import DIGEST_LIMIT, DIGEST_TOP
from .problems import validation_problem

_DIGITS = re.compile(r"[+-]?[0-9]{1,9}")
# RFC 3339 section 5.6: full-date, or full-date "T" full-time with an offset (T and Z
# in either case); ASCII digits only. Nine fraction digits are plenty (nanoseconds).
_MOMENT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
                     r"(?:\.([0-9]{1,9}))?([Zz]|[+-][0-9]{2}:[0-9]{2}))?", re.ASCII)


class QueryField(fields.String):
    """A q string, parsed by the query language into a Query."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return query.parse(text)
        except query.QueryError as exc:
            raise ValidationError(str(exc)) from None


class QueryInteger(fields.Integer):
    """An integer written in ASCII digits (Python's int() would also take '1_0' or '５')."""

    def _validated(self, value: Any) -> Any:
        if isinstance(value, str) and not _DIGITS.fullmatch(value):
            raise self.make_error("invalid")
        return super()._validated(value)


class Moment(fields.Field):
    """A day (YYYY-MM-DD, meaning its start) or an RFC 3339 date-time, as naive UTC,
    between 1991-01-01 and one day from now (SPEC 3).

    Read by a pattern of RFC 3339 itself, not by `fromisoformat`, which also takes ISO
    8601 forms (`2024-W01-1`, `20240101T000000Z`, `2024-01-01T00Z`) that no other RFC
    3339 reader would."""

    default_error_messages = {"invalid": "expected YYYY-MM-DD or an RFC 3339 date-time "
                                         "such as 2025-09-01T12:00:00Z"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        match = _MOMENT.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise self.make_error("invalid")
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        try:
            moment = dt.datetime(int(year), int(month), int(day), int(hour or 0),
                                 int(minute or 0), int(second or 0),
                                 int((fraction or "0")[:6].ljust(6, "0")))
        except ValueError:  # 2024-02-30, 24:00:00, a leap second
            raise self.make_error("invalid") from None
        if zone not in (None, "Z", "z"):
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[4:6])
            if hours > 23 or minutes > 59:
                raise self.make_error("invalid")
            # Past year 1 or 9999 in UTC (an OverflowError, a 500 it was): the moment
            # left unshifted is out of bounds just as well.
            with contextlib.suppress(OverflowError):
                moment -= sign * dt.timedelta(hours=hours, minutes=minutes)
        problem = bounds.moment_problem(moment, utcnow())
        if problem:
            raise ValidationError(problem)
        return moment


class _Args(Schema):
    class Meta:
        unknown = EXCLUDE


class FeedArgs(_Args):
    q = QueryField(load_default=query.Query())
    limit = QueryInteger(load_default=None, validate=validate.Range(1, 200))  # None: by scope
    scope = fields.String(load_default="current", validate=validate.OneOf(SCOPES))


class DigestArgs(_Args):
    q = QueryField(load_default=query.Query())
    top = QueryInteger(load_default=DIGEST_TOP, validate=validate.Range(1, 50))  # per item
    limit = QueryInteger(load_default=DIGEST_LIMIT, validate=validate.Range(1, 100))  # items


class PageArgs(_Args):
    q = QueryField(load_default=query.Query())
    scope = fields.String(load_default="current", validate=validate.OneOf(SCOPES))


class PapersArgs(_Args):
    q = QueryField(load_default=query.Query())
    scope = fields.String(load_default="current", validate=validate.OneOf(SCOPES))
    sort = fields.String(load_default=None, validate=validate.OneOf(SORTS))
    published_after = Moment(load_default=None)
    limit = QueryInteger(load_default=20, validate=validate.Range(1, 200))
    cursor = fields.String(load_default=None, validate=validate.Length(1, 2000))


class SnapshotsArgs(_Args):
    limit = QueryInteger(load_default=20, validate=validate.Range(1, 200))
    cursor = fields.String(load_default=None, validate=validate.Length(1, 2000))


class IngestArgs(_Args):
    format = fields.String(load_default="auto", validate=validate.OneOf(("auto", *SOURCE_FORMATS)))
    date = fields.Date(load_default=None)
    # SPEC 1.2: apply an hf-json list without its invalid entries instead of refusing it
    skip_invalid = fields.Boolean(load_default=False)


class OpmlArgs(_Args):
    q = fields.List(QueryField(), required=True, validate=validate.Length(1, 50))
    scope = fields.String(load_default="current", validate=validate.OneOf(SCOPES))


def load(schema: Schema, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate request.args with `schema`; parameters named in `lists` may repeat."""
    args: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        args[key] = values if key in lists else values[0]
    try:
        return dict(schema.load(args))
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        raise validation_problem(_flatten(messages)) from None


def _flatten(messages: dict[str, Any]) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for field, value in messages.items():
        if isinstance(value, dict):  # a list field: {index: [messages]}
            for index, inner in value.items():
                flat[f"{field}[{index}]"] = [str(m) for m in inner]
        else:
            flat[field] = [str(m) for m in value]
    return flat
