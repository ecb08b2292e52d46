import * as z from 'zod';
import { Id, list, text, WEBHOOK_LIMITS } from './statuspage';

/** A status page, its regions (Statuspage component groups) and their components. */
export const CatalogPage = z.object({
  pageId: z.string(),
  name: z.string(),
  url: z.string().optional(),
  timeZone: z.string().optional(),
});
export type CatalogPage = z.infer<typeof CatalogPage>;

export const CatalogGroup = z.object({ pageId: z.string(), groupId: z.string(), name: z.string() });
export type CatalogGroup = z.infer<typeof CatalogGroup>;

export const CatalogComponent = z.object({
  pageId: z.string(),
  componentId: z.string(),
  name: z.string(),
  /** Absent for a top-level component that belongs to no region. */
  groupId: z.string().optional(),
  status: z.string().optional(),
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
    url: text(WEBHOOK_LIMITS.shortText).nullish(),
    time_zone: text(WEBHOOK_LIMITS.shortText).nullish(),
  }),
  components: list(
    z.looseObject({
      id: Id,
      name: text(WEBHOOK_LIMITS.nameLength),
      status: text(WEBHOOK_LIMITS.shortText).nullish(),
      group: z.boolean().nullish(),
      group_id: Id.nullish(),
      components: list(Id, WEBHOOK_LIMITS.components, 'components').nullish(),
    }),
    WEBHOOK_LIMITS.components,
    'components',
  ),
});
export type ComponentsJson = z.infer<typeof ComponentsJson>;
