"""Segmented projects → rows of the SCHEMA tables, with the normalizers applied."""
from __future__ import annotations

from normalizers.categories import canonical_level1, canonical_level2
from normalizers.measure import measure_of
from normalizers.names import NameMatcher
from normalizers.values import parse_value
from pipeline.model import Project

LOW_OCR_CONFIDENCE = 0.8  # an OCR'd row below this mean recognition score is flagged for review


def flag_text(flags: list[str] | tuple[str, ...]) -> str:
    return ";".join(sorted(set(flags)))


def project_rows(doc_id: str, projects: list[Project]) -> tuple[list[dict], list[dict], list[dict]]:
    """projects, funds and indicators rows of one document (indicator names are matched by match_names)."""
    project_rows, fund_rows, indicator_rows = [], [], []
    for project in projects:
        project_id = f"{doc_id}-{project.seq}"
        project_rows.append({
            "project_id": project_id, "doc_id": doc_id,
            **{key: getattr(project, key) for key in (
                "page_start", "page_end", "table_label", "kind", "project_name", "competent_dept",
                "implementing_unit", "fiscal_year", "budget_initial", "budget_full_year", "executed",
                "execution_rate", "budget_weight", "budget_score", "goal_expected", "goal_actual",
                "total_weight", "total_score", "grade", "project_attribute", "project_period",
                "money_unit", "project_code", "dept_code", "review_total_score",
            )},
            "flags": flag_text(project.flags),
            "n_indicators": len(project.indicators),
        })
        for seq, fund in enumerate(project.funds, start=1):
            fund_rows.append({"project_id": project_id, "doc_id": doc_id, "seq": seq, **vars(fund)})
        for indicator in project.indicators:
            placeholder = "placeholder_row" in indicator.flags
            value = None if placeholder else parse_value(
                indicator.target_raw, indicator.actual_raw, indicator.nature_raw, indicator.unit_raw
            )
            level2 = canonical_level2(indicator.level2_raw)
            indicator_rows.append({
                "project_id": project_id, "doc_id": doc_id,
                **{key: getattr(indicator, key) for key in (
                    "seq", "page", "level1_raw", "level2_raw", "name_raw", "target_raw", "actual_raw",
                    "weight", "score", "deviation_note", "confidence", "table_role", "nature_raw",
                    "unit_raw", "progress_raw", "review_score", "scoring_method", "indicator_note",
                    "row_no", "is_core", "target_adjusted_raw", "score_coefficient_raw", "level1_weight",
                    "level2_weight", "measure", "subject",
                )},
                "level1": canonical_level1(indicator.level1_raw, level2, indicator.table_role),
                "level2": level2,
                "name_canonical": "",
                "match_score": None,
                "operator": value.operator if value else "",
                "target_value": value.target_value if value else None,
                "actual_value": value.actual_value if value else None,
                "unit": value.unit if value else "",
                "measure": "" if placeholder else measure_of(
                    indicator.name_raw, indicator.unit_raw or (value.unit if value else ""),
                    indicator.target_raw, indicator.actual_raw, level2, indicator.level1_raw,
                ),
                "subject": "",
                "flags": flag_text([
                    *indicator.flags, *(value.flags if value else ()),
                    *(["low_ocr_confidence"] if indicator.confidence < LOW_OCR_CONFIDENCE else []),
                ]),
            })
    return project_rows, fund_rows, indicator_rows


def match_names(indicator_rows: list[dict], matcher: NameMatcher) -> None:
    """Fill name_canonical, match_score and subject of indicator rows (placeholders stay unmatched);
    the printed 一级/二级 labels are the context of bare 评分表 standards (合理性 under 绩效目标)."""
    for row in indicator_rows:
        if "placeholder_row" not in row["flags"].split(";"):
            context = f"{row.get('level1_raw') or ''} {row.get('level2_raw') or ''}"
            found = matcher.match_detail(row["name_raw"], row["level2"], context)
            row["name_canonical"], row["match_score"], row["subject"] = found.canonical, found.score, found.subject
