// The one contract shared by the server, the browser, the tests and the benchmark. Pure: no DOM,
// Svelte or Node imports.
export * from './limits';
export * from './errors';
export * from './auth';
export * from './drawing';
export * from './points';
export * from './emoji';
export * from './events';
export * from './rooms';
export * from './transport';
export * from './activity';
export * from './validation';
export * from './account';
export * from './friends';
export * from './profiles';
