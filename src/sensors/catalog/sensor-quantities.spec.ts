import type { QuantityKey } from '../readings';
import { conversionFor, UNITS } from '../observations/units';
import { QUANTITIES, unitOfMeasurement } from './sensor-quantities';

/**
 * The catalog gives each Datastream the unit its quantity is stored in, from the one units table
 * (observations/units.ts), named in German for people (Zentimeter, Fz/h). A reading sent without a unit of its own (and
 * so in its Datastream's) must then be stored as sent, never refused and never scaled, whichever of the Datastream
 * unit's spellings (name, symbol, UCUM code of its definition) a client repeats.
 */
describe('the units the catalog gives Datastreams', () => {
  const quantities = Object.keys(UNITS) as Exclude<QuantityKey, 'other'>[];

  it.each(quantities)('%s: name, symbol and UCUM code of the Datastream unit are taken as the stored unit, unchanged', (q) => {
    const u = unitOfMeasurement(q, 'ignored');
    const ucum = u.definition.slice(u.definition.indexOf('#') + 1);
    for (const spelling of [u.name, u.symbol, ucum]) {
      const c = conversionFor(q, spelling, null);
      expect({ spelling, stored: 'convert' in c ? c.convert(123.45) : c.problem }).toEqual({ spelling, stored: 123.45 });
    }
  });

  it('gives the Datastreams of every quantity but other the stored unit, and those of other the unit their source declares', () => {
    expect(unitOfMeasurement('water_level', 'm')).toEqual({ name: 'Zentimeter', symbol: 'cm', definition: 'http://unitsofmeasure.org/ucum.html#cm' });
    expect(unitOfMeasurement('vehicle_flow', 'veh/h')).toEqual({ name: 'Fahrzeuge je Stunde', symbol: 'Fz/h', definition: 'http://unitsofmeasure.org/ucum.html#{vehicles}/h' });
    expect(unitOfMeasurement('other', 'ppm')).toEqual({ name: 'ppm', symbol: 'ppm', definition: 'http://unitsofmeasure.org/ucum.html#ppm' });
    expect(Object.keys(QUANTITIES).sort()).toEqual([...quantities, 'other'].sort());
  });
});
