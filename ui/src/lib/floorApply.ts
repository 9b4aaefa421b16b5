/** Puts this workstation's floor settings into effect: the sounds' volume and the station's rules. */
import type { FloorSettings } from "./floorSettings";
import { setMuted, setVolume } from "./sound";
import { station } from "./station.svelte";

export function applyFloorSettings(settings: FloorSettings): void {
  setVolume(settings.volume);
  setMuted(settings.muted);
  station.rules = { confirmAbove: settings.confirmAbove };
}
