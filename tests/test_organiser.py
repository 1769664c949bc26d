"""The held-out organiser files (tests/data/organiser_heldout/, written without sight of the code) through the
whole pipeline on the bundled embedder: a plain run (the sector detected from the opinions) and a run with
the organiser's own taxonomy, scored as benchmarks/classify_organiser.py scores them."""

import importlib.util
from pathlib import Path

import pytest

from drafting.feedback.read import read_opinions
from drafting.feedback.taxonomy import detect_sector

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("classify_organiser",
                                              ROOT / "benchmarks" / "classify_organiser.py")
organiser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(organiser)


@pytest.mark.parametrize("name, sector", [("hospital", "hospital"), ("village_record", "village"),
                                          ("company_form", "company"), ("school", "school")])
def test_the_sector_is_detected_from_the_opinions(name, sector):
    path = organiser.DATA / organiser.FILES[name]
    assert detect_sector(read_opinions(path.name, path.read_bytes()).lines) == sector


@pytest.mark.slow
@pytest.mark.parametrize("own", [False, True])
def test_a_village_record_is_grouped_as_its_organiser_meant(embedder, own):
    figures = organiser.run("village_record", embedder, own, repeat=1)
    assert figures["macro_f1"] >= 0.85
    assert figures["multi_share"] >= 0.8
    assert 5 <= figures["problem_themes"] <= 12
    assert figures["unassigned"] <= 0.08 and figures["lost_lines"] == 0
    found, planted = figures["injections_flagged"].split("/")
    assert found == planted
