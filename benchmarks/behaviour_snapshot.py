"""Digest of what the CLI writes for every fact set and opinion file the tests use.

Run it before and after a change that must not change behaviour (a move, a refactor) and compare:

    python benchmarks/behaviour_snapshot.py > before.txt
    ... change ...
    python benchmarks/behaviour_snapshot.py | diff before.txt -

Each line is `<sha256 of the output>  <command>`; `--full DIR` also keeps every output for reading.
"""

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
FACT_DIRS = ("tests/data/facts", "tests/data/facts_blind")
OPINION_SETS = ("benchmarks/data/opinions_blind_test.yaml", "benchmarks/data/opinions_blind_dev.yaml")


def opinion_files(workdir: Path) -> list[Path]:
    """The blind opinion sets written out one opinion a line, as an organiser pastes them."""
    files = []
    for rel in OPINION_SETS:
        data = yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))
        lines = [text for texts in data.values() for text in texts]
        path = workdir / (Path(rel).stem + ".txt")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", type=Path, help="also write every output into this folder")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="snapshot-"))
    os.environ["DRAFTING_HOME"] = str(workdir / "home")
    from drafting.cli import app

    runner = CliRunner()
    jobs: list[list[str]] = []
    for rel in FACT_DIRS:
        for path in sorted((ROOT / rel).iterdir()):
            if path.suffix in {".json", ".yaml"} and not path.name.startswith("invalid"):
                jobs.append(["draft", str(path), "--engine", "template", "--format", "json"])
    for path in opinion_files(workdir):
        jobs.append(["classify", str(path), "--engine", "embedded", "--format", "json"])
        jobs.append(["classify", str(path), "--taxonomy", "none", "--engine", "embedded", "--format", "json"])
    for job in jobs:
        result = runner.invoke(app, job, catch_exceptions=False)
        out = result.output.replace(str(ROOT), "<root>")
        name = " ".join(a.replace(str(ROOT) + "/", "").replace(str(workdir) + "/", "") for a in job)
        print(f"{hashlib.sha256(out.encode()).hexdigest()[:16]}  exit={result.exit_code}  {name}")
        if args.full:
            args.full.mkdir(parents=True, exist_ok=True)
            target = args.full / (name.replace("/", "_").replace(" ", "_") + ".out")
            target.write_text(out, encoding="utf-8")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
