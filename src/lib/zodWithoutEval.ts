// Zod compiles fast object parsers with `new Function`, probing whether it may as it builds its
// first object schema. The page's Content-Security-Policy forbids eval, so that probe alone is
// reported as a violation; tell zod not to try. Zod keeps its settings on
// globalThis.__zod_globalConfig and reads them from there, so they are set here without importing
// zod: src/hooks.client.ts imports this before any page (and any schema) loads, while the sign-in
// page and the room list still carry no zod (docs/architecture.md#delivery). The server keeps the
// compiled parsers.
const holder = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
holder.__zod_globalConfig = Object.assign(holder.__zod_globalConfig ?? {}, { jitless: true });

export {};
