"""Whether the moderation hot path runs compiled (mypyc) or as plain Python -- and that it is never stale.

``pip install`` compiles the modules in `COMPILED` with mypyc (`moderation.native_build`): the same typed
source, about 40 % less CPU per comment, identical results (tests/moderation/test_native.py compares). The
compiled extension modules sit beside their sources, and Python imports an extension module before a source
file of the same name. They are only right for the sources they were built from, so a successful build records
the SHA-256 of those sources (and of `store.config`, whose types the compiled code checks) in `MANIFEST`; when any
of them differs (an edit, a checkout, a failed rebuild), every compiled module is imported from source until the
next ``pip install -e .``. Without a C compiler the build leaves them out: plain Python, same results.
``NETZPFLEGE_PURE_PYTHON=1`` skips compilation at install and the compiled modules at run time.

Only the standard library here: `moderation/__init__.py` runs this before any other import of the package, and
the build backend imports it without the project's dependencies.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Mapping, Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

PACKAGE_DIR = Path(__file__).resolve().parent  # (compiled modules' __file__ is not their source's: use this)
PROJECT_DIR = PACKAGE_DIR.parent
PURE_PYTHON_ENV = "NETZPFLEGE_PURE_PYTHON"
# The triage hot path and what it calls per comment; all of it compiled together (mypyc calls between these
# modules natively, so they are used all together or not at all).
COMPILED = tuple(f"moderation.{name}" for name in (
    "abuse", "abuse_features", "abuse_lexicon", "batch", "matching", "normalise", "pii", "pipeline", "questions",
    "sentiment", "sentiment_context", "sentiment_data", "sentiment_inflect", "sentiment_tagger",
    "sentiment_tokenizer", "urgency",
))
GROUP = "moderation.compiled"  # mypyc's shared library of the group: moderation/compiled__mypyc.*.so
_RECORDED = (*COMPILED, "store.config")  # the sources a build depends on

COMPILED_IN_USE = "compiled"
STALE = "stale"  # built, but from other sources: plain Python until the next install
NOT_BUILT = "not built"  # no complete, recorded build for this interpreter: plain Python
DISABLED = "disabled"  # NETZPFLEGE_PURE_PYTHON=1: plain Python
SCRIPT = "script"  # `python -m` of a compiled module (an extension module cannot run as __main__): plain Python


def source_path(module: str, root: Path = PROJECT_DIR) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def manifest_path(root: Path = PROJECT_DIR) -> Path:
    return root / "moderation" / "native.json"


MANIFEST = manifest_path()  # written by a successful build, not in git


def pure_python(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``NETZPFLEGE_PURE_PYTHON=1`` asks for plain Python (no compilation at install, none used at run)."""
    return environ.get(PURE_PYTHON_ENV) == "1"


def manifest(root: Path = PROJECT_DIR) -> dict[str, object]:
    """What a build records: the interpreter it compiled for and the SHA-256 of each source it depends on."""
    sources = {m: hashlib.sha256(source_path(m, root).read_bytes()).hexdigest() for m in _RECORDED}
    return {"interpreter": sys.implementation.cache_tag, "sources": sources}


def extension_path(module: str, root: Path = PROJECT_DIR) -> Path:
    """Where the module's compiled extension for this interpreter lies when built in place."""
    return root.joinpath(*module.split(".")).with_name(module.rpartition(".")[2] + EXTENSION_SUFFIXES[0])


def decide(environ: Mapping[str, str] = os.environ, root: Path = PROJECT_DIR,
           argv: Sequence[str] = getattr(sys, "orig_argv", ())) -> str:
    """Which the imports will use: `COMPILED_IN_USE` or why not (`DISABLED`, `SCRIPT`, `NOT_BUILT`, `STALE`).

    ``argv``: the interpreter's command line; ``python -m moderation.sentiment_data`` runs that module from source.
    """
    if pure_python(environ):
        return DISABLED
    if "-m" in argv[:-1] and argv[list(argv).index("-m") + 1] in COMPILED:
        return SCRIPT
    if not all(extension_path(m, root).is_file() for m in (*COMPILED, GROUP + "__mypyc")):
        return NOT_BUILT
    try:
        recorded = json.loads(manifest_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return NOT_BUILT
    return COMPILED_IN_USE if recorded == manifest(root) else STALE


class _SourcesFirst(MetaPathFinder):
    """Imports the compiled modules from their source files."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None,
                  ) -> ModuleSpec | None:
        if fullname not in COMPILED:
            return None
        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


STATUS = decide()
if STATUS != COMPILED_IN_USE:
    sys.meta_path.insert(0, _SourcesFirst())


def status_line() -> str:
    """German, for the CLI and the benchmarks."""
    return {
        COMPILED_IN_USE: "kompiliert (mypyc)",
        STALE: "reines Python: kompilierte Module veraltet – `pip install -e .` erneut ausführen",
        NOT_BUILT: "reines Python (nicht kompiliert)",
        DISABLED: f"reines Python ({PURE_PYTHON_ENV}=1)",
        SCRIPT: "reines Python (Modul als Skript gestartet)",
    }[STATUS]
