"""One command-line entry, `poemskb`, with a subcommand per stage.

    poemskb validate [--format text|github|json] [--strict] [--since REV | FILES...]
    poemskb render   [--out docs/generated]
    poemskb export   --out DIR
    poemskb rules
    poemskb synth    --studies N --out DIR [--seed S] [--no-site]
    poemskb meta     FILE.csv [--model glmm-ml|logit-reml] [--format text|json]
Exit codes: 0 clean, 1 problems found, 2 usage error.
"""
from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _root(args: argparse.Namespace) -> Path:
    return Path(args.root).resolve() if args.root else ROOT


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
            print(f"poemskb validate --since {args.since}: {exc}", file=sys.stderr)
            return 2
        return _validate_changed(root, args, present, deleted, f"--since {args.since}")
    if args.files:
        present, deleted = set(), set()
        for name in args.files:
            path = Path(name).resolve()
            try:
                rel = path.relative_to(root).as_posix()
            except ValueError:
                print(f"poemskb validate: {name} is not inside {root}", file=sys.stderr)
                return 2
            # A listed file that is gone was deleted by the change: its users are checked.
            (present if path.exists() or path.is_symlink() else deleted).add(rel)
        return _validate_changed(root, args, present, deleted, "FILES")
    _, report = load(root)
    return _print_report(report, args)


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
    output = report.format(args.format)
    if output:
        print(output)
    failed = report.errors or (args.strict and report.warnings)
    return 1 if failed else 0


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


def cmd_render(args: argparse.Namespace) -> int:
    from .render import render_site

    kb = _valid_kb(args, "render")
    if kb is None:
        return 1
    out = Path(args.out).resolve() if args.out else kb.root / "docs" / "generated"
    written = render_site(kb, out)
    print(f"rendered {written.total} page(s) into {out} ({written.changed} changed)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_all

    kb = _valid_kb(args, "export")
    if kb is None:
        return 1
    out = Path(args.out).resolve()
    changed = export_all(kb, out, kb.release)
    print(f"exported to {out} ({len(changed)} file(s) changed)")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from .synth import write_kb

    out = Path(args.out)
    try:
        counts = write_kb(out, args.studies, source_root=_root(args), seed=args.seed, site=not args.no_site)
    except (FileExistsError, ValueError) as exc:
        print(f"poemskb synth: {exc}", file=sys.stderr)
        return 2
    print(f"wrote a synthetic knowledge base to {out.resolve()}: "
          + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


def cmd_meta(args: argparse.Namespace) -> int:
    from .pooling import InputError, PoolingError, pool, read_series

    try:
        _, events, totals = read_series(args.file)
        result = pool(events, totals, args.model)
    except (InputError, PoolingError) as exc:
        for line in str(exc).splitlines():
            print(f"poemskb meta: {line}", file=sys.stderr)
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
    parser.add_argument("--root", help="project root (default: this checkout)")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="check every record; report every problem")
    validate.add_argument("--format", choices=["text", "github", "json"], default="text")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument("--since", metavar="REV", help="check only what changed since a git revision, and the records the change can affect")
    validate.add_argument("files", nargs="*", help="check only these changed record files and the records they can affect, "
                               "as --since does (a listed file that no longer exists counts as deleted)")
    validate.set_defaults(func=cmd_validate)

    rules = sub.add_parser("rules", help="list every check with its code")
    rules.set_defaults(func=cmd_rules)

    render = sub.add_parser("render", help="generate the site's Markdown pages from the records")
    render.add_argument("--out", help="output folder (default: docs/generated)")
    render.set_defaults(func=cmd_render)

    synth = sub.add_parser("synth", help="write a synthetic knowledge base of N studies to another folder (benchmarks, tests)")
    synth.add_argument("--studies", type=int, required=True, help="number of studies")
    synth.add_argument("--out", required=True, help="an empty folder outside this project's evidence/")
    synth.add_argument("--seed", type=int, default=0, help="random seed (same seed, same records)")
    synth.add_argument("--no-site", action="store_true", help="do not copy mkdocs.yml and docs/")
    synth.set_defaults(func=cmd_synth)
    meta = sub.add_parser("meta", help="pool single-arm proportions from a CSV (study,events,total) with a random-effects model")
    meta.add_argument("file", help="CSV with the header study,events,total; one row per independent series")
    meta.add_argument("--model", choices=["glmm-ml", "logit-reml"], default="glmm-ml",
                      help="glmm-ml: binomial-normal model by maximum likelihood (default); logit-reml: normal-normal model on log odds, REML")
    meta.add_argument("--format", choices=["text", "json"], default="text")
    meta.set_defaults(func=cmd_meta)
    export = sub.add_parser("export", help="write outcomes.csv, studies.csv and knowledge-base.json")
    export.add_argument("--out", required=True, help="output folder")
    export.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return args.func(args)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
