import type { QuantityKey } from '../readings';

/** UCUM codes are named by this URI plus the code (unit_of_measurement.definition). */
const UCUM = 'http://unitsofmeasure.org/ucum.html#';

/** What a quantity looks like in the catalog: its Datastreams' unit and ObservedProperty, and the dataset's keyword. */
export interface QuantityInfo {
  /** German name, as the portal shows it. */
  label: string;
  definition: string;
  description: string;
  /** The unit observations of it are stored in (SensorThings unitOfMeasurement); null: the unit the source declares. */
  unit: { name: string; symbol: string; ucum: string } | null;
  tag: string;
  kind: 'water' | 'traffic' | 'weather' | 'other';
}

export const QUANTITIES: Record<QuantityKey, QuantityInfo> = {
  water_level: {
    label: 'Wasserstand', definition: 'http://qudt.org/vocab/quantitykind/Height', description: 'Wasserstand über Pegelnullpunkt',
    unit: { name: 'Zentimeter', symbol: 'cm', ucum: 'cm' }, tag: 'Wasserstand', kind: 'water',
  },
  discharge: {
    label: 'Abfluss', definition: 'http://qudt.org/vocab/quantitykind/VolumeFlowRate', description: 'Abfluss (Durchfluss) am Pegel',
    unit: { name: 'Kubikmeter je Sekunde', symbol: 'm³/s', ucum: 'm3/s' }, tag: 'Abfluss', kind: 'water',
  },
  water_temperature: {
    label: 'Wassertemperatur', definition: 'http://qudt.org/vocab/quantitykind/Temperature', description: 'Temperatur des Wassers',
    unit: { name: 'Grad Celsius', symbol: '°C', ucum: 'Cel' }, tag: 'Wassertemperatur', kind: 'water',
  },
  air_temperature: {
    label: 'Lufttemperatur', definition: 'http://qudt.org/vocab/quantitykind/Temperature', description: 'Temperatur der Luft',
    unit: { name: 'Grad Celsius', symbol: '°C', ucum: 'Cel' }, tag: 'Lufttemperatur', kind: 'weather',
  },
  vehicle_count: {
    label: 'Fahrzeuganzahl', definition: 'http://qudt.org/vocab/quantitykind/Count', description: 'Gezählte Fahrzeuge je Zählintervall',
    unit: { name: 'Fahrzeuge', symbol: 'Fz', ucum: '{vehicles}' }, tag: 'Verkehrszählung', kind: 'traffic',
  },
  vehicle_flow: {
    label: 'Verkehrsstärke', definition: 'http://qudt.org/vocab/quantitykind/Frequency', description: 'Fahrzeuge je Stunde',
    unit: { name: 'Fahrzeuge je Stunde', symbol: 'Fz/h', ucum: '{vehicles}/h' }, tag: 'Verkehrsstärke', kind: 'traffic',
  },
  speed: {
    label: 'Geschwindigkeit', definition: 'http://qudt.org/vocab/quantitykind/Speed', description: 'Mittlere Fahrzeuggeschwindigkeit',
    unit: { name: 'Kilometer je Stunde', symbol: 'km/h', ucum: 'km/h' }, tag: 'Geschwindigkeit', kind: 'traffic',
  },
  occupancy: {
    label: 'Belegung', definition: 'http://qudt.org/vocab/quantitykind/DimensionlessRatio', description: 'Belegungsgrad des Detektors',
    unit: { name: 'Prozent', symbol: '%', ucum: '%' }, tag: 'Belegung', kind: 'traffic',
  },
  other: { label: 'Messwert', definition: 'urn:x-offene-daten:quantity:other', description: 'Messwert', unit: null, tag: 'Messwerte', kind: 'other' },
};

/** A Datastream's unitOfMeasurement: the quantity's stored unit, or (for `other`) the one the source declares. */
export function unitOfMeasurement(quantity: QuantityKey, declared: string): { name: string; symbol: string; definition: string } {
  const u = QUANTITIES[quantity]?.unit;
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
