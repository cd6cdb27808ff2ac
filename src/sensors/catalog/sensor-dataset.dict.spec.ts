import { desiredDataset, spatialOf } from './sensor-dataset.dict';

describe('a sensor dataset’s spatial extent from its station', () => {
  it('is the station’s GeoJSON geometry, or a Feature’s geometry, as SensorThings Locations may hold', () => {
    expect(spatialOf({ type: 'Point', coordinates: [7.6057, 50.3582] })).toBe('{"type":"Point","coordinates":[7.6057,50.3582]}');
    expect(spatialOf({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [7.6, 50.3] } })).toBe('{"type":"Point","coordinates":[7.6,50.3]}');
  });

  it('is left out when the place is no extent the catalog accepts, so the sync’s write never fails on it', () => {
    expect(spatialOf({ type: 'Point', coordinates: [396000, 5580000] })).toBeUndefined(); // UTM metres
    expect(spatialOf('somewhere')).toBeUndefined();
    const station = { key: 's1', name: 'Pegel', streams: [], location: { type: 'Point', coordinates: [396000, 5580000] } } as never;
    const current = { extras: [{ key: 'spatial', value: '{"type":"Point","coordinates":[7,50]}' }, { key: 'note', value: 'x' }] };
    const { desired } = desiredDataset(station, null, current, []);
    // The old place goes with the move; the steward's extra stays.
    expect((desired.extras as { key: string }[]).map((e) => e.key)).toEqual(['note', 'frequency']);
  });
});
