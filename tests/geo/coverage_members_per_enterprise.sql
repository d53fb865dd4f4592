-- coverage_members.sql as it was before it read the kept totals and the members' own month
-- rows: every operating enterprise of a member's grids with a lookup of its visits (tests only).
-- Coverage of one open month per member: grid leaders and members with an account (their
-- grids: user_grid; their visits: recorded by the account, or by its staff record), and grid
-- staff on duty that month without an account (staff_assignment). A member's total is the
-- operating enterprises of their grids; visited/verified/flagged count only their own visits.
WITH {sql:coverage_member_scope}, per AS (
    SELECT s.code, s.name, s.grid_code, s.community_code, e.id,
           coalesce(v.visits, 0) AS visits, coalesce(v.verified, 0) AS verified,
           coalesce(v.flagged, 0) AS flagged
    FROM scoped s
    JOIN enterprise e ON e.grid_id = s.grid_id AND e.status = 'operating'
    LEFT JOIN LATERAL (
        SELECT sum(x.visits) AS visits, sum(x.verified) AS verified, sum(x.flagged) AS flagged
        FROM coverage_member_month x
        WHERE x.month = :month AND x.enterprise_id = e.id AND x.member = ANY (s.keys)
    ) v ON true
)
SELECT code, name, min(grid_code) AS parent_code, min(community_code) AS community_code,
       count(DISTINCT id) FILTER (WHERE visits > 0) AS visited,
       count(DISTINCT id) FILTER (WHERE verified > 0) AS verified,
       count(DISTINCT id) FILTER (WHERE verified = 0 AND flagged > 0) AS flagged,
       count(DISTINCT id) AS total
FROM per
GROUP BY code, name
ORDER BY code
