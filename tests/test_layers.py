"""The package layout holds: import-linter's contracts in pyproject.toml (layers, no cycles) are all kept."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_every_import_contract_is_kept():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_a_cycle_would_break_the_contract(tmp_path):
    """The contract is not vacuous: a copy of the package with one cycle added fails it."""
    copy = tmp_path / "drafting"
    subprocess.run(["cp", "-r", str(ROOT / "drafting"), str(copy)], check=True)
    with open(copy / "feedback" / "summarise.py", "a", encoding="utf-8") as handle:
        handle.write("\nimport drafting.feedback.pipeline  # noqa: E402\n")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "No import cycles among the modules of any package BROKEN" in result.stdout
