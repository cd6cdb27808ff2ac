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

  /**
   * Scores dataset dict `dict` (as just written) and keeps the result. `compliance` undefined: this write ran no
   * validation (`dcat_validation: off`, as the DataStore's and sensors' own resource updates ask), so the verdict of the
   * last write that did stands; a dataset never validated has it "not checked".
   */
  async keep(ctx: ActionContext, dict: Dict, compliance?: ComplianceVerdict): Promise<QualityReport> {
    const orgId = dict.owner_org as string | undefined;
    const org = orgId ? (await this.dcat.organizations(ctx.withIgnoreAuth(), [orgId])).get(orgId) : undefined;
    const quality = assessQuality(dict, compliance ?? lastVerdict(dict), org);
    await this.derived.set(ctx, String(dict.id), 'quality', quality);
    return quality;
  }

  /** Scores a stored dataset anew, validating it as its writes are (its organization's mode; none when that is off). */
  async refresh(ctx: ActionContext, idOrName: string): Promise<QualityReport> {
    const dict = await ctx.withIgnoreAuth().call<Dict>('package_show', { id: idOrName });
    const mode = await this.validation.modeFor(ctx, dict);
    const compliance = mode === 'off' ? undefined : { conforms: (await this.validation.report(ctx, dict, mode, false)).conforms };
    return this.keep(ctx, dict, compliance);
  }
}

/** The DCAT-AP compliance verdict the dataset's kept quality holds (its dict shows it), if one was checked. */
function lastVerdict(dict: Dict): ComplianceVerdict | undefined {
  const kept = (dict.quality as QualityReport | undefined)?.indicators?.find((i) => i.indicator === 'dcat_ap_compliance');
  return typeof kept?.met === 'boolean' ? { conforms: kept.met } : undefined;
}
