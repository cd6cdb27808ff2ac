import type { QuantityKey } from '../readings';

/**
 * Plausible ranges per quantity, in its canonical unit (units.ts). A value outside is kept as sent and flagged
 * `invalid` with a reason, never clamped: a steward sees what the sensor said. Overridable per datastream
 * (`properties.limits`) and per source (`config.limits[quantity]`), the datastream's winning.
 */
export interface Limits {
  min?: number;
  max?: number;
  /**
   * For counts per interval: the most vehicles one datastream (a lane, by default) passes in an hour; the maximum of
   * a reading is this rate over its interval (9,000 vehicles in 5 minutes on one lane are implausible, in a day not).
   */
  maxPerHour?: number;
}

/**
 * Defaults. Water level: a gauge's W is over its own zero and may go below it in droughts; −10 m..+30 m holds every
 * German gauge (the highest floods reach about 13 m). A lane carries at most about 2,400 vehicles an hour; 3,000 leaves
 * room for short peaks. Speed: no road vehicle measured by a detector goes 300 km/h.
 */
export const DEFAULT_LIMITS: Readonly<Record<QuantityKey, Limits>> = {
  water_level: { min: -1000, max: 3000 },
  discharge: { min: 0, max: 100_000 },
  water_temperature: { min: -5, max: 45 },
  air_temperature: { min: -60, max: 60 },
  vehicle_count: { min: 0, maxPerHour: 3000 },
  vehicle_flow: { min: 0, max: 10_000 },
  speed: { min: 0, max: 300 },
  occupancy: { min: 0, max: 100 },
  other: {},
};

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** Reads `{ min, max, max_per_hour | maxPerHour }` leniently; unknown keys are ignored. */
export function parseLimits(raw: unknown): Limits {
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const out: Limits = {};
  const min = num(r.min);
  const max = num(r.max);
  const perHour = num(r.max_per_hour ?? r.maxPerHour);
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  if (perHour !== undefined) out.maxPerHour = perHour;
  return out;
}

/** The limits in force for a datastream: defaults, then the source's for the quantity, then the datastream's own. */
export function limitsFor(quantity: QuantityKey, datastreamProperties: unknown, sourceConfig: unknown): Limits {
  const fromSource = (sourceConfig as { limits?: Record<string, unknown> } | null | undefined)?.limits?.[quantity];
  const fromDatastream = (datastreamProperties as { limits?: unknown } | null | undefined)?.limits;
  return { ...DEFAULT_LIMITS[quantity], ...parseLimits(fromSource), ...parseLimits(fromDatastream) };
}

/**
 * Why `value` (canonical unit) is implausible, or null if it is not. `intervalSeconds`: the reading's interval, for
 * counts per interval.
 */
export function implausible(value: number, limits: Limits, unit: string, intervalSeconds?: number): string | null {
  if (limits.min !== undefined && value < limits.min) return `out of range: ${value} ${unit} is below ${limits.min} ${unit}`;
  if (limits.max !== undefined && value > limits.max) return `out of range: ${value} ${unit} is above ${limits.max} ${unit}`;
  if (limits.maxPerHour !== undefined && intervalSeconds !== undefined && intervalSeconds > 0) {
    const max = (limits.maxPerHour * intervalSeconds) / 3600;
    if (value > max) return `out of range: ${value} ${unit} in ${formatSeconds(intervalSeconds)} is above ${max} (${limits.maxPerHour} an hour)`;
  }
  return null;
}

function formatSeconds(s: number): string {
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}
