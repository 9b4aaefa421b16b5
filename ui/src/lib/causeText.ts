/**
 * A root-cause category in the workstation's language: the catalogue's words for core's key,
 * or core's English label for a key the catalogue lacks (a category added in Rust first).
 */
import type { RootCauseView } from "../bindings/RootCauseView";
import { oversightEn } from "./i18n/areas/oversight.en";
import { type Key, t } from "./i18n/index.svelte";
import { causeLabel } from "./playbook";

export function causeText(key: string, causes: readonly RootCauseView[]): string {
  const id = `oversight.cause.${key}`;
  return id in oversightEn ? t(id as Extract<Key, `oversight.cause.${string}`>) : causeLabel(key, causes);
}
