"""Documentation is tested: every command, option and setting is described."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from keizer.cli import app
from keizer.config import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands(group: Any, prefix: str = "keizer") -> dict[str, Any]:
    """Leaf commands by their full path (Typer vendors Click, so match on shape)."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            found.update(_commands(command, path))
        else:
            found[path] = command
    return found


def test_every_command_and_option_is_in_docs_cli() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    commands = _commands(root)
    assert "keizer db info" in commands
    for path, command in commands.items():
        assert f"`{path}" in text, f"{path} is not documented in docs/cli.md"
        for param in command.params:
            if param.param_type_name == "option":
                assert any(f"`{opt}`" in text for opt in param.opts), (path, param.opts)


def test_every_setting_is_in_docs_settings() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`KEIZER_{name.upper()}`" in text, f"KEIZER_{name.upper()} is not documented"


def test_readme_names_the_two_setup_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
