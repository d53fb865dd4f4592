-- The routable road graph inside :area (EWKT, SRID 4326): road segments split where they
-- cross and where the end of another road comes within :tol metres of them, and the ends of
-- the pieces merged into nodes when within :tol metres of each other (ST_ClusterDBSCAN).
-- The noding runs in metres in the CGCS2000 Gauss-Krüger zone :srid; lengths are on the
-- ellipsoid. One row per piece: its road's attributes, its end nodes (with their lon/lat), its
-- length, its geometry (WKB, 4326) and whether it touches the hazard core :core (EWKT).
-- The area filter compares road.geom with the 4326 literal, so the road GiST index is used.
-- graph.py runs it with nested loops off: the planner cannot size the CTEs, and a nested loop
-- would recompute the cuts once per road.
WITH roads AS MATERIALIZED (
    SELECT r.id, r.road_class, r.width_m, r.lanes, r.speed_kmh, r.oneway,
           ST_Transform(r.geom, :srid) AS g
    FROM road AS r
    WHERE ST_Intersects(r.geom, ST_GeomFromEWKT(:area)) AND ST_Length(r.geom) > 0
),
meets AS (  -- where two roads cross or touch; overlapping stretches count by their ends
    SELECT a.id AS road_id, (ST_Dump(ST_Intersection(a.g, b.g))).geom AS p
    FROM roads AS a JOIN roads AS b ON a.id <> b.id AND ST_Intersects(a.g, b.g)
),
ends AS (
    SELECT id, ST_StartPoint(g) AS p FROM roads
    UNION ALL
    SELECT id, ST_EndPoint(g) FROM roads
),
near_ends AS (  -- the end of one road close to another road: that road is cut at the nearest point
    SELECT b.id AS road_id, ST_ClosestPoint(b.g, e.p) AS p
    FROM ends AS e JOIN roads AS b ON b.id <> e.id AND ST_DWithin(b.g, e.p, :tol)
),
cut_points AS (
    SELECT road_id, p FROM meets WHERE GeometryType(p) = 'POINT'
    UNION ALL
    SELECT road_id, ST_StartPoint(p) FROM meets WHERE GeometryType(p) = 'LINESTRING'
    UNION ALL
    SELECT road_id, ST_EndPoint(p) FROM meets WHERE GeometryType(p) = 'LINESTRING'
    UNION ALL
    SELECT road_id, p FROM near_ends
),
cuts AS (
    SELECT DISTINCT c.road_id, ST_LineLocatePoint(r.g, c.p) AS f
    FROM cut_points AS c JOIN roads AS r ON r.id = c.road_id
    UNION
    SELECT id, 0.0 FROM roads
    UNION
    SELECT id, 1.0 FROM roads
),
spans AS (
    SELECT road_id, f, lead(f) OVER (PARTITION BY road_id ORDER BY f) AS next_f FROM cuts
),
pieces AS MATERIALIZED (
    SELECT row_number() OVER (ORDER BY s.road_id, s.f) AS piece, s.road_id,
           ST_LineSubstring(r.g, s.f, s.next_f) AS g
    FROM spans AS s JOIN roads AS r ON r.id = s.road_id
    WHERE s.next_f IS NOT NULL AND s.next_f > s.f
),
piece_ends AS (
    SELECT piece, 0 AS side, ST_StartPoint(g) AS p FROM pieces
    UNION ALL
    SELECT piece, 1, ST_EndPoint(g) FROM pieces
),
clustered AS (
    SELECT piece, side, p, ST_ClusterDBSCAN(p, eps => :tol, minpoints => 1) OVER () AS node
    FROM piece_ends
),
nodes AS (
    SELECT node, ST_Transform(ST_Centroid(ST_Collect(p)), 4326) AS geom
    FROM clustered GROUP BY node
),
edges AS (
    SELECT p.piece, p.road_id, a.node AS source, b.node AS target, ST_Transform(p.g, 4326) AS geom
    FROM pieces AS p
    JOIN clustered AS a ON a.piece = p.piece AND a.side = 0
    JOIN clustered AS b ON b.piece = p.piece AND b.side = 1
    WHERE a.node <> b.node  -- a piece shorter than the tolerance collapses into its node
)
SELECT e.piece, e.road_id, r.road_class, r.width_m, r.lanes, r.speed_kmh, r.oneway,
       e.source, e.target,
       ST_X(ns.geom) AS source_lon, ST_Y(ns.geom) AS source_lat,
       ST_X(nt.geom) AS target_lon, ST_Y(nt.geom) AS target_lat,
       ST_Length(CAST(e.geom AS geography)) AS length_m,
       ST_AsBinary(e.geom) AS wkb,
       ST_Intersects(e.geom, ST_GeomFromEWKT(:core)) AS in_core
FROM edges AS e
JOIN roads AS r ON r.id = e.road_id
JOIN nodes AS ns ON ns.node = e.source
JOIN nodes AS nt ON nt.node = e.target
ORDER BY e.piece
