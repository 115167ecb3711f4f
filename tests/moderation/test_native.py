"""The compiled hot path (mypyc): in use after an install, identical to plain Python, never stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import moderation.sentiment
from moderation import native
from moderation.abuse_lexicon import BUILT_LEXICON, SOURCE_LEXICON
from moderation.native_build import record_build
from tests.conftest import missing
from tests.corpus import tweet_texts


def _need_compiled() -> None:
    if native.STATUS != native.COMPILED_IN_USE:
        missing(f"Hot path not compiled ({native.status_line()}): `pip install -e .` with a C compiler")


def test_install_compiles_the_hot_path() -> None:
    """The README's install compiles; the imports then use the extension modules."""
    _need_compiled()
    assert moderation.sentiment.__file__ and moderation.sentiment.__file__.endswith(tuple(EXTENSION_SUFFIXES))


def _env(switch: str) -> dict[str, str]:
    """This process's environment with the plain-Python switch set to ``switch``."""
    return {**{k: v for k, v in os.environ.items() if k != native.PURE_PYTHON_ENV}, native.PURE_PYTHON_ENV: switch}


def _triage(lines: list[str], pure: bool) -> list[dict[str, object]]:
    env = _env("1" if pure else "")
    done = subprocess.run([sys.executable, "-m", "dashboard.cli", "triage"], input="".join(lines), env=env,
                          capture_output=True, text=True, check=True, encoding="utf-8")
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_compiled_and_plain_python_give_identical_results() -> None:
    """Every output field of 1,000 real tweets and awkward inputs, compiled vs plain Python."""
    _need_compiled()
    texts = tweet_texts(5)[:1000] + ["", "😀", "Du Idiot!!!", "<b>Ruft an: 0171 2345678</b>", "a" * 6000,
                                     "Wann öffnet das Bürgerbüro? Danke!", "I d i o t", "Nicht gut. :-( (!)"]
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)]
    compiled, plain = _triage(lines, pure=False), _triage(lines, pure=True)
    assert len(compiled) == len(texts)
    assert compiled == plain


def test_plain_python_switch_takes_the_sources() -> None:
    """The switch works, and without it a fresh process (as `_triage` starts them) takes the compiled modules."""
    _need_compiled()
    code = "import moderation.sentiment as s, moderation.native as n; print(n.STATUS, s.__file__)"
    for switch, expected in (("1", native.DISABLED), ("", native.COMPILED_IN_USE)):
        done = subprocess.run([sys.executable, "-c", code], env=_env(switch),
                              capture_output=True, text=True, check=True)
        status, path = done.stdout.split()
        assert status == expected
        assert (Path(path) == native.source_path("moderation.sentiment")) == (expected == native.DISABLED)


def _fake_build(root: Path) -> Path:
    """A project folder with every recorded source, an (empty) extension file per compiled module and the group,
    and the manifest a successful build writes."""
    for module in (*native.COMPILED, "store.config"):
        path = native.source_path(module, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {module}\n", encoding="utf-8")
    modules = [*native.COMPILED, native.GROUP + "__mypyc"]
    for module in modules:
        native.extension_path(module, root).touch()
    assert record_build(set(modules), modules, native.manifest(root), native.manifest_path(root))
    return root


def test_a_build_for_these_sources_is_used(tmp_path: Path) -> None:
    assert native.decide({}, _fake_build(tmp_path)) == native.COMPILED_IN_USE


@pytest.mark.parametrize("edited", ["moderation.sentiment", "store.config"])
def test_an_edited_source_makes_the_build_stale(tmp_path: Path, edited: str) -> None:
    root = _fake_build(tmp_path)
    source = native.source_path(edited, root)
    source.write_text(source.read_text(encoding="utf-8") + "x = 1\n", encoding="utf-8")
    assert native.decide({}, root) == native.STALE


@pytest.mark.parametrize("lost", ["moderation.questions", native.GROUP + "__mypyc", "manifest"])
def test_an_incomplete_build_is_not_used(tmp_path: Path, lost: str) -> None:
    root = _fake_build(tmp_path)
    if lost == "manifest":
        native.manifest_path(root).write_text("{kaputt", encoding="utf-8")
    else:
        native.extension_path(lost, root).unlink()
    assert native.decide({}, root) == native.NOT_BUILT


def test_a_build_with_a_failed_module_records_nothing(tmp_path: Path) -> None:
    """A compiler error leaves a module out (they are optional) while an older file of it may still lie in place:
    no manifest then, so the older build is not taken for this one."""
    root = _fake_build(tmp_path)
    manifest = native.manifest_path(root)
    manifest.unlink()  # what the build does first
    wanted = list(native.COMPILED)
    assert not record_build(set(wanted[1:]), wanted, native.manifest(root), manifest)
    assert not manifest.exists() and native.decide({}, root) == native.NOT_BUILT


def test_a_compiled_module_still_runs_as_a_script(tmp_path: Path) -> None:
    """``python -m moderation.abuse_lexicon`` (an extension module cannot be __main__): from its source."""
    out = tmp_path / "lexicon.json"
    subprocess.run([sys.executable, "-m", "moderation.abuse_lexicon", str(SOURCE_LEXICON), str(out)], check=True)
    assert out.read_bytes() == BUILT_LEXICON.read_bytes()
    assert native.decide({}, _fake_build(tmp_path), ["python", "-m", "moderation.sentiment_data"]) == native.SCRIPT
    assert native.decide({}, tmp_path, ["python", "-m", "dashboard.cli"]) == native.COMPILED_IN_USE


def test_the_switch_wins_over_a_good_build(tmp_path: Path) -> None:
    assert native.decide({native.PURE_PYTHON_ENV: "1"}, _fake_build(tmp_path)) == native.DISABLED
