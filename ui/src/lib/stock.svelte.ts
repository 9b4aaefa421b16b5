/**
 * The Stock screen's state, kept outside the component so it survives a trip to an item and
 * back: the search, the location filter, the rows, and the last look-up's outcome.
 *
 * A look-up that fails leaves the table exactly as it was and only shows the error: a bad scan
 * must not make the worker lose their place.
 */
import { api, errorMessage, type ItemView, type LocationView, type StockLevel } from "../api";

export const PAGE_ROWS = 200;

class StockState {
  query = $state("");
  location = $state<string | null>(null);
  /** The item the table is narrowed to, when a look-up succeeded. */
  item = $state<ItemView | null>(null);
  rows = $state<StockLevel[]>([]);
  total = $state(0);
  locations = $state<LocationView[]>([]);
  error = $state<string | null>(null);
  busy = $state(false);
  /** Bumped on every finished look-up, so the screen can flash and refocus. */
  lookups = $state(0);

  async load(): Promise<void> {
    this.busy = true;
    try {
      if (this.locations.length === 0) this.locations = await api.locations();
      const page = await api.stockLevels({ sku: this.item?.sku ?? null, location: this.location, limit: PAGE_ROWS });
      this.rows = page.rows;
      this.total = page.total;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.busy = false;
    }
  }

  /** Resolves a typed or scanned code; on success narrows the table to that item. */
  async search(code: string): Promise<void> {
    const trimmed = code.trim();
    this.query = trimmed;
    if (trimmed === "") return this.clear();
    this.busy = true;
    try {
      const item = await api.itemLookup(trimmed);
      this.item = item;
      this.error = null;
      await this.load();
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.busy = false;
      this.lookups += 1;
    }
  }

  async setLocation(code: string | null): Promise<void> {
    this.location = code;
    await this.load();
  }

  async clear(): Promise<void> {
    this.query = "";
    this.item = null;
    this.error = null;
    await this.load();
  }
}

export const stock = new StockState();
