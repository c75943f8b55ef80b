"""The output contract (SCHEMA.md): column order of each emitted table.

Columns may be added, never renamed or dropped; the extra ones follow the contract's own.
"""

DOCUMENTS = [
    "doc_id", "source_path", "file_type", "pages", "status", "error",
    "province", "city", "county", "department", "fiscal_year", "report_kind",
    "n_projects", "n_indicators",
    # extra
    "page_kinds", "seconds",
    "duplicate_of",
]

PROJECTS = [
    "project_id", "doc_id", "page_start", "page_end", "table_label", "kind",
    "project_name", "competent_dept", "implementing_unit", "fiscal_year",
    "budget_initial", "budget_full_year", "executed", "execution_rate",
    "budget_weight", "budget_score", "goal_expected", "goal_actual",
    "total_weight", "total_score", "grade", "flags",
    # extra
    "project_attribute", "project_period", "n_indicators",
    "money_unit", "project_code", "dept_code", "review_total_score",
]

FUNDS = [
    "project_id", "source", "budget_initial", "budget_full_year", "executed", "execution_rate",
    # extra
    "doc_id", "seq", "label_raw", "received", "weight", "score",
    "money_unit",
]

INDICATORS = [
    "project_id", "doc_id", "seq", "page", "level1_raw", "level2_raw", "level1", "level2",
    "name_raw", "name_canonical", "match_score", "operator", "target_raw", "actual_raw",
    "target_value", "actual_value", "unit", "weight", "score", "deviation_note", "flags",
    "confidence",
    # extra
    "table_role", "nature_raw", "unit_raw", "progress_raw",
    "review_score", "scoring_method", "indicator_note", "row_no", "is_core", "target_adjusted_raw",
    "score_coefficient_raw", "level1_weight", "level2_weight", "measure", "subject",
]

TABLES = {
    "documents": DOCUMENTS,
    "projects": PROJECTS,
    "funds": FUNDS,
    "indicators": INDICATORS,
}
