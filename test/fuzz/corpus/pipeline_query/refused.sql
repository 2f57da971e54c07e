WITH q AS (SELECT 1) SELECT DISTINCT v.user, upper(b.price) FROM views v RIGHT JOIN buys b USING (user) WHERE v.at > 0 GROUP BY ALL ORDER BY 1 LIMIT 3
