import { CatalogPage, ComponentsJson, type PageCatalog } from './catalog';
import { Id, list, text, WEBHOOK_LIMITS } from './statuspage';
import * as z from './zod';

/*
 * What `PUT /v1/admin/pages/{pageId}/components` takes: the component list each vendor's own API
 * returns, so that the catalog's ids are the ones its webhooks name.
 * - Statuspage: the public `GET /api/v2/components.json` (`{ page, components }`, groups are regions).
 * - Instatus: `GET /v1/{page_id}/components`, a list of components, each with its `group` (a parent
 *   component: a region) or none; bare, or as `{ page, components }` to name the page.
 * - Better Stack: `GET /api/v2/status-pages/{id}/resources` and `.../sections`, JSON:API documents, as
 *   `{ page?, resources, sections }` (sections are regions); a bare resources document works too.
 * Every document is held to the webhook's limits, so a page larger than any real one is refused before
 * anything of it is written.
 */

const Name = text(WEBHOOK_LIMITS.nameLength);
const Short = text(WEBHOOK_LIMITS.shortText);
/** Better Stack numbers its ids (`status_page_section_id: 456789`): kept as the text they spell. */
const NumberedId = z.union([Id, z.pipe(z.number().check(z.int()), z.transform(String))]);

/** The page's name and details, optional beside a vendor's list (its components API does not say). */
const VendorPage = z.looseObject({
  id: z.optional(NumberedId),
  name: z.optional(Name),
  url: z.nullish(Short),
  time_zone: z.nullish(Short),
});

const InstatusComponent = z.looseObject({
  id: Id,
  name: Name,
  status: z.nullish(Short),
  groupId: z.nullish(Id),
  group: z.nullish(z.looseObject({ id: Id, name: z.nullish(Name) })),
  isParent: z.nullish(z.boolean()),
});
/** A vendor's list is never empty: an empty one is a mistake that would empty the page for its followers. */
const NOT_EMPTY = 'at least one component: an empty list would leave the page with nothing to follow';
const InstatusComponents = list(InstatusComponent, WEBHOOK_LIMITS.components, 'components').check(
  z.minLength(1, NOT_EMPTY),
);
const InstatusDocument = z.looseObject({ page: z.optional(VendorPage), components: InstatusComponents });

const BetterStackItem = z.looseObject({
  id: NumberedId,
  type: z.optional(Short),
  attributes: z.looseObject({
    name: z.nullish(Short),
    public_name: z.nullish(Name),
    status_page_section_id: z.nullish(NumberedId),
    status: z.nullish(Short),
  }),
});
type BetterStackItem = z.infer<typeof BetterStackItem>;
const BetterStackList = z.pipe(
  z.union([
    z.pipe(
      z.looseObject({ data: z.array(z.unknown()) }),
      z.transform((d) => d.data),
    ),
    z.array(z.unknown()),
  ]),
  list(BetterStackItem, WEBHOOK_LIMITS.components, 'items'),
);
const BetterStackDocument = z.looseObject({
  page: z.optional(VendorPage),
  resources: BetterStackList.check(z.refine((items) => items.length > 0, NOT_EMPTY)),
  sections: z.optional(BetterStackList),
});

/** The documents the import takes, for the API's description (CatalogImport tells them apart by shape). */
export const CatalogImportDocuments = z.union([
  ComponentsJson.check(z.describe("Statuspage's public GET /api/v2/components.json")),
  InstatusComponents.check(z.describe("Instatus's GET /v1/{page_id}/components")),
  InstatusDocument.check(z.describe("Instatus's components, with the page's name")),
  BetterStackDocument.check(
    z.describe("Better Stack's status page resources and sections, as their API returns them"),
  ),
]);

/** The import's answer: which vendor's list it read, and how many regions and components it made. */
export const CatalogImported = z.object({
  pageId: z.string(),
  vendor: z.enum(['statuspage', 'instatus', 'betterstack']),
  regions: z.number(),
  components: z.number(),
});
export type CatalogImported = z.infer<typeof CatalogImported>;

/** A page's regions and components as any vendor's document gives them, before they meet the catalog. */
export interface ImportedCatalog {
  vendor: CatalogImported['vendor'];
  page: z.infer<typeof VendorPage>;
  groups: { id: string; name: string }[];
  components: { id: string; name: string; groupId?: string; status?: string }[];
}

/** Which vendor's document a body is, by its shape; each is then held to its own schema. */
function vendorOf(body: unknown): ImportedCatalog['vendor'] {
  if (Array.isArray(body)) return 'instatus';
  if (typeof body !== 'object' || body === null) return 'statuspage';
  const document = body as Record<string, unknown>;
  if ('resources' in document || 'data' in document) return 'betterstack';
  const rows = Array.isArray(document.components) ? document.components : [];
  const instatusRow = (row: unknown) =>
    typeof row === 'object' &&
    row !== null &&
    ('groupId' in row || 'isParent' in row || ('group' in row && typeof row.group === 'object'));
  return rows.some(instatusRow) ? 'instatus' : 'statuspage';
}

