import { byName, type CatalogView, type PageView, pageView } from '../domain/catalog';
import { type CatalogImport, type CatalogImported, catalogFromImport } from '../domain/catalog-import';
import { AppError } from '../errors';
import type { Catalog } from '../ports';

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
