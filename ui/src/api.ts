/**
 * The only place the UI talks to Rust. Each command has one typed wrapper; screens import
 * these, never `invoke` with a string. Types come from `./bindings` (generated from the Rust
 * wire types by ts-rs; do not edit them by hand).
 *
 * Errors: a command that fails rejects with a plain string, the message to show a person.
 */
import { invoke } from "@tauri-apps/api/core";

import type { AppInfo } from "./bindings/AppInfo";
import type { EventView } from "./bindings/EventView";
import type { ItemView } from "./bindings/ItemView";
import type { LocationView } from "./bindings/LocationView";
import type { StockPage } from "./bindings/StockPage";
import type { StockQuery } from "./bindings/StockQuery";

export type { AppInfo, EventView, ItemView, LocationView, StockPage, StockQuery };
export type { StockLevel } from "./bindings/StockLevel";
export type { Buckets } from "./bindings/Buckets";
export type { Phase } from "./bindings/Phase";

export const api = {
  /** Start-up phase, database path, demo flag and counts. Never waits for start-up. */
  appInfo: (): Promise<AppInfo> => invoke<AppInfo>("app_info"),

  /** Stock rows matching the filter, at most `query.limit` (the rest counted in `total`). */
  stockLevels: (query: StockQuery): Promise<StockPage> => invoke<StockPage>("stock_levels", { query }),

  /** Newest first. `sku: null` means every item. */
  recentEvents: (sku: string | null, limit: number): Promise<EventView[]> =>
    invoke<EventView[]>("recent_events", { sku, limit }),

  /** Resolves a SKU or any barcode (GTIN-8/12/13/14, internal code) to the item and its stock. */
  itemLookup: (code: string): Promise<ItemView> => invoke<ItemView>("item_lookup", { code }),

  locations: (): Promise<LocationView[]> => invoke<LocationView[]>("locations"),
};

/** The message of a rejected command (a string), or of anything else that was thrown. */
export function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  return String(error);
}