export const CatalogImport = z.pipe(
  z.unknown(),
  z.transform((body, ctx): ImportedCatalog => {
    const vendor = vendorOf(body);
    const parsed =
      vendor === 'statuspage'
        ? ComponentsJson.safeParse(body)
        : vendor === 'instatus'
          ? InstatusDocument.safeParse(Array.isArray(body) ? { components: body } : body)
          : BetterStackDocument.safeParse('data' in (body as object) ? { resources: body } : body);
    if (!parsed.success) {
      // A bare Instatus list is checked as `components`: its errors name the list's own places.
      const bare = vendor === 'instatus' && Array.isArray(body);
      for (const issue of parsed.error.issues)
        z.addIssue(ctx, {
          code: 'custom',
          message: issue.message,
          path: bare ? issue.path.slice(1) : issue.path,
        });
      return z.NEVER;
    }
    if (vendor === 'statuspage') return fromStatuspage(parsed.data as ComponentsJson);
    if (vendor === 'instatus') return fromInstatus(parsed.data as z.infer<typeof InstatusDocument>);
    return fromBetterStack(parsed.data as z.infer<typeof BetterStackDocument>);
  }),
);
export type CatalogImport = z.output<typeof CatalogImport>;

function fromStatuspage(document: ComponentsJson): ImportedCatalog {
  const rows = document.components;
  const groupRows = rows.filter((row) => row.group === true);
  const groupOfChild = new Map(groupRows.flatMap((row) => (row.components ?? []).map((id) => [id, row.id])));
  return {
    vendor: 'statuspage',
    page: document.page,
    groups: groupRows.map(({ id, name }) => ({ id, name })),
    components: rows
      .filter((row) => row.group !== true)
      .map((row) => component(row.id, row.name, row.group_id ?? groupOfChild.get(row.id), row.status)),
  };
}

/** A group is a component that others name as theirs (or that says it is a parent). */
function fromInstatus(document: z.infer<typeof InstatusDocument>): ImportedCatalog {
  const rows = document.components;
  const groupIdOf = (row: (typeof rows)[number]) => row.groupId ?? row.group?.id ?? undefined;
  const parents = new Set(rows.flatMap((row) => groupIdOf(row) ?? []));
  const groups = new Map<string, string>();
  for (const row of rows) {
    const parent = row.group;
    if (parent?.id && !groups.has(parent.id)) groups.set(parent.id, parent.name ?? parent.id);
  }
  for (const row of rows) if (parents.has(row.id) || row.isParent === true) groups.set(row.id, row.name);
  return {
    vendor: 'instatus',
    page: document.page ?? {},
    groups: [...groups].map(([id, name]) => ({ id, name })),
    components: rows
      .filter((row) => !groups.has(row.id))
      .map((row) => component(row.id, row.name, groupIdOf(row), row.status)),
  };
}

/** Sections are regions; a section without a name (Better Stack's first, often) is no region. */
function fromBetterStack(document: z.infer<typeof BetterStackDocument>): ImportedCatalog {
  const isSection = (item: BetterStackItem) => item.type === 'status_page_section';
  const sections = [...(document.sections ?? []), ...document.resources.filter(isSection)];
  const regionName = new Map(sections.map((s) => [s.id, s.attributes.name?.trim() ?? '']));
  return {
    vendor: 'betterstack',
    page: document.page ?? {},
    groups: [...regionName].filter(([, name]) => name !== '').map(([id, name]) => ({ id, name })),
    components: document.resources
      .filter((item) => !isSection(item))
      .map(({ id, attributes }) => {
        const sectionId = attributes.status_page_section_id ?? undefined;
        const region = sectionId && regionName.get(sectionId) ? sectionId : undefined;
        return component(id, attributes.public_name ?? attributes.name ?? id, region, attributes.status);
      }),
  };
}

const component = (id: string, name: string, groupId?: string | null, status?: string | null) => ({
  id,
  name,
  ...(groupId ? { groupId } : {}),
  ...(status ? { status } : {}),
});

/** Splits a Statuspage components.json document into page, groups and components. */
export function catalogFromComponentsJson(pageId: string, document: ComponentsJson): Required<PageCatalog> {
  return catalogFromImport(pageId, fromStatuspage(document));
}

/**
 * The catalog an imported document makes for `pageId`. A vendor list that does not name the page keeps
 * the name, address and time zone the catalog already has (or the page's id, for a new page).
 */
export function catalogFromImport(
  pageId: string,
  imported: ImportedCatalog,
  current?: CatalogPage,
): Required<PageCatalog> {
  const { page: given } = imported;
  const url = given.url ?? current?.url;
  const timeZone = given.time_zone ?? current?.timeZone;
  return {
    page: CatalogPage.parse({
      pageId,
      name: given.name ?? current?.name ?? pageId,
      ...(url ? { url } : {}),
      ...(timeZone ? { timeZone } : {}),
    }),
    groups: imported.groups.map((group) => ({ pageId, groupId: group.id, name: group.name })),
    components: imported.components.map((c) => ({
      pageId,
      componentId: c.id,
      name: c.name,
      ...(c.groupId ? { groupId: c.groupId } : {}),
      ...(c.status ? { status: c.status } : {}),
    })),
  };
}

/**
 * One import document from the files a person has: a vendor's list, Better Stack's sections beside its
 * resources, and the page's name when the list does not carry it (the CLI's flags, the console's form).
 */
export function importDocument(list: unknown, extra: { sections?: unknown; name?: string } = {}): unknown {
  const withSections = extra.sections === undefined ? list : { resources: list, sections: extra.sections };
  if (!extra.name) return withSections;
  if (Array.isArray(withSections)) return { page: { name: extra.name }, components: withSections };
  if (typeof withSections !== 'object' || withSections === null) return withSections;
  const { page } = withSections as { page?: unknown };
  return { ...withSections, page: { ...(typeof page === 'object' ? page : {}), name: extra.name } };
}
