"""Build a report's form (`spec.Table`) from its truth rows and a list of block specs.

A form is one grid whose columns are the indicator columns (plus an optional lead column); the
blocks above it (header fields, option rows, funds, goals) spread their cells over that grid the
way the publishers' Word/Excel templates do. Every family's layout is a list of these blocks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..spec import C, Table, runs
from ..truth import Project, fixed, num, percent, plain

UNSURE = "?"


@dataclass
class Col:
    head: str  # header text as printed (newlines kept)
    field: str  # an indicator column, or a literal '=text'
    width: float = 2.0
    fmt: str = ""  # '' as in the truth, 'fixed2' (`2.80`), 'fen' (`10 分`), 'vertical' (a character a line)
    group: str = ""  # a header printed above several columns (two header rows)
    align: str = "center"


@dataclass
class Funds:
    title: str  # the block's left cell, e.g. `项目资金\n(万元)`
    cols: list[tuple[str, str]]  # (header, funds field) after the label column
    label_head: str = ""  # header over the label column (`资金来源`), else empty
    money: str = "plain"  # plain, fixed2 (`668.00`), wan (`4753.66万元`), wan_trad (`10萬`)
    rate_digits: int = 0
    sub_dash: bool = False  # sub-rows print `-` for an empty 分值/得分
    # breakdown printed side by side under the total row: (left head, right head); rows whose
    # source is `task` (by expenditure nature) go right, the others left, as `label + amount`
    split: tuple[str, str] | None = None
    # a grid of programmes × government levels: the rows of these sources become the total row's
    # later columns (the programmes' own split is not in the truth: readings ('funds', seq, source))
    pivot: tuple[str, ...] = ()


@dataclass
class Form:
    cols: list[Col]
    blocks: list[tuple] = field(default_factory=list)  # see `build`
    lead: str = ""  # a vertical cell left of the indicator rows (`绩效指标`)
    # how runs of equal values print per column: merge (one merged cell), repeat (every row),
    # first (first row of a run only); later fields nest inside earlier ones
    merge: dict[str, str] = field(default_factory=lambda: {"level1_raw": "merge", "level2_raw": "merge"})
    breaks: tuple[int, ...] = ()  # row seqs where a printed run starts again (a label re-printed)
    inserts: dict[int, Funds] = field(default_factory=dict)  # a funds grid printed after row seq
    merge_scores: bool = False  # a score printed once for a 二级 group (rows below it empty)
    size: float = 8.5


def cell_text(value: str, reading: str | None = None) -> str:
    """A truth cell as printed: an uncertain `?` prints the md's best reading, else nothing."""
    value = value or ""
    if value == UNSURE:
        return reading or ""
    return value


class Filler(dict):
    """Project fields for `str.format_map`: `?` → the reading for that field, else ''."""

    def __init__(self, row: dict, readings: dict):
        super().__init__(row)
        self.readings = readings

    def __getitem__(self, key):
        return cell_text(dict.get(self, key, ""), self.readings.get(key))

    def __missing__(self, key):
        return ""


def spread(n: int, shares: list[int]) -> list[int]:
    """Column spans (each ≥1, summing to n) proportional to shares."""
    k = len(shares)
    if k > n:
        raise ValueError(f"{k} cells on a {n}-column grid")
    spans = [1] * k
    total = sum(shares)
    rest = n - k
    extra = [rest * s / total for s in shares]
    whole = [int(e) for e in extra]
    for i in sorted(range(k), key=lambda i: extra[i] - whole[i], reverse=True)[:rest - sum(whole)]:
        whole[i] += 1
    return [a + b for a, b in zip(spans, whole)]


def money(value: str, style: str, unit_yuan: bool = False) -> str:
    if value in ("", None) or value == UNSURE:
        return ""
    v = float(value) * (10000 if unit_yuan else 1)
    text = f"{v:.2f}" if style == "fixed2" else plain(str(v))
    return {"wan": text + "万元", "wan_trad": text + "萬"}.get(style, text)


def fmt(value: str, how: str) -> str:
    if not value or not how:
        return value
    if how == "fixed2":
        return fixed(value)
    if how == "fen":
        return f"{value} 分" if num(value) is not None else value
    if how == "vertical":  # one character a line, a bracketed weight kept whole
        head, sep, tail = value.partition("(")
        return "\n".join(head) + ("\n" + sep + tail if sep else "")
    raise ValueError(how)


