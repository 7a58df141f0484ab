import type { build } from 'esbuild';

export declare const repoRoot: string;
export declare function bundleNode(options: { outDir: string; entries: Record<string, string>; build?: typeof build }): Promise<void>;
