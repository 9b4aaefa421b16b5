/** Display helpers: numbers, money, dates and bucket names, the same on every screen. */

const integer = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });

export function count(n: number): string {
  // A real minus sign: a hyphen is easy to miss on a busy screen.
  return integer.format(n).replace("-", "\u2212");
}

export function signed(n: number): string {
  return n > 0 ? `+${count(n)}` : count(n);
}

export function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const BUCKET_LABELS: Record<string, string> = {
  on_hand: "on hand",
  committed: "committed",
  reserved: "reserved",
  damaged: "damaged",
  in_transit: "in transit",
};

export function bucketLabel(bucket: string): string {
  return BUCKET_LABELS[bucket] ?? bucket;
}

export function kindLabel(kind: string): string {
  return kind.replaceAll("_", " ");
}

/** GTIN-14 with leading zeros dropped back to the printed GTIN-13/12/8 where they were padding. */
export function printedGtin(gtin14: string): string {
  for (const len of [8, 12, 13]) {
    if (gtin14.length === 14 && gtin14.slice(0, 14 - len) === "0".repeat(14 - len)) return gtin14.slice(14 - len);
  }
  return gtin14;
}
