import { z } from 'zod';

// Zod compiles fast object parsers with `new Function` after probing whether it may. The page's
// Content-Security-Policy forbids eval, so that probe alone is reported as a violation; tell zod
// not to try. (The server has no such policy and keeps the compiled parsers.)
z.config({ jitless: true });
