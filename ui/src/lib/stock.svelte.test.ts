/** The Stock screen's search against a mocked Rust side: a code first, then names and prefixes. */
import { beforeEach, describe, expect, it, vi } from "vitest";

const itemLookup = vi.fn();
const searchStock = vi.fn();
const stockLevels = vi.fn();
vi.mock("../api", () => ({
  api: { itemLookup, searchStock, stockLevels, locations: vi.fn().mockResolvedValue([{ code: "WH1", name: "Main" }]) },
  errorMessage: (e: unknown) => String(e),
}));

const { searchOutcome, stock, worthSearching } = await import("./stock.svelte");

const buckets = { onHand: 5, committed: 0, reserved: 0, damaged: 0, inTransit: 0, atp: 5, blind: false };
const row = (sku: string, name: string) => ({ sku, name, location: "WH1", ...buckets });
const notFound = "No item has the SKU or barcode 'olive'. Check the label and scan again.";

describe("stock search", () => {
  beforeEach(async () => {
    itemLookup.mockReset();
    searchStock.mockReset();
    stockLevels.mockReset().mockResolvedValue({ rows: [{ sku: "SS-1", location: "WH1", ...buckets }], total: 1 });
    await stock.clear();
  });

  it("a code it knows narrows the table to that item", async () => {
    itemLookup.mockResolvedValue({ sku: "SS-1", name: "Mug" });
    await stock.search("SS-1");
    expect(stock.item?.sku).toBe("SS-1");
    expect(stock.matches).toBeNull();
    expect(searchStock).not.toHaveBeenCalled();
  });

  it("text that is no code searches names and SKU prefixes, and pages", async () => {
    itemLookup.mockRejectedValue(notFound);
    searchStock.mockResolvedValue({ rows: [row("SS-9", "Shea Balm Olive L")], total: 450, offset: 0 });
    await stock.search("olive");
    expect(stock.error).toBeNull();
    expect(stock.matches).toBe("olive");
    expect(stock.rows.map((r) => r.sku)).toEqual(["SS-9"]);
    expect(stock.names["SS-9"]).toBe("Shea Balm Olive L");
    expect(searchStock).toHaveBeenLastCalledWith({ text: "olive", location: null, sort: "sku", offset: 0, limit: 200 });
    await stock.page(1);
    expect(searchStock).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 200 }));
    await stock.page(1);
    expect(searchStock).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 400 }));
    await stock.page(1); // past the last page: no call
    expect(searchStock).toHaveBeenCalledTimes(3);
    await stock.setSort("name");
    expect(searchStock).toHaveBeenLastCalledWith(expect.objectContaining({ sort: "name", offset: 0 }));
  });

  it("nothing found at all: the error shows and the table stays as it was", async () => {
    await stock.load();
    const before = stock.rows;
    itemLookup.mockRejectedValue(notFound);
    searchStock.mockResolvedValue({ rows: [], total: 0, offset: 0 });
    await stock.search("olive");
    expect(stock.error).toBe(notFound);
    expect(stock.rows).toEqual(before);
    expect(stock.matches).toBeNull();
  });

  it("other look-up errors are not searched", async () => {
    itemLookup.mockRejectedValue("the database is still loading; try again in a moment");
    await stock.search("olive");
    expect(searchStock).not.toHaveBeenCalled();
    expect(stock.error).toMatch(/still loading/);
  });

  /** A promise the test settles when it chooses: an answer that arrives late. */
  function later<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  it("a slow name search answered after a newer scan does not replace the scanned item", async () => {
    const slowSearch = later<unknown>();
    itemLookup.mockRejectedValueOnce(notFound).mockResolvedValueOnce({ sku: "SS-1", name: "Mug" });
    searchStock.mockReturnValueOnce(slowSearch.promise);
    const typed = stock.search("olive");
    await vi.waitFor(() => expect(searchStock).toHaveBeenCalledTimes(1));
    await stock.search("SS-1");
    expect(stock.item?.sku).toBe("SS-1");
    slowSearch.resolve({ rows: [row("SS-9", "Shea Balm Olive L")], total: 1, offset: 0 });
    await typed;
    expect(stock.item?.sku).toBe("SS-1");
    expect(stock.matches).toBeNull();
    expect(stock.query).toBe("SS-1");
    expect(stock.rows.map((r) => r.sku)).toEqual(["SS-1"]);
    expect(stock.busy).toBe(false);
  });

  it("a late look-up or its late error is dropped once the table was cleared", async () => {
    const slowLookup = later<unknown>();
    itemLookup.mockReturnValueOnce(slowLookup.promise);
    const scanned = stock.search("SS-1");
    await stock.clear();
    slowLookup.reject("the database is still loading; try again in a moment");
    await scanned;
    expect(stock.error).toBeNull();
    expect(stock.item).toBeNull();

    const slowAgain = later<unknown>();
    itemLookup.mockReturnValueOnce(slowAgain.promise);
    const again = stock.search("SS-1");
    await stock.clear();
    slowAgain.resolve({ sku: "SS-1", name: "Mug" });
    await again;
    expect(stock.item).toBeNull();
    expect(stockLevels).toHaveBeenLastCalledWith(expect.objectContaining({ sku: null }));
  });

  it("a late page answer does not replace the rows of a newer filter", async () => {
    itemLookup.mockRejectedValue(notFound);
    searchStock.mockResolvedValue({ rows: [row("SS-9", "Shea Balm Olive L")], total: 450, offset: 0 });
    await stock.search("olive");
    const slowPage = later<unknown>();
    searchStock.mockReturnValueOnce(slowPage.promise).mockResolvedValueOnce({ rows: [row("SS-3", "Olive Soap")], total: 1, offset: 0 });
    const paged = stock.page(1);
    await stock.setLocation("WH1");
    slowPage.resolve({ rows: [row("SS-200", "Olive Oil")], total: 450, offset: 200 });
    await paged;
    expect(stock.rows.map((r) => r.sku)).toEqual(["SS-3"]);
    expect(stock.total).toBe(1);
  });

  it("pure helpers", () => {
    expect(worthSearching(notFound)).toBe(true);
    expect(worthSearching("Sign in first.")).toBe(false);
    expect(searchOutcome({ rows: [], total: 0, offset: 0 })).toBeNull();
    expect(searchOutcome({ rows: [row("A", "x")], total: 1, offset: 0 })?.names).toEqual({ A: "x" });
  });
});
