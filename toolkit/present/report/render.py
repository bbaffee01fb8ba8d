"""Render an executed report notebook as the standalone, code-free leadership HTML.

The project's own nbconvert template (``templates/retro_report``) removes every script the lab
template would load from a CDN, so the page works offline and makes no request; inputs,
prompts, the papermill parameter cells and anything printed to stderr are left out.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

TEMPLATES = Path(__file__).parent / "templates"


class _DropStderr(Preprocessor):
    """Drop stderr streams and error outputs: warnings and tracebacks are not for leadership."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.output_type == "stream" and o.get("name") == "stderr") and o.output_type != "error"
            ]
        return cell, resources


def render_report(notebook: str | Path, html: str | Path, *, title: str) -> Path:
    """Write ``notebook`` (already executed) as a standalone HTML page at ``html``.

    ``title`` becomes the page title (escaped by the template). Returns the written path.
    """
    notebook, html = Path(notebook), Path(html)
    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(
        template_name="retro_report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    remove = TagRemovePreprocessor(
        remove_cell_tags={"parameters", "injected-parameters", "remove_cell"},
        remove_all_outputs_tags={"remove_output"},
        remove_input_tags={"remove_input"},
    )
    exporter.register_preprocessor(remove, enabled=True)
    exporter.register_preprocessor(_DropStderr(), enabled=True)
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": title, "path": str(notebook.parent)}}
    )
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")
    return html
