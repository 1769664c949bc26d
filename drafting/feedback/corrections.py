"""A person's corrections of a run: one opinion's theme (with the counts, shares and evidence that follow
from it), and a theme's measure and department as the person wrote them."""

from drafting.errors import BadInput, NotFound
from drafting.feedback.models import PRAISE_ID, TYPICAL_OPINIONS, ClassifyResult, Taxonomy, ThemeSummary
from drafting.feedback.summarise import quote


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


def edit_theme(result: ClassifyResult, theme_id: str, *, measure: str | None,
               department: str | None) -> ClassifyResult:
    """The result with the theme's measure and department as the person wrote them."""
    theme = next((t for t in result.themes if t.id == theme_id), None)
    if theme is None:
        raise NotFound(f"归类结果中没有主题“{theme_id}”")
    if theme.praise or theme.id == PRAISE_ID:
        raise BadInput.field("theme", f"“{theme.name}”不列入整改，不能填写整改措施和责任部门")
    if measure is None and department is None:
        raise BadInput.field("measure", "请填写整改措施（measure）或责任部门（department）")
    if measure is not None and not measure.strip():
        raise BadInput.field("measure", "不能为空")
    if measure is not None:
        theme.measure = measure.strip()
    if department is not None:
        theme.department = department.strip()
    return result


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
    shown = quote(text)  # typical opinions are kept as quoted
    if old is not None and old in themes:
        gone = themes[old]
        gone.count = max(0, gone.count - count)
        gone.representatives = [r for r in gone.representatives if r not in (text, shown)]
    if new is not None:
        came = themes[new]
        came.count += count
        if len(came.representatives) < TYPICAL_OPINIONS and shown not in came.representatives:
            came.representatives.append(shown)

