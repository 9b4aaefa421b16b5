-- Available to promise, written once in SQL (issue 18). This is the same rule as core's
-- `Balances::atp` (crates/core/src/balance.rs): damaged units are still in on_hand, so they are
-- subtracted here exactly once; in_transit is not sellable and does not count. Negative means
-- oversold. SQL that needs ATP reads `stock_atp.atp` instead of writing the subtraction again;
-- if the rule ever changes, it changes here and in `Balances::atp` together.
CREATE VIEW stock_atp AS
SELECT sku, location, on_hand, committed, reserved, damaged, in_transit,
       on_hand - committed - reserved - damaged AS atp
FROM balances;
