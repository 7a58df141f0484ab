export declare const repoRoot: string;
export declare function bundleNode(options: { outDir: string; entries: Record<string, string> }): Promise<void>;
