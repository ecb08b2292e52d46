import * as z from 'zod';
import type { PageCatalog } from '../domain/catalog';
import { type CatalogImport, type CatalogImported, catalogFromImport } from '../domain/catalog-import';
import { AppError } from '../errors';
import type { Catalog } from '../ports';
import { SMOKE_PAGE_ID } from './smoke-check';

/**
 * Replaces a page's regions and components with a vendor's component list (Statuspage's components.json,
 * Instatus's components, Better Stack's resources and sections). A list that does not name the page keeps
 * the name the catalog has for it.
 */
export async function importPageComponents(
  deps: { catalog: Catalog },
  pageId: string,
  document: CatalogImport,
): Promise<CatalogImported> {
  if (document.page.id !== undefined && document.page.id !== pageId) {
    throw new AppError(
      'VALIDATION',
      `page.id ${document.page.id} does not match the page in the path (${pageId})`,
      [{ path: 'page.id', message: `must be ${pageId}` }],
    );
  }
  const current = document.page.name === undefined ? (await deps.catalog.getPage(pageId)).page : undefined;
  const catalog = catalogFromImport(pageId, document, current);
  await deps.catalog.replacePage(catalog);
  return {
    pageId,
    vendor: document.vendor,
    regions: catalog.groups.length,
    components: catalog.components.length,
  };
}

const Named = z.object({ id: z.string(), name: z.string() });

/**
 * A page, its regions with their components, and the components in no region, as `GET /v1/catalog`
 * answers and the pages draw them (the admin API client checks the answer against it).
 */
export const PageView = Named.extend({
  regions: z.array(Named.extend({ components: z.array(Named) })),
  /** Components that belong to no region. */
  components: z.array(Named),
});
export type PageView = z.infer<typeof PageView>;

export const CatalogView = z.object({ pages: z.array(PageView) });
export type CatalogView = z.infer<typeof CatalogView>;

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

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

/** Pages → regions → components, sorted by name, for subscription pickers. */
export async function listCatalog(deps: { catalog: Catalog }): Promise<CatalogView> {
  const pages = await deps.catalog.listPages();
  return { pages: pages.flatMap((page) => pageView(page) ?? []).sort(byName) };
}

/** The pages whose trees a form shows, in the order asked; unknown pages are left out. */
export async function pageViews(deps: { catalog: Catalog }, pageIds: readonly string[]): Promise<PageView[]> {
  const pages = await Promise.all([...new Set(pageIds)].map((id) => deps.catalog.getPage(id)));
  return pages.flatMap((page) => pageView(page) ?? []);
}
