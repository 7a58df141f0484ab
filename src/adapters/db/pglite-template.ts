// Node only: a new DATA_DIR's database copied from a migrated template instead of created in place.
//
// Creating a PGlite database runs PostgreSQL's initdb in WASM and writes its ~1,000 files through Emscripten's file
// system: 4-6 s on 2 cores, most of a fresh start (bench/README.md, "Start-up time"). The same files copied by Node
// take ~0.2 s, and opening the copy ~0.6 s. So the first database made for a given PGlite and set of migrations is
// made once in a folder of its own, migrated, closed and kept; every new DATA_DIR then starts as a copy of it. The
// template holds the schema only: no migration inserts rows, and the signing key and every row are made after the
// copy, per DATA_DIR. Its name carries the PGlite version and the migrations' hashes, so a changed migration or an
// upgraded PGlite gets a template of its own. The migrations run on the copy anyway, as on any start.
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, utimesSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrationsFolder, runPgliteMigrations } from './migrate';

/** A PGlite data directory holds PG_VERSION once initdb has run in it. */
export function holdsDatabase(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/** Where PGlite's entry point is installed: resolved from this file (or the bundle it is part of), as its import is. */
const pgliteEntry = () => createRequire(import.meta.url).resolve('@electric-sql/pglite');

function pgliteVersion(): string {
  // Its package.json is the nearest one above its entry point.
  let dir = dirname(pgliteEntry());
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return String((JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version);
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** The template's folder name: the PGlite version and the migrations (each one's SQL hash) it was made with. */
export function templateName(folder = migrationsFolder): string {
  const hash = createHash('sha256').update(pgliteVersion());
  for (const migration of readMigrationFiles({ migrationsFolder: folder })) hash.update(`\0${migration.folderMillis}:${migration.hash}`);
  return `pglite-template-${hash.digest('hex').slice(0, 16)}`;
}

/**
 * node_modules/.cache/authgate of the node_modules PGlite is installed in (where `npm start` keeps its bundle too);
 * undefined where PGlite is not installed in a node_modules folder.
 */
export function defaultTemplateRoot(): string | undefined {
  const entry = pgliteEntry();
  const at = entry.lastIndexOf(`${sep}node_modules${sep}`);
  return at < 0 ? undefined : join(entry.slice(0, at), 'node_modules', '.cache', 'authgate');
}

/**
 * The templates' folder: `npm start`'s cache folder, which AUTHGATE_START_CACHE moves (the tests and
 * bench/startup.ts keep folders of their own).
 */
export function templateRootOf(env: Record<string, string | undefined>): string | undefined {
  return env.AUTHGATE_START_CACHE ? resolve(env.AUTHGATE_START_CACHE) : defaultTemplateRoot();
}

const scratchOf = (path: string) => `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * The template under `root`, made first if there is none (`onMake` is told, before the few seconds that takes):
 * created and migrated in a scratch folder, closed, then
 * renamed into place, so a template that exists is complete. Two processes making it at once both succeed; the
 * second rename loses and that process uses the winner's.
 */
export async function ensureTemplate(root: string, onMake: () => void = () => {}): Promise<string> {
  const template = join(root, templateName());
  if (holdsDatabase(template)) {
    // In use: `npm start` prunes only templates unused for a day (scripts/start-bundle.mjs).
    try {
      const now = new Date();
      utimesSync(template, now, now);
    } catch {
      // A read-only cache: the template is still there to copy.
    }
    return template;
  }
  onMake();
  await mkdir(root, { recursive: true });
  const scratch = scratchOf(template);
  try {
    const client = await PGlite.create({ dataDir: scratch });
    try {
      await runPgliteMigrations(client);
    } finally {
      await client.close();
    }
    try {
      renameSync(scratch, template);
    } catch (error) {
      if (!holdsDatabase(template)) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return template;
}

/**
 * Makes `dataDir` a copy of `template`: copied into a scratch folder beside it and renamed into place, so a copy
 * cut short leaves no half database behind (a later start copies again, and removes that scratch folder: the caller
 * holds DATA_DIR's lock, so no other process is copying there). `dataDir` must hold no database; an empty folder
 * there is replaced.
 */
export function copyTemplate(template: string, dataDir: string): void {
  const parent = dirname(dataDir);
  const stale = `${basename(dataDir)}.tmp-`;
  for (const name of existsSync(parent) ? readdirSync(parent) : []) {
    if (name.startsWith(stale)) rmSync(join(parent, name), { recursive: true, force: true });
  }
  const scratch = scratchOf(dataDir);
  try {
    cpSync(template, scratch, { recursive: true });
    if (existsSync(dataDir) && readdirSync(dataDir).length === 0) rmdirSync(dataDir);
    renameSync(scratch, dataDir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
