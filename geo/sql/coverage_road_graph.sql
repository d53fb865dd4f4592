-- The routable road graph around a grid, in temp tables for pgRouting: the roads whose box
-- meets the grid's box widened by :margin degrees (index road.geom), their end points rounded to
-- 1e-7° as vertices (the road layer is noded at its end points), cost = length in metres in
-- both directions, none against a one-way road's direction.
DROP TABLE IF EXISTS cov_edge;
DROP TABLE IF EXISTS cov_node;
CREATE TEMP TABLE cov_edge ON COMMIT DROP AS
SELECT r.id, round(ST_X(ST_StartPoint(r.geom))::numeric, 7) AS sx,
       round(ST_Y(ST_StartPoint(r.geom))::numeric, 7) AS sy,
       round(ST_X(ST_EndPoint(r.geom))::numeric, 7) AS tx,
       round(ST_Y(ST_EndPoint(r.geom))::numeric, 7) AS ty,
       ST_Length(r.geom::geography) AS cost, r.oneway, r.geom,
       0::bigint AS source, 0::bigint AS target
FROM road r, grid g
WHERE g.code = :grid AND g.valid_to IS NULL
  AND r.geom && ST_Expand(ST_Envelope(g.geom), :margin);
CREATE TEMP TABLE cov_node ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY x, y) AS id, x, y,
       ST_SetSRID(ST_MakePoint(x::float8, y::float8), 4326) AS geom
FROM (SELECT sx AS x, sy AS y FROM cov_edge UNION SELECT tx, ty FROM cov_edge) p;
UPDATE cov_edge e SET source = s.id, target = t.id
FROM cov_node s, cov_node t
WHERE s.x = e.sx AND s.y = e.sy AND t.x = e.tx AND t.y = e.ty;
