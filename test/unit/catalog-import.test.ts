import { describe, expect, it } from 'vitest';
import { CatalogImport, catalogFromImport } from '../../shared/domain/catalog-import';
import betterStackResources from '../fixtures/betterstack/resources.json';
import betterStackSections from '../fixtures/betterstack/sections.json';
import componentsJson from '../fixtures/components.json';
import instatusComponents from '../fixtures/instatus/components.json';
import instatusIncident from '../fixtures/instatus/real-incident.json';

const clone = <T>(value: T): any => structuredClone(value);
/** Regions with their components' names, as the catalog would hold them. */
const tree = (catalog: ReturnType<typeof catalogFromImport>) => ({
  regions: Object.fromEntries(
    catalog.groups.map((g) => [
      g.name,
      catalog.components.filter((c) => c.groupId === g.groupId).map((c) => c.name),
    ]),
  ),
  elsewhere: catalog.components.filter((c) => !c.groupId).map((c) => c.name),
});

describe('a page’s component list from each vendor’s own API', () => {
  it('Statuspage’s components.json: groups are regions', () => {
    const imported = CatalogImport.parse(componentsJson);
    expect(imported.vendor).toBe('statuspage');
    const catalog = catalogFromImport('zt2xw0cbdp1v', imported);
    expect(catalog.page).toMatchObject({ name: 'Kustomer', timeZone: 'America/New_York' });
    expect(tree(catalog).regions['Prod1 (US)']).toEqual(['Channel - Chat', 'Channel - Email']);
  });

  it('Instatus’s components: parents are regions, ids are the ones its webhooks name', () => {
    const imported = CatalogImport.parse(instatusComponents);
    expect(imported.vendor).toBe('instatus');
    const catalog = catalogFromImport('pg', imported, { pageId: 'pg', name: 'Kustomer' });
    expect(catalog.page.name).toBe('Kustomer'); // the list names no page: the catalog's name is kept
    expect(tree(catalog)).toEqual({
      regions: {
        'Prod1 (US)': ['Channel - Chat', 'Channel - Email'],
        'Prod2 (EU)': ['Channel - Chat', 'Channel - Email'],
      },
      elsewhere: ['Billing'],
    });
    const affected = instatusIncident.incident.affected_components[0]!.id;
    expect(catalog.components.find((c) => c.componentId === affected)).toMatchObject({
      name: 'Channel - Chat',
      groupId: instatusComponents[0]!.id,
    });
  });

  it('Instatus’s components with the page named, and groups known only from their children', () => {
    const children = instatusComponents.filter((c) => c.group !== null || c.name === 'Billing');
    const imported = CatalogImport.parse({
      page: { name: 'Acme', time_zone: 'Europe/Berlin' },
      components: children,
    });
    const catalog = catalogFromImport('pg', imported);
    expect(catalog.page).toEqual({ pageId: 'pg', name: 'Acme', timeZone: 'Europe/Berlin' });
    expect(Object.keys(tree(catalog).regions)).toEqual(['Prod1 (US)', 'Prod2 (EU)']);
  });

  it('Better Stack’s resources and sections: named sections are regions', () => {
    const imported = CatalogImport.parse({ resources: betterStackResources, sections: betterStackSections });
    expect(imported.vendor).toBe('betterstack');
    const catalog = catalogFromImport('183722', imported);
    expect(tree(catalog)).toEqual({
      regions: { 'Prod1 (US)': ['Channel - Chat', 'Channel - Email'], 'Prod2 (EU)': ['Channel - Chat'] },
      elsewhere: ['Billing'], // in the first section, which has no name
    });
    expect(catalog.components.map((c) => c.componentId)).toEqual([
      '8812301',
      '8812302',
      '8812303',
      '8812304',
    ]);
    // The resources document alone: no regions, every component still there.
    expect(
      tree(catalogFromImport('183722', CatalogImport.parse(betterStackResources))).elsewhere,
    ).toHaveLength(4);
  });

  it('refuse a document it cannot read, naming the place in it', () => {
    const paths = (body: unknown) =>
      CatalogImport.safeParse(body).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const instatus = clone(instatusComponents);
    instatus[1].name = 7;
    expect(paths(instatus)).toEqual([expect.stringMatching(/^1\.name: /)]);
    const betterStack = clone(betterStackResources);
    betterStack.data[0].id = { nested: true };
    expect(paths({ resources: betterStack })?.[0]).toMatch(/^resources\.0\.id: /);
    expect(paths({ components: 'none' })?.[0]).toMatch(/^page: /);
    expect(paths(Array(1001).fill(instatusComponents[6]))?.[0]).toMatch(/at most 1,000 components/);
  });
});
