import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ANONYMOUS, readableSql } from '../../auth/visibility';
import { MODEL } from '../sta/query';

type Row = Record<string, unknown>;

/** An active `mqtt` source as its subscriptions need it. */
export interface MqttSourceRow {
  id: string;
  name: string;
  /** The organization the source and its datasets belong to. */
  owner_org: string;
  config: {
    url?: string; username?: string; password?: string; protocol_version?: number; shared_group?: string; topic: string; payload: 'sta' | 'flat' | 'tts'; topic_pattern?: string; time_zone?: string;
    devices?: { device_id: string; station: string; fields: Record<string, string> }[];
  };
}

/** The queries of the live paths: mqtt sources and what they did, and the Observations "receive updates" may publish. */
@Injectable()
export class LiveRepository {
  activeMqttSources(db: EntityManager): Promise<MqttSourceRow[]> {
    return db.query(`SELECT id, name, owner_org, config FROM sensor_source WHERE type = 'mqtt' AND state = 'active' ORDER BY name`);
  }

  /**
   * What a message did, on its source: when it last ran and succeeded, its counts; a refused message's error as
   * last_error, a stored message's warnings (parts it skipped) as last_warnings, kept until newer ones come.
   */
  async recordMqttMessage(db: EntityManager, sourceId: string, o: { success: boolean; stored: number; problem: unknown }): Promise<void> {
    await db.query(
      `UPDATE sensor_source SET last_run_at = now(),
              last_success_at = CASE WHEN $2 THEN now() ELSE last_success_at END,
              last_error = CASE WHEN $2 THEN NULL ELSE COALESCE($3::jsonb, last_error) END,
              last_warnings = CASE WHEN $2 AND $3::jsonb IS NOT NULL THEN $3::jsonb ELSE last_warnings END,
              counts = counts || jsonb_build_object('messages', COALESCE((counts->>'messages')::bigint, 0) + 1,
                                                    'stored', COALESCE((counts->>'stored')::bigint, 0) + $4::bigint)
        WHERE id = $1`,
      [sourceId, o.success, o.problem === null ? null : JSON.stringify(o.problem), o.stored],
    );
  }

  /**
   * The Observations of `ids` anonymous readers may read (their Thing's dataset public and active), each with its
   * Datastream id (`@datastream`) and the properties GET /Observations(id) serves, by name.
   */
  anonymouslyReadableObservations(db: EntityManager, ids: readonly number[]): Promise<Row[]> {
    const def = MODEL.Observation;
    const params: unknown[] = [ids];
    const columns = def.defaultSelect.map((p) => `${def.properties[p].out('o')} AS "${p}"`).join(', ');
    // The Observations first, by their id index (a probe per partition), then their datasets: joined plainly, the planner
    // starts from the public datasets and walks every Observation of each of their Datastreams (21 ms for 10 ids with
    // 50,000 rows stored; it grows with the table).
    return db.query(
      `WITH o AS MATERIALIZED (SELECT * FROM sensor_observation WHERE id = ANY($1::bigint[]))
       SELECT o.datastream_id AS "@datastream", ${columns}
         FROM o JOIN sensor_datastream d ON d.id = o.datastream_id JOIN sensor_thing t ON t.id = d.thing_id
         JOIN package vp ON vp.id = t.package_id
        WHERE o.id = ANY($1::bigint[]) AND ${readableSql(ANONYMOUS, params, 'vp')} ORDER BY o.id`,
      params,
    );
  }
}
