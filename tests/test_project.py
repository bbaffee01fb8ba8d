"""Project hygiene users rely on: the environment files agree, notebooks carry no outputs, docs match."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {_requirement_name(s): s.replace(" ", "") for s in specs}


def test_environment_yml_agrees_with_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    skip = ("python", "pip")
    listed = {_requirement_name(s): s.replace(" ", "") for s in conda if _requirement_name(s) not in skip}
    assert listed == _pyproject_requirements()
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section == ["-e .[dev]"]
    python = next(s for s in conda if _requirement_name(s) == "python")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python == "python" + requires


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(notebook):
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{notebook.name} has outputs; clear them before committing"
            assert cell.get("execution_count") is None
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb["cells"])


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    head = readme[:1500]
    assert "make retro" in head and "make test" in head


def test_make_help_lists_every_documented_target():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("retro", "test", "test-fast", "lint", "bench", "bench-quick", "check-real", "snapshot"):
        assert f"make {target} " in out


@pytest.mark.parametrize("command", [[], ["run"], ["report"], ["check"], ["classify"], ["history"]])
def test_cli_help(command):
    out = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", *command, "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "Usage:" in out


# A citation names docs/DESIGN.md and then one or more quoted section titles:
# docs/DESIGN.md, "Leaks"   or   docs/DESIGN.md, "Leaks", "Leak groups" and "Classification"
_CITATION = re.compile(r'docs/DESIGN\.md,((?:(?:\s|#)*(?:,|and)?(?:\s|#)*"[^"\n]+")+)')


def _repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def _texts() -> dict[str, str]:
    texts = {}
    for path in _repository_files():
        try:
            texts[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def test_every_design_citation_names_a_section_of_docs_design():
    design = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    headings = {m.group(1).strip() for m in re.finditer(r"^#{1,6}\s+(.+)$", design, flags=re.MULTILINE)}
    cited = {
        (name, title)
        for name, text in _texts().items()
        for match in _CITATION.finditer(text)
        for title in re.findall(r'"([^"\n]+)"', match.group(1))
    }
    assert len(cited) > 10
    assert sorted(c for c in cited if c[1] not in headings) == []


def test_the_repository_cites_no_document_outside_itself():
    outside = [stem + ".md" for stem in ("PRODUCT", "STYLE", "TECH", "EXPORTS")]
    assert sorted(name for name, text in _texts().items() if any(o in text for o in outside)) == []
