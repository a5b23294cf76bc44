// The one browser every browser-driven check uses: Debian's Chromium, with the flags that keep it
// quiet and offline apart from the page under test (Playwright, the first-load bench, Lighthouse).

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];
