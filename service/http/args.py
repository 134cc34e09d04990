"""Query strings through marshmallow: one schema per kind of request, unknown keys ignored.

`load(schema)` returns the validated, canonical arguments or raises a 400 problem whose
`errors` name each bad parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from .. import bounds, query
from ..ingest import utcnow
from ..listing import SCOPES, SORTS
from ..sources import SOURCE_FORMATS
from .problems import validation_problem

_DIGITS = re.compile(r"[+-]?[0-9]{1,9}")


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
    """A day (YYYY-MM-DD, meaning its start) or an RFC 3339 date-time: naive UTC."""

    default_error_messages = {"invalid": "expected YYYY-MM-DD or an RFC 3339 date-time"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not value.isascii() or len(value) > 40:
            raise self.make_error("invalid")
        try:
            if len(value) == 10:
                return dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
            parsed = dt.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            raise self.make_error("invalid") from None
        if parsed.tzinfo is None:
            raise self.make_error("invalid")
        return parsed.astimezone(dt.UTC).replace(tzinfo=None)


class _Args(Schema):
    class Meta:
        unknown = EXCLUDE


class FeedArgs(_Args):
    q = QueryField(load_default=query.Query())
    limit = QueryInteger(load_default=None, validate=validate.Range(1, 200))  # None: by scope
    scope = fields.String(load_default="current", validate=validate.OneOf(SCOPES))


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


class OpmlArgs(_Args):
    q = fields.List(QueryField(), required=True, validate=validate.Length(1, 50))


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
