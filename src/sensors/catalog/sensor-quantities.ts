import type { QuantityKey } from '../readings';
import { UNITS } from '../observations/units';

/** UCUM codes are named by this URI plus the code (unit_of_measurement.definition). */
const UCUM = 'http://unitsofmeasure.org/ucum.html#';

/**
 * What a quantity looks like in the catalog: its Datastreams' ObservedProperty and the dataset's keyword. The unit its
 * Datastreams declare is the one observations are stored in, from the units table (observations/units.ts).
 */
export interface QuantityInfo {
  /** German name, as the portal shows it. */
  label: string;
  definition: string;
  description: string;
  tag: string;
  kind: 'water' | 'traffic' | 'weather' | 'other';
}

export const QUANTITIES: Record<QuantityKey, QuantityInfo> = {
  water_level: {
    label: 'Wasserstand', definition: 'http://qudt.org/vocab/quantitykind/Height', description: 'Wasserstand über Pegelnullpunkt',
    tag: 'Wasserstand', kind: 'water',
  },
  discharge: {
    label: 'Abfluss', definition: 'http://qudt.org/vocab/quantitykind/VolumeFlowRate', description: 'Abfluss (Durchfluss) am Pegel',
    tag: 'Abfluss', kind: 'water',
  },
  water_temperature: {
    label: 'Wassertemperatur', definition: 'http://qudt.org/vocab/quantitykind/Temperature', description: 'Temperatur des Wassers',
    tag: 'Wassertemperatur', kind: 'water',
  },
  air_temperature: {
    label: 'Lufttemperatur', definition: 'http://qudt.org/vocab/quantitykind/Temperature', description: 'Temperatur der Luft',
    tag: 'Lufttemperatur', kind: 'weather',
  },
  vehicle_count: {
    label: 'Fahrzeuganzahl', definition: 'http://qudt.org/vocab/quantitykind/Count', description: 'Gezählte Fahrzeuge je Zählintervall',
    tag: 'Verkehrszählung', kind: 'traffic',
  },
  vehicle_flow: {
    label: 'Verkehrsstärke', definition: 'http://qudt.org/vocab/quantitykind/Frequency', description: 'Fahrzeuge je Stunde',
    tag: 'Verkehrsstärke', kind: 'traffic',
  },
  speed: {
    label: 'Geschwindigkeit', definition: 'http://qudt.org/vocab/quantitykind/Speed', description: 'Mittlere Fahrzeuggeschwindigkeit',
    tag: 'Geschwindigkeit', kind: 'traffic',
  },
  occupancy: {
    label: 'Belegung', definition: 'http://qudt.org/vocab/quantitykind/DimensionlessRatio', description: 'Belegungsgrad des Detektors',
    tag: 'Belegung', kind: 'traffic',
  },
  other: { label: 'Messwert', definition: 'urn:x-offene-daten:quantity:other', description: 'Messwert', tag: 'Messwerte', kind: 'other' },
};

/** A Datastream's unitOfMeasurement: the quantity's stored unit, or (for `other`) the one the source declares. */
export function unitOfMeasurement(quantity: QuantityKey, declared: string): { name: string; symbol: string; definition: string } {
  const u = quantity === 'other' ? undefined : UNITS[quantity]?.unit;
  if (u) return { name: u.name, symbol: u.symbol, definition: `${UCUM}${u.ucum}` };
  return { name: declared, symbol: declared, definition: `${UCUM}${declared}` };
}

/** The prefix of a station's dataset name: `pegel-` for gauges, `verkehr-` for traffic detectors, else `sensor-`. */
export function namePrefix(quantities: QuantityKey[]): string {
  const kinds = new Set(quantities.map((q) => QUANTITIES[q]?.kind ?? 'other'));
  if (kinds.has('water')) return 'pegel';
  if (kinds.has('traffic')) return 'verkehr';
  return 'sensor';
}
