import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { WriteHooks } from '../../api/write-hooks';
import { IngestError } from '../readings';
import { ObservationUpdates } from './observation-updates';
import { bad, isObject, linkId, StaWriteError, type Json } from './sta-entity-input';
import { StaObservations, type ObservationDraft } from './sta-observations';
import { StaPermissions } from './sta-permissions';

/** The components a dataArray row may have (FROST's CreateObservations; `FeatureOfInterest/id` links one). */
const COMPONENTS = new Set(['phenomenonTime', 'result', 'resultTime', 'resultQuality', 'validTime', 'parameters', 'FeatureOfInterest/id']);

/**
 * FROST-Server's `CreateObservations` (the dataArray extension of OGC 18-088 §14.4): a list of
 * `{ Datastream: {"@iot.id": n}, components: [...], dataArray: [[...], ...] }`, answered with one entry per row in
 * order: the created Observation's selfLink, or "error" for a row that could not be stored (a bad time, an unknown
 * FeatureOfInterest, older than the late window). Each Datastream's rows are written in one transaction through the
 * observations writer; a unit the Datastream cannot take refuses all of that Datastream's rows. The caller needs edit
 * rights in every Datastream's dataset, checked before anything is written (403 otherwise).
 */
@Injectable()
export class StaCreateObservations {
  constructor(
    private readonly permissions: StaPermissions,
    private readonly observations: StaObservations,
    private readonly updates: ObservationUpdates,
    private readonly writeHooks: WriteHooks,
  ) {}

  async run(ctx: ActionContext, body: unknown, selfLink: (id: number) => string): Promise<string[]> {
    if (!Array.isArray(body)) throw bad('CreateObservations takes a JSON list of {Datastream, components, dataArray}');
    const groups = body.map((g, k) => this.group(g, k));
    // Permissions first: a 403 stores nothing.
    const thingOf = await this.permissions.observationTargets(ctx, groups.map((g) => g.datastreamId));
    const prepared = groups.map((g) => {
      const drafts: ObservationDraft[] = [];
      const slot: number[] = [];
      for (const [r, row] of g.rows.entries()) {
        try {
          drafts.push(this.draft(g.datastreamId, g.components, row, `${g.at}.dataArray[${r}]`));
          slot.push(r);
        } catch (err) {
          if (!(err instanceof IngestError || err instanceof StaWriteError)) throw err;
        }
      }
      return { drafts, slot, out: g.rows.map(() => 'error') };
    });
    // All Datastreams in one transaction when each comes once (the answer is the same as group by group, a thousand
    // commits fewer); if the writer refuses any of them, group by group, so only that Datastream's rows fail.
    const distinct = new Set(groups.map((g) => g.datastreamId)).size === groups.length;
    if (!(distinct && prepared.length > 1 && (await this.storeAll(ctx, prepared, thingOf, selfLink)))) {
      for (const p of prepared) {
        if (!p.drafts.length) continue;
        try {
          await ctx.forRun().transaction(async (tx) => {
            const ids = await this.storeEach(tx, p.drafts, thingOf);
            ids.forEach((id, k) => (p.out[p.slot[k]] = id === null ? 'error' : selfLink(id)));
            this.updates.afterCommit(tx, ids);
            await this.record(tx, 1, ids);
          });
        } catch (err) {
          if (!(err instanceof IngestError || err instanceof StaWriteError)) throw err;
          p.out.fill('error');
          ctx.log.info({ err: err.message }, 'CreateObservations: a Datastream\'s rows were refused');
        }
      }
    }
    return prepared.flatMap((p) => p.out);
  }

  /** The audit trail's record of one transaction of CreateObservations: counts, not the rows. */
  private record(tx: ActionContext, datastreams: number, ids: (number | null)[]): Promise<void> {
    const stored = ids.filter((id) => id !== null).length;
    return this.writeHooks.recordWrite(tx, 'sta_create_observations', { datastreams, rows: ids.length, stored, refused: ids.length - stored });
  }

  /** Every group's rows in one transaction; false, with nothing stored, if the writer refused any. */
  private async storeAll(ctx: ActionContext, prepared: { drafts: ObservationDraft[]; slot: number[]; out: string[] }[], thingOf: Map<number, number>, selfLink: (id: number) => string): Promise<boolean> {
    const drafts = prepared.flatMap((p) => p.drafts);
    if (!drafts.length) return true;
    let ids: (number | null)[];
    try {
      ids = await ctx.forRun().transaction(async (tx) => {
        const stored = await this.storeEach(tx, drafts, thingOf);
        this.updates.afterCommit(tx, stored);
        await this.record(tx, prepared.length, stored);
        return stored;
      });
    } catch (err) {
      if (!(err instanceof IngestError || err instanceof StaWriteError)) throw err;
      return false;
    }
    let k = 0;
    for (const p of prepared) {
      for (const r of p.slot) {
        const id = ids[k++];
        p.out[r] = id === null ? 'error' : selfLink(id);
      }
    }
    return true;
  }

  /** Stores the rows; a FeatureOfInterest link that does not exist fails its row only. */
  private async storeEach(tx: ActionContext, drafts: ObservationDraft[], thingOf: Map<number, number>): Promise<(number | null)[]> {
    const ok: ObservationDraft[] = [];
    const index: number[] = [];
    for (const [k, d] of drafts.entries()) {
      try {
        if (d.message.featureOfInterest !== undefined) d.message.featureOfInterest = { '@iot.id': await this.observations.featureOf(tx.db, thingOf.get(d.datastreamId)!, d.message.featureOfInterest) };
        ok.push(d);
        index.push(k);
      } catch (err) {
        if (!(err instanceof StaWriteError)) throw err;
      }
    }
    const ids: (number | null)[] = drafts.map(() => null);
    const stored = await this.observations.store(tx.db, ok, thingOf);
    stored.forEach((id, k) => (ids[index[k]] = id));
    return ids;
  }

  private group(g: unknown, k: number): { datastreamId: number; components: string[]; rows: unknown[][]; at: string } {
    const at = `[${k}]`;
    if (!isObject(g)) throw bad(`${at}: each entry is {Datastream, components, dataArray}`);
    if (g.MultiDatastream !== undefined) throw bad(`${at}: MultiDatastreams are not supported by this service`);
    const datastreamId = linkId(g.Datastream);
    if (datastreamId === undefined) throw bad(`${at}: Datastream must be {"@iot.id": n}`);
    const components = g.components;
    if (!Array.isArray(components) || !components.every((c) => typeof c === 'string')) throw bad(`${at}: components must be a list of property names`);
    for (const c of components) if (!COMPONENTS.has(c)) throw bad(`${at}: unknown component ${c} (known: ${[...COMPONENTS].join(', ')})`);
    if (!components.includes('result')) throw bad(`${at}: components must include result`);
    if (!Array.isArray(g.dataArray) || !g.dataArray.every((r) => Array.isArray(r))) throw bad(`${at}: dataArray must be a list of rows`);
    return { datastreamId, components: components as string[], rows: g.dataArray as unknown[][], at };
  }

  private draft(datastreamId: number, components: string[], row: unknown[], at: string): ObservationDraft {
    if (row.length !== components.length) throw new StaWriteError(400, 'bad_request', `${at}: ${row.length} values for ${components.length} components`);
    const body: Json = {};
    components.forEach((c, i) => {
      if (c === 'FeatureOfInterest/id') body.FeatureOfInterest = { '@iot.id': row[i] };
      else body[c] = row[i];
    });
    return this.observations.draft(datastreamId, body);
  }
}
