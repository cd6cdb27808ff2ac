import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePegelonlineStations } from '../ingest/pegelonline';
import { gaugeState, thresholdsOf } from './sensor-dataset-read.actions';

const stations = () => parsePegelonlineStations(readFileSync(resolve(__dirname, '../../../test/fixtures/sensors/pegelonline/stations.json'))).stations;

describe('a gauge\'s thresholds and state (sensor_dataset_streams)', () => {
  it('reads MNW, MW, MHW and HSW from the characteristic values a PEGELONLINE water level keeps', () => {
    const w = stations().find((s) => s.name === 'COCHEM')?.streams.find((s) => s.key === 'W');
    expect(thresholdsOf(w?.properties ?? null)).toEqual({ MNW: 215, MW: 320, MHW: 700, HSW: 710 });
  });

  it('has no HSW for a gauge without one (DIEZ), and ignores marks and values without a number', () => {
    const w = stations().find((s) => s.name === 'DIEZ')?.streams.find((s) => s.key === 'W');
    expect(thresholdsOf(w?.properties ?? null)).toEqual({ MNW: 95, MW: 160, MHW: 380 });
    expect(thresholdsOf({ characteristicValues: { MNW: { value: 'viel' }, M_I: { value: 500 } } })).toEqual({});
  });

  it('puts the latest water level against them: HSW before MHW, MNW at or below, unknown without value or thresholds', () => {
    const t = { MNW: 180, MW: 310, MHW: 560, HSW: 620 };
    expect(gaugeState('water_level', 620, t)).toBe('above_hsw');
    expect(gaugeState('water_level', 600, t)).toBe('above_mhw');
    expect(gaugeState('water_level', 300, t)).toBe('normal');
    expect(gaugeState('water_level', 180, t)).toBe('below_mnw');
    expect(gaugeState('water_level', 700, { MNW: 100, MHW: 650 })).toBe('above_mhw');
    expect(gaugeState('water_level', null, t)).toBe('unknown');
    expect(gaugeState('water_level', 300, {})).toBe('unknown');
    expect(gaugeState('speed', 300, t)).toBe('unknown');
  });
});
