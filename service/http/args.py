"""Query strings through marshmallow: one schema per kind of request, unknown keys ignored.

`load(schema)` returns the validated, canonical arguments or raises a 400 problem whose
`errors` name each bad parameter.
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from .. import query
from ..store import SCOPES
from .problems import validation_problem


class QueryField(fields.String):
    """A q string, parsed by the query language into a Query."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return query.parse(text)
        except query.QueryError as exc:
            raise ValidationError(str(exc)) from None


class FeedArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = QueryField(load_default=query.Query())
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    scope = fields.String(load_default="current", validate=validate.OneOf(SCOPES))

    @post_load
    def _complete(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data.setdefault("q", query.Query())
        return data


class OpmlArgs(Schema):
    class Meta:
        unknown = EXCLUDE

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
