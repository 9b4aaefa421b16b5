/**
 * Marks the first frame a screen is usable: `performance.mark("shelfsync:<name>-ready")`,
 * after the frame that paints it. The app benchmark (scripts/bench.d/80-app.sh) reads the mark
 * to time a cold start inside the webview instead of through WebDriver's polling; one mark per
 * name is kept, so signing in and out all day holds no growing list.
 */
export function markReady(name: string, perf: Pick<Performance, "mark" | "clearMarks"> = performance): void {
  const mark = `shelfsync:${name}-ready`;
  const set = () => {
    perf.clearMarks(mark);
    perf.mark(mark);
  };
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(set);
  else set();
}
