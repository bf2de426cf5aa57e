export declare const SERVER_BUNDLE: string;
export declare const SERVER_NODE_FLAGS: string[];
export declare function buildServer(root?: string, outfile?: string): Promise<void>;
export declare const CLI_BUNDLE: string;
export declare function buildCliIfStale(root?: string): Promise<void>;
