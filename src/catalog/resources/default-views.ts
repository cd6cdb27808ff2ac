import { Injectable, OnModuleInit } from '@nestjs/common';
import { DatasetChanges } from '../datasets/dataset-changes';
import { ResourceViewRepository } from './resource-view.repository';

/**
 * CKAN's default resource views: package_create, package_update and resource_create (and through them every
 * resource write, the DataStore's datastore_active flag included) add an image_view to image resources and a
 * datatables_view to DataStore resources that lack one, in the writing transaction.
 * CKAN compat: as CKAN's package_update, a deleted default view comes back with the dataset's next write.
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
