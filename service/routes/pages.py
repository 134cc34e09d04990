"""The web pages: one paper with its rank history (the list page comes with the web issue)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..http.problems import Problem
from . import services

bp = Blueprint("pages", __name__)


@bp.get("/papers/<paper_id>")
def paper(paper_id: str) -> str:
    svc = services()
    found = svc.store.paper(paper_id)
    if found is None:
        raise Problem(404, f"no paper with id {paper_id!r}", errors={"id": ["unknown paper"]})
    return render_template("paper.html", paper=found, history=svc.store.history(paper_id),
                           base=svc.config.base)
