// Types of build-server.mjs for the TypeScript that imports it (the bench and the browser tests).
export declare const serverNodeFlags: string[];
export declare function compileEntry(entry: string, outfile: string, files?: string[]): Promise<void>;
export declare function buildServer(): Promise<string>;
export declare function buildClient(announce?: () => void): void;
export declare function newestMtime(target: string): number;
