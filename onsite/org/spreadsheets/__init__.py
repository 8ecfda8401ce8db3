"""Excel import and export of the organisation: floors, area types, units, staff, groups,
group members and zones, one sheet each.

The import checks the whole workbook before writing anything: every bad cell is reported
with its sheet, row and column in the user's language, and a workbook with any bad row
imports nothing. Rows are matched by code (username for staff, level for floors), and a
row that matches what is stored changes nothing, so importing a file twice is harmless.

Column rules: a column missing from the header keeps the stored value; an empty cell clears
the value, except "Roles" and "Units covered", where an empty cell keeps what is stored."""

from onsite.org.spreadsheets.applying import import_workbook
from onsite.org.spreadsheets.shape import ImportResult, RowError
from onsite.org.spreadsheets.writing import build_workbook

__all__ = ["ImportResult", "RowError", "build_workbook", "import_workbook"]
