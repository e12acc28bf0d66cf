import type { ActivityView } from '../../src/shared/api-types.js';
import type { SoundName } from '../shared/sounds.js';
import type { AlertOverlayOptions } from './overlay-params.js';

/** Plays a sound; a page may replace it (the tests listen to what would be played). */
export type PlaySound = (name: SoundName, volume: number) => void;

/**
 * The sound of an alert: the one chosen for its kind, at its volume — or at full volume when
 * the streamer leaves the level to OBS's mixer — and none for gifts under the sound's
 * minimum coins.
 */
export function alertSound(
  activity: ActivityView,
  options: Pick<AlertOverlayOptions, 'sounds' | 'soundMinCoins' | 'obsAudio' | 'muted'>,
): { name: SoundName; volume: number } | null {
  if (options.muted) return null;
  const { sound, volume } = options.sounds[activity.kind];
  if (!sound) return null;
  if (activity.kind === 'gift' && activity.coins < options.soundMinCoins) return null;
  return { name: sound, volume: options.obsAudio ? 1 : volume / 100 };
}
