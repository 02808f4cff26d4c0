// The site search (docs/search.md): queries Pagefind's chunked index, which
// `poemskb search-index` writes into the built site's pagefind/ folder, so a reader
// downloads only the index chunks and result excerpts a query needs. Results show
// the record's label (a study's short name, not its full or unknown title), what kind
// of page it is, and Pagefind's excerpt rebuilt from text and <mark> only.
const root = new URL("../", import.meta.url);
const box = document.getElementById("poems-search");
const input = document.getElementById("poems-search-q");
const status = document.getElementById("poems-search-status");
const list = document.getElementById("poems-search-results");
const more = document.getElementById("poems-search-more");
const PAGE = 5; // results fetched at a time: each costs one excerpt download
const KINDS = [["generated/studies/index.html", "Index"], ["generated/studies/", "Study"],
  ["generated/regimens/index.html", "Index"], ["generated/regimens/", "Treatment"],
  ["generated/sof/", "Summary of findings"], ["generated/compare/", "Comparison"], ["generated/", "Evidence page"]];

let pagefind = null;
let current = null; // { query, results, shown }
let serial = 0;

function kindOf(url) {
  const path = url.replace(root.pathname, "");
  const hit = KINDS.find(([prefix]) => path.startsWith(prefix));
  return hit ? hit[1] : "Page";
}

// Pagefind's excerpt is HTML with <mark> around the matches: parse it inertly and keep
// only text and marks, so nothing else from an indexed page reaches this one.
function excerptNode(html) {
  const p = document.createElement("p");
  p.className = "poems-search__excerpt";
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  for (const node of doc.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(document.createTextNode(node.textContent));
    }
  }
  return p;
}

function resultItem(data) {
  const li = document.createElement("li");
  li.className = "poems-search__result";
  const a = document.createElement("a");
  a.className = "poems-search__title";
  a.href = data.url;
  a.textContent = (data.meta && data.meta.title) || data.url;
  const kind = document.createElement("span");
  kind.className = "poems-search__kind";
  kind.textContent = kindOf(data.url);
  li.append(a, " ", kind, excerptNode(data.excerpt || ""));
  return li;
}

function setState(state, text) {
  box.dataset.searchState = state;
  status.textContent = text;
}

async function load() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    await pagefind.options({ basePath: new URL("pagefind/", root).pathname, baseUrl: root.pathname, excerptLength: 24 });
  }
  return pagefind;
}

async function showMore(mine) {
  const next = current.results.slice(current.shown, current.shown + PAGE);
  const data = await Promise.all(next.map((r) => r.data()));
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
    const pf = await load();
    const found = await pf.search(q);
    if (mine !== serial) return;
    current = { query: q, results: found.results, shown: 0 };
    await showMore(mine);
    if (mine !== serial) return;
    const n = found.results.length;
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
