import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { NotAuthorized } from '../../api/errors';
import { DatasetChanges } from '../datasets/dataset-changes';
import { GroupRepository, GroupRow } from './group.repository';

/** The membership writes *_member_create/_delete and member_create/_delete share. */
@Injectable()
export class GroupMembers {
  constructor(private readonly groups: GroupRepository, private readonly changes: DatasetChanges) {}

  /** Makes the user a member with `role`, or changes their role. CKAN refuses an admin demoting themselves. */
  async setUser(ctx: ActionContext, g: GroupRow, userId: string, role: string): Promise<{ id: string; created: string }> {
    const current = await this.groups.capacityOf(ctx.db, g.id, userId);
    if (current === 'admin' && role !== 'admin' && userId === ctx.user?.id) {
      throw new NotAuthorized('Administrators cannot revoke their own admin status');
    }
    const member = await this.groups.setMember(ctx.db, g.id, userId, role);
    ctx.forgetMemberships();
    return member;
  }

  async removeUser(ctx: ActionContext, g: GroupRow, userId: string): Promise<void> {
    await this.groups.removeMember(ctx.db, g.id, userId);
    ctx.forgetMemberships();
  }

  /** Puts a dataset into a group, or takes it out; a dataset that joins or leaves gets a new metadata_modified and is reindexed. */
  async setDataset(ctx: ActionContext, groupId: string, datasetId: string, isIn: boolean): Promise<void> {
    const current = await this.groups.packageIds(ctx.db, groupId);
    if (current.includes(datasetId) === isIn) return;
    const next = isIn ? [...current, datasetId] : current.filter((id) => id !== datasetId);
    await this.changes.changed(ctx, await this.groups.setPackages(ctx.db, groupId, next));
  }
}
