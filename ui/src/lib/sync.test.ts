import { describe, expect, it } from "vitest";

import type { ChannelCard } from "../api";
import { age, channelLight } from "./sync";

const NOW = Date.parse("2026-11-26T12:00:00Z");

function card(partial: Partial<ChannelCard>): ChannelCard {
  return {
    channel: "shop", kind: "shopify", state: "ok", offlineSince: null, queueDepth: 0, oldestDirty: null,
    lastSuccess: null, errorsLastHour: 0, p95LatencyMs: null, deadLetters: 0, pushed: 0, lastError: null, engine: null, latencies: [],
    ...partial,
  };
}

describe("channel light", () => {
  const cases: [string, Partial<ChannelCard>, string, string][] = [
    ["idle and empty", {}, "good", "In sync"],
    ["fresh queue", { state: "pending", queueDepth: 3, oldestDirty: "2026-11-26T11:59:00Z" }, "good", "Pushing"],
    ["old queue", { state: "pending", queueDepth: 3, oldestDirty: "2026-11-26T11:00:00Z" }, "warn", "Behind"],
    ["errors", { errorsLastHour: 2 }, "warn", "Errors"],
    ["dead letters", { state: "dead letters", deadLetters: 1, errorsLastHour: 4 }, "bad", "Dead letters"],
    ["offline", { state: "offline since 2026-11-26T11:00:00Z", offlineSince: "2026-11-26T11:00:00Z", deadLetters: 1 }, "bad", "Offline"],
  ];
  for (const [name, partial, tone, label] of cases) {
    it(name, () => expect(channelLight(card(partial), NOW)).toEqual({ tone, label }));
  }
});

describe("age", () => {
  it("reads like a person would say it", () => {
    expect(age(null, NOW)).toBe("never");
    expect(age("2026-11-26T11:59:30Z", NOW)).toBe("30 s ago");
    expect(age("2026-11-26T11:40:00Z", NOW)).toBe("20 min ago");
    expect(age("2026-11-26T09:00:00Z", NOW)).toBe("3 h ago");
    expect(age("2026-11-20T12:00:00Z", NOW)).toBe("6 d ago");
  });
});
