import { assessQuality, QUALITY_MAX, QualityReport, ratingOf } from './metadata-quality';

/** The fixtures' scores are worked out by hand from the MQA weights (README, "Metadata quality"). */
const MINIMAL = {
  id: 'a', name: 'minimal', owner_org: 'org-1', metadata_created: '2026-01-01T00:00:00', metadata_modified: '2026-01-02T00:00:00',
  tags: [], groups: [], extras: [], resources: [],
};

const MEDIUM = {
  ...MINIMAL, name: 'medium', license_id: 'dl-by-de/2.0', maintainer_email: 'daten@speyer.de',
  tags: [{ name: 'haushalt' }],
  resources: [{ id: 'r1', url: 'https://example.org/haushalt.csv', format: 'CSV', state: 'active' }],
};

const COMPLETE = {
  ...MINIMAL, name: 'complete', license_id: 'dl-zero-de/2.0',
  tags: [{ name: 'luft' }], groups: [{ name: 'envi' }],
  extras: [
    { key: 'spatial', value: '{"type":"Point","coordinates":[8.43,49.32]}' }, { key: 'temporal_start', value: '2025-01-01' },
    { key: 'access_rights', value: 'PUBLIC' }, { key: 'contact_email', value: 'umwelt@speyer.de' },
    { key: 'issued', value: '2025-01-05' }, { key: 'modified', value: '2025-06-01' },
  ],
  resources: [{
    id: 'r1', url: 'http://localhost:5000/dataset/a/resource/r1/download/luft.csv', url_type: 'upload', format: 'CSV', mimetype: 'text/csv',
    size: 1234, rights: 'Keine Einschränkungen', state: 'active',
  }],
};

const byIndicator = (q: QualityReport): Record<string, number> => Object.fromEntries(q.indicators.map((i) => [i.indicator, i.points]));

describe('metadata quality (MQA)', () => {
  it('has the MQA maxima: 100, 100, 110, 75, 20 = 405 points', () => {
    const q = assessQuality(MINIMAL);
    expect(QUALITY_MAX).toBe(405);
    expect(Object.fromEntries(Object.entries(q.dimensions).map(([k, v]) => [k, v.max]))).toEqual({
      findability: 100, accessibility: 100, interoperability: 110, reusability: 75, contextuality: 20,
    });
  });

  it('rates by the MQA bands', () => {
    expect([405, 351, 350.9, 221, 220, 121, 120.9, 0].map(ratingOf)).toEqual(['excellent', 'excellent', 'good', 'good', 'sufficient', 'sufficient', 'bad', 'bad']);
  });

  it('scores a minimal dataset 20 points: publisher (organization), issued and modified (metadata dates)', () => {
    const q = assessQuality(MINIMAL, { conforms: false });
    expect(q.score).toBe(20);
    expect(q.rating).toBe('bad');
    expect(Object.entries(byIndicator(q)).filter(([, p]) => p > 0)).toEqual([['publisher', 10], ['date_of_issue', 5], ['modification_date', 5]]);
    const keywords = q.indicators.find((i) => i.indicator === 'keyword_usage')!;
    expect(keywords).toMatchObject({ dimension: 'findability', fields: ['tags'], points: 0, max: 30, met: false, hint_en: 'Add keywords.' });
    expect(keywords.hint_de).toContain('Schlagwörter');
  });

  it('scores a medium dataset 170 points (sufficient), the external URL "not checked"', () => {
    const q = assessQuality(MEDIUM, { conforms: false });
    expect(q.dimensions).toEqual({
      findability: { points: 30, max: 100 }, accessibility: { points: 0, max: 100 }, interoperability: { points: 70, max: 110 },
      reusability: { points: 60, max: 75 }, contextuality: { points: 10, max: 20 },
    });
    expect(q.score).toBe(170);
    expect(q.rating).toBe('sufficient');
    expect(q.indicators.find((i) => i.indicator === 'access_url_status')).toMatchObject({ points: 0, met: null });
    expect(q.indicators.find((i) => i.indicator === 'dcat_ap_compliance')).toMatchObject({ points: 0, met: false });
    expect(q.indicators.find((i) => i.indicator === 'license_information')).toMatchObject({ points: 20, met: true });
    expect(q.indicators.find((i) => i.indicator === 'license_information')).not.toHaveProperty('hint_en');
  });

  it('scores a complete dataset with its file uploaded here the full 405 points (excellent)', () => {
    const q = assessQuality(COMPLETE, { conforms: true });
    expect(q.indicators.filter((i) => i.met !== true)).toEqual([]);
    expect(q.score).toBe(405);
    expect(q.rating).toBe('excellent');
  });

  it('leaves DCAT-AP compliance "not checked" when no validation ran', () => {
    const q = assessQuality(COMPLETE);
    expect(q.indicators.find((i) => i.indicator === 'dcat_ap_compliance')).toMatchObject({ points: 0, met: null });
    expect(q.score).toBe(375);
  });

  it('gives distribution indicators the share of distributions that meet them', () => {
    const upload = COMPLETE.resources[0];
    const q = assessQuality({ ...COMPLETE, resources: [upload, { id: 'r2', url: 'https://example.org/luft.pdf', format: 'PDF', state: 'active' }] }, { conforms: true });
    expect(byIndicator(q)).toMatchObject({
      access_url_status: 25, download_url: 10, download_url_status: 15, format: 20, media_type: 5, format_media_type_vocabulary: 10,
      format_non_proprietary: 10, format_machine_readable: 10, rights: 2.5, file_size: 2.5,
    });
    expect(q.indicators.find((i) => i.indicator === 'access_url_status')).toMatchObject({ met: false });
  });

  it('counts the contact and political geocoding a dataset inherits from its organization, as the profiles publish them', () => {
    const own = byIndicator(assessQuality(MINIMAL));
    const inherited = byIndicator(assessQuality(MINIMAL, undefined, { extras: { contact_email: 'open@speyer.de', politicalGeocodingURI: 'http://dcat-ap.de/def/politicalGeocoding/municipalityKey/07318000' } }));
    expect([own.contact_point, own.geo_search]).toEqual([0, 0]);
    expect([inherited.contact_point, inherited.geo_search]).toEqual([20, 20]);
  });

  it('raises the score by exactly the licence indicators\' 30 points when a licence is added', () => {
    const without = assessQuality(MEDIUM, { conforms: false });
    const withIt = assessQuality({ ...MEDIUM, license_id: undefined }, { conforms: false });
    expect(without.score - withIt.score).toBe(30);
  });
});
