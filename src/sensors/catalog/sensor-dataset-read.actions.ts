import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { ActionProvider, AnyAction, allow, defineAction, deny } from '../../api/action';
import { NotFound } from '../../api/errors';
import { isUuid } from '../../api/ckan-schema';
import { Visibility } from '../../auth/visibility';
import { DatasetDicts } from '../../catalog/datasets/dataset-dicts.service';
import type { CachedDataset } from '../../catalog/datasets/dataset-dict.cache';
import { MANY_MAX, SensorDatasetIdInput, SensorDatasetIdsInput } from './sensor-source.dto';
import { QUANTITIES } from './sensor-quantities';
import { SensorThingRepository, StreamSummaryRow } from './sensor-thing.repository';

/** What the observations of a sensor dataset cover (sensor_dataset_period); DCAT publishes it as dcterms:temporal. */
export interface SensorDatasetPeriod {
  id: string;
  /** The first observation's phenomenon time (ISO 8601, UTC), null while the dataset has none. */
  start: string | null;
  /** Always null: a live dataset has no end. */
  end: null;
}

/** sensor_dataset_period. */
@Injectable()
export class SensorDatasetReadActions implements ActionProvider {
  constructor(private readonly things: SensorThingRepository, private readonly dicts: DatasetDicts, private readonly visibility: Visibility) {}

  private async load(ctx: ActionContext, id: string): Promise<CachedDataset> {
    const d = await this.dicts.get(ctx, id);
    if (!d) throw new NotFound('Dataset not found');
    return d;
  }

  /** package_show's read rule for the dataset (404 when there is none). */
  private async mayRead(ctx: ActionContext, id: string): Promise<ReturnType<typeof allow> | ReturnType<typeof deny>> {
    const d = await this.load(ctx, id);
    return (await this.visibility.canRead(ctx, d.visibility)) ? allow() : deny(`User ${ctx.user?.name ?? ''} not authorized to read package ${d.id}`);
  }

  readonly period = defineAction({
    name: 'sensor_dataset_period',
    help: `Return the time a sensor dataset's observations cover: {id, start, end}, start the phenomenon time of its first
observation over all its datastreams (ISO 8601, UTC) or null while it has none (also for a dataset that is no sensor
dataset), end always null, as the dataset is live. Params: id (id or name of the dataset). Who may call: whoever may read
the dataset (package_show's rule).`,
    sideEffectFree: true,
    anonymous: true,
    input: SensorDatasetIdInput,
    auth: (ctx, { id }) => this.mayRead(ctx, id),
    handler: async (ctx, { id }): Promise<SensorDatasetPeriod> => {
      const d = await this.load(ctx, id);
      return { id: d.id, start: await this.things.firstObservationAt(ctx.db, d.id), end: null };
    },
  });

  readonly streams = defineAction({
    name: 'sensor_dataset_streams',
    help: `Return the Datastreams of a sensor dataset as charts and maps show them: a list of {id (the Datastream's
@iot.id), name, thing, quantity, kind (water, traffic, weather, other), unit, resource_id (its DataStore resource),
latest ({time, result} or null), thresholds (a gauge's characteristic values MNW, MW, MHW, HSW in the stream's unit,
those it has), location ([longitude, latitude] of its Thing or null), state}. state is a water level's latest value
against its thresholds: below_mnw, normal, above_mhw, above_hsw, or unknown (no value, no thresholds, no water level).
An empty list for a dataset that is no sensor dataset. Params: id (id or name of the dataset). Who may call: whoever
may read the dataset (package_show's rule).`,
    sideEffectFree: true,
    anonymous: true,
    input: SensorDatasetIdInput,
    auth: (ctx, { id }) => this.mayRead(ctx, id),
    handler: async (ctx, { id }): Promise<SensorStreamSummary[]> => {
      const d = await this.load(ctx, id);
      return (await this.things.streamsOfPackages(ctx.db, [d.id])).map(streamSummary);
    },
  });

