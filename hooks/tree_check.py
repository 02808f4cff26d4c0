"""Refuse to build a site from a tree that holds a symbolic link, named pipe or device.

MkDocs follows links: a pull request that commits `docs/env.txt -> /proc/self/environ`
would publish the build's environment, secrets included. `poemskb render` (which
`make build`, `make serve` and CI run first) already refuses such a tree; this hook
makes a bare `mkdocs build` or `mkdocs serve` refuse it too, before any file is read.
Zensical ignores hooks, so `make zensical` relies on the render step.
"""
from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError


def on_config(config):
    from poemskb.tree import scan

    problems = scan(Path(config.config_file_path).resolve().parent)
    if problems:
        raise PluginError("the tree holds files the site must not be built from:\n"
                          + "\n".join(p.text() for p in problems))
    return config
