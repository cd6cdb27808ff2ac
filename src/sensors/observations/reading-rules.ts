import { IngestError, type Quality, type Reading } from '../readings';
import type { DatastreamRef, StagedRow } from './observation.repository';
import { DEFAULT_LIMITS, implausible, limitsFor } from './plausibility';
import { conversionFor, UNITS, unitText } from './units';

/**
 * The rules every reading passes before it is stored, whatever path it came by: its unit converted to the quantity's
 * canonical one (or the batch refused), the source's sentinels as missing values, implausible values flagged.
 */

/** A reading and the datastream it belongs to (found by the adapter, or by ObservationWriter.resolve). */
export interface ResolvedReading extends Reading {
  datastream: DatastreamRef;
  /** SensorThings FeatureOfInterest of the reading, when the caller knows it. */
  featureOfInterestId?: number;
}

export const DEFAULT_SENTINELS = [-777, -999];
export const DEFAULT_LATE_WINDOW_DAYS = 31;

/** A datastream's last unit as a reading gave it, and its conversion. */
export interface UnitCache {
  unit: Reading['unit'];
  text: string;
  convert: (v: number) => number;
}

/**
 * A reading as it will be stored: unit converted to the canonical unit, sentinel and plausible range applied.
 * Throws IngestError for a missing, unknown or incompatible unit. `units` caches conversions across one batch;
 * `sourceConfig` supplies limits for a datastream handed in without its own.
 */
export function prepareReading(r: ResolvedReading, sentinels: ReadonlySet<number>, units: Map<number, UnitCache>, sourceConfig?: unknown): StagedRow {
  const ds = r.datastream;
  if (!(r.time instanceof Date) || Number.isNaN(r.time.getTime())) throw new IngestError('invalid', `a reading of ${where(r)} has no valid time`, r.at);
  if (r.end !== undefined && (!(r.end instanceof Date) || Number.isNaN(r.end.getTime()) || r.end < r.time)) {
    throw new IngestError('invalid', `a reading of ${where(r)} has an interval end before its start`, r.at);
  }
  // The conversion of the datastream's last unit is reused while its readings keep that unit (nearly always).
  let cached = units.get(ds.id);
  if (!cached || cached.unit !== r.unit) {
    const unit = r.unit === undefined ? unitText(ds.unit) : unitText(r.unit);
    const c = conversionFor(ds.quantity, unit, unitText(ds.unit));
    if ('problem' in c) throw unitError(c.problem, unit, ds, where(r), r.at);
    cached = { unit: r.unit, text: unit ?? '', convert: c.convert };
    units.set(ds.id, cached);
  }
  let quality: Quality = r.quality ?? 'good';
  let reason = r.qualityReason ?? null;
  let value: number | null = r.value;
  let resultJson: string | null = null;
  if (value !== null && typeof value === 'number' && !Number.isFinite(value)) value = null;
  if (value !== null && sentinels.has(value)) {
    value = null;
    quality = 'missing';
    reason = `sentinel ${r.value}`;
  }
  if (value === null && r.result !== undefined && r.result !== null) {
    resultJson = JSON.stringify(r.result);
  } else if (value === null && quality !== 'invalid') {
    if (quality !== 'missing') reason = reason ?? 'no value';
    quality = 'missing';
  }
  if (value !== null) {
    value = cached.convert(value);
    if (quality === 'good' || quality === 'suspect') {
      // A datastream handed in without limits: the quantity's defaults with the source's overrides.
      const limits = ds.limits ?? (sourceConfig ? limitsFor(ds.quantity, null, sourceConfig) : DEFAULT_LIMITS[ds.quantity]);
      const seconds = r.end ? (r.end.getTime() - r.time.getTime()) / 1000 : (ds.intervalSeconds ?? undefined);
      const why = implausible(value, limits, ds.quantity === 'other' ? cached.text : UNITS[ds.quantity].canonical, seconds);
      if (why) {
        quality = 'invalid';
        reason = why;
      }
    }
  }
  return {
    datastreamId: Number(ds.id),
    time: r.time,
    end: r.end ?? null,
    result: value,
    resultJson,
    resultTime: r.resultTime ?? null,
    quality,
    qualityReason: reason,
    parameters: r.parameters ? JSON.stringify(r.parameters) : null,
    featureOfInterestId: r.featureOfInterestId ?? null,
  };
}

/** Where a reading came from, for an error: its datastream, station and series, and its place in the payload. */
function where(r: ResolvedReading): string {
  return `datastream ${r.datastream.id}${r.station ? ` (${r.station}/${r.stream})` : ''}${r.at ? `, ${r.at}` : ''}`;
}

function unitError(problem: 'missing_unit' | 'incompatible_unit' | 'unknown_unit', unit: string | null, ds: DatastreamRef, where: string, at?: string): IngestError {
  const expected = ds.quantity === 'other' ? `its declared unit "${unitText(ds.unit) ?? ''}"` : `a unit of ${ds.quantity} (stored in ${UNITS[ds.quantity].canonical})`;
  switch (problem) {
    case 'missing_unit':
      return new IngestError('missing_unit', `batch refused: no unit for ${where}; expected ${expected}`, at);
    case 'incompatible_unit':
      return new IngestError('incompatible_unit', `batch refused: unit "${unit}" does not fit ${where}; expected ${expected}`, at);
    case 'unknown_unit':
      return new IngestError('unknown_unit', `batch refused: unknown unit "${unit}" for ${where}; expected ${expected}`, at);
  }
}

/** The source's `config.sentinels`, or the defaults. */
export function readSentinels(raw: unknown): number[] {
  if (!Array.isArray(raw)) return DEFAULT_SENTINELS;
  return raw.map(Number).filter((n) => Number.isFinite(n));
}

/** A number >= 0 from a config value (0 days late: nothing older than the newest reading), or the fallback. */
export function nonNegative(raw: unknown, fallback: number): number {
  const n = Number(raw);
  return raw !== undefined && raw !== null && raw !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}
