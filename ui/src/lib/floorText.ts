/**
 * What the floor screens (scan station, lock screen, status strip) say about the machinery:
 * words a picker understands, and the developer figures (device and database paths, scan
 * latency) only in the "Details" a supervisor or admin opens (`SessionView.canSeeDetails`,
 * which Rust derives from who may save diagnostics). Pure, so Vitest covers it.
 */
import type { ScannerView } from "../api";
import { t } from "./i18n/index.svelte";

/** The kind of a scan source or scanner device: `serial:/dev/ttyUSB0` is "serial", `hid:auto`
 *  is "HID", the keyboard wedge and the screen keep their names. */
export function sourceKind(source: string): string {
  const kind = source.split(":", 1)[0] ?? source;
  return kind === "hid" ? "HID" : kind;
}

/** A scanner's status from Rust ("listening", "not started: <why>") in the workstation's
 *  language; the reason is a detail, and a status this does not know stays as Rust wrote it. */
export function scannerStatus(status: string): string {
  const head = status.split(":", 1)[0] ?? status;
  if (head === "listening") return t("scanners.listening");
  if (head === "not started") return t("scanners.notStarted");
  return head;
}

/**
 * The scanners line for staff: "Scanners: keyboard wedge · 2 serial scanners listening · HID
 * scanner not started". Devices are grouped by kind and status; no device path.
 */
export function scannersText(scanners: readonly ScannerView[]): string {
  const groups = new Map<string, { kind: string; status: string; n: number }>();
  for (const sc of scanners) {
    const kind = sourceKind(sc.device);
    // "not started: Resource temporarily unavailable (os error 11)": the reason is a detail.
    const status = scannerStatus(sc.status);
    const key = `${kind}\u0000${status}`;
    const group = groups.get(key) ?? { kind, status, n: 0 };
    group.n += 1;
    groups.set(key, group);
  }
  const parts = [t("scanners.wedge")];
  for (const g of groups.values()) parts.push(t("scanners.group", { n: g.n, kind: g.kind, status: g.status }));
  return t("scanners.line", { list: parts.join(" · ") });
}

/** Scan-to-feedback latency for the Details panel: "p50 12 ms · p99 17 ms over 1 scan". */
export function latencyText(p50: number | null, p99: number | null, samples: number): string | null {
  if (p50 === null || p99 === null || samples <= 0) return null;
  return t("latency.text", { p50: Math.round(p50), p99: Math.round(p99), n: samples });
}
