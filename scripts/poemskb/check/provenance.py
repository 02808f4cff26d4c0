"""Rules on where facts come from: unverified facts are flagged, and source addresses are
https on a canonical host (doi.org, PubMed, PMC, the publisher, the registry)."""
from __future__ import annotations

import re
from typing import Iterator

from ..load import Record
from ..problems import Problem
from .base import Context, fields, rule, value_at


@rule("unverified", "Warning: a fact or figure is recorded as unverified (shown flagged on the site).")
def unverified_facts(record: Record, ctx: Context) -> Iterator[Problem]:
    for path, status in fields(record).get("status", ()):
        if status == "unverified":
            fact = value_at(record.data, path[:-1])
            yield record.problem("unverified", path[:-1], fact.get("reason", "unverified"), severity="warning")


# Provenance addresses: a reader must be able to follow every link to the publication
# itself. Hosts are allowed by name (documented in CONTRIBUTING.md); anything else is a
# mirror, proxy, upload or aggregator until a curator shows it is the canonical address.
CANONICAL_HOSTS = frozenset({
    # identifiers and bibliographic databases
    "doi.org", "pubmed.ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "ci.nii.ac.jp", "doaj.org",
    # trial registries
    "clinicaltrials.gov", "center6.umin.ac.jp", "www.umin.ac.jp", "www.chictr.org.cn", "jrct.niph.go.jp",
    "www.clinicaltrialsregister.eu", "www.isrctn.com",
    # publishers, journals and meeting-abstract sites
    "ashpublications.org", "ash.confex.com", "bmt.confex.com", "www.nature.com", "link.springer.com",
    "jnnp.bmj.com", "journals.lww.com", "onlinelibrary.wiley.com", "www.cochranelibrary.com",
    "www.bloodresearch.or.kr", "www.jstage.jst.go.jp", "www.sciencedirect.com", "academic.oup.com",
    "haematologica.org", "www.tandfonline.com", "www.thelancet.com", "n.neurology.org",
    # authors' institutions' research portals, and news publishers (secondary reports)
    "mayoclinic.elsevierpure.com", "kyushu-u.pure.elsevier.com", "researchinformation.amsterdamumc.org",
    "www.medwirenews.com",
})


_URL = re.compile(r"(?P<scheme>[a-z]+)://(?P<host>[^/:?#\s]+)(?::(?P<port>[0-9]+))?", re.IGNORECASE)


@rule("source-address", "A provenance address is https on a canonical host (doi.org, PubMed, PMC, the publisher, the registry): never a mirror, proxy, upload site or raw IP.")
def source_addresses(record: Record, ctx: Context) -> Iterator[Problem]:
    for path, url in fields(record).get("url", ()):
        if not isinstance(url, str):
            continue
        m = _URL.match(url)
        host = (m.group("host") if m else "").lower()
        if not m or m.group("scheme").lower() != "https":
            yield record.problem("source-address", path, f"'{url}' is not an https address; link the publication's canonical https page (see CONTRIBUTING.md, 'Source addresses')")
        elif host not in CANONICAL_HOSTS or m.group("port"):
            yield record.problem("source-address", path, f"'{host}' is not a canonical source host; link the publication itself (doi.org, PubMed, PMC, the publisher or the registry) and name a third-party copy in 'where' and 'note' without linking it (see CONTRIBUTING.md, 'Source addresses')")
