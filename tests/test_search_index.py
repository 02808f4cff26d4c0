"""The site search's own index (poemskb/searchtext.py, searchhtml.py, searchindex.py,
searchquery.py): how text is cut into terms, what is read from a page, how the index is
sharded, how results are ranked, and what one query downloads, on small sites written
here and on a synthetic base of thousands of pages (no browser; the browser tests in
tests/site/test_search_browser.py run the same queries through the site's JavaScript)."""
from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from poemskb.searchhtml import read_page
from poemskb.searchindex import FOLDER, SHARD_BYTES, build_index, js_order
from poemskb.searchquery import search
from poemskb.searchtext import index_terms, normalise, query_terms

ROOT = Path(__file__).resolve().parents[1]
TARGET_BYTES = 100 * 1024  # issue 14: one search at most 100 KB at 10,000 studies


def page(title: str, body: str, label: str | None = None, head: str = "") -> str:
    """A built page shaped as Material writes one: chrome around an article."""
    meta = f'<meta name="poems-search-title" content="{label}">' if label else ""
    return (f"<!doctype html><html><head><title>{title} - POEMS</title>{meta}{head}</head><body>"
            '<header class="md-header"><form role="search"><input name="query"></form>Header words</header>'
            '<aside class="md-banner">Evidence, not medical advice.</aside>'
            '<nav class="md-nav">Navigation words</nav>'
            f'<article class="md-content__inner"><h1>{title}<a class="headerlink" href="#t">¶</a></h1>{body}</article>'
            '<footer class="md-footer">Footer words</footer></body></html>')


def write_site(folder: Path, pages: dict[str, str]) -> Path:
    for rel, html in {"index.html": page("Home", "<p>Welcome.</p>"), **pages}.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    build_index(folder)
    return folder / FOLDER


def urls(folder: Path, query: str) -> list[str]:
    found = search(folder, query)
    return [found.meta(folder, p)[0] for p, _ in found.pages]


def wire(folder: Path, files: list[str]) -> int:
    total = 0
    for rel in files:
        data = (folder / rel).read_bytes()
        total += min(len(data), len(gzip.compress(data, 6, mtime=0)))
    return total


# --- terms -----------------------------------------------------------------------------

def test_text_is_normalised_as_readers_type_it():
    assert normalise("Waldenström") == "waldenstrom"
    assert normalise("Ｒｅｖｌｉｍｉｄ") == "revlimid"  # full-width letters (NFKC)
    assert normalise("STRAẞE Straße") == "strasse strasse"
    assert normalise("ΟΔΟΣ") == "οδοσ"  # final sigma folds to sigma, as a query types it
    assert normalise("が") == "が"  # a Japanese voiced kana keeps its mark (it is another letter)
    assert index_terms("Café-crème, x²") == ["cafe", "creme", "x2"]


def test_numbers_keep_their_decimal_point():
    assert index_terms("CD34+ yield 5.97 × 10^6/kg, 1,000") == ["cd34", "yield", "5.97", "10", "6", "kg", "1,000"]
    assert index_terms("10⁶") == ["106"]  # NFKC makes a superscript a digit, on both sides alike
    assert query_terms("5.97") == ["5.97"]


def test_chinese_is_indexed_as_characters_and_bigrams_and_queried_by_bigrams():
    assert index_terms("来那度胺") == ["来", "那", "度", "胺", "来那", "那度", "度胺"]
    assert query_terms("来那度胺") == ["来那", "那度", "度胺"]
    assert query_terms("胺") == ["胺"]
    # Latin letters next to Chinese ones are cut apart.
    assert index_terms("Rd方案") == ["rd", "方", "案", "方案"]


# --- pages -----------------------------------------------------------------------------

