/**
 * The Settings screen's "scan now" test: while it is open, every scan (wedge, serial or HID)
 * lands here instead of at the station, so a person can see which device read what, and how
 * fast the wedge keys came.
 */
export interface TestScan {
  source: string;
  data: string;
  /** Wedge only: the slowest gap between two keys of the scan. */
  maxGapMs: number | null;
  at: number;
}

/** Scans kept on screen: enough to compare a few devices. */
const KEEP = 10;

class ScanTest {
  scans = $state<TestScan[]>([]);

  record(scan: TestScan): void {
    this.scans = [scan, ...this.scans].slice(0, KEEP);
  }

  clear(): void {
    this.scans = [];
  }
}

export const scanTest = new ScanTest();
