"""The command line speaks Chinese: no English word of click's own in any help text, version or usage line."""

import re

import click
import pytest
from click.testing import CliRunner

from drafting.cli import app

# Words a user may see that are ours to keep: option names, formats, engine names, placeholders.
ALLOWED = re.compile(r"--?[a-z][a-z-]*|\b(?:md|json|docx|xlsx|txt|csv|pdf|text|auto|template|llm|embedded|"
                     r"none|yaml|YAML|FACTS|FILE|PATH|QUERY|JSON|Schema|DRAFTING_LLM_MODEL|drafting|x)\b")


def all_commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += all_commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


@pytest.mark.parametrize("path", all_commands(app), ids=lambda p: " ".join(p) or "drafting")
def test_help_has_no_english_of_clicks_own(path):
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="drafting")
    assert result.exit_code == 0
    assert "用法：" in result.output and "选项：" in result.output
    verbs = {name for command in all_commands(app) for name in command}  # the verbs of spec cli.md
    leftover = [w for w in re.findall(r"[A-Za-z]{3,}", ALLOWED.sub("", result.output)) if w not in verbs]
    assert not leftover, f"English left in `drafting {' '.join(path)} --help`: {leftover}"


def test_version_line_is_chinese():
    result = CliRunner().invoke(app, ["--version"], prog_name="drafting")
    assert result.output.startswith("drafting 版本 ")
