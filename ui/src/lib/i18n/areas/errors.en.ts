/**
 * English messages: errors from Rust, by code (`IpcError.code`; key "errors." + code). The UI
 * shows Rust's own English sentence in English, so these are the same sentences in ICU form
 * (errors.test.ts formats each against Rust's samples, errorSamples.json); another language
 * translates them. A code missing here shows Rust's English in every language.
 *
 * Quotes: in ICU a `'` before `{` starts a quoted literal, so `'{sku}'` is written `''{sku}''`.
 * Argument words Rust sends in English (a role, a bucket, an action) are translated by looking
 * the English word up among the `role.`, `errors.bucket.` and `errors.action.` keys.
 */
export const errorsEn = {
  // ---- sign-in, session and permission ----
  "errors.session.signedOut": "Sign in first.",
  "errors.session.locked": "The session is locked after being idle. Enter your PIN to go on.",
  "errors.signin.wrong": "wrong user or PIN for ''{user}''",
  "errors.signin.deactivated": "user ''{user}'' is deactivated",
  "errors.signin.lockedOut": "user ''{user}'' is locked out until {until} after too many wrong PINs",
  "errors.auth.forbidden": "user ''{user}'' ({role}) may not {action}",
  // ---- items and locations ----
  "errors.stock.notFound": "No item has the SKU or barcode ''{code}''. Check the label and scan again.",
  "errors.stock.unknownSku": "unknown SKU ''{sku}''",
  "errors.stock.unknownLocation": "unknown location ''{location}''",
  "errors.stock.unknownBarcode": "unknown barcode ''{code}''",
  // ---- quantities and movements ----
  "errors.movement.qtyRange": "quantity must be between 1 and {max}, got {got}",
  "errors.movement.insufficient": "{bucket} at {location} would go negative ({current} - {change})",
  "errors.movement.damagedOverOnHand": "damaged at {location} would exceed on_hand ({damaged} damaged, {onHand} on hand)",
  "errors.movement.sameLocation": "a transfer needs two different locations, got ''{location}'' twice",
  "errors.movement.overReceipt": "received {received} exceeds the {shipped} shipped",
  "errors.movement.alreadyReceived": "transfer {id} was already received",
  // ---- counts and approvals ----
  "errors.count.closed": "count session {id} is {status}; scanning is closed",
  "errors.count.outOfScope": "SKU ''{sku}'' is not in the scope of session {id}",
  "errors.count.nothingCounted": "nothing was counted in session {id}",
  "errors.count.uncounted": "{n, plural, other {# SKUs}} in this full count were not counted; submit with --confirm-zero to count them as zero",
  "errors.approval.unknown": "unknown approval ''{id}''",
  "errors.approval.notPending": "approval {id} is not pending (it is {state})",
  // ---- the database ----
  "errors.store.diskFull": "disk full: the change was not saved; free some space and try again",
  "errors.store.busy": "the database is locked by another process; try again",
  "errors.app.starting": "the database is still loading; try again in a moment",
  "errors.app.unavailable": "the database could not be opened: {detail}",
  // ---- kits, packs, imports, reports and look-ups by id (supervisors and admins) ----
  "errors.kit.unknownComponent": "component ''{sku}'' is not an item; import it as an item first",
  "errors.kit.notAKit": "''{sku}'' is not a kit",
  "errors.kit.holdsStock": "''{sku}'' holds stock; move or write it off before making it a kit (it holds no stock of its own)",
  "errors.kit.hasPacks": "''{sku}'' has packs: remove them (pack remove BARCODE) before making it a kit",
  "errors.pack.ofKit": "''{sku}'' is a kit: a pack holds units of one item, so give its components packs",
  "errors.pack.barcodeIsPack": "barcode ''{code}'' is a pack of {qty} x SKU ''{sku}''; an item barcode is one unit",
  "errors.pack.unknown": "no pack has barcode ''{code}''",
  "errors.pack.tooManyUnits": "{scans} scans of a pack of {units} is more than {max} units in one line: book it in parts",
  "errors.lot.required": "SKU ''{sku}'' is tracked by {tracking}: {movement} needs --{tracking} (or a GS1 scan that carries it)",
  "errors.lot.notTracked": "SKU ''{sku}'' is not tracked by lot or serial: drop --lot/--serial (or set its tracking first)",
  "errors.lot.wrongKind": "SKU ''{sku}'' is tracked by {tracking}, not {given}: give --{tracking}",
  "errors.lot.serialQty": "a serial is one unit: serial ''{serial}'' of SKU ''{sku}'' cannot move {qty}",
  "errors.lot.serialOnHand": "serial ''{serial}'' of SKU ''{sku}'' is already on hand at {location}: a serial is on hand at most once",
  "errors.lot.short": "{kind} ''{code}'' of SKU ''{sku}'' at {location} has {have} {held}, so it cannot go to {after}",
  "errors.lot.expiryMismatch": "lot ''{lot}'' of SKU ''{sku}'' expires {known}, not {given}: one lot has one expiry",
  "errors.item.barcodeTaken": "barcode ''{code}'' already belongs to SKU ''{sku}''",
  "errors.report.periodTooLong": "the period holds {events} events to walk back, more than {max}: ask for fewer days",
  "errors.movement.unknownTransfer": "unknown transfer ''{id}''",
  "errors.movement.unknownEvent": "unknown event ''{id}''",
  "errors.count.unknownSession": "unknown count session ''{id}''",
  // ---- words inside the messages above, as Rust sends them ----
  "errors.bucket.on_hand": "on_hand",
  "errors.bucket.committed": "committed",
  "errors.bucket.reserved": "reserved",
  "errors.bucket.damaged": "damaged",
  "errors.bucket.in_transit": "in_transit",
  "errors.action.receive": "receive stock",
  "errors.action.damage": "mark stock damaged",
  "errors.action.writeOff": "write off stock",
  "errors.action.return": "take back a return",
  "errors.action.transfer": "transfer stock",
  "errors.action.adjust": "adjust stock",
  "errors.action.reverse": "reverse an event",
  "errors.action.overrideNegative": "override a negative balance",
  "errors.action.countStart": "start a count",
  "errors.action.countScan": "count",
  "errors.action.countSubmit": "submit a count",
  "errors.action.countPause": "pause or resume a count",
  "errors.action.countGenerate": "generate planned counts",
  "errors.action.countSeeExpected": "see a blind count's expected quantities",
  "errors.action.approvalsView": "see the approvals inbox",
  "errors.action.approvalsDecide": "decide approvals",
  "errors.action.toleranceSet": "change tolerances",
  "errors.action.settingSet": "change settings",
  "errors.action.auditView": "read the audit log",
  "errors.action.userList": "manage users",
  "errors.action.diagnosticsSave": "save diagnostics",
} as const;
