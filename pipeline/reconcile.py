"""Reconciliation checks: add flags to projects and indicators, never change a published number.

Flags already present (set by the normalizer, e.g. `placeholder_row`, `low_ocr_confidence`) are
kept; the result is deduplicated, sorted and joined with `;`. Rows flagged `placeholder_row` are
left out of every check and every sum.

Project flags
- `score_sum_mismatch`: total_score equals none of: the scores of one indicator table (each
  table_role: performance, scoring, section) alone, or those scores + the funds block's 得分
  (宁夏 sums the indicators alone; 曲靖 adds the funds 得分), within 0.01. Skipped when
  total_score is empty or no indicator has a score.
- `weights_not_100`: the same, for the weights against total_weight (100 when empty).
- `rate_mismatch`: execution_rate differs from executed / budget_full_year by more than 0.005
  (half a percentage point: a whole-percent print such as 51% for 180/354 passes).
- `funds_rate_mismatch`: a funds line's published rate differs the same way from its own
  executed / budget_full_year (曲靖 13表's 基本支出: 6245.02 / 5707.79 printed 100.00).
- `budget_score_exceeds_weight`: the funds block's 得分 above its 分值.
- `budget_score_mismatch`: the funds block's 得分 differs from 分值 × 执行率 (or 分值 × min(执行率, 1))
  by more than 1% of 分值 (宁夏 物业费: 得分 100 against 分值 10 at 100%).
- `grade_inconsistent`: the printed grade (优 / 良 / 中 / 差) is not the 财预〔2020〕10号 band of
  total_score (as a share of total_weight): ≥ 90 优, 80–90 良, 60–80 中, < 60 差.
- `duplicate_project`: rows of different documents with the same fiscal_year, the same
  project_name after NFKC folding and whitespace removal, and the same budget figures
  (budget_initial, budget_full_year, executed; at least one printed); every copy is flagged.

Indicator flags
- `score_exceeds_weight`: score above weight.
- `percent_scale_suspect`: unit % with 0 < target ≤ 1.5 and actual > 1.5 (曲靖 14-3: 0.95 % vs
  100), or target ≥ 50 and 0 < actual ≤ 1.5 (曲靖 14-17: 100 % vs 1). An actual of 0 is a
  project not carried out, not a scale slip.
- `target_missed_full_score`: the actual misses the target (below it for >=, >, =; above it for
  <=, <) yet the row scores its full weight (曲靖 14-2, 14-4, 14-6, 14-12: projects not carried
  out, every actual 0, every indicator scored in full). Not raised on a percent_scale_suspect row,
  whose miss is the scale slip.
- `truncated_name`: the name was cut by the original's cell width. Conservative rules, any of:
  (1) in one project's table, two or more rows under the same 二级 share the same name_raw but
  differ in target or unit (曲靖's four `汽车类驾驶证许可`); the same name under different 二级
  is the usual quantity / cost pair and is not flagged; (2) in one document, the name is a strict
  prefix of another row's name that continues with a letter, digit or CJK character, and both rows
  print the same target and actual (曲靖 13表's `道路交通事故一般` repeats 14-1's
  `道路交通事故一般案`); (3) the name opens a bracket or quote it never closes (`完成“曲靖智慧交`).
- `level_weight_mismatch`: the weight printed inside a 一级 / 二级 label (level1_weight,
  level2_weight: `产出指标(50分)`) differs by more than 0.01 from the sum of the weights of the
  consecutive rows under that label in one project. Checked only when every row of the group has
  a weight; every row of the group is flagged.
"""
from __future__ import annotations

import math
import unicodedata
from collections import defaultdict

import pandas as pd

SEP = ";"
PLACEHOLDER = "placeholder_row"
SUM_TOL = 0.01
RATE_TOL = 0.005
EPS = 1e-6
GRADES = ("优", "良", "中", "差")
BRACKETS = ("（）", "()", "“”", "‘’", "《》", "【】", "[]", "「」", "〔〕")


