import { Injectable, OnModuleInit } from '@nestjs/common';
import { DatasetChanges } from '../datasets/dataset-changes';
import { ResourceViewRepository } from './resource-view.repository';

/**
 * CKAN's default resource views: every dataset write (and through them the DataStore's datastore_active flag) adds
 * an image_view to image resources and a datatables_view to DataStore resources that have not been offered one
 * yet, in the writing transaction. So, as in CKAN, a resource gets its default views when it is created, when its
 * format becomes an image's and when it enters the DataStore, and a default view a steward deleted stays deleted.
 * CKAN compat: CKAN's package_update adds none to resources it creates; here they get them too.
 */
@Injectable()
export class DefaultViews implements OnModuleInit {
  constructor(private readonly changes: DatasetChanges, private readonly views: ResourceViewRepository) {}

  onModuleInit(): void {
    this.changes.onWrite(async (ctx, ids) => {
      await this.views.addDefaultViews(ctx.db, ids);
    });
  }
}
