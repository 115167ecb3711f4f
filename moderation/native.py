"""Whether the moderation hot path runs compiled (mypyc) or as plain Python -- and that it is never stale.

``pip install`` compiles the modules in `COMPILED` with mypyc (`moderation.native_build`): the same typed
source, about a third less CPU per comment, identical results (tests/moderation/test_native.py compares). The
compiled extension modules sit beside their sources, and Python imports an extension module before a source
file of the same name. They are only right for the sources they were built from, so the build records the
sources' SHA-256 in `MANIFEST`; when any source differs (an edit, a checkout), every one of them is imported
from source until the next ``pip install -e .``. Without a C compiler the build leaves them out: plain Python,
same results. ``NETZPFLEGE_PURE_PYTHON=1`` skips compilation at install and the compiled modules at run time.

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

PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST = PACKAGE_DIR / "native.json"  # written by the build, not in git
PURE_PYTHON_ENV = "NETZPFLEGE_PURE_PYTHON"
# The triage hot path and what it calls per comment; all of it compiled together (mypyc calls between these
# modules natively, so they are used all together or not at all).
COMPILED = tuple(f"moderation.{name}" for name in (
    "abuse", "abuse_features", "abuse_lexicon", "batch", "matching", "normalise", "pii", "pipeline", "questions",
    "sentiment", "sentiment_context", "sentiment_data", "sentiment_inflect", "sentiment_tagger",
    "sentiment_tokenizer", "urgency",
))
GROUP = "moderation.compiled"  # mypyc's shared library: moderation/compiled__mypyc.*.so

COMPILED_IN_USE = "compiled"
STALE = "stale"  # built, but from other sources: plain Python until the next install
NOT_BUILT = "not built"  # no (complete) build for this interpreter: plain Python
DISABLED = "disabled"  # NETZPFLEGE_PURE_PYTHON=1: plain Python


def source_path(module: str, package_dir: Path = PACKAGE_DIR) -> Path:
    return package_dir / f"{module.rpartition('.')[2]}.py"


def manifest(package_dir: Path = PACKAGE_DIR) -> dict[str, object]:
    """What the build records: the interpreter it compiled for and the SHA-256 of each source it compiled."""
    sources = {m: hashlib.sha256(source_path(m, package_dir).read_bytes()).hexdigest() for m in COMPILED}
    return {"interpreter": sys.implementation.cache_tag, "sources": sources}


def _extension_of(module: str, package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The module's compiled extension file for this interpreter, if built."""
    name = module.rpartition(".")[2]
    return next((p for p in (package_dir / (name + s) for s in EXTENSION_SUFFIXES) if p.is_file()), None)


def decide(environ: Mapping[str, str] = os.environ, package_dir: Path = PACKAGE_DIR) -> str:
    """Which the imports will use: `COMPILED_IN_USE` or why not (`DISABLED`, `NOT_BUILT`, `STALE`)."""
    if environ.get(PURE_PYTHON_ENV) == "1":
        return DISABLED
    if any(_extension_of(m, package_dir) is None for m in (*COMPILED, GROUP + "__mypyc")):
        return NOT_BUILT
    try:
        recorded = json.loads((package_dir / MANIFEST.name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return NOT_BUILT
    return COMPILED_IN_USE if recorded == manifest(package_dir) else STALE


class _SourcesFirst(MetaPathFinder):
    """Imports the compiled modules from their source files."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None,
                  ) -> ModuleSpec | None:
        if fullname not in COMPILED:
            return None
        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


STATUS = decide()
if STATUS != COMPILED_IN_USE and any(_extension_of(m) for m in COMPILED):
    sys.meta_path.insert(0, _SourcesFirst())


def status_line() -> str:
    """German, for the CLI and the benchmarks."""
    return {
        COMPILED_IN_USE: "kompiliert (mypyc)",
        STALE: "reines Python: kompilierte Module veraltet – `pip install -e .` erneut ausführen",
        NOT_BUILT: "reines Python (nicht kompiliert)",
        DISABLED: f"reines Python ({PURE_PYTHON_ENV}=1)",
    }[STATUS]
