-- Staffing figures per live grid (S5.2.2): enterprises and day employees served, and the staff
-- on duty there by role. Grouped once per table, never per grid.
-- Served enterprises are those still in the grid's care: closed (注销) and relocated (迁出)
-- ones are left out. On duty = staff.active, and an assignment with since <= :on_date and
-- (until IS NULL OR until >= :on_date); :on_date NULL means the database's CURRENT_DATE.
-- :community_code / :grid_code narrow the grids (NULL = all).
WITH live_grid AS (
    SELECT g.id, g.code, g.name, g.kind, c.code AS community_code
    FROM grid AS g JOIN community AS c ON c.id = g.community_id
    WHERE g.valid_to IS NULL
      AND (CAST(:community_code AS text) IS NULL OR c.code = CAST(:community_code AS text))
      AND (CAST(:grid_code AS text) IS NULL OR g.code = CAST(:grid_code AS text))
),
served AS (
    SELECT e.grid_id, count(*) AS enterprises, coalesce(sum(e.employees_day), 0) AS employees
    FROM enterprise AS e JOIN live_grid AS g ON g.id = e.grid_id
    WHERE e.status NOT IN ('closed', 'relocated')
    GROUP BY e.grid_id
),
on_duty AS (
    SELECT a.grid_id, a.role, a.staff_id
    FROM staff_assignment AS a
    JOIN live_grid AS g ON g.id = a.grid_id
    JOIN staff AS s ON s.id = a.staff_id
    WHERE s.active
      AND a.since <= coalesce(CAST(:on_date AS date), CURRENT_DATE)
      AND (a.until IS NULL OR a.until >= coalesce(CAST(:on_date AS date), CURRENT_DATE))
),
role_count AS (
    -- (staff, grid, role) is unique, so count(*) counts people
    SELECT grid_id, role, count(*) AS n FROM on_duty GROUP BY grid_id, role
),
by_role AS (
    SELECT grid_id, jsonb_object_agg(role, n) AS by_role FROM role_count GROUP BY grid_id
),
people AS (
    -- one person may hold two roles in a grid: counted once here
    SELECT grid_id, count(DISTINCT staff_id) AS staff FROM on_duty GROUP BY grid_id
)
SELECT g.code, g.name, g.kind, g.community_code,
       coalesce(s.enterprises, 0) AS enterprises,
       coalesce(s.employees, 0) AS employees,
       coalesce(p.staff, 0) AS staff,
       coalesce(r.by_role, '{}'::jsonb) AS by_role
FROM live_grid AS g
LEFT JOIN served AS s ON s.grid_id = g.id
LEFT JOIN people AS p ON p.grid_id = g.id
LEFT JOIN by_role AS r ON r.grid_id = g.id
ORDER BY g.code
