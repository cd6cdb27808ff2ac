import { POLITICAL_GEOCODING_BASE } from './geocoding';

/**
 * German administrative areas for political geocoding keys (dcatde:politicalGeocodingURI): a name, and an extent for
 * the places a table here has one for. Written by us from official facts: the 16 Länder with their two-digit keys
 * (Amtlicher Gemeindeschlüssel / Regionalschlüssel, first two digits, as Destatis numbers them) and their bounding
 * boxes in WGS 84, each the Land's extreme points rounded outward to 0.01° (mainland and islands; Hamburg with Neuwerk).
 * No npm package ships the areas with extents (landkreise-deutschland has the Kreise's names and numbers, no extents),
 * so districts and municipalities resolve to nothing here; a dataset with such a key keeps no derived extent.
 *
 * The same boxes are written into the search index's SQL (migrations/1796400000000-SpatialSearch.ts); a test holds
 * the two equal.
 */
export interface Region {
  /** The two-digit key of the Land. */
  key: string;
  name: string;
  /** minx (west), miny (south), maxx (east), maxy (north), degrees. */
  bbox: [number, number, number, number];
}

export const LAENDER: readonly Region[] = [
  { key: '01', name: 'Schleswig-Holstein', bbox: [7.86, 53.35, 11.32, 55.06] },
  { key: '02', name: 'Hamburg', bbox: [8.10, 53.39, 10.33, 53.97] },
  { key: '03', name: 'Niedersachsen', bbox: [6.64, 51.29, 11.60, 53.90] },
  { key: '04', name: 'Bremen', bbox: [8.48, 53.01, 8.99, 53.61] },
  { key: '05', name: 'Nordrhein-Westfalen', bbox: [5.86, 50.32, 9.47, 52.54] },
  { key: '06', name: 'Hessen', bbox: [7.77, 49.39, 10.24, 51.66] },
  { key: '07', name: 'Rheinland-Pfalz', bbox: [6.11, 48.96, 8.51, 50.95] },
  { key: '08', name: 'Baden-Württemberg', bbox: [7.51, 47.53, 10.50, 49.80] },
  { key: '09', name: 'Bayern', bbox: [8.97, 47.27, 13.84, 50.57] },
  { key: '10', name: 'Saarland', bbox: [6.35, 49.11, 7.41, 49.64] },
  { key: '11', name: 'Berlin', bbox: [13.08, 52.33, 13.77, 52.68] },
  { key: '12', name: 'Brandenburg', bbox: [11.26, 51.35, 14.77, 53.56] },
  { key: '13', name: 'Mecklenburg-Vorpommern', bbox: [10.59, 53.11, 14.42, 54.69] },
  { key: '14', name: 'Sachsen', bbox: [11.87, 50.17, 15.05, 51.69] },
  { key: '15', name: 'Sachsen-Anhalt', bbox: [10.56, 50.93, 13.19, 53.05] },
  { key: '16', name: 'Thüringen', bbox: [9.87, 50.20, 12.66, 51.65] },
];

const BY_KEY = new Map(LAENDER.map((r) => [r.key, r]));

/**
 * The Land a political geocoding IRI names: `…/stateKey/05`, or a regional key of a Land itself (`…/regionalKey/050000000000`).
 * Keys of districts and municipalities name no Land here (their extent would be the Land's, far too wide to search by).
 */
export function regionOf(iri: string): Region | undefined {
  if (typeof iri !== 'string' || !iri.startsWith(POLITICAL_GEOCODING_BASE)) return undefined;
  const m = /^(stateKey\/(\d\d)|regionalKey\/(\d\d)0{10})$/.exec(iri.slice(POLITICAL_GEOCODING_BASE.length).trim());
  return m ? BY_KEY.get(m[2] ?? m[3]) : undefined;
}
