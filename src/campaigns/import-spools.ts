import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The spool folders of contact imports (see `spoolUpload`): each is named after its import and
 * the process that owns it, `rd-import-<import id>-<pid>-XXXXXX` in the system's temporary
 * folder, so that a service starting after a crash or a kill finds the ones left behind and
 * removes them (a spooled file can be 1 GB) while leaving those of a live process alone.
 */

/** Imports owned by this process, from the first byte of their upload to their end. */
const OWNED_HERE = new Set<string>();

/** The prefix of an import's spool folder; the import is owned by this process until `release`. */
export function claimSpool(importId: string): string {
  OWNED_HERE.add(importId);
  return `rd-import-${importId}-${process.pid}-`;
}

export function releaseSpool(importId: string): void {
  OWNED_HERE.delete(importId);
}

export interface ImportSpool {
  dir: string;
  importId: string;
  /** Whether no live process owns it: its process is gone, or it is this one and not working it. */
  orphaned: boolean;
}

const NAME =
  /^rd-import-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d+)-[^/]+$/;

/** The import spool folders on this machine (of any database: callers match them to theirs). */
export async function importSpools(): Promise<ImportSpool[]> {
  const root = tmpdir();
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: ImportSpool[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const [, importId, pidText] = m;
    const pid = Number(pidText);
    // A restarted container gets the pid its predecessor had: one of ours that this process
    // does not own was left by that predecessor.
    const orphaned = pid === process.pid ? !OWNED_HERE.has(importId) : !alive(pid);
    out.push({ dir: join(root, name), importId, orphaned });
  }
  return out;
}

/** Removes the spool folders an import left on this machine; never fails. */
export async function removeSpools(spools: ImportSpool[]): Promise<void> {
  await Promise.all(
    spools.map((s) => rm(s.dir, { recursive: true, force: true }).catch(() => undefined)),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