def reconcile(
    projects: pd.DataFrame, funds: pd.DataFrame, indicators: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copies of projects and indicators with their `flags` column filled; numbers untouched."""
    projects, indicators = projects.copy(), indicators.copy()
    pflags = [_split(v) for v in _col(projects, "flags", "")]
    iflags = [_split(v) for v in _col(indicators, "flags", "")]
    placeholder = [PLACEHOLDER in f for f in iflags]

    doc_of_project = dict(zip(_col(projects, "project_id", ""), _col(projects, "doc_id", "")))
    ind_pid = _col(indicators, "project_id", "")
    ind_doc = [d or doc_of_project.get(p, "") for d, p in zip(_col(indicators, "doc_id", ""), ind_pid)]

    _flag_indicators(indicators, iflags, placeholder, ind_pid, ind_doc)

    sums = _role_sums(indicators, placeholder, ind_pid)
    total_funds = _total_funds_lines(funds)
    funds_bad = _funds_rate_mismatches(funds)
    for i, row in enumerate(projects.to_dict("records")):
        pid = _text(row.get("project_id"))
        fund = total_funds.get(pid, {})
        pflags[i] |= _project_flags(row, fund, sums.get(pid, {}))
        if pid in funds_bad:
            pflags[i].add("funds_rate_mismatch")
    for i in _duplicate_projects(projects):
        pflags[i].add("duplicate_project")

    _set_flags(projects, pflags)
    _set_flags(indicators, iflags)
    return projects, indicators


def _set_flags(frame: pd.DataFrame, flags: list[set[str]]) -> None:
    """Write the sorted, joined flags, keeping the column's dtype when it already exists."""
    dtype = frame["flags"].dtype if "flags" in frame.columns else "string"
    frame["flags"] = pd.Series([SEP.join(sorted(f)) for f in flags], index=frame.index, dtype=dtype)


def _split(value) -> set[str]:
    if _missing(value):
        return set()
    return {f.strip() for f in str(value).split(SEP) if f.strip()}


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _num(value) -> float | None:
    """A cell as a float, None when empty or not a number."""
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _text(value) -> str:
    return "" if _missing(value) else str(value).strip()


def _col(frame: pd.DataFrame, name: str, default) -> list:
    if name not in frame.columns:
        return [default] * len(frame)
    return [default if _missing(v) else v for v in frame[name].tolist()]


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol + 1e-9


def _flag_indicators(indicators, iflags, placeholder, ind_pid, ind_doc) -> None:
    weights = [_num(v) for v in _col(indicators, "weight", None)]
    scores = [_num(v) for v in _col(indicators, "score", None)]
    targets = [_num(v) for v in _col(indicators, "target_value", None)]
    actuals = [_num(v) for v in _col(indicators, "actual_value", None)]
    units = [_text(v) for v in _col(indicators, "unit", "")]
    operators = [_text(v) for v in _col(indicators, "operator", "")]
    for i in range(len(indicators)):
        if placeholder[i]:
            continue
        if weights[i] is not None and scores[i] is not None and scores[i] > weights[i] + EPS:
            iflags[i].add("score_exceeds_weight")
        t, a = targets[i], actuals[i]
        if units[i] == "%" and t is not None and a is not None:
            if (0 < t <= 1.5 and a > 1.5) or (t >= 50 and 0 < a <= 1.5):
                iflags[i].add("percent_scale_suspect")
        full = weights[i] and scores[i] is not None and scores[i] >= weights[i] - EPS
        if full and _missed(operators[i], t, a) and "percent_scale_suspect" not in iflags[i]:
            iflags[i].add("target_missed_full_score")
    for i in _truncated_names(indicators, placeholder, ind_pid, ind_doc):
        iflags[i].add("truncated_name")
    for i in _level_weight_mismatches(indicators, weights, placeholder, ind_pid):
        iflags[i].add("level_weight_mismatch")


def _level_weight_mismatches(indicators, weights, placeholder, ind_pid) -> set[int]:
    """Rows of label groups (consecutive rows of one project under one 一级 / 二级 label) whose
    printed label weight differs from the sum of the rows' weights."""
    flagged: set[int] = set()
    for label, weight_column in (("level1_raw", "level1_weight"), ("level2_raw", "level2_weight")):
        labels = [_text(v) for v in _col(indicators, label, "")]
        printed = [_num(v) for v in _col(indicators, weight_column, None)]
        group: list[int] = []
        for i in range(len(indicators) + 1):
            same = group and i < len(indicators) and (ind_pid[i], labels[i], printed[i]) == (
                ind_pid[group[0]], labels[group[0]], printed[group[0]])
            if same:
                group.append(i)
                continue
            rows = [j for j in group if not placeholder[j]]
            if group and printed[group[0]] is not None and rows and all(weights[j] is not None for j in rows):
                if not _close(sum(weights[j] for j in rows), printed[group[0]], 0.01):
                    flagged.update(group)
            group = [i] if i < len(indicators) else []
    return flagged


def _missed(operator: str, target: float | None, actual: float | None) -> bool:
    if target is None or actual is None:
        return False
    if operator in (">=", ">", "="):
        return actual < target - EPS
    if operator in ("<=", "<"):
        return actual > target + EPS
    return False


def _truncated_names(indicators, placeholder, ind_pid, ind_doc) -> set[int]:
    names = [_text(v) for v in _col(indicators, "name_raw", "")]
    targets = [_text(v) for v in _col(indicators, "target_raw", "")]
    actuals = [_text(v) for v in _col(indicators, "actual_raw", "")]
    units = [_text(u) or _text(r) for u, r in zip(_col(indicators, "unit", ""), _col(indicators, "unit_raw", ""))]
    roles = [_text(v) for v in _col(indicators, "table_role", "")]
    level2 = [_text(c) or _text(r) for c, r in zip(_col(indicators, "level2", ""), _col(indicators, "level2_raw", ""))]
    live = [i for i in range(len(indicators)) if names[i] and not placeholder[i]]
    out: set[int] = set()

    same_name = defaultdict(list)
    for i in live:
        same_name[(ind_pid[i], roles[i], level2[i], names[i])].append(i)
    for rows in same_name.values():
        values = {(targets[i], units[i]) for i in rows}
        if len(rows) > 1 and len(values) > 1 and any(t or u for t, u in values):
            out.update(rows)

    same_values = defaultdict(list)
    for i in live:
        if targets[i] and actuals[i]:
            same_values[(ind_doc[i], targets[i], actuals[i])].append(i)
    for rows in same_values.values():
        for i in rows:
            for j in rows:
                longer = names[j]
                if len(longer) > len(names[i]) and longer.startswith(names[i]) and longer[len(names[i])].isalnum():
                    out.add(i)

    for i in live:
        if any(names[i].count(o) > names[i].count(c) for o, c in BRACKETS):
            out.add(i)
    return out


def _role_sums(indicators, placeholder, ind_pid) -> dict[str, dict[str, tuple[float | None, float | None]]]:
    """project_id → table_role → (sum of weights, sum of scores); None when no row prints one."""
    weights = [_num(v) for v in _col(indicators, "weight", None)]
    scores = [_num(v) for v in _col(indicators, "score", None)]
    roles = [_text(v) for v in _col(indicators, "table_role", "")]
    acc: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [None, None]))
    for i, pid in enumerate(ind_pid):
        if placeholder[i]:
            continue
        slot = acc[pid][roles[i]]
        for k, v in enumerate((weights[i], scores[i])):
            if v is not None:
                slot[k] = (slot[k] or 0.0) + v
    return {pid: {role: tuple(v) for role, v in by_role.items()} for pid, by_role in acc.items()}


