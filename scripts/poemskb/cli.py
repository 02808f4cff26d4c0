"""One command-line entry, `poemskb`, with a subcommand per stage.

    poemskb [--root DIR] validate [--format text|github|json] [--strict] [--all-warnings] [--since REV | FILES...]
    poemskb render     [--out docs/generated]
    poemskb export     --out DIR
    poemskb release    [--version X.Y.Z] [--date YYYY-MM-DD] [--out dist] [--dry-run | --archive-only]
    poemskb check-tree
    poemskb search-index [SITE]
    poemskb rules
    poemskb synth      --studies N --out DIR [--seed S] [--no-site]
    poemskb new        study|regimen|measure|finding|criteria [ID] [--author A --year Y --topic T]
    poemskb fmt        [--check] [FILES...]
    poemskb diff       [BASE [HEAD]] [--format markdown|json] [--max-lines N]
    poemskb meta       FILE.csv [--model glmm-ml|logit-reml] [--format text|json]
Exit codes: 0 clean, 1 problems found, 2 usage error (or a refused target).

The knowledge base is the nearest folder from the current directory upwards that holds
evidence/ (as git finds its repository), or --root. The checks on which files may be
read and where a command may write live in tree.py, not here.
"""
from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from .escape import visible

MAX_SYNTH_STUDIES = 100_000  # ten times the benchmark's largest base; more never ends usefully


def _root(args: argparse.Namespace) -> Path:
    """The knowledge base this command works on (found once, then kept on args)."""
    from .tree import Refused, check_root, find_root, shown

    if getattr(args, "_root_path", None) is not None:
        return args._root_path
    if args.root is not None:
        root = check_root(args.root)
    else:
        root = find_root(Path.cwd())
        if root is None:
            raise Refused(f"poemskb: no knowledge base here: no evidence/ folder in {shown(Path.cwd())} "
                          "or any folder above it; run poemskb inside a clone, or give --root DIR")
    if root != Path.cwd().resolve():
        print(f"poemskb: knowledge base {shown(root)}", file=sys.stderr)
    args._root_path = root
    return root


def cmd_validate(args: argparse.Namespace) -> int:
    from .kb import load

    root = _root(args)
    if args.since is not None:
        if args.files:
            print("poemskb validate: give either --since REV or files, not both", file=sys.stderr)
            return 2
        from .changed import GitError, changed_since

        try:
            present, deleted = changed_since(root, args.since)
        except GitError as exc:
            # git's message can quote file names from the pull request: shown visibly.
            print(visible(f"poemskb validate --since {args.since}: {exc}"), file=sys.stderr)
            return 2
        return _validate_changed(root, args, present, deleted, f"--since {args.since}")
    if args.files:
        present, deleted = set(), set()
        for name in args.files:
            rel, exists = _named_file(root, name)
            # A listed file that is gone was deleted by the change: its users are checked.
            (present if exists else deleted).add(rel)
        return _validate_changed(root, args, present, deleted, "FILES")
    _, report = load(root)
    return _print_report(report, args)


def _named_file(root: Path, name: str) -> tuple[str, bool]:
    """A file named to `validate FILES`, relative to root, and whether it exists. It must
    be a file under evidence/ (or one whose change needs everything checked), or a file
    git knows that the change deleted: a typo must not pass as "nothing to check"."""
    from .changed import needs_everything
    from .tree import Refused, absolute, lexists, shown

    where = f"poemskb validate: {shown(name)}"
    if name == "-":
        raise Refused(f"{where}: reading records from standard input is not supported; name the record files")
    path = absolute(Path(name))
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        raise Refused(f"{where} is not inside {shown(root)}") from None
    if not lexists(path):
        if _known_to_git(root, rel):
            return rel, False
        raise Refused(f"{where}: no such file (and git does not know it as a deleted one); check the name")
    if path.is_dir() and not path.is_symlink():
        raise Refused(f"{where} is a folder; name record files, or run `poemskb validate` to check everything")
    if not (rel.startswith("evidence/") or needs_everything({rel})):
        raise Refused(f"{where} is not a record: records live in evidence/<kind>/<id>.yaml")
    return rel, True


