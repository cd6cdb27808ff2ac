import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { DatasetDerived } from '../catalog/datasets/dataset-derived';
import { DcatService } from './dcat.service';
import { DcatValidation } from './dcat-validation';
import { assessQuality, ComplianceVerdict, QualityReport } from './metadata-quality';
import { Dict } from './profile';

/**
 * Keeps each dataset's metadata quality (src/dcat/metadata-quality.ts) as its derived field `quality`: scored after
 * every dataset and resource write with that write's DCAT-AP.de verdict (DcatModule's write check), and on demand
 * (package_quality_refresh, `cli dcat quality`) for datasets written before, or after their organization changed.
 */
@Injectable()
export class MetadataQuality {
  constructor(private readonly dcat: DcatService, private readonly validation: DcatValidation, private readonly derived: DatasetDerived) {}

  /** Scores dataset dict `dict` (as just written) and keeps the result; `compliance` undefined: no validation ran. */
  async keep(ctx: ActionContext, dict: Dict, compliance?: ComplianceVerdict): Promise<QualityReport> {
    const orgId = dict.owner_org as string | undefined;
    const org = orgId ? (await this.dcat.organizations(ctx.withIgnoreAuth(), [orgId])).get(orgId) : undefined;
    const quality = assessQuality(dict, compliance, org);
    await this.derived.set(ctx, String(dict.id), 'quality', quality);
    return quality;
  }

  /** Scores a stored dataset anew, validating it as its writes are (its organization's mode; none when that is off). */
  async refresh(ctx: ActionContext, idOrName: string): Promise<QualityReport> {
    const dict = await ctx.withIgnoreAuth().call<Dict>('package_show', { id: idOrName });
    const mode = await this.validation.modeFor(ctx, dict);
    const compliance = mode === 'off' ? undefined : { violations: (await this.validation.report(ctx, dict, mode, false)).violations };
    return this.keep(ctx, dict, compliance);
  }
}
