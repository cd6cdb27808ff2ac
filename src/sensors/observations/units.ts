import type { QuantityKey } from '../readings';

/**
 * The unit every quantity is stored in and the units converted to it, for the writer and the catalog alike (this is
 * the one table of them). Observations are stored in that unit only, so a datastream's history never mixes units: a reading in another unit of the same quantity is converted
 * (m → cm ×100, m/s → km/h ×3.6, K → °C −273.15), one in a unit of another quantity (km/h for a water level), an
 * unknown or a missing unit refuses its batch (observation-writer.ts).
 *
 * Unit strings are matched as sources write them: UCUM codes (`cm`, `m/s`, `Cel`, `km/h`, `[mi_i]/h`, `m3/s`),
 * PEGELONLINE's (`m³/s`, `°C`), DATEX II's implied units, the usual spellings (`degC`, `kmh`, `percent`) and the German
 * names the catalog gives Datastreams (`Zentimeter`, `Fz/h`, `{vehicles}`), ignoring case and blanks. A SensorThings unitOfMeasurement `{ name, symbol, definition }` is matched by its symbol, then its
 * name, then the last segment of its definition URI.
 */

/** value in canonical unit = value × factor + offset */
interface Conversion {
  factor: number;
  offset: number;
}

/**
 * The unit observations of a quantity are stored in, as its Datastreams declare it (SensorThings unitOfMeasurement:
 * `definition` is the UCUM URI of `ucum`) and the portal shows it: the German name and symbol people read.
 */
export interface StoredUnit {
  name: string;
  symbol: string;
  ucum: string;
}

export interface QuantityUnits {
  /** The stored unit; a reading in any of its own spellings (name, symbol, UCUM code) is taken as it is. */
  unit: StoredUnit;
  /** The stored unit's international symbol, as messages name it (`veh/h`, where Datastreams say `Fz/h`). */
  canonical: string;
  /** Every accepted spelling (normalised, see normaliseUnit) and its conversion to the stored unit. */
  accepts: ReadonlyMap<string, Conversion>;
}

const same: Conversion = { factor: 1, offset: 0 };
const times = (factor: number): Conversion => ({ factor, offset: 0 });

/** A quantity's units: the stored one (by all its spellings and `canonical`, unconverted) and the other spellings. */
function table(unit: StoredUnit, canonical: string, entries: [Conversion, ...string[]][]): QuantityUnits {
  const accepts = new Map<string, Conversion>();
  for (const [conversion, ...spellings] of [[same, unit.name, unit.symbol, unit.ucum, canonical], ...entries] as [Conversion, ...string[]][]) {
    for (const s of spellings) accepts.set(normaliseUnit(s), conversion);
  }
  return { unit, canonical, accepts };
}

const CELSIUS_UNIT: StoredUnit = { name: 'Grad Celsius', symbol: '°C', ucum: 'Cel' };
const CELSIUS: [Conversion, ...string[]][] = [
  [same, 'degC', 'deg C', 'celsius', 'degree celsius', 'degrees celsius', '℃'],
  [{ factor: 1, offset: -273.15 }, 'K', 'kelvin'],
];

/**
 * The one table of units: what each quantity is stored in (the catalog gives its Datastreams this unit,
 * sensor-quantities.ts) and which other units are converted to it.
 */
export const UNITS: Readonly<Record<Exclude<QuantityKey, 'other'>, QuantityUnits>> = {
  water_level: table({ name: 'Zentimeter', symbol: 'cm', ucum: 'cm' }, 'cm', [
    [same, 'centimetre', 'centimeter'],
    [times(0.1), 'mm', 'millimetre', 'millimeter', 'Millimeter'],
    [times(10), 'dm'],
    [times(100), 'm', 'metre', 'meter', 'Meter'],
  ]),
  discharge: table({ name: 'Kubikmeter je Sekunde', symbol: 'm³/s', ucum: 'm3/s' }, 'm³/s', [
    [same, 'm^3/s', 'm3.s-1', 'cumec', 'cubic metre per second', 'cubic meter per second'],
    [times(0.001), 'l/s', 'L/s', 'l.s-1', 'Liter je Sekunde'],
  ]),
  water_temperature: table(CELSIUS_UNIT, '°C', CELSIUS),
  air_temperature: table(CELSIUS_UNIT, '°C', CELSIUS),
  speed: table({ name: 'Kilometer je Stunde', symbol: 'km/h', ucum: 'km/h' }, 'km/h', [
    [same, 'kmh', 'km h-1', 'km.h-1', 'kph', 'kilometre per hour', 'kilometer per hour'],
    [times(3.6), 'm/s', 'm.s-1', 'meter per second', 'metre per second', 'Meter je Sekunde'],
    [times(1.609344), 'mph', '[mi_i]/h', 'mile per hour', 'miles per hour'],
  ]),
  occupancy: table({ name: 'Prozent', symbol: '%', ucum: '%' }, '%', [
    [same, 'percent', 'pct'],
  ]),
  vehicle_flow: table({ name: 'Fahrzeuge je Stunde', symbol: 'Fz/h', ucum: '{vehicles}/h' }, 'veh/h', [
    [same, '{veh}/h', '{vehicle}/h', '/h', 'vehicles/h', 'vehicles per hour', 'Kfz/h', '1/h', 'h-1'],
  ]),
  vehicle_count: table({ name: 'Fahrzeuge', symbol: 'Fz', ucum: '{vehicles}' }, 'veh', [
    [same, '{veh}', '{vehicle}', 'vehicles', 'count', '{count}', '1', 'Kfz', 'Anzahl'],
  ]),
};

