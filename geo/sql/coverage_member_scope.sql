-- The members of a month and their live grids, as CTEs `members` (code, name, visit keys,
-- grid id) and `scoped` (the same with grid and community codes, filtered by :community and
-- :grid): grid leaders and members with an account (their grids: user_grid; their visits:
-- recorded by the account, or by its staff record), and grid staff on duty that month without an
-- account (staff_assignment). Taken in by coverage_members.sql ({sql:...}) and by the tests'
-- per-enterprise reference statement.
members AS (
    SELECT u.username AS code, coalesce(u.display_name, u.username) AS name,
           array_remove(ARRAY['u:' || u.id, 's:' || u.staff_id], NULL) AS keys, ug.grid_id
    FROM users u JOIN user_grid ug ON ug.user_id = u.id
    WHERE u.role IN ('grid_member', 'grid_leader') AND NOT u.disabled
    UNION
    SELECT s.staff_no, s.name, ARRAY['s:' || s.id], sa.grid_id
    FROM staff s JOIN staff_assignment sa ON sa.staff_id = s.id
    WHERE s.active AND sa.role IN ('grid_leader', 'full_time', 'part_time')
      AND sa.since < CAST(:month AS date) + interval '1 month'
      AND (sa.until IS NULL OR sa.until >= :month)
      AND NOT EXISTS (SELECT 1 FROM users u WHERE u.staff_id = s.id)
), scoped AS (
    SELECT m.code, m.name, m.keys, m.grid_id, g.code AS grid_code, c.code AS community_code
    FROM members m
    JOIN grid g ON g.id = m.grid_id AND g.valid_to IS NULL
    JOIN community c ON c.id = g.community_id
    WHERE (CAST(:community AS text) IS NULL OR c.code = :community)
      AND (CAST(:grid AS text) IS NULL OR g.code = :grid)
)
