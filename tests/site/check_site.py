"""Check a built site folder from the command line (used by `make zensical`, whose
output the test session does not build): every internal link and anchor resolves, a
page exists for every study and regimen, and every page carries the notice.

    python tests/site/check_site.py SITE_DIR
Exit 0 when clean, 1 with the problems listed."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from htmltree import broken_links  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def main(site: Path) -> int:
    problems = []
    checked, broken = broken_links(site)
    problems += broken
    for kind, folder in (("studies", "studies"), ("regimens", "regimens")):
        for record in sorted((ROOT / "evidence" / folder).glob("*.yaml")):
            if not (site / "generated" / kind / f"{record.stem}.html").is_file():
                problems.append(f"no page for {kind}/{record.stem}")
    for page in site.rglob("*.html"):
        if page.name != "404.html" and "Evidence, not medical advice." not in page.read_text(encoding="utf-8"):
            problems.append(f"{page.relative_to(site)}: no 'not medical advice' notice")
    for line in problems[:60]:
        print(line)
    print(f"{site}: {checked} internal links checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
