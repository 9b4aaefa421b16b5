/**
 * Checks for the settings forms, done before anything is sent (see forms.ts for why). Each
 * returns either the value to send, already converted, or one clear message. Rust checks all
 * of it again and holds the roles.
 */
import type { ImportKind, NewChannelRequest, NewLocationRequest, RoleView, RuleView, ToleranceView } from "../api";
import { NAME_MAX, PIN_MAX, PIN_MIN } from "./forms";
import { t as tr } from "./i18n/index.svelte";

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** A whole number typed into a field, within bounds; `label` names the field in the message. */
export function parseWhole(text: string, label: string, min: number, max: number): Parsed<number> {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return fail(tr("settings.form.whole", { label, min }));
  const n = Number(t);
  if (n < min || n > max) return fail(tr("settings.form.range", { label, min, max }));
  return ok(n);
}

/** An optional whole number: empty means "no limit" (null). */
export function parseOptionalWhole(text: string, label: string, max: number): Parsed<number | null> {
  if (text.trim() === "") return ok(null);
  return parseWhole(text, label, 0, max);
}

export const BUSINESS_START = "business_start_hour";
export const BUSINESS_END = "business_end_hour";

/** A threshold: a number of 0 or more (decimals allowed); business hours are whole hours. */
export function checkThreshold(rule: string, text: string, other: { start: number; end: number }): Parsed<number> {
  const t = text.trim();
  if (rule === BUSINESS_START || rule === BUSINESS_END) {
    const hour = parseWhole(t, rule === BUSINESS_START ? tr("settings.form.startHour") : tr("settings.form.endHour"), rule === BUSINESS_START ? 0 : 1, rule === BUSINESS_START ? 23 : 24);
    if (!hour.ok) return hour;
    const start = rule === BUSINESS_START ? hour.value : other.start;
    const end = rule === BUSINESS_END ? hour.value : other.end;
    if (start >= end) return fail(tr("settings.form.hoursOrder", { start, end }));
    return hour;
  }
  if (!/^\d+(\.\d+)?$/.test(t)) return fail(tr("settings.form.threshold"));
  return ok(Number(t));
}

const USER_NAME = /^[\p{L}\p{N}._@-]+$/u;

export function checkNewUser(name: string, role: string, pin: string): Parsed<{ name: string; role: RoleView; pin: string }> {
  const n = name.trim();
  if (n === "") return fail(tr("settings.form.enterUser"));
  if (n.length > NAME_MAX || !USER_NAME.test(n)) return fail(tr("form.nameChars"));
  if (role !== "staff" && role !== "supervisor" && role !== "admin") return fail(tr("settings.form.role"));
  if (pin.length < PIN_MIN || pin.length > PIN_MAX) return fail(tr("form.pinLength", { min: PIN_MIN, max: PIN_MAX }));
  return ok({ name: n, role, pin });
}

/** The ledger's rule for identifiers: 1 to 64 characters, no spaces or control characters. */
const LOCATION_CODE = /^[^\s\p{C}]{1,64}$/u;

export function checkLocation(code: string, name: string, parent: string): Parsed<NewLocationRequest> {
  const c = code.trim();
  if (c === "") return fail(tr("settings.form.locationCode"));
  if (!LOCATION_CODE.test(c)) return fail(tr("settings.form.locationChars"));
  const n = name.trim();
  if (n === "" || n.length > 100) return fail(tr("settings.form.locationName"));
  const p = parent.trim();
  if (p !== "" && p === c) return fail(tr("settings.form.ownParent"));
  return ok({ code: c, name: n, parent: p === "" ? null : p });
}

/** Tolerance limits: each optional; percent typed as a percentage (e.g. 2.5) and sent in basis points. */
export function checkTolerance(
  category: string,
  units: string,
  percent: string,
  value: string,
  autoPost: boolean,
): Parsed<ToleranceView> {
  const u = parseOptionalWhole(units, tr("settings.form.unitsLimit"), 1_000_000);
  if (!u.ok) return u;
  let percentBp: number | null = null;
  if (percent.trim() !== "") {
    if (!/^\d+(\.\d{1,2})?$/.test(percent.trim())) return fail(tr("settings.form.percentShape"));
    percentBp = Math.round(Number(percent.trim()) * 100);
    if (percentBp > 100_00) return fail(tr("settings.form.percentRange"));
  }
  let valueCents: number | null = null;
  if (value.trim() !== "") {
    if (!/^\d+(\.\d{1,2})?$/.test(value.trim())) return fail(tr("settings.form.valueShape"));
    valueCents = Math.round(Number(value.trim()) * 100);
  }
  const c = category.trim();
  if (c.length > 200) return fail(tr("settings.form.categoryLong"));
  return ok({ category: c === "" ? null : c, units: u.value, percentBp, valueCents, autoPost });
}

/** The secrets each channel kind needs (shelfsync_sync::config::required_secrets). */
export const REQUIRED_SECRETS: Record<string, string[]> = {
  shopify: ["access_token"],
  amazon: ["lwa_client_id", "lwa_client_secret", "lwa_refresh_token"],
  ebay: ["ebay_client_id", "ebay_client_secret", "ebay_refresh_token"],
};

const CHANNEL_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const AMAZON_ID = /^[A-Z0-9]{1,32}$/;

