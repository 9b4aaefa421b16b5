/** English messages: the top bar and the shell (App.svelte, nav.svelte.ts), the loading screen and the export button. Spread into ../en.ts; keys start with "nav.". */
export const navEn = {
  // ---- the top bar (nav.svelte.ts's SCREENS) ----
  "nav.screens": "Screens",
  "nav.scan": "Scan",
  "nav.stock": "Stock",
  "nav.counts": "Counts",
  "nav.approvals": "Approvals",
  "nav.movements": "Movements",
  "nav.sync": "Sync",
  "nav.alerts": "Alerts",
  "nav.incidents": "Incidents",
  "nav.reports": "Reports",
  "nav.settings": "Settings",
  "nav.lock": "Lock",
  "nav.signOut": "Sign out",
  "nav.settingsForbidden": "Settings are for supervisors and admins.",
  "nav.approvalsForbidden": "Approvals are for supervisors.",
  // ---- sign out with lines not committed ----
  "nav.signOutTitle": "{n, plural, one {# scanned line is} other {# scanned lines are}} not committed",
  "nav.signOutKept": "{n, plural, one {It is kept for you on this workstation and comes back when you sign in again.} other {They are kept for you on this workstation and come back when you sign in again.}}",
  "nav.signOutKeep": "{n, plural, one {Keep it and sign out} other {Keep them and sign out}}",
  "nav.signOutDiscard": "{n, plural, one {Discard it and sign out} other {Discard them and sign out}}",
  "nav.cancel": "Cancel",
  "nav.notDiscarded": "Not discarded: {error}",
  // ---- the loading screen ----
  "nav.loading.failed": "The database could not be opened",
  "nav.loading.file": "File:",
  "nav.loading.failedHelp": "Check that the disk is not full and that no other program holds the file, then restart ShelfSync.",
  "nav.loading.unreachable": "Cannot reach the ShelfSync engine",
  "nav.loading.demo": "Setting up the demo warehouse…",
  "nav.loading.demoHelp": "Loading {items} demo items and two weeks of stock history. This happens once and takes a few seconds.",
  "nav.loading.opening": "Opening the stock ledger…",
  // ---- the export button ----
  "nav.export.csv": "Export CSV",
  "nav.export.busy": "Exporting…",
  "nav.export.done": "{n, plural, one {# row written to {path}} other {# rows written to {path}}}",
} as const;
