/**
 * Which screen is showing. One union type lists every route; adding a screen means adding a
 * variant here, an entry in `SCREENS` (if it belongs in the top bar) and a branch in App.svelte.
 */
export type Route =
  | { name: "scan" }
  | { name: "stock" }
  | { name: "item"; sku: string }
  | { name: "why"; sku: string }
  | { name: "counts" }
  | { name: "approvals" }
  | { name: "movements" }
  | { name: "sync" }
  | { name: "alerts" }
  | { name: "incidents" }
  | { name: "reports" }
  | { name: "settings" };

/** The tabs' names: catalogue keys (areas/nav.en.ts), the bar shows `t(label)`. */
export type NavLabel = "nav.scan" | "nav.stock" | "nav.counts" | "nav.approvals" | "nav.movements" | "nav.sync" | "nav.alerts" | "nav.incidents" | "nav.reports" | "nav.settings";

export interface NavEntry {
  route: Route;
  label: NavLabel;
  /** Function key that opens the screen: reachable with a gloved hand, no mouse needed. */
  key: string;
  /** Shown only to supervisors and admins (Rust refuses the commands to anyone else). */
  supervisorOnly?: boolean;
}

/** Top-bar entries, in order. Detail screens (item) are reached from lists, not the bar. */
export const SCREENS: NavEntry[] = [
  { route: { name: "scan" }, label: "nav.scan", key: "F2" },
  { route: { name: "stock" }, label: "nav.stock", key: "F3" },
  { route: { name: "counts" }, label: "nav.counts", key: "F4" },
  { route: { name: "approvals" }, label: "nav.approvals", key: "F6", supervisorOnly: true },
  { route: { name: "movements" }, label: "nav.movements", key: "F11" },
  { route: { name: "sync" }, label: "nav.sync", key: "F7" },
  { route: { name: "alerts" }, label: "nav.alerts", key: "F8" },
  { route: { name: "incidents" }, label: "nav.incidents", key: "F9" },
  { route: { name: "reports" }, label: "nav.reports", key: "F10" },
  { route: { name: "settings" }, label: "nav.settings", key: "F12", supervisorOnly: true },
];

/** The entries a user may see. */
export function screensFor(canApprove: boolean): NavEntry[] {
  return SCREENS.filter((s) => !s.supervisorOnly || canApprove);
}

class Nav {
  route = $state<Route>({ name: "scan" });
  private history: Route[] = [];

  go(route: Route): void {
    this.history.push(this.route);
    // Bounded: a day of scanning must not grow the history without limit.
    if (this.history.length > 50) this.history.shift();
    this.route = route;
  }

  back(): void {
    this.route = this.history.pop() ?? { name: "scan" };
  }

  /** After sign-in: start at the scan station with no history from the last user. */
  home(): void {
    this.history = [];
    this.route = { name: "scan" };
  }
}

export const nav = new Nav();
