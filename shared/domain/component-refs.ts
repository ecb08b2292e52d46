import type { ErrorDetail } from '../errors';
import type { PageCatalog } from './catalog';
import * as z from './zod';

/** Text of 1 to `max` characters. */
const Text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/**
 * A component as in-house tooling names it: its catalog id, or its region and name as the status page
 * shows them ("Channel - Chat" in "Prod1 (US)"). A component outside any region is named without one.
 */
export const ComponentRef = z.union([
  Text(100),
  z.strictObject({ id: Text(100) }),
  z.strictObject({ region: z.optional(Text(1000)), name: Text(1000) }),
]);
export type ComponentRef = z.infer<typeof ComponentRef>;

/** The catalog ids `refs` name on this page, or a problem per ref that names none (at `path.<index>`). */
export function resolveComponentRefs(
  refs: readonly ComponentRef[],
  page: PageCatalog,
  path: string,
): { ids: string[]; problems: ErrorDetail[] } {
  const regionName = new Map(page.groups.map((group) => [group.groupId, group.name]));
  const ids: string[] = [];
  const problems: ErrorDetail[] = [];
  refs.forEach((ref, index) => {
    const where = `${path}.${index}`;
    if (typeof ref === 'string' || 'id' in ref) {
      const id = typeof ref === 'string' ? ref : ref.id;
      if (page.components.some((c) => c.componentId === id)) ids.push(id);
      else problems.push({ path: where, message: `unknown component ${id}` });
      return;
    }
    const matches = page.components.filter(
      (c) =>
        c.name === ref.name &&
        (ref.region === undefined ? !c.groupId : regionName.get(c.groupId ?? '') === ref.region),
    );
    const [match, ...others] = matches;
    const named = ref.region === undefined ? `"${ref.name}"` : `"${ref.name}" in "${ref.region}"`;
    if (!match) problems.push({ path: where, message: `no component ${named} on this page` });
    else if (others.length > 0)
      problems.push({ path: where, message: `${named} names several components: use its id` });
    else ids.push(match.componentId);
  });
  return { ids: [...new Set(ids)], problems };
}
