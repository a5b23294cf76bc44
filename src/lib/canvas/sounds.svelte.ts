// Small synthesized sounds (Web Audio, no asset files) with remembered choices: all sounds on or
// off, the new-message chime on its own, and a volume. The choices are kept in this browser and,
// for a signed-in user, on the server (src/lib/account/settings.svelte.ts applies them at sign-in
// and saves each change; docs/architecture.md#profiles). Audio is a nicety: every failure is
// swallowed, and nothing is created until the first sound is asked for (always from a user
// gesture, so browsers allow it).

import type { Settings } from '$lib/protocol';

export type SoundKind = 'pen' | 'stroke' | 'stamp' | 'key' | 'message';

const STORAGE_KEY = 'bbb:sounds';
const MESSAGE_KEY = 'bbb:message-sound';
const VOLUME_KEY = 'bbb:volume';
/** Pointer moves arrive up to 120 times a second; one scratch per interval is plenty. */
const STROKE_INTERVAL_MS = 70;

function readStored(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Private mode or storage full: the choice lasts for this page only (and the server keeps it).
  }
}

function readVolume(): number {
  const stored = Number(readStored(VOLUME_KEY) ?? '1');
  return Number.isFinite(stored) ? Math.min(1, Math.max(0, stored)) : 1;
}

class Sounds {
  #enabled = $state(readStored(STORAGE_KEY) !== 'off');
  #messageSound = $state(readStored(MESSAGE_KEY) !== 'off');
  #volume = $state(readVolume());
  #listeners = new Set<() => void>();
  #context: AudioContext | null = null;
  #unavailable = false;
  #noise: AudioBuffer | null = null;
  #lastStroke = 0;

  get enabled(): boolean {
    return this.#enabled;
  }

  set enabled(value: boolean) {
    this.#set({ sounds: value });
  }

  /** The chime for someone else's new message (also silenced when all sounds are off). */
  get messageSound(): boolean {
    return this.#messageSound;
  }

  set messageSound(value: boolean) {
    this.#set({ messageSound: value });
  }

  /** 0 to 1, for every sound. */
  get volume(): number {
    return this.#volume;
  }

  set volume(value: number) {
    this.#set({ volume: Math.min(1, Math.max(0, value)) });
  }

  /** The choices as the server keeps them. */
  get settings(): Settings {
    return { sounds: this.#enabled, messageSound: this.#messageSound, volume: this.#volume };
  }

  /** Takes choices saved elsewhere (the server, at sign-in) without announcing them as a change. */
  apply(settings: Settings): void {
    this.#set(settings, false);
  }

  /** Calls `listener` after each change the user makes here; answers the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(changes: Partial<Settings>, announce = true): void {
    if (changes.sounds !== undefined) {
      this.#enabled = changes.sounds;
      store(STORAGE_KEY, changes.sounds ? 'on' : 'off');
    }
    if (changes.messageSound !== undefined) {
      this.#messageSound = changes.messageSound;
      store(MESSAGE_KEY, changes.messageSound ? 'on' : 'off');
    }
    if (changes.volume !== undefined) {
      this.#volume = changes.volume;
      store(VOLUME_KEY, String(changes.volume));
    }
    if (announce) for (const listener of this.#listeners) listener();
  }

  toggle(): void {
    this.enabled = !this.#enabled;
    if (this.#enabled) this.play('pen');
  }

  play(kind: SoundKind): void {
    if (!this.#enabled || this.#volume <= 0) return;
    if (kind === 'message' && !this.#messageSound) return;
    if (kind === 'stroke') {
      const now = performance.now();
      if (now - this.#lastStroke < STROKE_INTERVAL_MS) return;
      this.#lastStroke = now;
    }
    try {
      const ctx = this.#audio();
      if (!ctx) return;
      const t = ctx.currentTime + 0.005;
      switch (kind) {
        case 'pen':
          this.#tone(ctx, t, 'sine', 660, 330, 0.06, 0.12);
          break;
        case 'stroke':
          this.#scratch(ctx, t);
          break;
        case 'stamp':
          this.#tone(ctx, t, 'triangle', 260, 880, 0.12, 0.18);
          break;
        case 'key':
          this.#tone(ctx, t, 'square', 1400, 1100, 0.025, 0.04);
          break;
        case 'message':
          this.#tone(ctx, t, 'sine', 1047, 1047, 0.12, 0.12);
          this.#tone(ctx, t + 0.1, 'sine', 1319, 1319, 0.18, 0.12);
          break;
      }
    } catch {
      // No audio on this device; drawing goes on in silence.
    }
  }

  #audio(): AudioContext | null {
    if (this.#unavailable) return null;
    if (!this.#context) {
      const Ctor = globalThis.AudioContext;
      if (typeof Ctor !== 'function') {
        this.#unavailable = true;
        return null;
      }
      this.#context = new Ctor();
    }
    if (this.#context.state === 'suspended') void this.#context.resume().catch(() => {});
    return this.#context;
  }

  /** A short blip gliding from one pitch to another with a quick fade. */
  #tone(ctx: AudioContext, at: number, type: OscillatorType, from: number, to: number, duration: number, volume: number) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = type;
    osc.frequency.setValueAtTime(from, at);
    osc.frequency.exponentialRampToValueAtTime(to, at + duration);
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(Math.max(0.0001, volume * this.#volume), at + 0.005);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + duration);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + duration + 0.02);
  }

  /** Pencil-on-paper: a few milliseconds of band-passed noise. */
  #scratch(ctx: AudioContext, at: number) {
    if (!this.#noise) {
      const length = Math.floor(ctx.sampleRate * 0.05);
      this.#noise = ctx.createBuffer(1, length, ctx.sampleRate);
      const samples = this.#noise.getChannelData(0);
      for (let i = 0; i < length; i++) samples[i] = Math.random() * 2 - 1;
    }
    const source = ctx.createBufferSource();
    source.buffer = this.#noise;
    const filter = ctx.createBiquadFilter();
    filter.type = 'bandpass';
    filter.frequency.value = 3200;
    filter.Q.value = 0.8;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(Math.max(0.0001, 0.05 * this.#volume), at);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.045);
    source.connect(filter).connect(gain).connect(ctx.destination);
    source.start(at);
    source.stop(at + 0.05);
  }
}

export const sounds = new Sounds();
