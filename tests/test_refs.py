"""A paper is found by the forms people paste (SPEC 6): its id, its arXiv id with or
without a version, `arxiv:ID`, and its arxiv.org or huggingface.co/papers URL,
percent-encoded in the path; the same for the API and the page. Both engines."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from service.model import arxiv_ref

from .conftest import ENGINES, HF_JSON, NOW, ingest_file

pytestmark = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

ARXIV = "2509.04664"
FORMS = [ARXIV, f"{ARXIV}v2", f"arxiv:{ARXIV}", f"arXiv:{ARXIV}v3",
         f"https://arxiv.org/abs/{ARXIV}", f"https://arxiv.org/abs/{ARXIV}v2",
         f"http://arxiv.org/pdf/{ARXIV}v1.pdf", f"https://huggingface.co/papers/{ARXIV}",
         f"huggingface.co/papers/{ARXIV}"]


@pytest.fixture
def refs_client(loaded_app: Any) -> Any:
    ingest_file(loaded_app.extensions["trendfeed"].store, HF_JSON, now=NOW.replace(hour=9))
    return loaded_app.test_client()


@pytest.mark.parametrize("ref", FORMS)
def test_a_paper_is_found_by_every_form_people_paste(refs_client: Any, ref: str) -> None:
    assert arxiv_ref(ref) == ARXIV
    for encoded in (quote(ref, safe=""), quote(ref, safe=":/")):
        api = refs_client.get(f"/api/v1/papers/{encoded}")
        assert api.status_code == 200, (encoded, api.text)
        assert api.json["arxiv_id"] == ARXIV and api.json["history"]
        page = refs_client.get(f"/papers/{encoded}", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Why Language Models Hallucinate" in page.text


@pytest.mark.parametrize("ref", ["2509.99999", "https://arxiv.org/abs/2509.99999",
                                 "https://example.org/abs/2509.04664x", "arxiv:", "a/b/c",
                                 "https://arxiv.org/abs/" + "9" * 300])
def test_anything_else_is_a_404_naming_the_id(refs_client: Any, ref: str) -> None:
    answer = refs_client.get(f"/api/v1/papers/{quote(ref, safe='')}")
    assert answer.status_code == 404 and answer.json["errors"] == {"id": ["unknown"]}


def test_a_page_reached_by_a_pasted_url_links_its_style_and_pages_from_the_root(
        refs_client: Any) -> None:
    page = refs_client.get(f"/papers/https://arxiv.org/abs/{ARXIV}v2",
                           headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'href="../../../../../static/site.css' in page.text
    plain = refs_client.get(f"/papers/{ARXIV}", headers={"Accept": "text/html"})
    assert 'href="../static/site.css' in plain.text
