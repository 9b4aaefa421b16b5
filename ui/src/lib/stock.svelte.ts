/**
 * The Stock screen's state, kept outside the component so it survives a trip to an item and
 * back: the search, the location filter, the rows, and the last look-up's outcome.
 *
 * A look-up that fails leaves the table exactly as it was and only shows the error: a bad scan
 * must not make the worker lose their place.
 *
 * Only the newest request's answer is shown: a scan, a typed search, a page or a filter each
 * start a request, and an answer that arrives after a newer request started is dropped (a
 * slow name search must not replace the item scanned after it).
 */
import { api, errorMessage, type ItemView, type LocationView, type StockLevel, type StockSearchView } from "../api";
import { isIpcError } from "./i18n/errors";

export const PAGE_ROWS = 200;

/** How the table is sorted while it shows search matches. */
export type StockSortKey = "sku" | "name";

/** What the table shows after a search: the rows of one page, or "not found" (keep the table). */
export function searchOutcome(view: StockSearchView): { rows: StockLevel[]; names: Record<string, string>; total: number } | null {
  if (view.total === 0) return null;
  const names: Record<string, string> = {};
  const rows = view.rows.map(({ name, ...level }) => {
    names[level.sku] = name;
    return level;
  });
  return { rows, names, total: view.total };
}

/** A look-up that found no item by that exact code: worth a search by name or SKU prefix.
 *  Rust's code says so; a bare English message (older callers, tests) is read as before. */
export function worthSearching(error: unknown): boolean {
  if (isIpcError(error)) return error.code === "stock.notFound";
  return typeof error === "string" && error.startsWith("No item has");
}

class StockState {
  query = $state("");
  /** The text the table's rows match (a search by name or SKU prefix), or null. */
  matches = $state<string | null>(null);
  /** Item names of the rows shown, when a search found them. */
  names = $state<Record<string, string>>({});
  offset = $state(0);
  sort = $state<StockSortKey>("sku");
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
  /** Numbers the requests; an answer is applied only while its number is the newest. */
  private generation = 0;

  /** Starts a request: answers of every older one are dropped from now on. */
  private begin(): () => boolean {
    const mine = ++this.generation;
    return () => mine === this.generation;
  }

  async load(): Promise<void> {
    await this.loadFor(this.begin());
  }

  private async loadFor(current: () => boolean): Promise<void> {
    this.busy = true;
    try {
      if (this.locations.length === 0) {
        const locations = await api.locations();
        if (!current()) return;
        this.locations = locations;
      }
      if (this.matches !== null) {
        const view = await api.searchStock({ text: this.matches, location: this.location, sort: this.sort, offset: this.offset, limit: PAGE_ROWS });
        if (!current()) return;
        const found = searchOutcome(view);
        this.rows = found?.rows ?? [];
        this.names = found?.names ?? {};
        this.total = view.total;
        return;
      }
      const page = await api.stockLevels({ sku: this.item?.sku ?? null, location: this.location, limit: PAGE_ROWS });
      if (!current()) return;
      this.rows = page.rows;
      this.total = page.total;
      this.names = {};
    } catch (error) {
      if (current()) this.error = errorMessage(error);
    } finally {
      if (current()) this.busy = false;
    }
  }

  /** Resolves a typed or scanned code; on success narrows the table to that item. */
  async search(code: string): Promise<void> {
    const trimmed = code.trim();
    this.query = trimmed;
    if (trimmed === "") return this.clear();
    const current = this.begin();
    this.busy = true;
    try {
      const item = await api.itemLookup(trimmed);
      if (!current()) return;
      this.item = item;
      this.matches = null;
      this.offset = 0;
      this.error = null;
      await this.loadFor(current);
    } catch (error) {
      if (!current()) return;
      const message = errorMessage(error);
      // Not a code we know: search names and SKU prefixes; only "nothing at all" is an error,
      // and then the table stays as it was.
      const found = worthSearching(error) ? await this.trySearch(trimmed, current) : false;
      if (!found && current()) this.error = message;
    } finally {
      if (current()) {
        this.busy = false;
        this.lookups += 1;
      }
    }
  }

  private async trySearch(text: string, current: () => boolean): Promise<boolean> {
    try {
      const view = await api.searchStock({ text, location: this.location, sort: this.sort, offset: 0, limit: PAGE_ROWS });
      if (!current()) return true; // a newer request owns the screen: nothing to report
      const found = searchOutcome(view);
      if (!found) return false;
      this.item = null;
      this.matches = text;
      this.offset = 0;
      this.rows = found.rows;
      this.names = found.names;
      this.total = found.total;
      this.error = null;
      return true;
    } catch (error) {
      if (current()) this.error = errorMessage(error);
      return true; // the search's own error is the one to show
    }
  }

  /** The next or previous page of search matches. */
  async page(direction: 1 | -1): Promise<void> {
    const next = Math.max(0, this.offset + direction * PAGE_ROWS);
    if (next >= this.total && direction === 1) return;
    this.offset = next;
    await this.load();
  }

  async setSort(sort: StockSortKey): Promise<void> {
    this.sort = sort;
    this.offset = 0;
    await this.load();
  }

  async setLocation(code: string | null): Promise<void> {
    this.location = code;
    this.offset = 0;
    await this.load();
  }

  async clear(): Promise<void> {
    this.query = "";
    this.item = null;
    this.matches = null;
    this.offset = 0;
    this.error = null;
    await this.load();
  }
}

export const stock = new StockState();
