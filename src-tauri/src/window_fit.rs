//! The main window's size and position, remembered per workstation and database
//! (`tauri-plugin-window-state`), and always on a screen that can hold it.
//!
//! The plugin keeps each window's size and position in the app's config folder and restores
//! them when the window is created. Its file name here is keyed on the database, as the
//! single-instance D-Bus name is (`instance.rs`): a workstation's database is its station, and
//! two apps on different files (the end-to-end tests, a developer's app) do not share a size.
//!
//! What the plugin does not do, this module adds:
//! - The plugin writes its file only when the app exits normally; a station killed mid-shift
//!   (crash, power cut, kill -9) would come back at its old size. Moves and resizes are saved
//!   here once the window has been still for [`SAVE_QUIET`].
//! - The plugin restores the position only when a corner of the saved rectangle lies on a
//!   monitor (otherwise the window manager places it), and the size always, even one larger
//!   than the current screen (a station moved from a 1920x1080 screen to 1366x768). [`fit`]
//!   then shrinks the window to the monitor's work area and moves it fully onto it; the same
//!   applies to the first start, where 1280x720 plus a title bar is taller than a 1366x768
//!   screen's work area under a taskbar.
//! - Only size, position and maximised are restored: a window saved hidden or without
//!   decorations must not come back that way.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, PhysicalPosition, PhysicalSize, Runtime, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// The window the app opens (tauri.conf.json).
const MAIN: &str = "main";
/// How long the window must be still before its state is written: a drag or a resize sends
/// dozens of events a second; one write after the last of them is enough.
const SAVE_QUIET: Duration = Duration::from_millis(500);

fn flags() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

/// `app.shelfsync.desktop.db_<hash>.window-state.json` in the app's config folder.
pub fn state_file_name(db_path: &Path) -> String {
    format!("{}.window-state.json", crate::instance::dbus_id(db_path))
}

/// The plugin, registered after the single-instance plugin (a second start must hand over
/// before a window is restored).
pub fn plugin<R: Runtime>(db_path: &Path) -> TauriPlugin<R> {
    tauri_plugin_window_state::Builder::new()
        .with_state_flags(flags())
        .with_filename(state_file_name(db_path))
        .build()
}

/// A rectangle in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// `window` (its outer rectangle, title bar and borders included) made to fit `area`: no wider
/// or taller than it, and moved so that it lies fully inside it. `None` when it fits already.
pub fn fit(window: Rect, area: Rect) -> Option<Rect> {
    let width = window.width.min(area.width);
    let height = window.height.min(area.height);
    let clamp = |at: i32, start: i32, span: u32, size: u32| {
        let last = i64::from(start) + i64::from(span) - i64::from(size);
        i64::from(at).clamp(i64::from(start), last.max(i64::from(start))) as i32
    };
    let fitted = Rect {
        x: clamp(window.x, area.x, area.width, width),
        y: clamp(window.y, area.y, area.height, height),
        width,
        height,
    };
    (fitted != window).then_some(fitted)
}

/// Called from the app's setup, after the plugin has asked for the main window's saved size and
/// position: fits it to its monitor once those have landed, then saves its state as it
/// changes. Nothing here may stop the app from starting: a failure is logged and the window
/// stays as it is.
pub fn watch_main_window<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window(MAIN) else { return };
    let (moved, changes) = mpsc::sync_channel::<()>(1);
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
            // Full means a save is pending already.
            let _ = moved.try_send(());
        }
    });
    let handle = app.clone();
    let saver = std::thread::Builder::new().name("window-state".into()).spawn(move || {
        // The restored size and position reach the window asynchronously (on Linux through
        // GTK's configure events): read it once it has been still for a moment.
        while changes.recv_timeout(SAVE_QUIET).is_ok() {}
        if let Err(error) = fit_to_monitor(&window) {
            tracing::warn!(%error, "could not fit the window to its screen");
        }
        // Ends when the window (and its event handler, the sender) is gone.
        while changes.recv().is_ok() {
            while changes.recv_timeout(SAVE_QUIET).is_ok() {}
            if let Err(error) = handle.save_window_state(flags()) {
                tracing::warn!(%error, "could not save the window's size and position");
            }
        }
    });
    if let Err(error) = saver {
        tracing::warn!(%error, "no window-state thread: the window is not fitted, its size saved on exit only");
    }
}

