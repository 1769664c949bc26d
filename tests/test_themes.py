"""load_taxonomy: the bundled default, a user's own file, and one-line refusals of malformed ones."""

from pathlib import Path

import pytest

from drafting.config import DEFAULT_TAXONOMY
from drafting.errors import BadInput
from drafting.feedback.classifiers import make_classifier
from drafting.feedback.taxonomy import load_taxonomy


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_taxonomy_is_the_bundled_copy_with_praise():
    taxonomy = load_taxonomy(None)
    ids = [t.id for t in taxonomy.themes]
    assert DEFAULT_TAXONOMY.is_file()
    assert len(ids) == 13 and len(set(ids)) == 13
    assert taxonomy.praise_id == "praise" and "praise" in ids
    assert all(len(t.examples) == 5 and t.description for t in taxonomy.themes)


def test_users_own_taxonomy_with_optional_fields(tmp_path):
    path = write(tmp_path, """
themes:
  - id: road
    name: 道路交通
    examples: [路灯坏了, 公交车太少]
    measure: 联系交通部门
    department: 交通局
  - id: 42
    name: 其他事项
""")
    taxonomy = load_taxonomy(path)
    assert [t.id for t in taxonomy.themes] == ["road", "42"]
    assert taxonomy.themes[0].department == "交通局"
    assert taxonomy.themes[1].examples == [] and taxonomy.themes[1].description == ""


def test_a_themes_keywords_are_read_as_short_examples(tmp_path):
    path = write(tmp_path, """
themes:
  - id: parking
    name: 停车
    examples: [车位太少]
    keywords: [车位, 停车场, 充电桩]
  - id: lamps
    name: 路灯
    keywords: [路灯]
""")
    taxonomy = load_taxonomy(path)
    assert taxonomy.themes[0].examples == ["车位太少", "车位", "停车场", "充电桩"]
    assert taxonomy.themes[1].examples == ["路灯"]


@pytest.mark.parametrize(("text", "says"), [
    ("themes: [\n  - id: a\n    name: [", "不是有效的 YAML"),
    ("name: 没有主题\n", "缺少 themes"),
    ("- id: a\n  name: 甲\n", "缺少 themes"),
    ("themes: []\n", "非空列表"),
    ("themes:\n  - name: 甲\n", "第 1 个主题缺少 id"),
    ("themes:\n  - id: a\n    name: 甲\n  - id: b\n", "第 2 个主题缺少 name"),
    ("themes:\n  - id: a\n    name: 甲\n  - id: a\n    name: 乙\n", "主题 id 重复：a"),
    ("themes:\n  - id: a\n    name: 甲\n    examples: 一条\n", "examples 必须是列表"),
    ("themes:\n  - id: a\n    name: 甲\n    colour: red\n", "不认识的字段"),
    ("themes:\n  - id: a\n    name: 甲\n    keywords: 停车\n", "keywords 必须是列表"),
    ("themes:\n  - just a string\n", "不是"),
])
def test_malformed_taxonomy_is_refused_in_one_line(tmp_path, text, says):
    with pytest.raises(BadInput) as caught:
        load_taxonomy(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith("taxonomy: ") and says in message
    assert "\n" not in message


def test_unreadable_file_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="无法读取"):
        load_taxonomy(tmp_path / "missing.yaml")
    binary = tmp_path / "gbk.yaml"
    binary.write_bytes("themes: 主题".encode("gbk"))
    with pytest.raises(BadInput, match="无法读取"):
        load_taxonomy(binary)


class NoEmbedder:
    """Never called: building a classifier embeds nothing until it classifies."""

    name = "none"

    def queries(self, texts):
        raise AssertionError("embedded at construction")

    passages = queries


def test_make_classifier_chooses_the_engine():
    taxonomy = load_taxonomy(None)
    assert make_classifier("auto", taxonomy, NoEmbedder(), None).name == "embedded"
    assert make_classifier("embedded", taxonomy, NoEmbedder(), None).name == "embedded"
    with pytest.raises(BadInput, match="engine"):
        make_classifier("magic", taxonomy, NoEmbedder(), object())
