-- Kits (issue 21): a kit is an item made of other items; it holds no stock of its own (the
-- ledger refuses movements of a kit's SKU) and its ATP is derived from its components'
-- (crates/core/src/kit.rs). One level: a component is never a kit, so no cycle can form; the
-- store checks that rule (and the limits below, from core) before it writes here.
-- qty: units of the component in one kit, 1 to 1,000 (core's MAX_COMPONENT_QTY).
CREATE TABLE kit_components (
    kit       TEXT NOT NULL REFERENCES items(sku),
    component TEXT NOT NULL REFERENCES items(sku),
    qty       INTEGER NOT NULL CHECK (qty BETWEEN 1 AND 1000),
    PRIMARY KEY (kit, component),
    CHECK (kit != component)
) STRICT, WITHOUT ROWID;
-- kits_using(component): a component's change re-queues the listings of every kit using it.
CREATE INDEX kit_components_by_component ON kit_components(component);
