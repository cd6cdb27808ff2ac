import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveTerm } from './index';
import { SERVICE_KINDS, serviceKindByStandard, serviceKindOf } from './service-types';

/** The service kinds a resource `format` names: the spellings CKAN portals use, their EU file types and endpoints. */

const SHARED_FILETYPES = path.resolve(__dirname, '../../../shared/dcat-ap-de/vocabularies/eu/filetypes-skos.rdf');

describe('service kinds of resource formats', () => {
  it.each([
    ['WMS', 'WMS'], ['wms', 'WMS'], ['OGC:WMS', 'WMS'], ['WMS_SRVC', 'WMS'], ['Web Map Service', 'WMS'], ['WMS-Dienst', 'WMS'],
    ['WFS', 'WFS'], ['OGC WFS', 'WFS'], ['http://publications.europa.eu/resource/authority/file-type/WFS_SRVC', 'WFS'],
    ['WMTS', 'WMTS'], ['OGC:WMTS', 'WMTS'], ['OGC API Features', 'OGC API Features'], ['OGC API - Features', 'OGC API Features'], ['OAPIF', 'OGC API Features'],
    ['SensorThings', 'SensorThings'], ['OGC SensorThings API', 'SensorThings'], ['STA', 'SensorThings'],
  ])('"%s" is a %s service', (format, kind) => {
    expect(serviceKindOf(format)?.format).toBe(kind);
  });

  it.each(['CSV', 'GeoJSON', 'Shapefile', 'API', '', 'XLS'])('"%s" is no service', (format) => {
    expect(serviceKindOf(format)).toBeUndefined();
  });

  it('maps each service with an EU file type to a code our table holds, and the others to none', () => {
    for (const k of SERVICE_KINDS) if (k.fileType) expect(resolveTerm('fileType', k.fileType)?.code).toBe(k.fileType);
    expect(SERVICE_KINDS.filter((k) => k.fileType).map((k) => k.fileType)).toEqual(['WMS_SRVC', 'WFS_SRVC', 'WCS_SRVC']);
  });

  (fs.existsSync(SHARED_FILETYPES) ? it : it.skip)('agrees with the official EU file-type table: WMS_SRVC, WFS_SRVC, WCS_SRVC exist, nothing for WMTS, OGC API or SensorThings (skipped without ../shared)', () => {
    const skos = fs.readFileSync(SHARED_FILETYPES, 'utf8');
    const codes = new Set([...skos.matchAll(/file-type\/([A-Z0-9_]+)"/g)].map((m) => m[1]));
    for (const k of SERVICE_KINDS) if (k.fileType) expect(codes.has(k.fileType)).toBe(true);
    expect([...codes].filter((c) => /WMTS|OGC|STA|SENSOR|FEATURE/.test(c))).toEqual([]);
  });

  it('describes endpoints: capabilities for OGC web services, /api for OGC API, the root for SensorThings', () => {
    expect(serviceKindOf('WMS')!.describe('https://geo.example/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0&map=plan')).toEqual({
      endpoint: 'https://geo.example/wms?map=plan', description: 'https://geo.example/wms?map=plan&SERVICE=WMS&REQUEST=GetCapabilities',
    });
    expect(serviceKindOf('WFS')!.describe('https://geo.example/wfs')).toEqual({ endpoint: 'https://geo.example/wfs', description: 'https://geo.example/wfs?SERVICE=WFS&REQUEST=GetCapabilities' });
    expect(serviceKindOf('OGC API Features')!.describe('https://geo.example/ogcapi/collections/trees/items?f=json')).toEqual({ endpoint: 'https://geo.example/ogcapi', description: 'https://geo.example/ogcapi/api' });
    expect(serviceKindOf('SensorThings')!.describe('https://sta.example/FROST-Server/v1.1/Datastreams(4)')).toEqual({ endpoint: 'https://sta.example/FROST-Server/v1.1', description: 'https://sta.example/FROST-Server/v1.1' });
  });

  it('knows a service by its standard, also by a conformance class or another version', () => {
    expect(serviceKindByStandard('http://www.opengis.net/def/serviceType/ogc/wms')?.format).toBe('WMS');
    expect(serviceKindByStandard('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core')?.format).toBe('OGC API Features');
    expect(serviceKindByStandard('http://www.opengis.net/spec/iot_sensing/1.0')?.format).toBe('SensorThings');
    expect(serviceKindByStandard('http://example.org/other')).toBeUndefined();
  });
});
