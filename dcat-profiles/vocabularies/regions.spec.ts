import { LAENDER, regionOf } from './regions';

describe('German regions of political geocoding keys', () => {
  it('names the 16 Länder by state key and by their own regional key, and no district or municipality', () => {
    expect(LAENDER.map((r) => r.key)).toEqual(Array.from({ length: 16 }, (_, i) => String(i + 1).padStart(2, '0')));
    expect(regionOf('http://dcat-ap.de/def/politicalGeocoding/stateKey/07')?.name).toBe('Rheinland-Pfalz');
    expect(regionOf('http://dcat-ap.de/def/politicalGeocoding/regionalKey/110000000000')?.name).toBe('Berlin');
    expect(regionOf('http://dcat-ap.de/def/politicalGeocoding/regionalKey/073150000000')).toBeUndefined();
    expect(regionOf('http://dcat-ap.de/def/politicalGeocoding/municipalityKey/07315000')).toBeUndefined();
    expect(regionOf('http://dcat-ap.de/def/politicalGeocoding/stateKey/17')).toBeUndefined();
  });

  it('gives every Land a box inside Germany’s, west of east and south of north', () => {
    for (const { bbox: [minx, miny, maxx, maxy] } of LAENDER) {
      expect(minx).toBeLessThan(maxx);
      expect(miny).toBeLessThan(maxy);
      expect(minx).toBeGreaterThanOrEqual(5.86);
      expect(maxx).toBeLessThanOrEqual(15.05);
      expect(miny).toBeGreaterThanOrEqual(47.27);
      expect(maxy).toBeLessThanOrEqual(55.06);
    }
    // Capitals lie in their Land's box: Mainz, Berlin, Dresden, Kiel.
    const inside = (key: string, x: number, y: number): boolean => {
      const [minx, miny, maxx, maxy] = LAENDER.find((r) => r.key === key)!.bbox;
      return x >= minx && x <= maxx && y >= miny && y <= maxy;
    };
    expect([inside('07', 8.27, 50.0), inside('11', 13.4, 52.52), inside('14', 13.74, 51.05), inside('01', 10.13, 54.32)]).toEqual([true, true, true, true]);
  });
});
