import { describe, expect, it } from "vitest";

import type { ChannelCard } from "../api";
import { offlineBanner, STALLED_MS } from "./offline";

const NOW = Date.parse("2026-11-26T12:00:00Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function card(partial: Partial<ChannelCard>): ChannelCard {
  return {
    channel: "shop", kind: "shopify", state: "ok", offlineSince: null, queueDepth: 0, oldestDirty: null,
    lastSuccess: ago(10_000), errorsLastHour: 0, p95LatencyMs: null, deadLetters: 0, pushed: 0, lastError: null, engine: null, latencies: [],
    ...partial,
  };
}

const offline = (name: string, queue: number) =>
  card({ channel: name, state: `offline since ${ago(60_000)}`, offlineSince: ago(60_000), queueDepth: queue, oldestDirty: ago(60_000) });

describe("offline banner", () => {
  const hidden: [string, ChannelCard[]][] = [
    ["no channels", []],
    ["everything pushed", [card({}), card({ channel: "web" })]],
    ["a fresh queue the engine is about to push", [card({ queueDepth: 5, oldestDirty: ago(5_000), lastSuccess: ago(3 * STALLED_MS) })]],
    ["an old queue while pushes keep succeeding (behind, not offline)", [card({ queueDepth: 900, oldestDirty: ago(10 * STALLED_MS), lastSuccess: ago(2_000) })]],
    ["one stalled channel while another pushes (that engine is running)", [
      card({ queueDepth: 3, oldestDirty: ago(2 * STALLED_MS), lastSuccess: ago(2 * STALLED_MS) }),
      card({ channel: "web", lastSuccess: ago(1_000) }),
    ]],
  ];
  for (const [name, cards] of hidden) {
    it(`hidden: ${name}`, () => expect(offlineBanner(cards, NOW)).toBeNull());
  }

  it("shows unreachable channels with the whole queue, even when it is empty", () => {
    const banner = offlineBanner([offline("shop", 3), card({ channel: "web", queueDepth: 2, oldestDirty: ago(1_000) })], NOW);
    expect(banner).toMatchObject({ reason: "unreachable", pending: 5, channels: ["shop"] });
    expect(banner?.title).toBe("Offline: shop is unreachable");
    expect(banner?.detail).toContain("5 updates wait in the queue");
    const empty = offlineBanner([offline("shop", 0), offline("web", 0)], NOW);
    expect(empty).toMatchObject({ reason: "unreachable", pending: 0, channels: ["shop", "web"] });
    expect(empty?.title).toBe("Offline: shop, web are unreachable");
  });

  it("says not syncing when updates wait past the limit and nothing has gone out", () => {
    for (const lastSuccess of [null, ago(STALLED_MS + 1_000)]) {
      const banner = offlineBanner([card({ queueDepth: 1_234, oldestDirty: ago(STALLED_MS + 1_000), lastSuccess })], NOW);
      expect(banner).toMatchObject({ reason: "not-pushing", pending: 1_234, channels: ["shop"] });
      expect(banner?.detail).toContain("1,234 updates wait in the queue");
      expect(banner?.title).toContain("for over 2 minutes");
    }
  });

  it("counts one update in the singular and does not trip exactly at the limit", () => {
    const stalled = card({ queueDepth: 1, oldestDirty: ago(STALLED_MS + 1), lastSuccess: null });
    expect(offlineBanner([stalled], NOW)?.detail).toContain("1 update waits in the queue");
    expect(offlineBanner([card({ queueDepth: 1, oldestDirty: ago(STALLED_MS), lastSuccess: null })], NOW)).toBeNull();
  });
});
