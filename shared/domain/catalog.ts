import { Id, list, text, WEBHOOK_LIMITS } from './fields';
import * as z from './zod';

/** A status page, its regions (Statuspage component groups) and their components. */
export const CatalogPage = z.object({
  pageId: z.string(),
  name: z.string(),
  url: z.optional(z.string()),
  timeZone: z.optional(z.string()),
});
export type CatalogPage = z.infer<typeof CatalogPage>;

export const CatalogGroup = z.object({ pageId: z.string(), groupId: z.string(), name: z.string() });
export type CatalogGroup = z.infer<typeof CatalogGroup>;

export const CatalogComponent = z.object({
  pageId: z.string(),
  componentId: z.string(),
  name: z.string(),
  /** Absent for a top-level component that belongs to no region. */
  groupId: z.optional(z.string()),
  status: z.optional(z.string()),
});
export type CatalogComponent = z.infer<typeof CatalogComponent>;

export interface PageCatalog {
  page?: CatalogPage;
  groups: CatalogGroup[];
  components: CatalogComponent[];
}

/**
 * The public `GET /api/v2/components.json` of a Statuspage page, within the webhook's limits: every
 * region and component then fits one catalog item, and a document larger than any real page is refused
 * before anything of it is written.
 */
export const ComponentsJson = z.looseObject({
  page: z.looseObject({
    id: Id,
    name: text(WEBHOOK_LIMITS.nameLength),
    url: z.nullish(text(WEBHOOK_LIMITS.shortText)),
    time_zone: z.nullish(text(WEBHOOK_LIMITS.shortText)),
  }),
  components: list(
    z.looseObject({
      id: Id,
      name: text(WEBHOOK_LIMITS.nameLength),
      status: z.nullish(text(WEBHOOK_LIMITS.shortText)),
      group: z.nullish(z.boolean()),
      group_id: z.nullish(Id),
      components: z.nullish(list(Id, WEBHOOK_LIMITS.components, 'components')),
    }),
    WEBHOOK_LIMITS.components,
    'components',
  ),
});
export type ComponentsJson = z.infer<typeof ComponentsJson>;

/** The deploy's smoke-check page: the pipeline's own, offered to no one. */
export const SMOKE_PAGE_ID = 'smoke-check';

const Named = z.object({ id: z.string(), name: z.string() });

/**
 * A page, its regions with their components, and the components in no region, as `GET /v1/catalog`
 * answers and the pages draw them (the admin API client checks the answer against it).
 */
export const PageView = z.extend(Named, {
  regions: z.array(z.extend(Named, { components: z.array(Named) })),
  /** Components that belong to no region. */
  components: z.array(Named),
});
export type PageView = z.infer<typeof PageView>;

export const CatalogView = z.object({ pages: z.array(PageView) });
export type CatalogView = z.infer<typeof CatalogView>;

/** By name, as people read lists. */
export const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** One page's regions and components, sorted by name; undefined for a page the catalog does not know. */
export function pageView({ page, groups, components }: PageCatalog): PageView | undefined {
  const pageId = page?.pageId ?? components[0]?.pageId ?? groups[0]?.pageId;
  // The deploy's smoke page is the pipeline's own: no one is offered it, nor can subscribe to it.
  if (!pageId || pageId === SMOKE_PAGE_ID) return undefined;
  const view = (c: { componentId: string; name: string }) => ({ id: c.componentId, name: c.name });
  return {
    id: pageId,
    name: page?.name ?? pageId,
    regions: groups
      .map((group) => ({
        id: group.groupId,
        name: group.name,
        components: components
          .filter((c) => c.groupId === group.groupId)
          .map(view)
          .sort(byName),
      }))
      .sort(byName),
    components: components
      .filter((c) => !c.groupId)
      .map(view)
      .sort(byName),
  };
}

/** The catalog a page view was made from, as far as it tells (names and places): pageView undone. */
export function pageCatalogOf(view: PageView): PageCatalog {
  const pageId = view.id;
  return {
    page: { pageId, name: view.name },
    groups: view.regions.map((region) => ({ pageId, groupId: region.id, name: region.name })),
    components: [
      ...view.regions.flatMap((region) =>
        region.components.map((c) => ({ pageId, componentId: c.id, name: c.name, groupId: region.id })),
      ),
      ...view.components.map((c) => ({ pageId, componentId: c.id, name: c.name })),
    ],
  };
}
