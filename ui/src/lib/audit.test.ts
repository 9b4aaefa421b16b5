import { describe, expect, it } from "vitest";

import type { AuditEntryView } from "../bindings/AuditEntryView";
import type { AuditVerifyView } from "../bindings/AuditVerifyView";
import {
  EMPTY_FORM,
  FIRST_PAGE,
  PAGES_REMEMBERED,
  PAGE_MAX,
  type AuditForm,
  canGoNewer,
  currentBefore,
  detailPreview,
  emptyText,
  isBroken,
  newer,
  older,
  pageLabel,
  showEntry,
  toFilter,
  verdictText,
} from "./audit";

function form(change: Partial<AuditForm>): AuditForm {
  return { ...EMPTY_FORM, ...change };
}

function entry(seq: number, detail = "{}", detailTruncated = false): AuditEntryView {
  return { seq, at: "2026-12-04T09:30:00.000Z", actor: "ana", workstation: "WS1", kind: "event.receive", subject: "e1", sku: "S1", detail, detailTruncated };
}

describe("toFilter", () => {
  it("turns the form into the command's filter, empty text being no filter", () => {
    const cases: [Partial<AuditForm>, Record<string, unknown>][] = [
      [{}, { actor: null, sku: null, kind: null, since: null, until: null, limit: 50 }],
      [{ actor: " ana ", sku: "S1" }, { actor: "ana", sku: "S1" }],
      [{ kind: "Event.Receive" }, { kind: "event.receive" }],
      [{ since: "2026-12-01", until: "2026-12-01" }, { since: "2026-12-01", until: "2026-12-01" }],
      [{ since: "2026-12-04T09:30:00Z", until: "2026-12-04T11:00:00+01:00" }, { since: "2026-12-04T09:30:00Z" }],
      [{ limit: "500" }, { limit: 500 }],
      [{ limit: "" }, { limit: 50 }],
    ];
    for (const [change, want] of cases) {
      const got = toFilter(form(change));
      expect(got.ok, JSON.stringify(change)).toBe(true);
      if (got.ok) expect(got.filter).toMatchObject(want);
    }
    const paged = toFilter(form({}), 101);
    expect(paged.ok && paged.filter.before).toBe(101);
  });

  it("refuses what Rust would refuse, in its words, one line each", () => {
    const cases: [Partial<AuditForm>, string][] = [
      [{ limit: "501" }, `limit 501 is out of range: a page holds 1 to ${PAGE_MAX} entries`],
      [{ limit: "0" }, "limit 0 is out of range"],
      [{ limit: "ten" }, "limit ten is out of range"],
      [{ limit: "-5" }, "limit -5 is out of range"],
      [{ since: "2026-12-05", until: "2026-12-04" }, "since 2026-12-05 is not before until 2026-12-04"],
      [{ since: "2026-12-04T10:00:00Z", until: "2026-12-04T09:00:00Z" }, "is not before until"],
      [{ since: "2026-12-04T10:00:00Z", until: "2026-12-04T10:00:00Z" }, "is not before until"],
      [{ since: "yesterday" }, "since 'yesterday' is not a time"],
      [{ since: "2026-02-30" }, "since '2026-02-30' is not a time"],
      [{ until: "2026-12-04T09:30" }, "until '2026-12-04T09:30' is not a time"],
    ];
    for (const [change, want] of cases) {
      const got = toFilter(form(change));
      expect(got.ok, JSON.stringify(change)).toBe(false);
      if (!got.ok) {
        expect(got.message).toContain(want);
        expect(got.message).not.toContain("\n");
      }
    }
  });

  it("lets a date range of one day through: until covers its whole day", () => {
    expect(toFilter(form({ since: "2026-12-04", until: "2026-12-04" })).ok).toBe(true);
  });
});

describe("pages", () => {
  it("walks older and back to newer, and stops at the newest", () => {
    let pages = FIRST_PAGE;
    expect([currentBefore(pages), canGoNewer(pages), pageLabel(pages)]).toEqual([null, false, "Page 1"]);
    pages = older(pages, 151);
    pages = older(pages, 101);
    expect([currentBefore(pages), pageLabel(pages)]).toEqual([101, "Page 3"]);
    expect(older(pages, null)).toBe(pages);
    pages = newer(pages);
    expect(currentBefore(pages)).toBe(151);
    pages = newer(newer(pages));
    expect([currentBefore(pages), canGoNewer(pages)]).toEqual([null, false]);
  });

  it("remembers a bounded number of pages", () => {
    let pages = FIRST_PAGE;
    for (let i = 0; i < PAGES_REMEMBERED + 20; i++) pages = older(pages, 10_000 - i);
    expect(pages.stack.length).toBe(PAGES_REMEMBERED);
    expect(currentBefore(pages)).toBe(10_000 - (PAGES_REMEMBERED + 19));
  });
});

describe("verify chain", () => {
  const intact: AuditVerifyView = { entries: 1234, intact: true, firstBreak: null };
  const broken: AuditVerifyView = { entries: 7, intact: false, firstBreak: { seq: 7, reason: "its hash does not match its content (the row was edited)" } };

  it("says intact, or names the first broken entry by number and why", () => {
    expect(verdictText(intact)).toBe("Chain intact: 1234 entries verified.");
    expect(verdictText({ entries: 1, intact: true, firstBreak: null })).toBe("Chain intact: 1 entry verified.");
    expect(verdictText(broken)).toBe("Chain broken at entry #7: its hash does not match its content (the row was edited).");
  });

  it("finds the broken entry in the list and a page that starts with it", () => {
    expect(isBroken(entry(7), broken)).toBe(true);
    expect(isBroken(entry(6), broken)).toBe(false);
    expect(isBroken(entry(7), intact)).toBe(false);
    expect(isBroken(entry(7), null)).toBe(false);
    expect(showEntry(7)).toEqual({ actor: null, sku: null, kind: null, since: null, until: null, before: 8, limit: 50 });
  });
});

describe("the table's words", () => {
  it("shortens details to one line and marks a detail Rust cut", () => {
    expect(detailPreview(entry(1, '{"before": 1,\n "after": 2}'))).toBe('{"before": 1, "after": 2}');
    expect(detailPreview(entry(1, "x".repeat(100)), 10)).toBe(`${"x".repeat(9)}…`);
    expect(detailPreview(entry(1, "short", true))).toBe("short…");
  });

  it("tells an empty log from an empty match", () => {
    expect(emptyText(EMPTY_FORM)).toBe("The audit log is empty.");
    expect(emptyText(form({ actor: "ana" }))).toBe("No entry matches these filters.");
  });
});
