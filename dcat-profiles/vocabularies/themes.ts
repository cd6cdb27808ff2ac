import type { VocabularyEntry } from './index';

/**
 * The EU data themes (Publications Office data-theme table, version 20161225-1) with their German and English
 * labels: the 13 themes of DCAT-AP plus OP_DATPRO ("provisional data"), which the published file also holds.
 * Our own table, written from that vocabulary; the running service never reads the file.
 * dcat:theme must come from this list (DCAT-AP.de 3.0: Violation otherwise). CKAN group names are these codes in lower case.
 */
export const THEME_SCHEME = 'http://publications.europa.eu/resource/authority/data-theme';

/** IRI prefix of the themes: `${THEME_BASE}ENVI`. */
export const THEME_BASE = `${THEME_SCHEME}/`;

/** The data themes, sorted by code. */
export const THEMES: readonly VocabularyEntry[] = [
  { code: "AGRI", iri: "http://publications.europa.eu/resource/authority/data-theme/AGRI", labels: { de: "Landwirtschaft, Fischerei, Forstwirtschaft und Nahrungsmittel", en: "Agriculture, fisheries, forestry and food" } },
  { code: "ECON", iri: "http://publications.europa.eu/resource/authority/data-theme/ECON", labels: { de: "Wirtschaft und Finanzen", en: "Economy and finance" } },
  { code: "EDUC", iri: "http://publications.europa.eu/resource/authority/data-theme/EDUC", labels: { de: "Bildung, Kultur und Sport", en: "Education, culture and sport" } },
  { code: "ENER", iri: "http://publications.europa.eu/resource/authority/data-theme/ENER", labels: { de: "Energie", en: "Energy" } },
  { code: "ENVI", iri: "http://publications.europa.eu/resource/authority/data-theme/ENVI", labels: { de: "Umwelt", en: "Environment" } },
  { code: "GOVE", iri: "http://publications.europa.eu/resource/authority/data-theme/GOVE", labels: { de: "Regierung und öffentlicher Sektor", en: "Government and public sector" } },
  { code: "HEAL", iri: "http://publications.europa.eu/resource/authority/data-theme/HEAL", labels: { de: "Gesundheit", en: "Health" } },
  { code: "INTR", iri: "http://publications.europa.eu/resource/authority/data-theme/INTR", labels: { de: "Internationale Themen", en: "International issues" } },
  { code: "JUST", iri: "http://publications.europa.eu/resource/authority/data-theme/JUST", labels: { de: "Justiz, Rechtssystem und öffentliche Sicherheit", en: "Justice, legal system and public safety" } },
  { code: "OP_DATPRO", iri: "http://publications.europa.eu/resource/authority/data-theme/OP_DATPRO", labels: { de: "Vorläufige Daten", en: "Provisional data" } },
  { code: "REGI", iri: "http://publications.europa.eu/resource/authority/data-theme/REGI", labels: { de: "Regionen und Städte", en: "Regions and cities" } },
  { code: "SOCI", iri: "http://publications.europa.eu/resource/authority/data-theme/SOCI", labels: { de: "Bevölkerung und Gesellschaft", en: "Population and society" } },
  { code: "TECH", iri: "http://publications.europa.eu/resource/authority/data-theme/TECH", labels: { de: "Wissenschaft und Technologie", en: "Science and technology" } },
  { code: "TRAN", iri: "http://publications.europa.eu/resource/authority/data-theme/TRAN", labels: { de: "Verkehr", en: "Transport" } },
];
