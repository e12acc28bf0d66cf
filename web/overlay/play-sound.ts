import { soundUrl, type SoundName } from '../shared/sounds.js';

/** An <audio> per play, so that two alerts in a row do not cut each other off. */
export function playSound(name: SoundName, volume: number): void {
  const audio = new Audio(soundUrl(name));
  audio.volume = Math.min(1, Math.max(0, volume));
  // A browser tab may refuse to play before the viewer clicked; OBS never does.
  audio.play().catch(() => undefined);
}
