import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The layering, as imports: `functions/` compose, `shared/usecases/` decide, `shared/adapters/` alone
 * touch the SDK, `shared/domain/` is pure, templates render. No arrow runs back up: runtime code never
 * reaches into `infra/`, the domain imports nothing of ours but the domain, and templates and adapters
 * import no use-case (an adapter may implement a port a use-case declares, by type).
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each of a file's imports of our own code, as a path from the repository's root. */
function ownImports(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^import (type )?[\s\S]*?from '(\.[^']+)';$/gm)].map((match) => ({
    target: normalize(join(dirname(file), match[2] ?? '')),
    typeOnly: Boolean(match[1]),
  }));
}

const within = (path: string, dir: string) => !relative(dir, path).startsWith('..');

function violations(dir: string, allowed: (target: string, typeOnly: boolean) => boolean) {
  return sources(dir).flatMap((file) =>
    ownImports(file)
      .filter(({ target, typeOnly }) => !allowed(target, typeOnly))
      .map(({ target }) => `${file} → ${target}`),
  );
}

describe('the layering', () => {
  it('runtime code never imports infra/', () => {
    expect([...violations('functions', (t) => !within(t, 'infra'))]).toEqual([]);
    expect(violations('shared', (t) => !within(t, 'infra'))).toEqual([]);
  });

  it('the domain imports only the domain, and the one error type', () => {
    expect(violations('shared/domain', (t) => within(t, 'shared/domain') || t === 'shared/errors')).toEqual(
      [],
    );
  });

  it('templates import no use-case, adapter or route', () => {
    expect(
      violations(
        'shared/templates',
        (t) => !['shared/usecases', 'shared/adapters', 'shared/routes'].some((d) => within(t, d)),
      ),
    ).toEqual([]);
  });

  it('adapters import no use-case, except the types of the ports they implement', () => {
    expect(violations('shared/adapters', (t, typeOnly) => !within(t, 'shared/usecases') || typeOnly)).toEqual(
      [],
    );
  });
});