def test_a_page_is_read_without_its_chrome_or_excluded_parts():
    html = page("Lenalidomide + dexamethasone (Rd)",
                '<p>Given monthly.</p><div data-search-exclude><table><tr><td>Excluded row</td></tr></table></div>'
                '<div hidden class="poems-search-words" data-search-weight="3">Also found by searching: Revlimid lenolidomide.</div>'
                '<h2 id="o">Outcomes<a class="headerlink" href="#o">¶</a></h2><table><tr><td>5.97</td></tr></table>'
                "<script>var secret = 1;</script>", label="Rd")
    text = read_page(html)
    assert text.title == "Rd" and text.h1 == "Lenalidomide + dexamethasone (Rd)" and text.headings == ["Outcomes"]
    body = " ".join(t for t, _ in text.body)
    for absent in ("Header words", "Navigation words", "Footer words", "not medical advice", "Excluded row", "secret", "¶"):
        assert absent not in body, absent
    assert ("Also found by searching: Revlimid lenolidomide.", 3.0) in text.body and "5.97" in body
    assert text.summary.startswith("Given monthly.") and "Revlimid" not in text.summary  # hidden words never shown


def test_without_a_search_title_the_heading_titles_the_result():
    assert read_page(page("Methods", "<p>How.</p>")).title == "Methods"


# --- ranking ---------------------------------------------------------------------------

@pytest.fixture
def small(tmp_path) -> Path:
    filler = "<p>" + " ".join(["patients treated"] * 40) + "</p>"
    return write_site(tmp_path, {
        "generated/regimens/rd.html": page(
            "Lenalidomide + dexamethasone (Rd)", "<p>An oral regimen.</p>"
            '<div hidden data-search-weight="3">Also found by searching: Rd Revlimid lenolidomide 来那度胺.</div>'),
        "generated/studies/huaian.html": page(
            "Title not known", filler + "<p>A woman treated with lenalidomide, then ASCT.</p>"
            '<table><tr><td>CD34+ yield</td><td>5.97</td></tr></table>'
            '<div hidden data-search-weight="0.5">Its treatments are also found by searching: Revlimid lenolidomide 来那度胺.</div>',
            label="Huai'an case report, Rd then transplant"),
        "generated/studies/lenalidomide-everywhere.html": page(
            "A series", "<p>" + " ".join(["lenalidomide"] * 30) + "</p>" + filler, label="Series"),
        "methods.html": page("Methods", "<p>How records are checked.</p>"),
    })


def test_a_misspelling_a_brand_and_a_chinese_name_lead_to_the_regimen_then_its_studies(small):
    for query in ("lenolidomide", "Revlimid", "来那度胺", "LENOLIDOMIDE"):
        assert urls(small, query)[:2] == ["generated/regimens/rd.html", "generated/studies/huaian.html"], query


def test_a_title_match_leads_a_page_that_repeats_the_word(small):
    assert urls(small, "lenalidomide")[0] == "generated/regimens/rd.html"


def test_a_label_and_a_figure_in_a_table_find_the_study(small):
    assert urls(small, "Huai'an case report, Rd then transplant") == ["generated/studies/huaian.html"]
    assert urls(small, "5.97") == ["generated/studies/huaian.html"]
    found = search(small, "5.97")
    assert found.meta(small, found.pages[0][0])[1] == "Huai'an case report, Rd then transplant"


def test_every_word_must_match_and_the_last_one_may_be_a_prefix(small):
    assert urls(small, "lenalidomide ASCT") == ["generated/studies/huaian.html"]
    assert urls(small, "lenalidomide nowhere") == []
    assert "generated/regimens/rd.html" in urls(small, "revli")  # typed so far
    assert urls(small, "revli methods") == []  # only the last word is a prefix
    assert urls(small, "!!") == [] and urls(small, "") == []


def test_theme_chrome_words_find_nothing(small):
    assert urls(small, "Footer words") == [] and urls(small, "Navigation") == []


# --- files -----------------------------------------------------------------------------

def test_the_index_is_byte_identical_when_built_again(small, tmp_path):
    before = {p.relative_to(small).as_posix(): p.read_bytes() for p in small.rglob("*") if p.is_file()}
    build_index(small.parent)
    after = {p.relative_to(small).as_posix(): p.read_bytes() for p in small.rglob("*") if p.is_file()}
    assert before == after and "index.json" in before


