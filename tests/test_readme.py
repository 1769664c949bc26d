"""The README's command block and configuration table cannot drift from the code."""

import re
from pathlib import Path

from drafting.cli import app
from drafting.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _cli_block() -> list[str]:
    block = README.split("## The command line", 1)[1].split("```", 2)[1]
    return [line.split("#")[0].split() for line in block.splitlines() if line.startswith("drafting ")]


def test_every_command_in_the_readme_exists_with_its_options():
    for words in _cli_block():
        command, rest = app, words[1:]
        while rest and rest[0] in getattr(command, "commands", {}):
            command, rest = command.commands[rest[0]], rest[1:]
        assert command is not app, f"README names a command the CLI lacks: {' '.join(words)}"
        known = {opt for param in command.params for opt in getattr(param, "opts", [])}
        for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", " ".join(rest)):
            assert option in known, f"{' '.join(words[:3])}: README shows {option}, the CLI has {known}"


def test_every_setting_is_documented():
    documented = set(re.findall(r"`((?:DRAFTING|OPENAI)_[A-Z_]+)`", README))
    for name, field in Settings.model_fields.items():
        aliases = field.validation_alias.choices if field.validation_alias else [name]
        assert any(alias in documented for alias in aliases), f"README lacks the variable for settings.{name}"
