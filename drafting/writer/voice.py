"""How a unit speaks: its kind (police, tax office, hospital, village…) and that kind's words."""

import re
from functools import lru_cache

import yaml
from pydantic import BaseModel, Field

from drafting.config import PROMPTS_DIR

VOICES_FILE = PROMPTS_DIR / "template" / "voices.yaml"


class Voice(BaseModel):
    """One kind of unit and the words it uses, as prompts/template/voices.yaml gives them."""

    kind: str = Field(description="Key in voices.yaml: police, tax, hospital, village, …")
    cues: list[str] = Field(default_factory=list, description="Words of a unit's name that make it this kind")
    sectors: list[str] = Field(default_factory=list, description="Facts sectors this kind stands for")
    whole: str = Field(description="The unit as a whole: 全院, 全区各级党组织")
    masses: str = Field(description="Whom it serves: 患者和家属, 纳税人缴费人")
    work: str = Field(description="Its work: 医疗服务工作")
    trait: str = Field(description="突出……特点")
    focus: str = Field(description="What the appraisal looks at")
    words: list[str] = Field(default_factory=list, description="Wording only this kind uses")
    also: list[str] = Field(default_factory=list, description="Kinds whose words this kind may use too")

    def may_use(self, other: "Voice") -> bool:
        """Whether wording marked as `other`'s fits a draft in this voice."""
        return other.kind == self.kind or other.kind in self.also


@lru_cache
def voices() -> dict[str, Voice]:
    """Every voice, in the file's order."""
    data = yaml.safe_load(VOICES_FILE.read_text(encoding="utf-8"))
    return {kind: Voice(kind=kind, **entry) for kind, entry in data.items()}


def bare_unit(unit: str) -> str:
    """The unit without its party organisation: 煤电公司发电运行车间党支部 -> 煤电公司发电运行车间."""
    name = unit
    for organisation in ("党总支", "党支部", "总支", "支部"):
        name = name.replace(organisation, "")
    return name.removesuffix("委员会").removesuffix("党委")


def voice_for(unit: str, sector: str | None = None) -> Voice:
    """The voice of a unit: the cue that ends last in its name (longest on a tie), else its sector's."""
    name = unit.replace("委员会", "委")
    ends = [(name.rfind(cue) + len(cue), len(cue), kind)
            for kind, voice in voices().items() for cue in voice.cues if cue in name]
    if ends:
        return voices()[max(ends)[2]]
    for voice in voices().values():
        if sector and sector in voice.sectors:
            return voice
    return voices()["other"]


# 群众 where it means the people the unit serves (向群众说明, 群众反映, 服务群众), not in set terms (群众评议,
# 群众路线, 群众满意度, 群众监督) nor where a word before it already says who (村民群众, 办事群众).
SERVED = re.compile(r"(?<![干部职工村民居办事辖区])群众(?=反映|提出|关心|关注|最关心|说明|期盼|的期盼|的要求|"
                    r"的评价|意见|的意见|反馈|参加|参与|代表)|(?<=[向由为])群众(?!评议|路线|满意|监督)|"
                    r"(?<=服务)群众(?!评议)")


def in_voice(text: str, voice: Voice, keep: list[str]) -> str:
    """The genre's 群众 in a text as whom this unit serves (纳税人缴费人, 患者和家属); the facts' own words
    (`keep`) stay as written."""
    if voice.masses.endswith("群众"):
        return text
    kept = [k for k in sorted(set(keep), key=len, reverse=True) if k]
    pieces = re.split("(" + "|".join(map(re.escape, kept)) + ")", text) if kept else [text]
    return "".join(p if p in kept else SERVED.sub(voice.masses, p) for p in pieces)


def kinds_named(text: str) -> set[str]:
    """The kinds whose own words occur in a text."""
    return {kind for kind, voice in voices().items() if any(word in text for word in voice.words)}
