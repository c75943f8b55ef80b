"""The `other_provinces` corpus group: the 21 real reports of other provinces rendered from their
truth in their own family's form and format (HTML pages, XLSX, DOCX, PDF exports, scans)."""
