-- Ad attribution as its SQL: the join of examples/ad-attribution.toml, over that file's streams.
--   braid join --config examples/ad-attribution.toml --query examples/ad-attribution.sql --until-caught-up
SELECT i.impression_id, i.user_id, i.campaign_id, i.placement,
       c.click_id, c.ts AS click_time,
       v.conversion_id, v.revenue,
       i.ts AS event_timestamp
FROM impressions i
LEFT JOIN clicks c ON c.user_id = i.user_id AND c.campaign_id = i.campaign_id
     AND c.ts BETWEEN i.ts - INTERVAL 30 MINUTE AND i.ts + INTERVAL 30 MINUTE
LEFT JOIN conversions v ON v.user_id = i.user_id AND v.campaign_id = i.campaign_id
     AND v.ts BETWEEN i.ts - INTERVAL 24 HOUR AND i.ts + INTERVAL 24 HOUR
