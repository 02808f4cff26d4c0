// The site search's engine: reads the static index `poemskb search-index` writes into
// the built site (search-index/; scripts/poemskb/searchindex.py describes the files),
// fetching only the directory, the term shards of the query's words and, later, the
// metadata chunks of the results shown. Words are cut exactly as
// scripts/poemskb/searchtext.py cuts them when indexing (a browser test checks both
// agree); scoring mirrors scripts/poemskb/searchquery.py.

const CJK = /[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\u{20000}-\u{2fa1f}]/u;
const WORD = /\p{Nd}+(?:[.,]\p{Nd}+)+|[\p{L}\p{N}]+/gu;
const FOLD_BELOW = 0x530;
export const PREFIX_MIN = 3; // the last word typed also finds longer words it begins...
export const PREFIX_SHARDS = 2; // ...looked up in at most this many shards
export const PREFIX_FACTOR = 0.5; // ...and counts for less than the word itself

export function normalise(text) {
  const lower = text.normalize("NFKC").toLowerCase().replaceAll("ß", "ss").replaceAll("ς", "σ");
  let out = "";
  let base = 0;
  for (const ch of lower.normalize("NFD")) {
    const code = ch.codePointAt(0);
    if (code >= 0x300 && code < 0x370) {
      if (base < FOLD_BELOW) continue;
    } else {
      base = code;
    }
    out += ch;
  }
  return out.normalize("NFC");
}

function runs(word) {
  const out = [];
  for (const ch of word) {
    const cjk = CJK.test(ch);
    if (out.length && out[out.length - 1][0] === cjk) out[out.length - 1][1] += ch;
    else out.push([cjk, ch]);
  }
  return out;
}

// The terms a query looks up, each once: words; a CJK run as its bigrams.
export function queryTerms(text) {
  const terms = [];
  for (const match of normalise(text).matchAll(WORD)) {
    for (const [cjk, part] of runs(match[0])) {
      const chars = Array.from(part);
      const found = cjk && chars.length > 1 ? chars.slice(1).map((c, i) => chars[i] + c) : [part];
      for (const t of found) if (!terms.includes(t)) terms.push(t);
    }
  }
  return terms;
}

// As the index cuts a page's text (used by the tests to compare with Python).
export function indexTerms(text) {
  const terms = [];
  for (const match of normalise(text).matchAll(WORD)) {
    for (const [cjk, part] of runs(match[0])) {
      if (!cjk) { terms.push(part); continue; }
      const chars = Array.from(part);
      terms.push(...chars, ...chars.slice(1).map((c, i) => chars[i] + c));
    }
  }
  return terms;
}

export function idf(pages, df) {
  return Math.log(1 + (pages - df + 0.5) / (df + 0.5));
}

// The last shard whose first term is <= term (shards are in JavaScript's string order).
export function shardOf(firsts, term) {
  let lo = 0, hi = firsts.length - 1, found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (firsts[mid] <= term) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

function decode(flat) {
  const pages = new Map();
  let page = 0;
  for (let i = 0; i < flat.length; i += 2) {
    page += flat[i];
    pages.set(page, flat[i + 1]);
  }
  return pages;
}

export class Index {
  constructor(base) {
    this.base = base; // URL of the search-index/ folder, ending in "/"
    this.files = new Map();
  }

  // index.json is revalidated on every visit; the shards and chunks it names live under
  // its build's stamp, so they never mix with an earlier deployment's (searchindex.py).
  json(path) {
    if (!this.files.has(path)) {
      const options = path === "index.json" ? { cache: "no-cache" } : {};
      this.files.set(path, fetch(new URL(path, this.base), options).then((r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status}`);
        return r.json();
      }));
    }
    return this.files.get(path);
  }

  // Every page holding all the query's terms, best first: [{page, score}].
  async search(query) {
    const terms = queryTerms(query);
    if (!terms.length) return [];
    const dir = await this.json("index.json");
    const last = terms.length - 1;
    const wanted = terms.map((term, i) => {
      const first = shardOf(dir.shards, term);
      const list = [first];
      if (i === last && prefixable(term)) {
        for (let s = first + 1; s < dir.shards.length && list.length < PREFIX_SHARDS && dir.shards[s].startsWith(term); s++) list.push(s);
      }
      return list;
    });
    const shards = await Promise.all(wanted.map((list) => Promise.all(list.map((s) => this.json(`${dir.stamp}/t/${s}.json`)))));
    const perTerm = terms.map((term, i) => {
      const hits = new Map();
      for (const shard of shards[i]) {
        for (const [key, flat] of Object.entries(shard)) {
          const exact = key === term;
          if (!exact && !(i === last && prefixable(term) && key.startsWith(term))) continue;
          const weight = idf(dir.pages, flat.length / 2) * (exact ? 1 : PREFIX_FACTOR);
          for (const [page, score] of decode(flat)) hits.set(page, Math.max(hits.get(page) || 0, score * weight));
        }
      }
      return hits;
    });
    perTerm.sort((a, b) => a.size - b.size);
    const found = [];
    for (const [page, score] of perTerm[0]) {
      let total = score;
      let all = true;
      for (const hits of perTerm.slice(1)) {
        if (!hits.has(page)) { all = false; break; }
        total += hits.get(page);
      }
      if (all) found.push({ page, score: Math.round(total * 1e6) / 1e6 });
    }
    return found.sort((a, b) => b.score - a.score || a.page - b.page);
  }

  // Address, title and summary of one page: [url, title, summary].
  async meta(page) {
    const dir = await this.json("index.json");
    const chunk = await this.json(`${dir.stamp}/m/${Math.floor(page / dir.chunk)}.json`);
    return chunk[page % dir.chunk];
  }
}

function prefixable(term) {
  return Array.from(term).length >= PREFIX_MIN && !CJK.test(term);
}
