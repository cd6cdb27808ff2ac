import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { Visibility, type DatasetAccess } from '../../auth/visibility';
import { DatasetDicts } from '../../catalog/datasets/dataset-dicts.service';
import { StaWriteError } from './sta-entity-input';
import { StaWriteRepository, type PlainType } from './sta-write.repository';

const forbidden = (what: string): StaWriteError => new StaWriteError(403, 'forbidden', `Not allowed to change ${what}`);

/**
 * The refusal of a write to a Thing of `dataset`: 403 naming it for a caller who may read it, and for one who may not the
 * 404 of an absent Thing, as every read answers them (a refusal must not tell that a private gauge exists, nor its name).
 */
async function refusal(visibility: Visibility, tx: ActionContext, dataset: DatasetAccess, name: string, thingId: number): Promise<StaWriteError> {
  return (await visibility.canRead(tx, dataset)) ? forbidden(`Thing ${thingId} (dataset ${name})`) : new StaWriteError(404, 'not_found', `No Thing with @iot.id ${thingId}`);
}

/**
 * Who may change a SensorThings entity: edit rights in the dataset of each Thing it belongs to (the project's
 * visibility rule, src/auth/visibility.ts); an entity no Thing uses yet, a caller who may add datasets somewhere.
 */
@Injectable()
export class StaPermissions {
  constructor(
    private readonly repo: StaWriteRepository,
    private readonly visibility: Visibility,
    private readonly dicts: DatasetDicts,
  ) {}

  async assertEditThing(tx: ActionContext, thingId: number): Promise<void> {
    const pkg = await this.repo.thingPackage(tx.db, thingId);
    const access = pkg ? await this.dicts.get(tx, pkg) : undefined;
    if (!pkg || !access) throw new StaWriteError(404, 'not_found', `No Thing with @iot.id ${thingId}`);
    if (!(await this.visibility.canEdit(tx, access.visibility))) throw await refusal(this.visibility, tx, access.visibility, access.name, thingId);
  }

  /** An entity shared by Things: editable by who may edit all of them; one no Thing uses, by who may add datasets somewhere. */
  async assertEditShared(tx: ActionContext, type: PlainType | 'HistoricalLocation', id: number): Promise<void> {
    if (!(await this.repo.exists(tx.db, type, id))) throw new StaWriteError(404, 'not_found', `No ${type} with @iot.id ${id}`);
    const users = await this.repo.thingsUsing(tx.db, type, id);
    for (const t of users) await this.assertEditThing(tx, t);
    if (!users.length) await this.assertMayCreate(tx);
  }

  async assertMayCreate(tx: ActionContext): Promise<void> {
    if (tx.isSysadmin) return;
    const orgs = await tx.call<unknown[]>('organization_list_for_user', { permission: 'create_dataset' });
    if (!orgs.length) throw forbidden('SensorThings entities: you may add datasets to no organization');
  }

  /**
   * The Datastreams Observations go to, all checked for the caller before anything is written (the first unknown one
   * a 404, the first not editable a 403); answers each one's Thing. Three queries however many Datastreams.
   */
  async observationTargets(tx: ActionContext, datastreamIds: readonly number[]): Promise<Map<number, number>> {
    const wanted = [...new Set(datastreamIds)];
    const found = await this.repo.datastreams(tx.db, wanted);
    const missing = wanted.find((id) => !found.has(id));
    if (missing !== undefined) throw new StaWriteError(404, 'not_found', `No Datastream with @iot.id ${missing}`);
    const packages = [...new Set([...found.values()].map((d) => d.package_id))];
    const access = new Map((await this.dicts.getMany(tx, packages)).map((d) => [d.id, d]));
    for (const id of wanted) {
      const ds = found.get(id)!;
      const pkg = access.get(ds.package_id);
      if (!pkg) throw new StaWriteError(404, 'not_found', `No Thing with @iot.id ${ds.thing_id}`);
      if (!(await this.visibility.canEdit(tx, pkg.visibility))) throw await refusal(this.visibility, tx, pkg.visibility, pkg.name, ds.thing_id);
    }
    return new Map(wanted.map((id) => [id, found.get(id)!.thing_id]));
  }

  /**
   * Of the Datastreams `datastreamIds`, those the caller may add Observations to: edit rights in the dataset of the
   * Datastream's Thing, as observationTargets asks; unknown ones are left out. For MQTT token publishers, whose
   * messages are refused one by one instead of failing together. Three queries however many Datastreams.
   */
  async editableDatastreams(ctx: ActionContext, datastreamIds: readonly number[]): Promise<Set<number>> {
    const found = await this.repo.datastreams(ctx.db, [...new Set(datastreamIds)]);
    const packages = [...new Set([...found.values()].map((d) => d.package_id))];
    const access = new Map((await this.dicts.getMany(ctx, packages)).map((d) => [d.id, d]));
    const out = new Set<number>();
    for (const [id, ds] of found) {
      const pkg = access.get(ds.package_id);
      if (pkg && (await this.visibility.canEdit(ctx, pkg.visibility))) out.add(id);
    }
    return out;
  }

  /** The Datastream an Observation goes to, checked for the caller; answers its Thing. */
  async observationTarget(tx: ActionContext, datastreamId: number): Promise<number> {
    const ds = await this.repo.datastream(tx.db, datastreamId);
    if (!ds) throw new StaWriteError(404, 'not_found', `No Datastream with @iot.id ${datastreamId}`);
    await this.assertEditThing(tx, ds.thing_id);
    return ds.thing_id;
  }
}
