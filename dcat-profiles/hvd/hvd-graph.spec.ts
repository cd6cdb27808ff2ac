import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PROFILE } from '..';
import { DcatGraphWriter } from '../../src/dcat/dcat-graph';
import { hvdAccessFindings } from '../../src/dcat/dcat-validation';
import type { CatalogInfo, Dict, OrganizationInfo } from '../../src/dcat/profile';
import { ShaclValidator } from '../../src/dcat/shacl-validator';
import { vocabularyQuads } from '../../src/dcat/vocabulary-quads';

/**
 * What the catalog publishes for a high-value dataset satisfies our HVD shapes on its own: a river gauge (a sensor
 * dataset, whose APIs are the SensorThings endpoint and the DataStore API) marked as HVD, as a steward marks it.
 */

const fixture = JSON.parse(readFileSync(path.join(__dirname, '../dcat-ap-de-3/fixtures/cases/sensor-gauge.input.json'), 'utf8')) as {
  catalog: CatalogInfo; organization: OrganizationInfo; dataset: Dict;
};
const HVD = 'http://data.europa.eu/eli/reg_impl/2023/138/oj';
const hvdGauge: Dict = {
  ...fixture.dataset,
  extras: [...(fixture.dataset.extras as Dict[]), { key: 'applicable_legislation', value: HVD }, { key: 'hvd_category', value: '["c_e5f69a04", "c_164e0bf5"]' }],
};
const shapes = ShaclValidator.fromTurtle([readFileSync(path.join(__dirname, 'shapes.ttl'), 'utf8')]);
const violations = async (dataset: Dict, organization: OrganizationInfo): Promise<string[]> => {
  const quads = new DcatGraphWriter(DEFAULT_PROFILE, fixture.catalog).dataset(dataset, organization);
  return (await shapes.validate(quads, vocabularyQuads())).filter((f) => f.severity === 'violation').map((f) => `${f.focusNode} ${f.path ?? ''}`);
};

describe('a sensor dataset published as a high-value dataset', () => {
  it('meets our HVD shapes: its distributions carry the regulation, its APIs the regulation, categories, documentation and a contact', async () => {
    expect(await violations(hvdGauge, fixture.organization)).toEqual([]);
  });

  it('offers an API and a bulk download (its SensorThings API and its CSV dumps)', () => {
    expect(hvdAccessFindings(hvdGauge)).toEqual([]);
  });

  it('names what its APIs lack when neither the dataset nor its organization has a contact', async () => {
    const found = await violations(hvdGauge, { ...fixture.organization, extras: {} });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((k) => k.endsWith(' http://www.w3.org/ns/dcat#contactPoint'))).toBe(true);
  });

  it('is held to none of it when it is no high-value dataset', async () => {
    const quads = new DcatGraphWriter(DEFAULT_PROFILE, fixture.catalog).dataset(fixture.dataset, fixture.organization);
    expect(quads.some((q) => q.predicate.value === 'http://data.europa.eu/r5r/applicableLegislation')).toBe(false);
  });
});
