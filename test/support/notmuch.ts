import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Requirement } from './requires';

/*
 * notmuch, from Debian: a mail indexer whose threads come from Message-ID, In-Reply-To and References
 * alone (never the subject), which is how Thunderbird, Apple Mail and Gmail's header half see a thread.
 */
export const notmuch: Requirement = {
  what: 'notmuch',
  present: () => {
    try {
      execFileSync('notmuch', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  },
  installHint: 'sudo apt-get install -y notmuch',
};

export interface Thread {
  subject: string;
  /** The keys of the thread's messages, as given. */
  keys: string[];
}

/** Indexes raw messages (each with a key of the caller's) in a fresh notmuch database: its threads. */
export function threadsOf(messages: ReadonlyArray<{ key: string; source: Buffer }>): Thread[] {
  const home = mkdtempSync(join(tmpdir(), 'notmuch-'));
  try {
    const maildir = join(home, 'mail');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
    const keyOf = new Map<string, string>();
    messages.forEach(({ key, source }, index) => {
      const id = /^Message-ID:\s*<([^>\r\n]+)>/im.exec(source.toString('latin1'))?.[1];
      if (!id) throw new Error(`message ${key} has no Message-ID`);
      keyOf.set(id, key);
      writeFileSync(join(maildir, 'new', `${index}.eml`), source);
    });
    const config = join(home, 'config');
    writeFileSync(config, `[database]\npath=${maildir}\n[new]\ntags=new\n`);
    const run = (...args: string[]) =>
      execFileSync('notmuch', args, { env: { ...process.env, NOTMUCH_CONFIG: config }, encoding: 'utf8' });
    run('new', '--quiet');
    const summaries = JSON.parse(run('search', '--format=json', '--output=summary', '*')) as Array<{
      subject: string;
      query: [string, string | null];
    }>;
    return summaries.map(({ subject, query }) => ({
      subject,
      keys: query[0].split(' ').map((term) => keyOf.get(term.replace(/^id:/, '')) ?? term),
    }));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
