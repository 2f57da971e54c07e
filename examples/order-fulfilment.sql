-- Order fulfilment as its SQL: the join of examples/order-fulfilment.toml, over that file's
-- streams. A field at a nested JSON path is named by its path (o.order.id); without AS its
-- column is named with _ (order_id), as in the file's [output] columns.
--   braid join --config examples/order-fulfilment.toml --query examples/order-fulfilment.sql --until-caught-up
SELECT o.order.id, o.customer.id, o.customer.tier AS tier, o.total, o.gift,
       p.payment_id, p.amount AS paid, p.card.verified AS card_verified, p.paid_at,
       s.shipment_id, s.carrier, s.shipped_at,
       o.placed_at AS event_timestamp
FROM orders o
JOIN payments p ON p.order.id = o.order.id AND p.customer.id = o.customer.id
     AND p.paid_at BETWEEN o.placed_at - INTERVAL 1 HOUR AND o.placed_at + INTERVAL 1 HOUR
LEFT JOIN shipments s ON s.order.id = o.order.id AND s.customer.id = o.customer.id
     AND s.shipped_at BETWEEN o.placed_at - INTERVAL 3 DAY AND o.placed_at + INTERVAL 3 DAY
