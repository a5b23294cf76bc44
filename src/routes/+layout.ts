// A single-page app: everything renders in the browser, served by the API's own process.
export const ssr = false;
export const prerender = false;
