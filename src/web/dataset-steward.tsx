import type { VNode } from 'preact';
import type { ActionContext } from '../api/action-context';
import { DatasetStewardPart, WorkflowDict } from './pages/access';
import type { PageEnv } from './pages/layout';

/** The dataset page's steward part (issue 17): its workflow state and note, submit for approval, the access page link (`mayEdit`: steward-parts' mayEditDataset). */
export async function datasetStewardPart(ctx: ActionContext, env: PageEnv, d: WorkflowDict, mayEdit: boolean): Promise<VNode | null> {
  if (!mayEdit && d.state !== 'draft' && d.state !== 'pending') return null;
  return <DatasetStewardPart env={env} d={d} mayEdit={mayEdit} mayApprove={d.state === 'pending' && (await mayApprove(ctx, d))} />;
}

/** Whether the caller is an admin of the dataset's organization (the hierarchy's included) or a sysadmin: an approver. */
async function mayApprove(ctx: ActionContext, d: WorkflowDict): Promise<boolean> {
  const owner = d.owner_org ?? d.organization?.id;
  if (!owner) return false;
  const orgs = await ctx.call<{ id: string }[]>('organization_list_for_user', { permission: 'admin' });
  return orgs.some((o) => o.id === owner);
}
