/**
 * Which language a workstation speaks: the one chosen on its sign-in screen, else the system's
 * when there is a catalogue for it, else English. Pure but for the storage passed in. A signed-in
 * user's own language (kept with the user in the database, see src-tauri/src/user_language.rs)
 * goes before all of these: `languageFor`.
 *
 * Why per workstation, in the webview's localStorage (as floorSettings.ts and the wedge timing
 * are): the choice is made on the sign-in screen, before anyone is signed in, and a station
 * serves one crew; it is a display preference with nothing to audit, so it needs no command to
 * Rust. Its limit: a reset of the webview's profile forgets it, and the system language (or
 * English) shows until someone picks again.
 */
import { isLanguage, type Language } from "./messages";

export const STORAGE_KEY = "shelfsync.language";
export const DEFAULT_LANGUAGE: Language = "en";

/**
 * The language to use. `stored`: what the workstation chose (anything else is ignored);
 * `system`: the webview's languages in order of preference ("es-MX", "en_US.UTF-8", "C"...).
 * A system tag counts by its primary subtag: "es-MX" gets Spanish, "C" (WebKitGTK under LANG=C)
 * gets nothing.
 */
export function pickLanguage(stored: string | null | undefined, system: readonly string[] = []): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of system) {
    const primary = tag.split(/[-_.@]/, 1)[0]?.toLowerCase();
    if (isLanguage(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
}

/**
 * The language once Rust has said what the operating system prefers (`AppInfo.systemLanguages`):
 * a choice made on this workstation still wins; else the system's languages, then the
 * webview's, count in that order. Needed because WebKitGTK reports en-US whatever `LANG` says.
 */
export function languageWithSystem(
  stored: string | null | undefined,
  fromRust: readonly string[],
  fromWebview: readonly string[],
): Language {
  return pickLanguage(stored, [...fromRust, ...fromWebview]);
}

/**
 * The language the UI shows: the signed-in user's own choice (`SessionView.language`, null on
 * the sign-in and lock screens), then this workstation's (`workstation`, itself the choice made
 * on its sign-in screen, else the system's, else English). A user's value the UI has no
 * catalogue for counts as none.
 */
export function languageFor(user: string | null | undefined, workstation: Language): Language {
  return isLanguage(user) ? user : workstation;
}

/** The webview's languages, most preferred first (none outside a page: Vitest, Node). */
export function systemLanguages(nav: Pick<Navigator, "language" | "languages"> | undefined): string[] {
  if (!nav) return [];
  const list = nav.languages?.length ? [...nav.languages] : [];
  return nav.language && !list.includes(nav.language) ? [...list, nav.language] : list;
}

/** The language saved on this workstation, or null (no storage, nothing saved, or unreadable). */
export function loadLanguage(storage: Pick<Storage, "getItem"> | undefined): string | null {
  try {
    return storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** Remembers the choice for this workstation; a storage that refuses is no reason to fail. */
export function saveLanguage(language: Language, storage: Pick<Storage, "setItem"> | undefined): void {
  try {
    storage?.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode or a full quota: the choice holds until the app restarts.
  }
}
