-- Coverage of one open month per member: grid leaders and members with an account (their
-- grids: user_grid; their visits: recorded by the account, or by its staff record), and grid
-- staff on duty that month without an account (staff_assignment). A member's total is the
-- operating enterprises of their grids (the kept coverage_grid_total, migration 0009); visited/
-- verified/flagged count only their own visits, from their month rows of coverage_member_month
-- (index (month, member)) joined to the enterprises they visited: the cost follows the members'
-- visits, not every enterprise of their grids.
WITH {sql:coverage_member_scope}, totals AS (
    SELECT s.code, s.name, min(s.grid_code) AS parent_code,
           min(s.community_code) AS community_code, sum(t.total) AS total
    FROM (SELECT DISTINCT code, name, grid_id, grid_code, community_code FROM scoped) s
    JOIN coverage_grid_total t ON t.grid_id = s.grid_id AND t.total > 0
    GROUP BY s.code, s.name
), visited AS (  -- per member and enterprise of their grids: their visits under any of their keys
    SELECT s.code, s.name, sum(x.verified) AS verified, sum(x.flagged) AS flagged
    FROM scoped s
    JOIN coverage_member_month x ON x.month = :month AND x.member = ANY (s.keys)
    JOIN enterprise e ON e.id = x.enterprise_id AND e.grid_id = s.grid_id
                     AND e.status = 'operating'
    GROUP BY s.code, s.name, x.enterprise_id
)
SELECT t.code, t.name, t.parent_code, t.community_code,
       count(v.code) AS visited, count(v.code) FILTER (WHERE v.verified > 0) AS verified,
       count(v.code) FILTER (WHERE v.verified = 0 AND v.flagged > 0) AS flagged,
       CAST(t.total AS int) AS total
FROM totals t
LEFT JOIN visited v ON v.code = t.code AND v.name = t.name
GROUP BY t.code, t.name, t.parent_code, t.community_code, t.total
ORDER BY t.code
