import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '../../database/prepared';
import { isUuid } from '../../api/ckan-schema';

export interface ResourceViewRow {
  id: string;
  resource_id: string;
  title: string;
  description: string | null;
  view_type: string;
  position: number;
  config: Record<string, unknown>;
}

export interface ResourceViewValues {
  title: string;
  description: string | null;
  config: Record<string, unknown>;
}

const COLUMNS = 'id, resource_id, title, description, view_type, position, config';

/** Every query on the resource_view table. */
@Injectable()
export class ResourceViewRepository {
  async find(db: EntityManager, id: string): Promise<ResourceViewRow | null> {
    if (!isUuid(id)) return null;
    const rows: ResourceViewRow[] = await db.query(`SELECT ${COLUMNS} FROM resource_view WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** A resource's views in their order. */
  async listForResource(db: EntityManager, resourceId: string): Promise<ResourceViewRow[]> {
    return db.query(`SELECT ${COLUMNS} FROM resource_view WHERE resource_id = $1 ORDER BY position, id`, [resourceId]);
  }

  /** Appends a view after the resource's last one (CKAN: last order + 1). */
  async insert(db: EntityManager, id: string, resourceId: string, viewType: string, v: ResourceViewValues): Promise<void> {
    await db.query(
      `INSERT INTO resource_view (id, resource_id, title, description, view_type, config, position)
       VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(MAX(position) + 1, 0) FROM resource_view WHERE resource_id = $2))`,
      [id, resourceId, v.title, v.description, viewType, JSON.stringify(v.config)],
    );
  }

  async update(db: EntityManager, id: string, v: ResourceViewValues): Promise<void> {
    await db.query(`UPDATE resource_view SET title = $2, description = $3, config = $4 WHERE id = $1`, [id, v.title, v.description, JSON.stringify(v.config)]);
  }

  async delete(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM resource_view WHERE id = $1`, [id]);
  }

  /** Numbers the given views 0, 1, ... in the order given. */
  async setOrder(db: EntityManager, resourceId: string, ids: string[]): Promise<void> {
    await db.query(
      `UPDATE resource_view v SET position = o.n - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, n) WHERE v.id = o.id AND v.resource_id = $1`,
      [resourceId, ids],
    );
  }

  /**
   * CKAN's add_views_to_dataset_resources for the default view types (ckan.views.default_views = image_view
   * datatables_view): each active resource of these datasets that a type can show and that has no view of that
   * type gets one, after its other views. image_view shows the image formats (ckan.preview.image_formats),
   * datatables_view resources in the DataStore. A type is offered to a resource once (recorded in
   * resource_default_view), so a deleted default view stays deleted; `only.again` (the
   * *_create_default_resource_views actions) offers it anew.
   */
  async addDefaultViews(
    db: EntityManager,
    datasetIds: string[],
    only: { resourceId?: string; datastoreViews?: boolean; again?: boolean } = {},
  ): Promise<ResourceViewRow[]> {
    const created: ResourceViewRow[] = [];
    const defaults: [viewType: string, title: string, shows: string][] = [
      ['image_view', 'Image', `lower(coalesce(r.format, '')) IN ('png', 'jpeg', 'jpg', 'gif')`],
      ['datatables_view', 'Table', `r.extras->'datastore_active' = 'true'::jsonb`],
    ];
    for (const [viewType, title, shows] of defaults) {
      if (viewType === 'datatables_view' && only.datastoreViews === false) continue;
      // Prepared (planned once per connection): it runs on every dataset write, and planning it cost more than running it.
      const rows = await preparedQuery<ResourceViewRow>(db, `default-views:${viewType}:${only.resourceId ? 'one' : 'all'}:${only.again ? 'again' : 'once'}`,
        `WITH due AS (
           SELECT r.id FROM resource r
           WHERE r.package_id = ANY($1::uuid[]) AND r.state = 'active' AND ${shows}
             -- The dataset's state by its key, row by row: as a join, statistics from when the tables were small
             -- had it read all of package on every write (3 ms a dataset at 10,000 harvested).
             AND (SELECT p.state FROM package p WHERE p.id = r.package_id) = 'active'
             ${only.resourceId ? 'AND r.id = $4' : ''}
             ${only.again ? '' : 'AND NOT EXISTS (SELECT 1 FROM resource_default_view o WHERE o.resource_id = r.id AND o.view_type = $3)'}
         ), offered AS (
           INSERT INTO resource_default_view (resource_id, view_type) SELECT id, $3 FROM due ON CONFLICT DO NOTHING
         )
         INSERT INTO resource_view (id, resource_id, title, description, view_type, config, position)
         SELECT gen_random_uuid(), due.id, $2, '', $3, '{}'::jsonb,
                (SELECT COALESCE(MAX(v.position) + 1, 0) FROM resource_view v WHERE v.resource_id = due.id)
         FROM due WHERE NOT EXISTS (SELECT 1 FROM resource_view v WHERE v.resource_id = due.id AND v.view_type = $3)
         RETURNING ${COLUMNS}`,
        only.resourceId ? [datasetIds, title, viewType, only.resourceId] : [datasetIds, title, viewType],
      );
      created.push(...rows);
    }
    return created;
  }

  /** Deletes every view, or only those of the given types. */
  async clear(db: EntityManager, viewTypes: string[] | null): Promise<void> {
    if (viewTypes) await db.query(`DELETE FROM resource_view WHERE view_type = ANY($1)`, [viewTypes]);
    else await db.query(`DELETE FROM resource_view`);
  }
}
