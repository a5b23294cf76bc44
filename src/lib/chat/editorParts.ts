// What the editor's chunk holds (see editor.ts): the Draw tab and the canvas state it edits.
export { createCanvasState } from '$lib/canvas/state.svelte';
export { default as DrawTab } from './DrawTab.svelte';
