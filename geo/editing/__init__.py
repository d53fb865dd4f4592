"""The grid boundary editor (issue #7): topology-safe edits, impact, history, undo, `?at=`.

- `topology`, `measure`: the shape rules alone (shapely, fixed precision), no database;
- `store`: locking, versions and history rows; `grids`, `micro`: the operations;
- `impact`: who and what changes grid; `service`: one edit as one unit (dry run = preview);
- `history`: the edit log and undo; `at`: boundaries as they were at a moment.
"""

from geo.editing.at import end_of_day, grids_at, microgrids_at, versions_at
from geo.editing.grids import EditRequest
from geo.editing.history import list_edits, read_edit, undo
from geo.editing.service import EditOutcome, edit

__all__ = [
    "EditOutcome",
    "EditRequest",
    "edit",
    "end_of_day",
    "grids_at",
    "list_edits",
    "microgrids_at",
    "read_edit",
    "undo",
    "versions_at",
]
