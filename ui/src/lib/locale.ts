/**
 * uPlot formats numbers with `new Intl.NumberFormat(navigator.language)`, which throws a
 * RangeError when the session has no locale: WebKitGTK reports "C" under LANG=C (kiosk
 * accounts, the e2e runner), and the chart module then fails to load. Called before uPlot is
 * imported: an invalid language tag is replaced by the one the rest of the UI formats with.
 */
export const FALLBACK_LANGUAGE = "en-GB";

export function usableLanguage(tag: string | undefined): string {
  if (!tag) return FALLBACK_LANGUAGE;
  try {
    new Intl.NumberFormat(tag);
    return tag;
  } catch {
    return FALLBACK_LANGUAGE;
  }
}

export function guardNavigatorLanguage(nav: Navigator = navigator): void {
  const usable = usableLanguage(nav.language);
  if (usable !== nav.language) Object.defineProperty(nav, "language", { value: usable, configurable: true });
}
