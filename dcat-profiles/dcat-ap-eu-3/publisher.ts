import { named, Term, WriteScope } from '../../src/dcat/profile';

/**
 * The node of a dataset's publisher, the same for every part that names it (the dataset, its DataServices): the
 * publisher_uri the steward gave, else the organization's page when the dataset inherits its publisher, else a node
 * under the dataset's IRI. Undefined when there is no publisher to name.
 */
export function publisherNode(s: WriteScope): { node: Term; name: string; own: boolean } | undefined {
  const org = s.organization;
  const name = s.get('publisher_name', { inherit: true }) ?? org?.title ?? org?.name;
  if (!name) return undefined;
  const own = s.get('publisher_name') !== undefined;
  const uri = s.get('publisher_uri', { inherit: !own });
  const given = uri && /^https?:\/\//.test(uri) ? s.value('iri', uri) : undefined; // a URI typed with spaces is no IRI: not written
  const node = given ?? (!own && org ? named(`${s.siteUrl}/organization/${org.id}`) : named(`${s.node.value}#publisher`));
  return { node, name, own };
}
