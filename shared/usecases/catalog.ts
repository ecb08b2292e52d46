import { type ComponentsJson, catalogFromComponentsJson } from '../domain/catalog';
import { AppError } from '../errors';
import type { Catalog } from '../ports';

/** Replaces a page's regions and components with a Statuspage `components.json` document. */
export async function importPageComponents(
  deps: { catalog: Catalog },
  pageId: string,
  document: ComponentsJson,
) {
  if (document.page.id !== pageId) {
    throw new AppError(
      'VALIDATION',
      `page.id ${document.page.id} does not match the page in the path (${pageId})`,
      [{ path: 'page.id', message: `must be ${pageId}` }],
    );
  }
  const catalog = catalogFromComponentsJson(pageId, document);
  await deps.catalog.replacePage(catalog);
  return { pageId, regions: catalog.groups.length, components: catalog.components.length };
}

export interface CatalogView {
  pages: Array<{
    id: string;
    name: string;
    regions: Array<{ id: string; name: string; components: Array<{ id: string; name: string }> }>;
    /** Components that belong to no region. */
    components: Array<{ id: string; name: string }>;
  }>;
}

/** Pages → regions → components, sorted by name, for subscription pickers. */
export async function listCatalog(deps: { catalog: Catalog }): Promise<CatalogView> {
  const pages = await deps.catalog.listPages();
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return {
    pages: pages
      .flatMap(({ page, groups, components }) => {
        const pageId = page?.pageId ?? components[0]?.pageId ?? groups[0]?.pageId;
        if (!pageId) return [];
        const view = (c: { componentId: string; name: string }) => ({ id: c.componentId, name: c.name });
        return [
          {
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
          },
        ];
      })
      .sort(byName),
  };
}
