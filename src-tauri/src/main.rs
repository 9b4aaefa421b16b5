// No console window on Windows release builds; harmless elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    render_without_gpu_compositing();
    // After the environment is set (logging starts a writer thread), before anything logs.
    shelfsync_app::logging::init();
    shelfsync_app::run();
}

/// WebKitGTK composites through OpenGL; on a PC without a usable GPU driver (Mesa's software
/// rasteriser: common on cheap floor PCs and under Xvfb) every frame then costs ~35 ms, and
/// scan-to-feedback took 52 ms at the median against 14 ms without it (200 scans each, same
/// release build, under Xvfb; the 10,000-scan figure is in BENCHMARKS.md). This
/// app draws forms, lists and one small chart, which WebKit's non-composited path paints fast
/// on any CPU. `SHELFSYNC_GPU_COMPOSITING=on` keeps WebKit's default.
#[cfg(target_os = "linux")]
fn render_without_gpu_compositing() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    let keep_default = std::env::var("SHELFSYNC_GPU_COMPOSITING").is_ok_and(|v| v == "on");
    if !keep_default && std::env::var_os(VAR).is_none() {
        // SAFETY: first thing in main, before Tauri or anything else starts a thread, so no
        // other thread can be reading the environment.
        unsafe { std::env::set_var(VAR, "1") };
    }
}
