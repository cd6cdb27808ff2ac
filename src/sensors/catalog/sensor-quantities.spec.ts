import type { QuantityKey } from '../readings';
import { conversionFor, UNITS } from '../observations/units';
import { QUANTITIES, unitOfMeasurement } from './sensor-quantities';

/**
 * The catalog names each quantity's unit in German for people (Zentimeter, Fz/h); observations/units.ts is the one
 * table of what a unit means and what it converts to. Each unit the catalog gives a Datastream must therefore be read
 * by units.ts as that quantity's canonical unit, unchanged: a reading sent without a unit of its own (and so in its
 * Datastream's) is then stored as sent, never refused and never scaled.
 */
describe('the units the catalog gives Datastreams', () => {
  const quantities = Object.keys(UNITS) as Exclude<QuantityKey, 'other'>[];

  it.each(quantities)('%s: name, symbol and UCUM code of the Datastream unit are its canonical unit in the units table', (q) => {
    const u = unitOfMeasurement(q, '');
    for (const spelling of [u.name, u.symbol, QUANTITIES[q].unit!.ucum]) {
      const c = conversionFor(q, spelling, null);
      expect('convert' in c ? c.convert(123.45) : c.problem).toBe(123.45);
    }
  });

  it('declares a unit in the catalog for every quantity the units table converts, and none for other', () => {
    expect(quantities.every((q) => QUANTITIES[q].unit !== null)).toBe(true);
    expect(QUANTITIES.other.unit).toBeNull();
  });
});
