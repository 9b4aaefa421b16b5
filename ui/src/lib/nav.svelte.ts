/**
 * Which screen is showing. One union type lists every route; adding a screen means adding a
 * variant here, an entry in `SCREENS` (if it belongs in the top bar) and a branch in App.svelte.
 * Planned: sign-in, scan station, counts, approvals, sync dashboard, alerts, settings.
 */
export type Route = { name: "stock" } | { name: "item"; sku: string };

export interface NavEntry {
  route: Route;
  label: string;
  /** Function key that opens the screen: reachable with a gloved hand, no mouse needed. */
  key: string;
}

/** Top-bar entries, in order. Detail screens (item) are reached from lists, not the bar. */
export const SCREENS: NavEntry[] = [{ route: { name: "stock" }, label: "Stock", key: "F2" }];

class Nav {
  route = $state<Route>({ name: "stock" });
  private history: Route[] = [];

  go(route: Route): void {
    this.history.push(this.route);
    // Bounded: a day of scanning must not grow the history without limit.
    if (this.history.length > 50) this.history.shift();
    this.route = route;
  }

  back(): void {
    this.route = this.history.pop() ?? { name: "stock" };
  }
}

export const nav = new Nav();
