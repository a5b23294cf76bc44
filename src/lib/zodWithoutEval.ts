import { z } from 'zod';

// Zod compiles fast object parsers with `new Function`, probing whether it may as it makes its
// first object schema. The page's Content-Security-Policy forbids eval, so that probe alone is
// reported as a violation; tell zod not to try. Imported first by the pages that load the
// contract's schemas (the room and the scratch pad), and by no other: the sign-in page and the
// room list carry no zod (docs/architecture.md#delivery). The server keeps the compiled parsers.
z.config({ jitless: true });
