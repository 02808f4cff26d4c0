// The site search (docs/search.md): asks search-engine.js, which reads the static
// index `poemskb search-index` writes into the built site's search-index/ folder, so a
// reader downloads only the index files a query needs. Results show the record's label
// (a study's short name, not its full or unknown title), what kind of page it is, and
// the start of the page's text, all inserted as text (never as HTML).
import { Index } from "./search-engine.js";

const root = new URL("../", import.meta.url);
const box = document.getElementById("poems-search");
const input = document.getElementById("poems-search-q");
const status = document.getElementById("poems-search-status");
const list = document.getElementById("poems-search-results");
const more = document.getElementById("poems-search-more");
const PAGE = 5; // results shown at a time: each page of results fetches its metadata chunks
const KINDS = [["generated/studies/index.html", "Index"], ["generated/studies/", "Study"],
  ["generated/regimens/index.html", "Index"], ["generated/regimens/", "Treatment"],
  ["generated/sof/", "Summary of findings"], ["generated/compare/", "Comparison"], ["generated/", "Evidence page"]];

const index = new Index(new URL("search-index/", root));
let current = null; // { query, results, shown }
let serial = 0;

function kindOf(url) {
  const hit = KINDS.find(([prefix]) => url.startsWith(prefix));
  return hit ? hit[1] : "Page";
}

function resultItem([url, title, summary]) {
  const li = document.createElement("li");
  li.className = "poems-search__result";
  const a = document.createElement("a");
  a.className = "poems-search__title";
  a.href = new URL(url, root).pathname;
  a.textContent = title || url;
  const kind = document.createElement("span");
  kind.className = "poems-search__kind";
  kind.textContent = kindOf(url);
  const p = document.createElement("p");
  p.className = "poems-search__excerpt";
  p.textContent = summary || "";
  li.append(a, " ", kind, p);
  return li;
}

function setState(state, text) {
  box.dataset.searchState = state;
  status.textContent = text;
}

async function showMore(mine) {
  const next = current.results.slice(current.shown, current.shown + PAGE);
  const data = await Promise.all(next.map((r) => index.meta(r.page)));
  if (mine !== serial) return;
  for (const d of data) list.append(resultItem(d));
  current.shown += next.length;
  more.hidden = current.shown >= current.results.length;
}

async function run(query) {
  const mine = ++serial;
  const q = query.trim();
  const url = new URL(location.href);
  if (q) url.searchParams.set("query", q); else url.searchParams.delete("query");
  history.replaceState(null, "", url);
  list.replaceChildren();
  more.hidden = true;
  if (!q) {
    setState("idle", "");
    return;
  }
  setState("searching", "Searching…");
  try {
    const found = await index.search(q);
    if (mine !== serial) return;
    current = { query: q, results: found, shown: 0 };
    await showMore(mine);
    if (mine !== serial) return;
    const n = found.length;
    setState("done", n ? `${n} page${n === 1 ? "" : "s"} found for “${q}”.`
      : `Nothing found for “${q}”. Try another name for the drug or study, or browse the indexes below.`);
  } catch (err) {
    if (mine !== serial) return;
    setState("error", "Search is not available on this copy of the site. Browse the indexes below instead.");
  }
}

let timer = null;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => run(input.value), 200);
});
box.querySelector("form").addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  run(input.value);
});
more.addEventListener("click", () => showMore(serial));
const initial = new URL(location.href).searchParams.get("query");
if (initial) {
  input.value = initial;
  run(initial);
}