  readonly streamsOfMany = defineAction({
    name: 'sensor_datasets_streams',
    help: `Return the Datastreams of many sensor datasets at once, as sensor_dataset_streams gives them for one: a dict
{<dataset id>: [streams]} holding only the datasets the caller may read (package_show's rule); ids of datasets that do not
exist or that the caller may not read are left out, so an overview page needs one call instead of one per dataset.
Params: ids (list of dataset ids, at most ${MANY_MAX}). Who may call: anyone; each dataset as the caller may read it.`,
    sideEffectFree: true,
    anonymous: true,
    input: SensorDatasetIdsInput,
    auth: async () => allow(),
    handler: async (ctx, { ids }): Promise<Record<string, SensorStreamSummary[]>> => {
      // Ids only (package_search's): anything else names no dataset here and is left out like a missing one.
      const found = await this.dicts.getMany(ctx, [...new Set(ids.map((id) => id.toLowerCase()))].filter(isUuid));
      const readable: string[] = [];
      for (const d of found) if (await this.visibility.canRead(ctx, d.visibility)) readable.push(d.id);
      const out: Record<string, SensorStreamSummary[]> = Object.fromEntries(readable.map((id) => [id, []]));
      if (!readable.length) return out;
      for (const row of await this.things.streamsOfPackages(ctx.db, readable)) out[row.package_id]?.push(streamSummary(row));
      return out;
    },
  });

  all = (): AnyAction[] => [this.period, this.streams, this.streamsOfMany];
}

export type GaugeState = 'below_mnw' | 'normal' | 'above_mhw' | 'above_hsw' | 'unknown';
export const THRESHOLD_KEYS = ['MNW', 'MW', 'MHW', 'HSW'] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];

/** One Datastream of sensor_dataset_streams. */
export interface SensorStreamSummary {
  id: number;
  name: string;
  thing: string;
  quantity: string;
  kind: string;
  unit: string | null;
  resource_id: string | null;
  latest: { time: string; result: number | null } | null;
  thresholds: Partial<Record<ThresholdKey, number>>;
  location: [number, number] | null;
  state: GaugeState;
}

/** The characteristic values a gauge's Datastream keeps (PEGELONLINE: properties.characteristicValues.MNW.value ...). */
export function thresholdsOf(properties: Record<string, unknown> | null): Partial<Record<ThresholdKey, number>> {
  const cv = (properties?.characteristicValues ?? properties?.thresholds) as Record<string, unknown> | undefined;
  const out: Partial<Record<ThresholdKey, number>> = {};
  if (!cv || typeof cv !== 'object') return out;
  for (const key of THRESHOLD_KEYS) {
    const v = cv[key];
    const n = typeof v === 'number' ? v : v && typeof v === 'object' ? (v as { value?: unknown }).value : undefined;
    if (typeof n === 'number' && Number.isFinite(n)) out[key] = n;
  }
  return out;
}

/** A water level's state against its thresholds: above HSW, above MHW, below MNW, normal, or unknown. */
export function gaugeState(quantity: string, value: number | null | undefined, t: Partial<Record<ThresholdKey, number>>): GaugeState {
  if (quantity !== 'water_level' || typeof value !== 'number' || !Number.isFinite(value)) return 'unknown';
  if (t.HSW === undefined && t.MHW === undefined && t.MNW === undefined) return 'unknown';
  if (t.HSW !== undefined && value >= t.HSW) return 'above_hsw';
  if (t.MHW !== undefined && value >= t.MHW) return 'above_mhw';
  if (t.MNW !== undefined && value <= t.MNW) return 'below_mnw';
  return 'normal';
}

/** A point's coordinates from a Location's GeoJSON (a Point, or a Feature with one). */
function pointOf(location: unknown): [number, number] | null {
  const l = location as { type?: string; geometry?: unknown; coordinates?: unknown } | null;
  const g = (l?.type === 'Feature' ? l.geometry : l) as { type?: string; coordinates?: unknown } | null;
  if (g?.type !== 'Point' || !Array.isArray(g.coordinates)) return null;
  const [x, y] = g.coordinates as unknown[];
  return typeof x === 'number' && typeof y === 'number' ? [x, y] : null;
}

function streamSummary(r: StreamSummaryRow): SensorStreamSummary {
  const thresholds = thresholdsOf(r.properties);
  const result = r.latest_result === null ? null : Number(r.latest_result);
  const latest = r.latest_time ? { time: new Date(r.latest_time).toISOString(), result } : null;
  return {
    id: r.id, name: r.name, thing: r.thing, quantity: r.quantity, kind: QUANTITIES[r.quantity as keyof typeof QUANTITIES]?.kind ?? 'other',
    unit: r.unit, resource_id: r.resource_id, latest, thresholds, location: pointOf(r.location), state: gaugeState(r.quantity, latest?.result, thresholds),
  };
}
