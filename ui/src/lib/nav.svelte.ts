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
  | { name: "sync" }
  | { name: "alerts" }
  | { name: "incidents" }
  | { name: "reports" }
  | { name: "settings" };

export interface NavEntry {
  route: Route;
  label: string;
  /** Function key that opens the screen: reachable with a gloved hand, no mouse needed. */
  key: string;
  /** Shown only to supervisors and admins (Rust refuses the commands to anyone else). */
  supervisorOnly?: boolean;
}

/** Top-bar entries, in order. Detail screens (item) are reached from lists, not the bar. */
export const SCREENS: NavEntry[] = [
  { route: { name: "scan" }, label: "Scan", key: "F2" },
  { route: { name: "stock" }, label: "Stock", key: "F3" },
  { route: { name: "counts" }, label: "Counts", key: "F4" },
  { route: { name: "approvals" }, label: "Approvals", key: "F6", supervisorOnly: true },
  { route: { name: "sync" }, label: "Sync", key: "F7" },
  { route: { name: "alerts" }, label: "Alerts", key: "F8" },
  { route: { name: "incidents" }, label: "Incidents", key: "F9" },
  { route: { name: "reports" }, label: "Reports", key: "F10" },
  { route: { name: "settings" }, label: "Settings", key: "F12", supervisorOnly: true },
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