fn fit_to_monitor<R: Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    if window.is_maximized()? || window.is_fullscreen()? {
        return Ok(());
    }
    let Some(monitor) = window.current_monitor()?.or(window.primary_monitor()?) else { return Ok(()) };
    let area = monitor.work_area();
    let area =
        Rect { x: area.position.x, y: area.position.y, width: area.size.width, height: area.size.height };
    let (position, outer, inner) = (window.outer_position()?, window.outer_size()?, window.inner_size()?);
    let now = Rect { x: position.x, y: position.y, width: outer.width, height: outer.height };
    let Some(fitted) = fit(now, area) else { return Ok(()) };
    tracing::info!(?now, ?area, ?fitted, "window fitted to its screen");
    // set_size sets the inner size: keep the title bar and borders out of it.
    let frame = (outer.width.saturating_sub(inner.width), outer.height.saturating_sub(inner.height));
    if (fitted.width, fitted.height) != (now.width, now.height) {
        window.set_size(PhysicalSize::new(
            fitted.width.saturating_sub(frame.0).max(1),
            fitted.height.saturating_sub(frame.1).max(1),
        ))?;
    }
    window.set_position(PhysicalPosition::new(fitted.x, fitted.y))
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn r(x: i32, y: i32, width: u32, height: u32) -> Rect {
        Rect { x, y, width, height }
    }

    #[test]
    fn a_window_is_fitted_to_the_work_area() {
        // 1366x768 with a 40 px taskbar at the bottom.
        let laptop = r(0, 0, 1366, 728);
        let cases: &[(&str, Rect, Rect, Option<Rect>)] = &[
            ("fits already", r(40, 4, 1282, 720), laptop, None),
            ("exactly the area", laptop, laptop, None),
            ("1280x720 + title bar: too tall", r(43, 10, 1282, 757), laptop, Some(r(43, 0, 1282, 728))),
            ("saved on 1920x1080", r(200, 100, 1920, 1080), laptop, Some(r(0, 0, 1366, 728))),
            ("right edge past the screen", r(1000, 50, 800, 500), laptop, Some(r(566, 50, 800, 500))),
            ("bottom edge under the taskbar", r(10, 600, 800, 500), laptop, Some(r(10, 228, 800, 500))),
            ("left of the screen", r(-300, 20, 800, 500), laptop, Some(r(0, 20, 800, 500))),
            ("above the screen", r(20, -50, 800, 500), laptop, Some(r(20, 0, 800, 500))),
            ("far away (monitor unplugged)", r(5000, 3000, 800, 500), laptop, Some(r(566, 228, 800, 500))),
            // A second monitor to the right, with its own origin.
            ("on a second monitor", r(1400, 10, 800, 500), r(1366, 0, 1920, 1040), None),
            (
                "straddling into it",
                r(1300, 10, 800, 500),
                r(1366, 0, 1920, 1040),
                Some(r(1366, 10, 800, 500)),
            ),
            // The 10" tablet at 150%: 1280x800 physical, 1280x760 under its taskbar.
            ("tablet", r(0, 0, 1282, 757), r(0, 0, 1280, 760), Some(r(0, 0, 1280, 757))),
            ("extreme coordinates", r(i32::MIN, i32::MAX, u32::MAX, u32::MAX), laptop, Some(laptop)),
        ];
        for (what, window, area, want) in cases {
            assert_eq!(fit(*window, *area), *want, "{what}");
            if let Some(fitted) = fit(*window, *area) {
                assert!(fitted.x >= area.x && fitted.y >= area.y, "{what}: inside");
                assert!(
                    i64::from(fitted.x) + i64::from(fitted.width)
                        <= i64::from(area.x) + i64::from(area.width)
                        && i64::from(fitted.y) + i64::from(fitted.height)
                            <= i64::from(area.y) + i64::from(area.height),
                    "{what}: inside"
                );
                assert_eq!(fit(fitted, *area), None, "{what}: fitting twice changes nothing");
            }
        }
    }

    #[test]
    fn the_state_file_is_keyed_on_the_database() {
        let dir = tempfile::tempdir().expect("temp dir");
        for station in ["a", "b"] {
            std::fs::create_dir(dir.path().join(station)).expect("folder");
        }
        let a = state_file_name(&dir.path().join("a/shelfsync.db"));
        let b = state_file_name(&dir.path().join("b/shelfsync.db"));
        assert_ne!(a, b);
        assert!(a.starts_with("app.shelfsync.desktop.db_") && a.ends_with(".window-state.json"), "{a}");
        assert_eq!(
            a,
            state_file_name(&dir.path().join("b/../a/shelfsync.db")),
            "the same file however named"
        );
    }
}