def _known_to_git(root: Path, rel: str) -> bool:
    """Whether git has this path in its index or in the history of HEAD."""
    import subprocess

    for command in (["ls-files", "-z", "--", rel], ["log", "-1", "--format=%H", "--", rel]):
        try:
            result = subprocess.run(["git", "-C", str(root), *command], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if result.returncode == 0 and result.stdout.strip():
            return True
    return False


def _validate_changed(root: Path, args: argparse.Namespace, present: set[str], deleted: set[str], how: str) -> int:
    """Only the changed files and the records they can affect (see changed.py), unless
    the schemas or the validator changed, which can alter the verdict on any record."""
    from .changed import needs_everything, validate_changed
    from .kb import load

    if needs_everything(present | deleted):
        print(f"poemskb validate {how}: the schemas or the validator changed; checking every record", file=sys.stderr)
        _, report = load(root)
    else:
        report, checked, total = validate_changed(root, present, deleted)
        print(f"poemskb validate {how}: {len(present) + len(deleted)} changed file(s); "
              f"checked {checked} of {total} record(s), the rest by id", file=sys.stderr)
    return _print_report(report, args)


def _print_report(report, args: argparse.Namespace) -> int:
    output = report.format(args.format, quiet=None if args.all_warnings else _untouched(_root(args)))
    if output:
        print(output)
    failed = report.errors or (args.strict and report.warnings)
    return 1 if failed else 0


def _untouched(root: Path):
    """Which warnings to count rather than list: 'unverified' ones in records this branch
    did not change since it left main (all of them when git cannot say)."""
    from .changed import GitError, changed_since, default_base

    try:
        base = default_base(root)
        touched = set().union(*changed_since(root, base)) if base else set()
    except GitError:
        touched = set()
    return lambda problem: problem.code == "unverified" and problem.path not in touched


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import suggest_id, write_new
    from .schema import load_schemas

    rid = args.id or suggest_id(args.author, args.year, args.topic)
    if not rid:
        print("poemskb new: give an ID, or --author, --year and --topic to have one made "
              "(e.g. poemskb new study --author Misawa --year 2016 --topic thalidomide)", file=sys.stderr)
        return 2
    root = _root(args)
    try:
        path = write_new(root, load_schemas(root), args.kind, rid)
    except (ValueError, FileExistsError) as exc:
        print(f"poemskb new: {exc}", file=sys.stderr)
        return 1
    rel = path.relative_to(root)
    print(f"wrote {rel}: replace every 'TO FILL', then run: poemskb fmt {rel} && poemskb validate {rel}")
    return 0


def cmd_fmt(args: argparse.Namespace) -> int:
    from .fmt import format_files
    from .load import discover
    from .schema import load_schemas

    root = _root(args)
    paths = [Path(name) for name in args.files] or [path for _, path in discover(root / "evidence")[0]]
    outcomes = format_files(root, paths, load_schemas(root), write=not args.check)
    failed = False
    for o in outcomes:
        if o.error:
            print(f"{o.rel}: {o.error}", file=sys.stderr)
            failed = True
        elif o.changed and args.check:
            print(f"{o.rel}: not in canonical form; fix it with: poemskb fmt {o.rel}")
            failed = True
        elif o.changed:
            print(f"formatted {o.rel}")
    return 1 if failed else 0


def cmd_diff(args: argparse.Namespace) -> int:
    from .changed import GitError
    from .changes import evidence_diff

    try:
        diff = evidence_diff(_root(args), args.base, args.head)
    except GitError as exc:
        print(f"poemskb diff: {exc}", file=sys.stderr)
        return 2
    print(diff.json() if args.format == "json" else diff.markdown(max_lines=args.max_lines))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from .check import CROSS_RULES, LOAD_CODES, RULES

    for code, text in sorted(LOAD_CODES.items()):
        print(f"{code:22} {text}")
    for code, (text, _) in sorted({**RULES, **CROSS_RULES}.items()):
        print(f"{code:22} {text}")
    return 0


def _valid_kb(args: argparse.Namespace, command: str):
    """The loaded knowledge base, or None (with every problem printed) when it has errors:
    render and export never write from records that fail validation, so a bad pull
    request leaves the previous site and downloads untouched."""
    from .kb import load

    kb, report = load(_root(args))
    if report.errors:
        print(report.format("text"), file=sys.stderr)
        print(f"poemskb {command}: nothing written until validation passes", file=sys.stderr)
        return None
    # The records live until the process ends: take them out of the cyclic collector's
    # view, or every collection while pages are made walks the whole knowledge base again.
    gc.freeze()
    return kb


def cmd_check_tree(args: argparse.Namespace) -> int:
    """Every symbolic link, pipe or device in the tree is an error: run before MkDocs."""
    from .problems import Report
    from .tree import scan

    return _print_report(Report(scan(_root(args))), args)


def cmd_render(args: argparse.Namespace) -> int:
    from .render import HistoryError, history_of, render_site
    from .tree import absolute, check_tree, claim_output, shown
    from .writer import MARKER

    root = _root(args)
    # MkDocs follows links: the tree is checked before anything is read or written.
    check_tree(root)
    out = absolute(Path(args.out)) if args.out else root / "docs" / "generated"
    # The path is refused before the records are even loaded; what the folder holds is
    # checked by the writer under its lock (another render may be filling it).
    claim_output(out, root, MARKER, "render", contents=False)
    kb = _valid_kb(args, "render")
    if kb is None:
        return 1
    try:  # the releases' states, before anything is written (history.py)
        history = history_of(kb)
    except HistoryError as exc:
        print(f"error: the 'What changed' page cannot be made: {exc}", file=sys.stderr)
        return 1
    if history.unavailable and args.require_history:  # a published site must show its history
        print(f"error: the 'What changed' page cannot be made: {history.unavailable}", file=sys.stderr)
        return 1
    written = render_site(kb, out, history)
    if history.unavailable:  # after the write: a refused render says one thing only
        print(f"warning: the 'What changed' page says no history is available: {history.unavailable}", file=sys.stderr)
    print(f"rendered {written.total} page(s) into {shown(out)} ({written.changed} changed)")
    return 0


def cmd_search_index(args: argparse.Namespace) -> int:
    """Write the site search's chunked static index into a built site."""
    from .searchindex import FOLDER, build_index

    site = Path(args.site)
    try:
        build_index(site)
    except (OSError, RuntimeError) as exc:
        print(f"poemskb search-index: {visible(str(exc))}", file=sys.stderr)
        return 1
    print(f"search index written to {visible(str(site / FOLDER))}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_all
    from .tree import absolute, claim_output, shown
    from .writer import EXPORT_MARKER

    root = _root(args)
    # Refused before the records are even loaded; the writer checks again under its lock.
    out = claim_output(absolute(Path(args.out)), root, EXPORT_MARKER, "export", contents=False)
    kb = _valid_kb(args, "export")
    if kb is None:
        return 1
    changed = export_all(kb, out, root=root)
    print(f"exported to {shown(out)} ({len(changed)} file(s) changed)")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """Cut a release (release.py): version, changelog section, state, archive."""
    import datetime as dt

    from . import release
    from .kb import load

    kb = _valid_kb(args, "release")
    if kb is None:
        return 1
    try:
        if not args.archive_only:
            date = args.date or dt.datetime.now(dt.timezone.utc).date().isoformat()
            dt.date.fromisoformat(date)
            p = release.plan(kb, args.version)
            summary = release.changelog_summary(p.diff) or ["- (no record changes)"]
            print(f"release {p.current} -> {p.version} ({p.bump or 'as given'}; {date})\n" + "\n".join(summary))
            if args.dry_run:
                return 0
            release.cut(kb, p.version, date)
            kb, _ = load(kb.root)  # CITATION.cff and RELEASE.json changed
        name, data = release.archive_bytes(kb)
    except (release.ReleaseError, ValueError) as exc:
        print(f"poemskb release: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(data)
    print(f"wrote {out / name}")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from .synth import write_kb
    from .tree import Refused, absolute, claim_output, shown

    if not 0 <= args.studies <= MAX_SYNTH_STUDIES:
        raise Refused(f"poemskb synth: --studies {args.studies}: give a number from 0 to {MAX_SYNTH_STUDIES:,}")
    root = _root(args)
    out = claim_output(absolute(Path(args.out)), root, "", "synth", empty_only=True)
    try:
        counts = write_kb(out, args.studies, source_root=root, seed=args.seed, site=not args.no_site)
    except (FileExistsError, ValueError) as exc:
        print(visible(f"poemskb synth: {exc}"), file=sys.stderr)
        return 2
    print(f"wrote a synthetic knowledge base to {shown(out)}: "
          + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


def cmd_meta(args: argparse.Namespace) -> int:
    from .pooling import InputError, PoolingError, pool, read_series

    try:
        _, events, totals = read_series(args.file)
        result = pool(events, totals, args.model)
    except (InputError, PoolingError) as exc:
        for line in str(exc).splitlines():
            print(visible(f"poemskb meta: {line}"), file=sys.stderr)
        return 2
    if args.format == "json":
        import json

        keys = ("model", "k", "estimate", "ci_low", "ci_high", "tau2", "i2", "pi_low", "pi_high")
        print(json.dumps({key: getattr(result, key) for key in keys}))
        return 0
    print(_meta_text(result))
    return 0


def _meta_text(result) -> str:
    names = {"glmm-ml": "binomial-normal model, maximum likelihood", "logit-reml": "normal-normal model on the logit scale, REML"}
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731 - one format, used five times below
    lines = [f"Pooled proportion of {result.k} series ({names[result.model]}):",
             f"  estimate {pct(result.estimate)} (95% CI {pct(result.ci_low)} to {pct(result.ci_high)})",
             f"  tau² {result.tau2:.4f} (logit scale), I² {result.i2:.1f}%"]
    if result.pi_low is None:
        lines.append("  no prediction interval: it needs at least three series")
    else:
        lines.append(f"  95% prediction interval for a new series {pct(result.pi_low)} to {pct(result.pi_high)}")
    lines.append("Single-arm series are not randomised comparisons: read a pooled figure with their designs and populations.")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="poemskb", description="POEMS syndrome treatment evidence: validate records and render the site.")
    parser.add_argument("--root", help="the knowledge base (default: the nearest folder from here upwards that holds evidence/)")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check every record; report every problem")
    validate.add_argument("--format", choices=["text", "github", "json"], default="text")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument("--all-warnings", action="store_true",
                          help="list every warning (by default, unverified facts in records you did not change are counted in one line)")
    validate.add_argument("--since", metavar="REV", help="check only what changed since a git revision, and the records the change can affect")
    validate.add_argument("files", nargs="*", help="check only these changed record files and the records they can affect, "
                               "as --since does (a listed file that no longer exists counts as deleted if git knows it; "
                               "anything else that is not a file under evidence/ is refused)")
    validate.set_defaults(func=cmd_validate)

    rules = sub.add_parser("rules", help="list every check with its code")
    rules.set_defaults(func=cmd_rules)

    render = sub.add_parser("render", help="generate the site's Markdown pages from the records")
    render.add_argument("--out", help="output folder (default: docs/generated)")
    render.add_argument("--require-history", action="store_true",
                        help="refuse to render when the copy holds no release history (a shallow clone, an archive): "
                             "for the published site, whose 'What changed' page must show it")
    render.set_defaults(func=cmd_render)

    synth = sub.add_parser("synth", help="write a synthetic knowledge base of N studies to another folder (benchmarks, tests)")
    synth.add_argument("--studies", type=int, required=True, help="number of studies")
    synth.add_argument("--out", required=True, help="an empty folder outside this project's evidence/")
    synth.add_argument("--seed", type=int, default=0, help="random seed (same seed, same records)")
    synth.add_argument("--no-site", action="store_true", help="do not copy mkdocs.yml and docs/")
    synth.set_defaults(func=cmd_synth)
    rel = sub.add_parser("release", help="cut a release: version, CHANGELOG section, RELEASE.json and a reproducible archive")
    rel.add_argument("--version", help="MAJOR.MINOR.PATCH (default: suggested from the records changed since the last release)")
    rel.add_argument("--date", help="release date YYYY-MM-DD (default: today, UTC)")
    rel.add_argument("--out", default="dist", help="folder for the archive (default: dist)")
    mode = rel.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print the suggested version and changes; write nothing")
    mode.add_argument("--archive-only", action="store_true", help="re-cut the current release's archive (same bytes)")
    rel.set_defaults(func=cmd_release)
    meta = sub.add_parser("meta", help="pool single-arm proportions from a CSV (study,events,total) with a random-effects model")
    meta.add_argument("file", help="CSV with the header study,events,total; one row per independent series")
    meta.add_argument("--model", choices=["glmm-ml", "logit-reml"], default="glmm-ml",
                      help="glmm-ml: binomial-normal model by maximum likelihood (default); logit-reml: normal-normal model on log odds, REML")
    meta.add_argument("--format", choices=["text", "json"], default="text")
    meta.set_defaults(func=cmd_meta)
    export = sub.add_parser("export", help="write every export (tables, data package, Parquet, bibliography, FHIR, JSON)")
    export.add_argument("--out", required=True, help="an empty or new folder, or one an earlier export wrote (not inside evidence/)")
    export.set_defaults(func=cmd_export)

    new = sub.add_parser("new", help="start a record from the schema, with every field to fill marked")
    new.add_argument("kind", choices=["study", "regimen", "measure", "finding", "criteria"])
    new.add_argument("id", nargs="?", help="the record id (e.g. misawa-2016-thalidomide); or give --author, --year and --topic")
    new.add_argument("--author", help="first author's surname (only if you have seen the author list)")
    new.add_argument("--year", help="publication year")
    new.add_argument("--topic", help="a word or two for the topic (e.g. thalidomide, asct)")
    new.set_defaults(func=cmd_new)

    fmt = sub.add_parser("fmt", help="put records in canonical form (key order and style), keeping comments")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 naming each file not in canonical form")
    fmt.add_argument("files", nargs="*", help="record files (default: every record)")
    fmt.set_defaults(func=cmd_fmt)

    diff = sub.add_parser("diff", help="what changed in the evidence between two revisions (Markdown for a pull request, or JSON)")
    diff.add_argument("base", nargs="?", help="git revision to compare from (default: where this branch left main)")
    diff.add_argument("head", nargs="?", help="git revision to compare to (default: the files as they are now)")
    diff.add_argument("--format", choices=["markdown", "json"], default="markdown")
    diff.add_argument("--max-lines", type=int, default=200, help="cap on the Markdown's lines (a pull-request comment); the rest is counted")
    diff.set_defaults(func=cmd_diff)

    search_index = sub.add_parser("search-index", help="write the site search's chunked index into a built site (after mkdocs or zensical build)")
    search_index.add_argument("site", nargs="?", default="site", help="the built site folder (default: site)")
    search_index.set_defaults(func=cmd_search_index)

    check_tree = sub.add_parser("check-tree", help="fail on any symbolic link, named pipe or device in the tree (run before MkDocs)")
    check_tree.add_argument("--format", choices=["text", "github", "json"], default="text")
    check_tree.set_defaults(func=cmd_check_tree, strict=False, all_warnings=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    from .problems import Report
    from .tree import Refused, TreeError, shown

    try:
        return args.func(args)
    except BrokenPipeError:
        return 0
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except TreeError as exc:
        # Files the project must not read (a linked schema, a piped CITATION.cff): the
        # same located problems as any other, in the format asked for.
        report = Report(exc.problems)
        style = getattr(args, "format", "text")
        print(report.format(style), file=sys.stdout if args.command in ("validate", "check-tree") else sys.stderr)
        if args.command not in ("validate", "check-tree"):
            print(f"poemskb {args.command}: nothing written until validation passes", file=sys.stderr)
        return 1
    except OSError as exc:
        # Not a bug in poemskb but the machine saying no (a path too long, a full disk,
        # no permission): one line, never a traceback.
        where = f" {shown(exc.filename)}" if exc.filename else ""
        print(f"poemskb {args.command}:{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