def test_a_changed_site_gets_new_file_addresses_and_the_old_ones_are_gone(small):
    # A browser holding an earlier deployment's shards must never mix them with a new
    # directory: the directory names its build's files by their content.
    def stamped(folder: Path) -> tuple[str, set[str]]:
        stamp = json.loads((folder / "index.json").read_text(encoding="utf-8"))["stamp"]
        return stamp, {p.relative_to(folder).as_posix() for p in folder.rglob("*.json") if p.name != "index.json"}

    before, old_files = stamped(small)
    assert old_files and all(f.startswith(before + "/") for f in old_files)
    (small.parent / "generated/regimens/new.html").write_text(page("Bortezomib", "<p>A new regimen.</p>"), encoding="utf-8")
    build_index(small.parent)
    after, new_files = stamped(small)
    assert after != before and all(f.startswith(after + "/") for f in new_files)
    assert not (small / before).exists()
    assert urls(small, "bortezomib") == ["generated/regimens/new.html"]


def test_a_folder_without_a_built_site_or_a_linked_index_folder_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no built site here"):
        build_index(tmp_path)
    (tmp_path / "index.html").write_text(page("Home", "<p>x</p>"), encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / FOLDER).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(RuntimeError, match="not a folder"):
        build_index(tmp_path)
    assert not any((tmp_path / "elsewhere").iterdir())


# --- scale -----------------------------------------------------------------------------

WORDS = ("patients remission response treatment months dexamethasone lenalidomide thalidomide bortezomib melphalan "
         "neuropathy vegf survival progression transplant cohort series trial retrospective prospective outcome "
         "median range criteria hematologic complete partial stable relapse toxicity grade adverse events").split()


def synthetic_site(folder: Path, studies: int, seed: int = 0) -> Path:
    """A site of `studies` study pages of about 300 words each from a shared vocabulary
    (the common words in nearly every page, as in a real base), each with its own label,
    numbers and a figure in a table, plus 50 regimen pages."""
    rng = random.Random(seed)
    pages = {}
    for i in range(studies):
        words = " ".join(rng.choice(WORDS) for _ in range(280))
        pages[f"generated/studies/synth-study-{i:05d}.html"] = page(
            f"Synthetic study {i}", f"<p>patients {words}</p><table><tr><td>{rng.randint(1, 999)}.{rng.randint(0, 99):02d}"
            f"</td><td>n = {rng.randint(3, 400)}</td></tr></table>", label=f"Synthetic study {i}")
    for r in range(50):
        pages[f"generated/regimens/synthetic-{r}.html"] = page(f"Synthetic regimen {r}", f"<p>{' '.join(WORDS[r % 10:])}</p>",
                                                              label=f"synthetic-{r}")
    return write_site(folder, pages)


@pytest.mark.slow
def test_one_query_downloads_a_few_kb_whatever_the_size_of_the_base(tmp_path):
    """Bytes per query (index files, gzip as a server sends them) at 300 and 3,000 study
    pages: far under the target, and the largest query grows far less than the base."""
    largest = {}
    for n in (300, 3000):
        folder = synthetic_site(tmp_path / str(n), n)
        sizes = {}
        for query in ("patients", "remission toxicity", f"Synthetic study {n // 2}", "synthetic-3", "synth", "lenal"):
            found = search(folder, query)
            assert found.pages, (n, query)
            for p, _ in found.pages[:5]:  # the first screenful's titles
                found.meta(folder, p)
            sizes[query] = wire(folder, found.files)
        assert urls(folder, f"Synthetic study {n // 2}")[0] == f"generated/studies/synth-study-{n // 2:05d}.html"
        largest[n] = max(sizes.values())
        assert largest[n] < TARGET_BYTES / 4, (n, sizes)
        directory = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        shards = directory["shards"]
        assert shards == sorted(shards, key=js_order)
        for shard in (folder / directory["stamp"] / "t").iterdir():  # a shard passes its size only when one term fills it
            assert shard.stat().st_size <= SHARD_BYTES * 1.5 or len(json.loads(shard.read_text(encoding="utf-8"))) == 1
    assert largest[3000] < 5 * largest[300], largest  # 10x the pages, far less than 10x the bytes
