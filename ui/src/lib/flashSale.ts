/**
 * The flash-sale form: the window in minutes and the trigger in channel sales, checked before
 * they go to Rust (which checks them again and refuses out-of-range values with the same
 * bounds). Pure, so Vitest covers it.
 */
import type { FlashSaleView } from "../api";
import { t } from "./i18n/index.svelte";
import { type Parsed, parseWhole } from "./settingsForms";

/** core::flash's limits: a window of a day at most, a trigger of 10,000 sales at most. */
export const MAX_WINDOW_MINUTES = 24 * 60;
export const MAX_TRIGGER = 10_000;

export function parseFlashForm(windowMinutes: string, trigger: string): Parsed<{ windowSecs: number; triggerSales: number }> {
  const w = parseWhole(windowMinutes, t("settings.flash.windowLabel"), 1, MAX_WINDOW_MINUTES);
  if (!w.ok) return w;
  const s = parseWhole(trigger, t("settings.flash.triggerLabel"), 1, MAX_TRIGGER);
  if (!s.ok) return s;
  return { ok: true, value: { windowSecs: w.value * 60, triggerSales: s.value } };
}

/** "On: 5 channel sales within 10 minutes make an item sell fast" or "Off". */
export function flashSummary(v: FlashSaleView): string {
  if (!v.on) return t("settings.flash.off");
  const minutes = v.windowSecs / 60;
  const window = Number.isInteger(minutes) ? t("settings.flash.minutes", { n: minutes }) : t("settings.flash.seconds", { n: v.windowSecs });
  const fast = v.sellingFast.length;
  const now = fast === 0 ? t("settings.flash.noneFast") : t("settings.flash.fast", { n: fast });
  return t("settings.flash.on", { sales: v.triggerSales, window, now });
}
