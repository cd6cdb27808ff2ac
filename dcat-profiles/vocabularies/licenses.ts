/**
 * The DCAT-AP.de licence list (scheme http://dcat-ap.de/def/licenses, version 20200715): identifier,
 * German title, reference URL and GovData's openness flag for each of its 34 licences. Our own table,
 * written from the published vocabulary; the running service never reads that file.
 * `attribution`: the licence requires naming the source (dcatde:licenseAttributionByText must then be given).
 */
export const LICENSE_SCHEME = 'http://dcat-ap.de/def/licenses';

export interface DcatLicense {
  /** dcat-ap.de identifier, the IRI's last part: 'dl-by-de/2.0'. */
  id: string;
  title: string;
  url: string;
  isOpen: boolean;
  domain: 'data' | 'software';
  attribution: boolean;
}

export const DCAT_LICENSES: readonly DcatLicense[] = [
  { id: "apache", title: "Freie Softwarelizenz der Apache Software Foundation", url: "http://www.apache.org/licenses", isOpen: true, domain: 'software', attribution: false },
  { id: "bsd", title: "BSD Lizenz", url: "http://www.opensource.org/licenses/bsd-license.php", isOpen: true, domain: 'software', attribution: false },
  { id: "cc-by", title: "Creative Commons Namensnennung (CC-BY)", url: "http://www.opendefinition.org/licenses/cc-by", isOpen: true, domain: 'data', attribution: true },
  { id: "cc-by/4.0", title: "Creative Commons Namensnennung – 4.0 International (CC BY 4.0)", url: "http://creativecommons.org/licenses/by/4.0/", isOpen: true, domain: 'data', attribution: true },
  { id: "cc-by-de/3.0", title: "Creative Commons Namensnennung 3.0 Deutschland (CC BY 3.0 DE)", url: "https://creativecommons.org/licenses/by/3.0/de/", isOpen: true, domain: 'data', attribution: true },
  { id: "cc-by-nc", title: "Creative Commons Namensnennung - Nicht kommerziell (CC BY-NC)", url: "http://creativecommons.org/licenses/by-nc/", isOpen: false, domain: 'data', attribution: true },
  { id: "cc-by-nc-de/3.0", title: "Creative Commons Namensnennung-Nicht kommerziell 3.0 Deutschland (CC BY-NC 3.0 DE)", url: "https://creativecommons.org/licenses/by-nc/3.0/de/", isOpen: false, domain: 'data', attribution: true },
  { id: "cc-by-nc/4.0", title: "Creative Commons Namensnennung - Nicht kommerziell 4.0 International (CC BY-NC 4.0)", url: "http://creativecommons.org/licenses/by-nc/4.0/", isOpen: false, domain: 'data', attribution: true },
  { id: "cc-by-nd", title: "Creative Commons Namensnennung - Keine Bearbeitung (CC BY-ND)", url: "http://creativecommons.org/licenses/by-nd/3.0/", isOpen: false, domain: 'data', attribution: true },
  { id: "cc-by-nd/3.0", title: "Creative Commons Namensnennung -- Keine Bearbeitung 3.0 Unported (CC BY-ND 3.0)", url: "http://creativecommons.org/licenses/by-nd/3.0/", isOpen: false, domain: 'data', attribution: true },
  { id: "cc-by-nd/4.0", title: "Creative Commons Namensnennung - - Keine Bearbeitung 4.0 International (CC BY-ND 4.0)", url: "https://creativecommons.org/licenses/by-nd/4.0/", isOpen: false, domain: 'data', attribution: true },
  { id: "cc-by-sa", title: "Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen (CC-BY-SA)", url: "http://www.opendefinition.org/licenses/cc-by-sa", isOpen: true, domain: 'data', attribution: true },
  { id: "cc-by-sa-de/3.0", title: "Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen 3.0 Deutschland (CC BY-SA 3.0 DE)", url: "https://creativecommons.org/licenses/by-sa/3.0/de/", isOpen: true, domain: 'data', attribution: true },
  { id: "cc-by-sa/4.0", title: "Creative Commons Namensnennung - Weitergabe unter gleichen Bedingungen 4.0 International (CC-BY-SA 4.0)", url: "http://creativecommons.org/licenses/by-sa/4.0/", isOpen: true, domain: 'data', attribution: true },
  { id: "ccpdm/1.0", title: "Public Domain Mark 1.0 (PDM)", url: "http://creativecommons.org/publicdomain/mark/1.0/", isOpen: true, domain: 'data', attribution: false },
  { id: "cc-zero", title: "Creative Commons CC Zero License (cc-zero)", url: "http://www.opendefinition.org/licenses/cc-zero", isOpen: true, domain: 'data', attribution: false },
  { id: "dl-by-de/1.0", title: "Datenlizenz Deutschland Namensnennung 1.0", url: "https://www.govdata.de/dl-de/by-1-0", isOpen: true, domain: 'data', attribution: true },
  { id: "dl-by-de/2.0", title: "Datenlizenz Deutschland Namensnennung 2.0", url: "https://www.govdata.de/dl-de/by-2-0", isOpen: true, domain: 'data', attribution: true },
  { id: "dl-by-nc-de/1.0", title: "Datenlizenz Deutschland Namensnennung nicht-kommerziell 1.0", url: "https://www.govdata.de/dl-de/by-nc-1-0", isOpen: false, domain: 'data', attribution: true },
  { id: "dl-zero-de/2.0", title: "Datenlizenz Deutschland – Zero – Version 2.0", url: "https://www.govdata.de/dl-de/zero-2-0", isOpen: true, domain: 'data', attribution: false },
  { id: "geonutz/20130319", title: "Nutzungsbestimmungen für die Bereitstellung von Geodaten des Bundes", url: "https://sg.geodatenzentrum.de/web_public/gdz/lizenz/geonutzv.pdf", isOpen: true, domain: 'data', attribution: true },
  { id: "geoNutz/20131001", title: "Nutzungsbestimmungen für die Bereitstellung von Geodaten des Landes Berlin", url: "http://www.stadtentwicklung.berlin.de/geoinformation/download/nutzIII.pdf", isOpen: true, domain: 'data', attribution: true },
  { id: "gfdl", title: "GNU Free Documentation License (GFDL)", url: "http://www.opendefinition.org/licenses/gfdl", isOpen: true, domain: 'data', attribution: false },
  { id: "gpl/3.0", title: "GNU General Public License version 3.0 (GPLv3)", url: "http://www.opensource.org/licenses/gpl-3.0.html", isOpen: true, domain: 'software', attribution: false },
  { id: "mozilla", title: "Mozilla Public License 2.0 (MPL)", url: "http://www.mozilla.org/MPL", isOpen: true, domain: 'software', attribution: false },
  { id: "odbl", title: "Open Data Commons Open Database License (ODbL)", url: "http://www.opendefinition.org/licenses/odc-odbl", isOpen: true, domain: 'data', attribution: false },
  { id: "odby", title: "Open Data Commons Attribution License (ODC-BY 1.0)", url: "http://www.opendefinition.org/licenses/odc-by", isOpen: true, domain: 'data', attribution: true },
  { id: "odcpddl", title: "Open Data Commons Public Domain Dedication and Licence (ODC PDDL)", url: "http://www.opendefinition.org/licenses/odc-pddl", isOpen: true, domain: 'data', attribution: false },
  { id: "officialWork", title: "Amtliches Werk, lizenzfrei nach §5 Abs. 1 UrhG", url: "http://www.gesetze-im-internet.de/urhg/__5.html", isOpen: true, domain: 'data', attribution: false },
  { id: "other-closed", title: "Andere geschlossene Lizenz", url: "", isOpen: false, domain: 'data', attribution: false },
  { id: "other-commercial", title: "Andere kommerzielle Lizenz", url: "", isOpen: false, domain: 'data', attribution: false },
  { id: "other-freeware", title: "Andere Freeware Lizenz", url: "", isOpen: false, domain: 'software', attribution: false },
  { id: "other-open", title: "Andere offene Lizenz", url: "", isOpen: true, domain: 'data', attribution: false },
  { id: "other-opensource", title: "Andere Open Source Lizenz", url: "", isOpen: true, domain: 'software', attribution: false },
];

export const licenseIri = (l: DcatLicense): string => `${LICENSE_SCHEME}/${l.id}`;

const byKey = new Map<string, DcatLicense>();
for (const l of DCAT_LICENSES) {
  byKey.set(licenseIri(l), l);
  byKey.set(l.id, l);
  byKey.set(l.id.toLowerCase(), l);
}

/** Finds a licence by IRI, by identifier ('dl-by-de/2.0') or by identifier in any case. */
export function findLicense(key: string | null | undefined): DcatLicense | undefined {
  if (!key) return undefined;
  const k = key.trim().replace(/\/$/, '').replace(/^https:/, 'http:');
  return byKey.get(k) ?? byKey.get(k.toLowerCase());
}