def _total_funds_lines(funds: pd.DataFrame) -> dict[str, dict]:
    """project_id → its funds `total` line (the first one)."""
    out: dict[str, dict] = {}
    for row in funds.to_dict("records"):
        if _text(row.get("source")) == "total":
            out.setdefault(_text(row.get("project_id")), row)
    return out


def _rate_off(rate, executed, budget) -> bool:
    rate, executed, budget = _num(rate), _num(executed), _num(budget)
    if rate is None or executed is None or budget is None or budget <= 0:
        return False
    return not _close(rate, executed / budget, RATE_TOL)


def _funds_rate_mismatches(funds: pd.DataFrame) -> set[str]:
    return {
        _text(row.get("project_id"))
        for row in funds.to_dict("records")
        if _rate_off(row.get("execution_rate"), row.get("executed"), row.get("budget_full_year"))
    }


def _matches_any(total: float, parts: list[float], extra: float | None) -> bool:
    candidates = parts + ([p + extra for p in parts] if extra is not None else [])
    return any(_close(total, c, SUM_TOL) for c in candidates)


def _project_flags(row: dict, fund: dict, sums: dict) -> set[str]:
    flags: set[str] = set()
    budget_weight = _num(row.get("budget_weight"))
    if budget_weight is None:
        budget_weight = _num(fund.get("weight"))
    budget_score = _num(row.get("budget_score"))
    if budget_score is None:
        budget_score = _num(fund.get("score"))
    rate = _num(row.get("execution_rate"))
    if rate is None:
        rate = _num(fund.get("execution_rate"))

    total_score = _num(row.get("total_score"))
    scored = [s for _, s in sums.values() if s is not None]
    if total_score is not None and scored and not _matches_any(total_score, scored, budget_score):
        flags.add("score_sum_mismatch")

    total_weight = _num(row.get("total_weight"))
    weighted = [w for w, _ in sums.values() if w is not None]
    expected = 100.0 if total_weight is None else total_weight
    if weighted and not _matches_any(expected, weighted, budget_weight):
        flags.add("weights_not_100")

    if _rate_off(row.get("execution_rate"), row.get("executed"), row.get("budget_full_year")):
        flags.add("rate_mismatch")

    if budget_weight is not None and budget_score is not None:
        if budget_score > budget_weight + EPS:
            flags.add("budget_score_exceeds_weight")
        if rate is not None:
            tol = max(0.01 * budget_weight, 0.005)
            if not any(_close(budget_score, budget_weight * r, tol) for r in (rate, min(rate, 1.0))):
                flags.add("budget_score_mismatch")

    grade = _text(row.get("grade"))
    if total_score is not None and grade in GRADES:
        share = total_score / total_weight * 100 if total_weight else total_score
        if grade != _band(share):
            flags.add("grade_inconsistent")
    return flags


def _band(share: float) -> str:
    """财预〔2020〕10号: 90（含）–100 优, 80（含）–90 良, 60（含）–80 中, below 60 差."""
    for floor, grade in ((90, "优"), (80, "良"), (60, "中")):
        if share >= floor - 1e-9:
            return grade
    return "差"


def _fold(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def _duplicate_projects(projects: pd.DataFrame) -> set[int]:
    """Row positions of projects reported in more than one document (see module docstring)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    docs = _col(projects, "doc_id", "")
    years = [_num(v) for v in _col(projects, "fiscal_year", None)]
    names = [_fold(_text(v)) for v in _col(projects, "project_name", "")]
    figures = [[_num(v) for v in _col(projects, c, None)] for c in ("budget_initial", "budget_full_year", "executed")]
    budgets = [tuple(None if v is None else round(v, 2) for v in row) for row in zip(*figures)]
    for i in range(len(projects)):
        if years[i] is None or not names[i] or all(b is None for b in budgets[i]):
            continue
        groups[(years[i], names[i], budgets[i])].append(i)
    return {i for rows in groups.values() if len({docs[i] for i in rows}) > 1 for i in rows}
