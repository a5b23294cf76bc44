import { chromium, type Browser, type Response } from '@playwright/test';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../../tests/support/chromium.ts';
import { createRoomWithMessages, registerUser, type TestUser } from '../../tests/support/client.ts';
import type { Target } from '../processes.ts';

// Scenario "first load": what a first visit downloads, measured in Chromium with an empty cache.
// Each page is opened in a fresh browser context and every script response is counted twice: the
// bytes on the wire (as compressed by the server) and the bytes the browser ran.

/** The most compressed JavaScript the signed-out page and the room list may load (issue 15). */
export const FIRST_LOAD_JS_LIMIT_BYTES = 60 * 1024;

export interface RouteLoad {
  route: string;
  description: string;
  /** Whether FIRST_LOAD_JS_LIMIT_BYTES applies to it. */
  limited: boolean;
  scripts: number;
  /** Response bodies as sent (compressed). */
  scriptWireBytes: number;
  /** The same scripts decoded. */
  scriptBytes: number;
  /** Stylesheets, for the record. */
  cssWireBytes: number;
  /** Every response of the load, whatever its kind. */
  totalWireBytes: number;
  /** The server's encoding of each script ("br", "gzip" or "none") and how many used it. */
  encodings: Record<string, number>;
  /** Each script's path and bytes on the wire, largest first (in the JSON only). */
  scriptFiles: { path: string; wireBytes: number }[];
}

export interface FirstLoadResult {
  limitBytes: number;
  routes: RouteLoad[];
}

interface Counted {
  response: Response;
  wire: number;
  decoded: number;
}

async function loadRoute(browser: Browser, baseUrl: string, path: string, user: TestUser | null): Promise<Counted[]> {
  const context = await browser.newContext({ baseURL: baseUrl });
  try {
    if (user) {
      const [name, value] = user.cookie.split('=');
      await context.addCookies([{ name, value, url: baseUrl }]);
    }
    const page = await context.newPage();
    const responses: Response[] = [];
    page.on('response', (response) => void responses.push(response));
    await page.goto(path, { waitUntil: 'networkidle' });
    const counted: Counted[] = [];
    for (const response of responses) {
      const sizes = await response.request().sizes();
      const body = await response.body().catch(() => Buffer.alloc(0));
      counted.push({ response, wire: sizes.responseBodySize, decoded: body.length });
    }
    return counted;
  } finally {
    await context.close();
  }
}

function summarise(route: string, description: string, limited: boolean, counted: Counted[]): RouteLoad {
  const of = (type: string) => counted.filter((c) => c.response.request().resourceType() === type);
  const scripts = of('script');
  const encodings: Record<string, number> = {};
  for (const script of scripts) {
    const encoding = script.response.headers()['content-encoding'] ?? 'none';
    encodings[encoding] = (encodings[encoding] ?? 0) + 1;
  }
  const sum = (items: Counted[], key: 'wire' | 'decoded') => items.reduce((n, c) => n + c[key], 0);
  return {
    route,
    description,
    limited,
    scripts: scripts.length,
    scriptWireBytes: sum(scripts, 'wire'),
    scriptBytes: sum(scripts, 'decoded'),
    cssWireBytes: sum(of('stylesheet'), 'wire'),
    totalWireBytes: sum(counted, 'wire'),
    encodings,
    scriptFiles: scripts.map((c) => ({ path: new URL(c.response.url()).pathname, wireBytes: c.wire })).sort((a, b) => b.wireBytes - a.wireBytes)
  };
}

/** Needs the server to serve a build of these sources (bench/index.ts builds it before starting). */
export async function runFirstLoad(server: Target, tag: string): Promise<FirstLoadResult> {
  const reader = await registerUser(server.baseUrl, `b${tag}_reader`);
  const { owner, room } = await createRoomWithMessages(server.baseUrl);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  try {
    const routes: RouteLoad[] = [];
    const measure = async (path: string, description: string, limited: boolean, user: TestUser | null) => {
      routes.push(summarise(path.replace(room.id, ':id'), description, limited, await loadRoute(browser, server.baseUrl, path, user)));
    };
    await measure('/login', 'sign-in page, signed out', true, null);
    await measure('/app', 'room list, signed in', true, reader);
    await measure(`/app/room/${room.id}`, 'a room with 6 messages', false, owner);
    return { limitBytes: FIRST_LOAD_JS_LIMIT_BYTES, routes };
  } finally {
    await browser.close();
  }
}
