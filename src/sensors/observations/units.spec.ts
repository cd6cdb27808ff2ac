import { implausible, limitsFor } from './plausibility';
import { canonicalUnit, conversionFor, unitText } from './units';

const convert = (quantity: Parameters<typeof conversionFor>[0], unit: string | null, value: number): number | string => {
  const c = conversionFor(quantity, unit, null);
  return 'problem' in c ? c.problem : c.convert(value);
};

describe('units', () => {
  it.each([
    ['water_level', 'm', 3.01, 301], ['water_level', 'mm', 2995, 299.5], ['water_level', 'dm', 30.1, 301], ['water_level', ' CM ', 301, 301],
    ['discharge', 'm³/s', 1520.5, 1520.5], ['discharge', 'm3/s', 12, 12], ['discharge', 'l/s', 850, 0.85],
    ['water_temperature', 'Cel', 8.5, 8.5], ['water_temperature', 'degC', 8.5, 8.5], ['air_temperature', 'K', 273.15, 0],
    ['speed', 'm/s', 13.9, 50.04], ['speed', 'kmh', 50, 50], ['speed', 'mph', 30, 48.28032], ['speed', '[mi_i]/h', 10, 16.09344],
    ['occupancy', 'percent', 12.5, 12.5], ['vehicle_flow', 'veh/h', 1428, 1428], ['vehicle_flow', '{vehicles}/h', 1428, 1428], ['vehicle_count', 'Fz', 12, 12],
    ['vehicle_count', '{vehicles}', 12, 12], ['water_level', 'Zentimeter', 301, 301],
  ] as const)('converts %s in %s (%d) to the canonical unit (%d)', (quantity, unit, value, expected) => {
    expect(convert(quantity, unit, value)).toBeCloseTo(expected, 9);
  });

  it('tells an incompatible unit from an unknown and a missing one', () => {
    expect(convert('water_level', 'km/h', 1)).toBe('incompatible_unit');
    expect(convert('speed', 'cm', 1)).toBe('incompatible_unit');
    expect(convert('water_level', 'furlong', 1)).toBe('unknown_unit');
    expect(convert('water_level', null, 1)).toBe('missing_unit');
  });

  it('lets a datastream of another quantity declared without a unit take readings without one, and only its own unit otherwise', () => {
    expect('convert' in conversionFor('other', null, null)).toBe(true);
    expect(conversionFor('other', 'pH', null)).toEqual({ problem: 'unknown_unit' });
    expect(conversionFor('other', 'cm', 'pH')).toEqual({ problem: 'incompatible_unit' });
    expect(conversionFor('other', null, 'pH')).toEqual({ problem: 'missing_unit' });
    expect('convert' in conversionFor('other', ' ph', 'pH')).toBe(true);
  });

  it('reads a SensorThings unitOfMeasurement by symbol, then name, then definition', () => {
    expect(unitText({ name: 'Centimetre', symbol: 'cm', definition: 'http://unitsofmeasure.org/ucum.html#cm' })).toBe('cm');
    expect(unitText({ name: 'degree Celsius', symbol: '', definition: '' })).toBe('degree Celsius');
    expect(unitText({ definition: 'http://qudt.org/vocab/unit/K' })).toBe('K');
    expect(unitText({ symbol: null })).toBeNull();
    expect(unitText({ definition: 'http://unitsofmeasure.org/ucum.html#%' })).toBe('%');
    expect(unitText({ definition: 'http://unitsofmeasure.org/ucum.html#m%2Fs' })).toBe('m/s');
    expect(canonicalUnit('discharge')).toEqual({ symbol: 'm³/s', ucum: 'm3/s' });
  });
});

describe('plausibility limits', () => {
  it('checks counts per interval against a rate per hour', () => {
    const limits = limitsFor('vehicle_count', null, null);
    expect(implausible(200, limits, 'veh', 300)).toBeNull();
    expect(implausible(9000, limits, 'veh', 300)).toMatch(/in 5 min is above 250/);
    expect(implausible(9000, limits, 'veh', 86_400)).toBeNull();
    expect(implausible(-1, limits, 'veh', 300)).toMatch(/below 0/);
  });

  it('lets the datastream override the source and the source override the defaults', () => {
    expect(limitsFor('water_level', null, { limits: { water_level: { max: 5000 } } })).toEqual({ min: -1000, max: 5000 });
    expect(limitsFor('water_level', { limits: { max: '8000' } }, { limits: { water_level: { max: 5000, min: 0 } } })).toEqual({ min: 0, max: 8000 });
  });
});