/** A unit as sources declare it: a string, or SensorThings' unitOfMeasurement object. */
export type UnitInput = string | null | undefined | { name?: unknown; symbol?: unknown; definition?: unknown };

/** One spelling for comparison: blanks trimmed and collapsed, lower case, `³`/`^3` as `3`, `µ` as `u`. */
export function normaliseUnit(unit: string): string {
  return unit.normalize('NFKC').trim().replace(/\s+/g, ' ').replace(/\^3|³/g, '3').replace(/µ/g, 'u').toLowerCase();
}

/** The unit string of a declaration: its symbol, else its name, else the last segment of its definition; null if none. */
export function unitText(unit: UnitInput): string | null {
  if (unit === null || unit === undefined) return null;
  if (typeof unit === 'string') return unit.trim() === '' ? null : unit;
  for (const v of [unit.symbol, unit.name]) if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof unit.definition === 'string' && unit.definition.trim() !== '') {
    const tail = unit.definition.split(/[#/]/).filter(Boolean).pop();
    // A UCUM code in a URI is often not percent-encoded (`…ucum.html#%`): a tail that is no valid escape stays as written.
    if (tail) return safeDecode(tail);
  }
  return null;
}

/** The canonical unit of a quantity (its international symbol and the UCUM code its Datastreams declare); null for `other`. */
export function canonicalUnit(quantity: QuantityKey): { symbol: string; ucum: string } | null {
  if (quantity === 'other') return null;
  const u = UNITS[quantity];
  return { symbol: u.canonical, ucum: u.unit.ucum };
}

export function isKnownQuantity(q: string): q is QuantityKey {
  return q === 'other' || Object.prototype.hasOwnProperty.call(UNITS, q);
}

/** Why a unit was refused: no unit at all, a unit of another quantity, or one we do not know. */
export type UnitProblem = 'missing_unit' | 'incompatible_unit' | 'unknown_unit';

/** Which quantities a unit belongs to (for an error message that helps: "km/h is a unit of speed"). */
export function quantitiesOf(unit: string): QuantityKey[] {
  const n = normaliseUnit(unit);
  return (Object.keys(UNITS) as Exclude<QuantityKey, 'other'>[]).filter((q) => UNITS[q].accepts.has(n));
}

/**
 * The conversion of `unit` into the canonical unit of `quantity`, or why there is none. For `other`, only the
 * datastream's declared unit is accepted (`declared`), and values are stored as sent.
 */
export function conversionFor(quantity: QuantityKey, unit: string | null, declared: string | null): { convert: (v: number) => number } | { problem: UnitProblem } {
  if (quantity === 'other') {
    // A datastream declared without a unit (a SensorThings truth or text observation) takes readings without one.
    if (unit === null) return declared === null ? { convert: identity } : { problem: 'missing_unit' };
    if (declared !== null && normaliseUnit(declared) === normaliseUnit(unit)) return { convert: identity };
    return { problem: quantitiesOf(unit).length > 0 || declared !== null ? 'incompatible_unit' : 'unknown_unit' };
  }
  if (unit === null) return { problem: 'missing_unit' };
  const c = UNITS[quantity].accepts.get(normaliseUnit(unit));
  if (!c) return { problem: quantitiesOf(unit).length > 0 ? 'incompatible_unit' : 'unknown_unit' };
  if (c.factor === 1 && c.offset === 0) return { convert: identity };
  // Twelve significant digits: 3.01 m is 301 cm, not 300.99999999999994 (a float artefact would count as a revision).
  return { convert: (v) => Number((v * c.factor + c.offset).toPrecision(12)) };
}

const identity = (v: number): number => v;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