export interface ChannelForm {
  name: string;
  kind: string;
  endpoint: string;
  shop: string;
  sellerId: string;
  marketplaceId: string;
  /** Amazon and eBay: the OAuth token endpoint (a sandbox, a simulator); empty: the default. */
  authEndpoint?: string;
  secrets: Record<string, string>;
}

export function checkChannel(form: ChannelForm): Parsed<NewChannelRequest> {
  const name = form.name.trim();
  if (!CHANNEL_NAME.test(name)) return fail(tr("settings.form.channelName"));
  const needed = REQUIRED_SECRETS[form.kind];
  if (!needed) return fail(tr("settings.form.channelKind"));
  const endpoint = form.endpoint.trim();
  if (!/^https?:\/\/[^\s/]+/.test(endpoint) || /\s/.test(endpoint)) {
    return fail(tr("settings.form.endpoint"));
  }
  const shop = form.shop.trim();
  if (form.kind === "shopify" && !/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(shop)) {
    return fail(tr("settings.form.shopDomain"));
  }
  const sellerId = form.sellerId.trim();
  const marketplaceId = form.marketplaceId.trim();
  if (form.kind === "amazon" && (!AMAZON_ID.test(sellerId) || !AMAZON_ID.test(marketplaceId))) {
    return fail(tr("settings.form.amazonIds"));
  }
  const authEndpoint = (form.authEndpoint ?? "").trim();
  if (authEndpoint !== "") {
    if (form.kind === "shopify") return fail(tr("settings.form.shopifyToken"));
    if (!/^https?:\/\/[^\s/]+/.test(authEndpoint) || /\s/.test(authEndpoint)) {
      return fail(tr("settings.form.tokenEndpoint"));
    }
  }
  const secrets = [];
  for (const key of needed) {
    const value = (form.secrets[key] ?? "").trim();
    if (value === "") return fail(tr("settings.form.enterSecret", { secret: key.replaceAll("_", " ") }));
    if (value.length > 4096) return fail(tr("settings.form.secretLong", { secret: key.replaceAll("_", " ") }));
    secrets.push({ name: key, value });
  }
  return ok({
    name,
    kind: form.kind,
    endpoint,
    shop: form.kind === "shopify" ? shop : null,
    sellerId: form.kind === "amazon" ? sellerId : null,
    marketplaceId: form.kind === "amazon" ? marketplaceId : null,
    ...(authEndpoint !== "" ? { authEndpoint } : {}),
    secrets,
  });
}

export function checkRule(locations: string, percent: string, buffer: string, cap: string, conflict: string): Parsed<RuleView> {
  const p = parseWhole(percent, tr("settings.form.share"), 0, 100);
  if (!p.ok) return p;
  const b = parseWhole(buffer, tr("settings.form.buffer"), 0, 1_000_000);
  if (!b.ok) return b;
  const c = parseOptionalWhole(cap, tr("settings.form.cap"), 1_000_000);
  if (!c.ok) return c;
  if (conflict !== "central" && conflict !== "channel" && conflict !== "flag") {
    return fail(tr("settings.form.conflict"));
  }
  const list = locations.split(",").map((l) => l.trim()).filter((l) => l !== "");
  return ok({ locations: list, percent: p.value, buffer: b.value, cap: c.value, conflict });
}

/** The pass/fail part of a parse, for `sendIfValid`. */
export function asCheck<T>(parsed: Parsed<T>): { ok: true } | { ok: false; message: string } {
  return parsed.ok ? { ok: true } : { ok: false, message: parsed.message };
}

/** The CSV imports, with the header each file needs (the CLI's `import`, see cli.md). Items
 *  and locations change the catalogue: admins only. Stock is received: supervisors too. */
export const IMPORT_KINDS: { kind: ImportKind; label: string; header: string; adminOnly: boolean }[] = [
  { kind: "items", get label() { return tr("settings.import.items"); }, header: "sku,name,unit_cost,category,safety_stock,barcodes", adminOnly: true },
  { kind: "locations", get label() { return tr("settings.import.locations"); }, header: "code,name", adminOnly: true },
  { kind: "stock", get label() { return tr("settings.import.stock"); }, header: "sku,location,qty", adminOnly: false },
  // A pack is item master data: admins, as items (the CLI's `import packs`).
  { kind: "packs", get label() { return tr("settings.import.packs"); }, header: "barcode,sku,qty", adminOnly: true },
];

/** Rust's limit (src-tauri/src/import.rs), checked here too so a wrong file is not read. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

/** The chosen kind and file, before the file is read. */
export function checkImport(kind: string, file: { size: number } | null, isAdmin: boolean): Parsed<ImportKind> {
  const known = IMPORT_KINDS.find((k) => k.kind === kind);
  if (!known) return fail(tr("settings.import.chooseKind"));
  if (known.adminOnly && !isAdmin) return fail(tr("settings.import.adminOnly", { kind: known.label.toLowerCase() }));
  if (file === null) return fail(tr("settings.import.chooseFile"));
  if (file.size === 0) return fail(tr("settings.import.empty"));
  if (file.size > MAX_IMPORT_BYTES) {
    const mib = (file.size / (1024 * 1024)).toFixed(1);
    return fail(tr("settings.import.tooLarge", { mib }));
  }
  return ok(known.kind);
}
