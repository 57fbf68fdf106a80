"""A definition drawn as a flowchart (SVG), generated from the definition itself.

Stages are boxes top to bottom in their declared order; an arrow goes to each declared
next stage (a move that passes over conditional stages curves along the right side);
conditional stages have a dashed border and say when they apply; each box names the
rule it encodes, its deadline, its checklist size and its review steps in order. Every
text is XML-escaped, so a team's own labels cannot inject markup.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from marketdesk.core.roles import Role
from marketdesk.sop.definitions import Definition

WIDTH = 720
BOX_X = 40
BOX_W = 560
LINE = 18
PAD = 12
GAP = 40
LANE = 18


def _condition(definition: Definition, condition) -> str:
    label = definition.flags.get(condition.flag)
    text = str(label) if label else condition.flag
    return _("only when not “%(flag)s”") % {"flag": text} if condition.negate else \
        _("only when “%(flag)s”") % {"flag": text}


def _width(text: str, size: float = 12.5) -> float:
    """A rough rendered width: CJK and full-width characters take a full em, others ~0.55."""
    return sum(size if ord(c) > 0x2E7F else size * 0.55 for c in text)


def _wrap(text: str, limit: float) -> list[str]:
    """Break a line at spaces (or anywhere in CJK runs) so it fits the box."""
    lines, current = [], ""
    for char in text:
        if _width(current + char) > limit:
            cut = current.rfind(" ")
            if cut > len(current) // 2:
                lines.append(current[:cut])
                current = "  " + current[cut + 1:]
            else:
                lines.append(current)
                current = "  "
        current += char
    return [*lines, current]


def _lines(definition: Definition, stage) -> list[tuple[str, str]]:
    """(css class, text) lines under the stage's title."""
    lines = []
    meta = [_("rule %(rule)s") % {"rule": stage.rule}]
    if stage.deadline:
        meta.append(_("due %(when)s") % {"when": stage.deadline.describe()})
    lines.append(("meta", " · ".join(meta)))
    if stage.when:
        lines.append(("when", _condition(definition, stage.when)))
    if stage.checklist:
        lines.append(("check", _("checklist: %(n)s standards") % {"n": len(stage.checklist)}))
    if stage.required_fields:
        names = ", ".join(str(definition.fields.get(f) or f) for f in stage.required_fields)
        lines.append(("check", _("required: %(fields)s") % {"fields": names}))
    for i, step in enumerate(stage.reviews, start=1):
        text = _("review %(n)s: %(step)s (%(role)s)") % {
            "n": i, "step": step.label, "role": Role(step.role).label}
        extras = []
        if step.deadline:
            extras.append(_("due %(when)s") % {"when": step.deadline.describe()})
        if step.when:
            extras.append(_condition(definition, step.when))
        if extras:
            text += " — " + ", ".join(extras)
        lines.append(("review", text))
    limit = BOX_W - 2 * PAD
    return [(css, part) for css, text in lines for part in _wrap(text, limit)]


def flowchart_svg(definition) -> str:
    """The flowchart of a ProcessDefinition (or a parsed Definition) as standalone SVG."""
    parsed: Definition = getattr(definition, "parsed", definition)
    ident = "sopfc-" + "".join(c if c.isalnum() else "-" for c in parsed.key)
    title = _("Flowchart of the process “%(name)s”") % {"name": parsed.label}
    order = " → ".join(str(s.label) for s in parsed.stages)
    desc = _("Stages in order: %(stages)s.") % {"stages": order} if parsed.stages else _("No stages.")

    boxes = []
    y = 20
    for stage in parsed.stages:
        lines = _lines(parsed, stage)
        height = PAD * 2 + LINE + LINE * len(lines)
        boxes.append((stage, y, height, lines))
        y += height + GAP
    total_h = max(y - GAP + 20, 60)
    index = {stage.key: i for i, (stage, *_rest) in enumerate(boxes)}

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {total_h}" '
        f'width="{WIDTH}" height="{total_h}" role="img" class="sop-flowchart" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#495057"/>'
        '</marker></defs>',
    ]
    lane = 0
    for stage, top, height, _unused in boxes:
        for target in stage.next:
            j = index[target]
            _t, target_top, _h, _l = boxes[j]
            if j == index[stage.key] + 1:
                x = BOX_X + BOX_W / 2
                out.append(f'<line x1="{x}" y1="{top + height}" x2="{x}" y2="{target_top - 2}" '
                           f'stroke="#495057" stroke-width="1.5" marker-end="url(#{ident}-arrow)"/>')
            else:
                skipped = parsed.between(stage.key, target)
                if stage.when is not None and all(s.when == stage.when for s in skipped):
                    # Leaving a conditional group early (its flag changed midway): a legal
                    # move, but drawing it for every stage of the group only adds noise.
                    continue
                lane += 1
                x_out = BOX_X + BOX_W
                bend = x_out + 12 + lane * LANE
                y1 = top + height / 2
                y2 = target_top + 14
                out.append(f'<path d="M {x_out} {y1} H {bend} V {y2} H {x_out + 2}" fill="none" '
                           f'stroke="#6c757d" stroke-width="1.5" stroke-dasharray="5 3" '
                           f'marker-end="url(#{ident}-arrow)"/>')
    for stage, top, height, lines in boxes:
        dashed = ' stroke-dasharray="6 4"' if stage.when else ""
        fill = "#fff8e1" if stage.when else "#f1f5fb"
        out.append(f'<g class="sop-stage" data-stage={quoteattr(stage.key)}>')
        out.append(f'<rect x="{BOX_X}" y="{top}" width="{BOX_W}" height="{height}" rx="8" '
                   f'fill="{fill}" stroke="#0d6efd" stroke-width="1.5"{dashed}/>')
        ty = top + PAD + 14
        out.append(f'<text x="{BOX_X + PAD}" y="{ty}" font-size="15" font-weight="600" '
                   f'fill="#212529">{escape(str(stage.label))}</text>')
        colours = {"meta": "#495057", "when": "#8a6d00", "check": "#212529", "review": "#0a58ca"}
        for css, text in lines:
            ty += LINE
            out.append(f'<text x="{BOX_X + PAD}" y="{ty}" font-size="12.5" fill="{colours[css]}">'
                       f'{escape(text)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
