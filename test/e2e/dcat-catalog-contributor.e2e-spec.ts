import 'reflect-metadata';
import type { Quad } from '@rdfjs/types';
import { Parser as N3Parser } from 'n3';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config/env';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;
const CONTRIBUTOR_ID = 'http://dcat-ap.de/def/dcatde/contributorID';
const RLP = 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz';
const GOVDATA = 'http://dcat-ap.de/def/contributors/govData';

/** A platform registered with GovData has one contributor ID; every dataset it publishes must carry one. */
describe('CATALOG_CONTRIBUTOR_ID: the platform\'s GovData contributor ID', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ CATALOG_CONTRIBUTOR_ID: 'openGovernmentDataPortalRheinlandPfalz' });
  });
  afterAll(() => t?.stop());

  const contributorsOf = async (d: Dict): Promise<string[]> => {
    const res = await request(t.http).get(`/dataset/${String(d.id)}.ttl`);
    const quads = new N3Parser({ format: 'text/turtle' }).parse(res.text) as Quad[];
    return quads.filter((q) => q.subject.value === `http://catalog.test/dataset/${String(d.id)}` && q.predicate.value === CONTRIBUTOR_ID).map((q) => q.object.value).sort();
  };

  it('is published for datasets whose organization has none; an organization\'s or a dataset\'s own ID comes first', async () => {
    const plain = await t.factories.organization({ title: 'Ortsgemeinde Römerberg' });
    const registered = await t.factories.organization({ title: 'Stadt Speyer', extras: [{ key: 'contributorID', value: GOVDATA }] });
    const inherits = await t.factories.dataset({ owner_org: String(plain.id), license_id: 'dl-zero-de/2.0' });
    const fromOrg = await t.factories.dataset({ owner_org: String(registered.id), license_id: 'dl-zero-de/2.0' });
    const own = await t.factories.dataset({ owner_org: String(plain.id), license_id: 'dl-zero-de/2.0', extras: [{ key: 'contributorID', value: JSON.stringify([GOVDATA]) }] });
    expect(await contributorsOf(inherits)).toEqual([RLP]);
    expect(await contributorsOf(fromOrg)).toEqual([GOVDATA]);
    expect(await contributorsOf(own)).toEqual([GOVDATA]);
    // Nothing is written into the dataset: clients read back what they wrote.
    expect((await t.call<Dict>('package_show', { id: inherits.id })).extras).toEqual([]);
    // And validation, which checks what is published, no longer asks the steward for one.
    const report = await t.call<{ findings: Dict[] }>('dcat_validate', { id: inherits.id });
    expect(report.findings.filter((f) => f.field === 'contributorID')).toEqual([]);
  });

  it('must be an ID of the dcat-ap.de contributor list (short form or IRI), else the service does not start', () => {
    expect(loadConfig({ CATALOG_CONTRIBUTOR_ID: RLP }).CATALOG_CONTRIBUTOR_ID).toBe(RLP);
    expect(() => loadConfig({ CATALOG_CONTRIBUTOR_ID: 'stadt-speyer' })).toThrow(ConfigError);
    expect(() => loadConfig({ CATALOG_CONTRIBUTOR_ID: 'stadt-speyer' })).toThrow(/CATALOG_CONTRIBUTOR_ID/);
  });
});
