"""A person's correction of one opinion's theme, with the counts, shares and evidence that follow from it."""

from drafting.errors import BadInput
from drafting.feedback.models import TYPICAL_OPINIONS, ClassifyResult, Taxonomy, ThemeSummary


def move_opinion(result: ClassifyResult, index: int, theme: str | None,
                 taxonomy: Taxonomy | None, *, all_copies: bool = True) -> ClassifyResult:
    """Assignment `index` now belongs to `theme` (None: no theme); counts and shares follow.

    Every assignment is one counted opinion (duplicates have one assignment each). By default every copy
    of the opinion (same text, same theme) moves with it; `all_copies=False` moves this one alone.
    """
    if not 0 <= index < len(result.assignments):
        raise BadInput.field("index", f"没有第 {index} 条意见（共 {len(result.assignments)} 条）")
    out = result.model_copy(deep=True)
    opinion = out.assignments[index]
    old = opinion.theme
    if theme == old:
        return out
    themes = {t.id: t for t in out.themes}
    if theme is not None and theme not in themes:
        themes[theme] = _new_row(theme, taxonomy)
    moving = [a for a in out.assignments if a.text == opinion.text and a.theme == old] if all_copies \
        else [opinion]
    _shift(themes, old, theme, opinion.text, len(moving))
    for copy in moving:
        copy.theme = theme
        copy.score = 1.0
    for found in out.discovered:
        if found.label == old or found.label == theme:
            found.lines = sorted({a.line for a in out.assignments if a.theme == found.label})
    total = max(out.total, 1)
    for summary in themes.values():
        summary.share = round(summary.count / total, 4)
    out.themes = sorted((t for t in themes.values() if t.count or t.discovered), key=lambda t: -t.count)
    return out


def _new_row(theme: str, taxonomy: Taxonomy | None) -> ThemeSummary:
    """An empty row for a taxonomy theme the run had not used; BadInput for an unknown id."""
    known = {t.id: t for t in taxonomy.themes} if taxonomy else {}
    if theme not in known:
        raise BadInput.field("theme", f"没有主题“{theme}”")
    source = known[theme]
    return ThemeSummary(id=source.id, name=source.name, count=0, share=0.0,
                        measure=source.measure or "", department=source.department or "",
                        summary=source.description, discovered=False,
                        praise=taxonomy is not None and source.id == taxonomy.praise_id)


def _shift(themes: dict[str, ThemeSummary], old: str | None, new: str | None, text: str, count: int) -> None:
    """`count` copies of `text` leave `old` (and its typical opinions) and join `new`."""
    if old is not None and old in themes:
        gone = themes[old]
        gone.count = max(0, gone.count - count)
        gone.representatives = [r for r in gone.representatives if r != text]
    if new is not None:
        came = themes[new]
        came.count += count
        if len(came.representatives) < TYPICAL_OPINIONS and text not in came.representatives:
            came.representatives.append(text)

