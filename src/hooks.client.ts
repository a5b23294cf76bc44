// Runs once as the app starts, before any route's code: zod's settings come first, since the
// chunk that builds the contract's schemas may load before a page's own first import.
import '$lib/zodWithoutEval';