class Builder:
    def __init__(self, form: Form, p: Project, readings: dict):
        self.form, self.p, self.readings = form, p, readings
        self.lead = 1 if form.lead else 0
        widths = ([1.0] if form.lead else []) + [c.width for c in form.cols]
        self.t = Table(widths, size=form.size)
        self.n = len(widths)
        self.fill = Filler(p.row, readings.get("project", {}))

    def text(self, template: str) -> str:
        return template.format_map(self.fill)

    # ------------------------------------------------------------------ blocks
    def fields(self, pairs: list[tuple[str, str]]) -> None:
        shares = [s for _ in pairs for s in (1, 2)]
        spans = spread(self.n, shares)
        cells = []
        for k, (label, template) in enumerate(pairs):
            cells += [C(label, cs=spans[2 * k]), C(self.text(template), cs=spans[2 * k + 1], align="left")]
        self.t.add(*cells)

    def text_row(self, label: str, template: str, label_cs: int = 0) -> None:
        if not label:
            self.t.add(C(self.text(template), cs=self.n, align="left"))
            return
        cs = label_cs or (2 if self.n > 6 else 1)
        self.t.add(C(label, cs=cs), C(self.text(template), cs=self.n - cs, align="left"))

    def funds(self, spec: Funds, indent: int = 1) -> None:
        rows = self.p.funds
        k = len(spec.cols)
        label_cs = self.n - indent - k
        if label_cs < 1:
            raise ValueError(f"{self.p.id}: funds block of {k} columns does not fit {self.n}")
        yuan = (self.p.row.get("money_unit") == "元")
        if spec.pivot:
            rows = [f for f in rows if f["source"] not in spec.pivot]
        grid_rows, side = (rows[:1], rows[1:]) if spec.split else (rows, [])
        left = [f for f in side if f["source"] != "task"]
        right = [f for f in side if f["source"] == "task"]
        pairs = max(len(left), len(right))
        height = len(grid_rows) + 1 + (pairs + 1 if spec.split else 0)
        self.t.add(C(spec.title, cs=indent, rs=height), C(spec.label_head, cs=label_cs),
                   *[C(h) for h, _ in spec.cols])
        self._fund_rows(spec, grid_rows, label_cs, yuan)
        if spec.split:
            half = (self.n - indent) // 2
            self.t.add(C(spec.split[0], cs=half, align="left"), C(spec.split[1], cs=self.n - indent - half, align="left"))
            for j in range(pairs):
                cells = []
                for part, cs in ((left, half), (right, self.n - indent - half)):
                    f = part[j] if j < len(part) else None
                    value = f"{f['label_raw']}{money(f['budget_full_year'], spec.money, yuan)}" if f else ""
                    cells.append(C(value, cs=cs, align="left"))
                self.t.add(*cells)

    def _fund_rows(self, spec: Funds, rows: list[dict], label_cs: int, yuan: bool) -> None:
        levels = {f["source"]: f for f in self.p.funds if f["source"] in spec.pivot}
        for i, f in enumerate(rows):
            seq = int(f["seq"])
            cells = [C(cell_text(f["label_raw"], self.readings.get(("funds", seq, "label_raw"))),
                       cs=label_cs, align="left")]
            for name in [n for _, n in spec.cols]:
                reading = self.readings.get(("funds", seq, name))
                value = f.get(name, "")
                if name in spec.pivot:  # the total row holds the levels' amounts; programmes read
                    value = levels.get(name, {}).get("budget_full_year", "") if f["source"] == "total" \
                        else self.readings.get(("funds", seq, name), "")
                    name = "budget_full_year"
                if value == UNSURE or name.startswith("@"):
                    out = reading or ""
                elif name in ("budget_initial", "budget_full_year", "executed", "received"):
                    out = money(value, spec.money, yuan)
                elif name == "execution_rate":
                    out = percent(value, spec.rate_digits) if value else ""
                elif name.startswith("="):
                    out = name[1:] if i == 0 else ""
                else:
                    out = value
                if spec.sub_dash and i and name in ("weight", "score") and not out:
                    out = "-"
                cells.append(C(out))
            self.t.add(*cells)

    def goals(self, title: str, heads: list[str], templates: list[str]) -> None:
        spans = spread(self.n - 1, [1] * len(heads))
        self.t.add(C(title, rs=2), *[C(h, cs=s) for h, s in zip(heads, spans)])
        self.t.add(*[C(self.text(x), cs=s, align="left", valign="top") for x, s in zip(templates, spans)])

    def indicators(self) -> None:
        f, rows = self.form, self.p.indicators
        grouped = any(c.group for c in f.cols)
        lead = [C(f.lead, rs=len(rows) + (2 if grouped else 1))] if f.lead else []
        if grouped:
            top, bottom = [], []
            for start, n in runs([c.group for c in f.cols]):
                col = f.cols[start]
                if col.group:
                    top.append(C(col.group, cs=n, bold=True))
                    bottom += [C(c.head, bold=True) for c in f.cols[start:start + n]]
                else:
                    top.append(C(col.head, rs=2, bold=True))
            self.t.add(*lead, *top, header=True)
            self.t.add(*bottom, header=True)
            lead = []
        else:
            self.t.add(*lead, *[C(c.head, bold=True) for c in f.cols], header=True)
            lead = []
        covered = self._spans(rows)
        for i, r in enumerate(rows):
            cells = list(lead)
            lead = []
            for j, col in enumerate(f.cols):
                span = covered.get((i, j))
                if span == 0:
                    continue
                value = "" if span == -1 else self._value(i, r, col)
                cells.append(C(value, rs=span if span and span > 0 else 1,
                               align="left" if col.field in ("name_raw", "scoring_method", "indicator_note",
                                                             "deviation_note") else col.align))
            self.t.add(*cells)
            if r["seq"] and int(r["seq"]) in f.inserts:
                self.funds(f.inserts[int(r["seq"])], indent=self.lead + 3)

    def _value(self, i: int, r: dict, col: Col) -> str:
        if col.field.startswith("="):
            return col.field[1:]
        if col.field.startswith("@"):
            return self.readings.get((i + 1, col.field), "")
        raw = cell_text(r.get(col.field, ""), self.readings.get((i + 1, col.field)))
        return fmt(raw, col.fmt)

    def _spans(self, rows: list[dict]) -> dict[tuple[int, int], int]:
        """(row, col) → rowspan for merged level/score cells; 0 = covered by the cell above."""
        out: dict[tuple[int, int], int] = {}
        names = [c.field for c in self.form.cols]
        cuts = set(self.form.breaks) | {s + 1 for s in self.form.inserts}
        segment, segments = 0, []
        for r in rows:
            segment += int(r["seq"]) in cuts
            segments.append(str(segment))
        keys = list(segments)
        for name, mode in self.form.merge.items():
            keys = [f"{k}\x00{r.get(name, '')}" for k, r in zip(keys, rows)]
            if name not in names:
                continue
            j = names.index(name)
            for start, n in runs([k if r.get(name) else "" for k, r in zip(keys, rows)]):
                if mode == "merge":
                    out[(start, j)] = n
                    out.update({(start + d, j): 0 for d in range(1, n)})
                elif mode == "first":
                    for d in range(1, n):
                        out[(start + d, j)] = -1  # printed empty
        if self.form.merge_scores and "score" in names:
            j = names.index("score")
            i = 0
            while i < len(rows):
                n = 1
                while (i + n < len(rows) and not rows[i + n]["score"] and rows[i]["score"]
                       and rows[i + n]["level2_raw"] == rows[i]["level2_raw"]):
                    n += 1
                if n > 1:
                    out[(i, j)] = n
                    out.update({(i + d, j): 0 for d in range(1, n)})
                i += n
        return out

    def total(self, label: str, values: dict[str, str]) -> None:
        """The 总分/合计 row; not printed when none of its values is known (the table was cut before it)."""
        if not any(self.text(v) for v in values.values()):
            return
        names = [c.field for c in self.form.cols]
        first = min(names.index(k) for k in values) + self.lead
        cells = [C(label, cs=first)]
        for j in range(first - self.lead, len(names)):
            cells.append(C(fmt(self.text(values.get(names[j], "")), self.form.cols[j].fmt)))
        self.t.add(*cells)

    def tree(self, items: list[tuple[str, list[tuple[str, str]]]]) -> None:
        """Rows of a form-style report: a group label over (sub-label, text) rows, or (label, [('', text)])."""
        for label, subs in items:
            for k, (sub, template) in enumerate(subs):
                lead = [C(label, rs=len(subs), cs=1 if sub else 2)] if k == 0 else []
                mid = [C(sub)] if sub else []
                self.t.add(*lead, *mid, C(self.text(template), cs=self.n - 2, align="left"))

    def build(self) -> Table:
        """Blocks: ('fields', pairs) ('text', label, template) ('funds', Funds) ('goals', title, heads,
        templates) ('indicators',) ('total', label, {col field: template}) ('row', template)."""
        for block in self.form.blocks:
            kind, *args = block
            if kind == "fields":
                self.fields(*args)
            elif kind == "text":
                self.text_row(*args)
            elif kind == "row":
                self.text_row("", *args)
            elif kind == "funds":
                self.funds(*args)
            elif kind == "goals":
                self.goals(*args)
            elif kind == "indicators":
                self.indicators()
            elif kind == "total":
                self.total(*args)
            elif kind == "tree":
                self.tree(*args)
            else:
                raise ValueError(kind)
        return self.t
