import { Injectable } from '@nestjs/common';
import { DCAT_LICENSES, licenseIri } from '../../../dcat-profiles/vocabularies/licenses';
import { ActionProvider, AnyAction, allow, defineAction, NoInput } from '../../api/action';

/**
 * license_list serves the DCAT-AP.de licence list, as GovData's CKAN does: the licence IRI is its id
 * (what license_id holds), with CKAN's licence dict fields.
 */
export const LICENSE_DICTS = DCAT_LICENSES.map((l) => ({
  domain_content: 'False',
  domain_data: l.domain === 'data' ? 'True' : 'False',
  domain_software: l.domain === 'software' ? 'True' : 'False',
  family: '',
  id: licenseIri(l),
  is_generic: l.id.startsWith('other-') ? 'True' : 'False',
  is_okd_compliant: l.isOpen && l.domain === 'data',
  is_osi_compliant: l.isOpen && l.domain === 'software',
  maintainer: '',
  od_conformance: l.isOpen && l.domain === 'data' ? 'approved' : 'not reviewed',
  osd_conformance: l.isOpen && l.domain === 'software' ? 'approved' : 'not reviewed',
  status: 'active',
  title: l.title,
  url: l.url,
}));

@Injectable()
export class LicenseActions implements ActionProvider {
  readonly licenseList = defineAction({
    name: 'license_list',
    help: 'Return the licences a dataset may use: the DCAT-AP.de list (http://dcat-ap.de/def/licenses), each with its IRI as id.',
    sideEffectFree: true,
    anonymous: true,
    input: NoInput,
    auth: async () => allow(),
    handler: async () => LICENSE_DICTS,
  });

  all = (): AnyAction[] => [this.licenseList];
}
