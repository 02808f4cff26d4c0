"""The page for patients and carers, read as a patient would: in plain words (reading
level measured), treatments ordered by the evidence and never alphabetically, dated,
with the terms it uses explained and questions to take to the specialist."""
from __future__ import annotations

import re
from html import unescape

import textstat

from poemskb.render import render_files
from poemskb.render.context import Site
from poemskb.render.patients import evidence_order

# Near grade 8, as health-information guidance asks; measured with the Flesch-Kincaid
# grade of the whole page (hand-written text and the records' plain summaries together).
MAX_GRADE = 9.0


def page_text(root, kb) -> str:
    partial = render_files(kb)["partials/patients.md"]
    page = (root / "docs" / "patients.md").read_text(encoding="utf-8")
    return page.replace('--8<-- "generated/partials/patients.md"', partial)


def prose(markdown: str) -> str:
    text = unescape(re.sub(r"<[^>]+>", " ", markdown))
    text = re.sub(r"^#+ .*$|^!!! .*$|[*_`]", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text).strip()


def test_reading_level_is_near_grade_8(root, kb):
    grade = textstat.flesch_kincaid_grade(prose(page_text(root, kb)))
    assert grade <= MAX_GRADE, f"Flesch-Kincaid grade {grade}; simplify the page or the plain summaries it lists"


def test_treatments_are_ordered_by_evidence_not_alphabet(kb):
    site = Site(kb)
    order = evidence_order(site)
    strongest = [min((site.level_rank(s) for s in site.evidence_cell(r).studies), default=100) for r in order]
    assert strongest == sorted(strongest)
    assert order != sorted(order, key=lambda r: site.regimen_label(r).lower())
    # The one randomised trial's regimen comes first; a regimen no study reports comes last.
    assert site.evidence_cell(order[0]).studies and any(
        kb.studies[s]["design"] == "randomised-controlled-trial" for s in site.evidence_cell(order[0]).studies)


def test_page_says_what_the_order_means_and_is_dated(root, kb):
    text = prose(page_text(root, kb))
    assert "This order says nothing about how well a treatment works" in text
    assert re.search(r"Last reviewed: \d{1,2} \w+ \d{4}", text)


def test_terms_are_explained_and_questions_offered(root, kb):
    text = prose(page_text(root, kb))
    for term in ("Randomised trial:", "Registry study:", "Systematic review:", "Expert review:", "Guideline:", "Case series"):
        assert term in text, term
    assert "Questions you could ask your specialist" in page_text(root, kb)
    assert "This is not medical advice" in page_text(root, kb)
