SELECT v.user, v.shop, v.page, b.price AS paid, v.at AS seen
FROM views v
LEFT JOIN buys b ON b.user = v.user AND v.shop = b.shop
  AND b.at BETWEEN v.at - INTERVAL 30 MINUTE AND v.at + INTERVAL '30 minutes'
JOIN carts c ON c.user = v.user AND c.shop = v.shop AND c.ts BETWEEN v.at - INTERVAL '1 day 2 hours' AND v.at + INTERVAL 26 HOUR
