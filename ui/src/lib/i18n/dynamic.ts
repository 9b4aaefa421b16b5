/**
 * A message whose key is made at run time from a value Rust sends (an event kind, a bucket, a
 * status): the catalogue's message when the key exists, else `fallback` (Rust's own word), so a
 * kind added in Rust later shows as Rust names it rather than as a key.
 */
import { en } from "./en";
import { i18n } from "./index.svelte";
import { format, type Key, type Value } from "./messages";

export function tOr(key: string, fallback: string, args?: Record<string, Value>): string {
  return Object.hasOwn(en, key) ? format(i18n.language, key as Key, args) : fallback;
}
