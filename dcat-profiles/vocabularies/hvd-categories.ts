import type { VocabularyEntry } from './index';

/**
 * The EU's high-value dataset categories (Publications Office concept scheme "High-value dataset categories",
 * http://data.europa.eu/bna/asd487ae75, the categories of Implementing Regulation (EU) 2023/138 and their
 * sub-categories): 6 categories, 65 sub-categories and the 25 inland-waterway data sets under "Inland waterways
 * datasets", 96 concepts. Our own table, written from facts found in public sources (no file of the vocabulary is
 * read): the codes with their German labels and place in the hierarchy from a German CKAN's list of the scheme, the
 * same codes with English labels in a Spanish CKAN's and in DCAT-AP NL's GeoNetwork mapping, the six category codes
 * in ckanext-dcat's examples and SEMIC's DCAT-AP HVD examples. `broader` is the code of the concept one level up.
 * dcatap:hvdCategory takes these IRIs.
 */
export const HVD_CATEGORY_SCHEME = 'http://data.europa.eu/bna/asd487ae75';

/** IRI prefix of the categories: `${HVD_CATEGORY_BASE}c_ac64a52d`. */
export const HVD_CATEGORY_BASE = 'http://data.europa.eu/bna/';

/** The HVD regulation's ELI, the value of applicable_legislation that makes a dataset a high-value dataset. */
export const HVD_LEGISLATION = 'http://data.europa.eu/eli/reg_impl/2023/138/oj';

export interface HvdCategoryEntry extends VocabularyEntry {
  /** The code of the concept one level up; absent for the six categories of the regulation. */
  broader?: string;
}

/** The 96 concepts, each category followed by its sub-categories. */
export const HVD_CATEGORIES: readonly HvdCategoryEntry[] = [
  { code: "c_ac64a52d", iri: "http://data.europa.eu/bna/c_ac64a52d", labels: { de: "Georaum", en: "Geospatial" } },
  { code: "c_c3de25e4", iri: "http://data.europa.eu/bna/c_c3de25e4", labels: { de: "Adressen", en: "Addresses" }, broader: "c_ac64a52d" },
  { code: "c_6a3f6896", iri: "http://data.europa.eu/bna/c_6a3f6896", labels: { de: "Flurstücke/Grundstücke (Katasterparzellen)", en: "Cadastral parcels" }, broader: "c_ac64a52d" },
  { code: "c_60182062", iri: "http://data.europa.eu/bna/c_60182062", labels: { de: "Gebäude", en: "Buildings" }, broader: "c_ac64a52d" },
  { code: "c_6c2bb82d", iri: "http://data.europa.eu/bna/c_6c2bb82d", labels: { de: "Geografische Bezeichnungen", en: "Geographical names" }, broader: "c_ac64a52d" },
  { code: "c_642643e6", iri: "http://data.europa.eu/bna/c_642643e6", labels: { de: "Landwirtschaftliche Parzellen", en: "Agricultural parcels" }, broader: "c_ac64a52d" },
  { code: "c_fbd2fc3f", iri: "http://data.europa.eu/bna/c_fbd2fc3f", labels: { de: "Referenzparzellen", en: "Reference parcels" }, broader: "c_ac64a52d" },
  { code: "c_9427236f", iri: "http://data.europa.eu/bna/c_9427236f", labels: { de: "Verwaltungseinheiten", en: "Administrative units" }, broader: "c_ac64a52d" },
  { code: "c_dd313021", iri: "http://data.europa.eu/bna/c_dd313021", labels: { de: "Erdbeobachtung und Umwelt", en: "Earth observation and environment" } },
  { code: "c_38933a65", iri: "http://data.europa.eu/bna/c_38933a65", labels: { de: "Abfall", en: "Waste" }, broader: "c_dd313021" },
  { code: "c_af646f5b", iri: "http://data.europa.eu/bna/c_af646f5b", labels: { de: "Bewirtschaftungsgebiete/Schutzgebiete/geregelte Gebiete und Berichterstattungseinheiten", en: "Area management / restriction / regulation zones & reporting units" }, broader: "c_dd313021" },
  { code: "c_c873f344", iri: "http://data.europa.eu/bna/c_c873f344", labels: { de: "Biogeografische Regionen", en: "Bio-geographical regions" }, broader: "c_dd313021" },
  { code: "c_87a129d9", iri: "http://data.europa.eu/bna/c_87a129d9", labels: { de: "Boden", en: "Soil" }, broader: "c_dd313021" },
  { code: "c_b21e1296", iri: "http://data.europa.eu/bna/c_b21e1296", labels: { de: "Bodenbedeckung", en: "Land cover" }, broader: "c_dd313021" },
  { code: "c_ad9ae929", iri: "http://data.europa.eu/bna/c_ad9ae929", labels: { de: "Bodennutzung", en: "Land use" }, broader: "c_dd313021" },
  { code: "c_4ba9548e", iri: "http://data.europa.eu/bna/c_4ba9548e", labels: { de: "Emissionen", en: "Emissions" }, broader: "c_dd313021" },
  { code: "c_b7de66cd", iri: "http://data.europa.eu/bna/c_b7de66cd", labels: { de: "Energiequellen", en: "Energy resources" }, broader: "c_dd313021" },
  { code: "c_b7f6a4f3", iri: "http://data.europa.eu/bna/c_b7f6a4f3", labels: { de: "Erhaltung der Natur und der biologischen Vielfalt", en: "Nature preservation and biodiversity" }, broader: "c_dd313021" },
  { code: "c_63be22bd", iri: "http://data.europa.eu/bna/c_63be22bd", labels: { de: "Gebiete mit naturbedingten Risiken", en: "Natural risk zones" }, broader: "c_dd313021" },
  { code: "c_e3f55603", iri: "http://data.europa.eu/bna/c_e3f55603", labels: { de: "Geologie", en: "Geology" }, broader: "c_dd313021" },
  { code: "c_06b1eec4", iri: "http://data.europa.eu/bna/c_06b1eec4", labels: { de: "Gewässernetz", en: "Hydrography" }, broader: "c_dd313021" },
  { code: "c_4d63300b", iri: "http://data.europa.eu/bna/c_4d63300b", labels: { de: "Horizontale Rechtsvorschriften", en: "Horizontal legislation" }, broader: "c_dd313021" },
  { code: "c_315692ad", iri: "http://data.europa.eu/bna/c_315692ad", labels: { de: "Höhe", en: "Elevation" }, broader: "c_dd313021" },
  { code: "c_59e64dd4", iri: "http://data.europa.eu/bna/c_59e64dd4", labels: { de: "Klima", en: "Climate" }, broader: "c_dd313021" },
  { code: "c_c3919aec", iri: "http://data.europa.eu/bna/c_c3919aec", labels: { de: "Lebensräume und Biotope", en: "Habitats and biotopes" }, broader: "c_dd313021" },
  { code: "c_63b37dd4", iri: "http://data.europa.eu/bna/c_63b37dd4", labels: { de: "Luft", en: "Air" }, broader: "c_dd313021" },
  { code: "c_e4358335", iri: "http://data.europa.eu/bna/c_e4358335", labels: { de: "Lärm", en: "Noise" }, broader: "c_dd313021" },
  { code: "c_f399050e", iri: "http://data.europa.eu/bna/c_f399050e", labels: { de: "Meeresregionen", en: "Sea regions" }, broader: "c_dd313021" },
  { code: "c_4dd389c5", iri: "http://data.europa.eu/bna/c_4dd389c5", labels: { de: "Mineralische Bodenschätze", en: "Mineral resources" }, broader: "c_dd313021" },
  { code: "c_91185a85", iri: "http://data.europa.eu/bna/c_91185a85", labels: { de: "Orthofotografie", en: "Orthoimagery" }, broader: "c_dd313021" },
  { code: "c_b40e6d46", iri: "http://data.europa.eu/bna/c_b40e6d46", labels: { de: "Ozeanografisch-geografische Kennwerte", en: "Oceanographic geographical features" }, broader: "c_dd313021" },
  { code: "c_59c93ba5", iri: "http://data.europa.eu/bna/c_59c93ba5", labels: { de: "Produktions- und Industrieanlagen", en: "Production and industrial facilities" }, broader: "c_dd313021" },
  { code: "c_83aa10a6", iri: "http://data.europa.eu/bna/c_83aa10a6", labels: { de: "Schutzgebiete", en: "Protected sites" }, broader: "c_dd313021" },
  { code: "c_7b8fbb64", iri: "http://data.europa.eu/bna/c_7b8fbb64", labels: { de: "Umweltüberwachungseinrichtungen", en: "Environmental monitoring facilities" }, broader: "c_dd313021" },
  { code: "c_793164b6", iri: "http://data.europa.eu/bna/c_793164b6", labels: { de: "Verteilung der Arten", en: "Species distribution" }, broader: "c_dd313021" },
  { code: "c_43f88346", iri: "http://data.europa.eu/bna/c_43f88346", labels: { de: "Wasser", en: "Water" }, broader: "c_dd313021" },
  { code: "c_164e0bf5", iri: "http://data.europa.eu/bna/c_164e0bf5", labels: { de: "Meteorologie", en: "Meteorological" } },
  { code: "c_3af3368c", iri: "http://data.europa.eu/bna/c_3af3368c", labels: { de: "Beobachtungsmessdaten von Wetterstationen", en: "Observations data measured by weather stations" }, broader: "c_164e0bf5" },
  { code: "c_36807466", iri: "http://data.europa.eu/bna/c_36807466", labels: { de: "Klimadaten: validierte Beobachtungen", en: "Climate data: validated observations" }, broader: "c_164e0bf5" },
  { code: "c_13e3cf16", iri: "http://data.europa.eu/bna/c_13e3cf16", labels: { de: "NWP-Modelldaten", en: "NWP model data" }, broader: "c_164e0bf5" },
  { code: "c_d13a4420", iri: "http://data.europa.eu/bna/c_d13a4420", labels: { de: "Radardaten", en: "Radar data" }, broader: "c_164e0bf5" },
  { code: "c_be47b010", iri: "http://data.europa.eu/bna/c_be47b010", labels: { de: "Wetterwarnungen", en: "Weather alerts" }, broader: "c_164e0bf5" },
  { code: "c_e1da4e07", iri: "http://data.europa.eu/bna/c_e1da4e07", labels: { de: "Statistik", en: "Statistics" } },
  { code: "c_04bf94a3", iri: "http://data.europa.eu/bna/c_04bf94a3", labels: { de: "Armut", en: "Poverty" }, broader: "c_e1da4e07" },
  { code: "c_4ac557e7", iri: "http://data.europa.eu/bna/c_4ac557e7", labels: { de: "Ausgaben und Einnahmen des Staates", en: "Government expenditure and revenue" }, broader: "c_e1da4e07" },
  { code: "c_f2b50efd", iri: "http://data.europa.eu/bna/c_f2b50efd", labels: { de: "Bevölkerung", en: "Population" }, broader: "c_e1da4e07" },
  { code: "c_317b9493", iri: "http://data.europa.eu/bna/c_317b9493", labels: { de: "Bevölkerung, Fertilität, Mortalität", en: "Population, Fertility, Mortality" }, broader: "c_e1da4e07" },
  { code: "c_fd4e881c", iri: "http://data.europa.eu/bna/c_fd4e881c", labels: { de: "Erwerbslosigkeit", en: "Unemployment" }, broader: "c_e1da4e07" },
  { code: "c_a2c6dcd8", iri: "http://data.europa.eu/bna/c_a2c6dcd8", labels: { de: "Erwerbstätigkeit", en: "Employment" }, broader: "c_e1da4e07" },
  { code: "c_6a7250c1", iri: "http://data.europa.eu/bna/c_6a7250c1", labels: { de: "Fertilität", en: "Fertility" }, broader: "c_e1da4e07" },
  { code: "c_c0022235", iri: "http://data.europa.eu/bna/c_c0022235", labels: { de: "Harmonisierte Verbraucherpreisindizes", en: "Harmonised Indices of consumer prices" }, broader: "c_e1da4e07" },
  { code: "c_2aed31f9", iri: "http://data.europa.eu/bna/c_2aed31f9", labels: { de: "Industrieller Erzeugerpreisindex – Aufschlüsselung nach Tätigkeit", en: "Industrial producer price index breakdowns by activity" }, broader: "c_e1da4e07" },
  { code: "c_34abf8c1", iri: "http://data.europa.eu/bna/c_34abf8c1", labels: { de: "Industrieproduktion", en: "Industrial production" }, broader: "c_e1da4e07" },
  { code: "c_dd8f4797", iri: "http://data.europa.eu/bna/c_dd8f4797", labels: { de: "Konsolidierte Bruttoverschuldung des Staates", en: "Consolidated government gross debt" }, broader: "c_e1da4e07" },
  { code: "c_424bb0b4", iri: "http://data.europa.eu/bna/c_424bb0b4", labels: { de: "Laufende Gesundheitsausgaben", en: "Current healthcare expenditure" }, broader: "c_e1da4e07" },
  { code: "c_4acb6bf3", iri: "http://data.europa.eu/bna/c_4acb6bf3", labels: { de: "Mortalität", en: "Mortality" }, broader: "c_e1da4e07" },
  { code: "c_23385471", iri: "http://data.europa.eu/bna/c_23385471", labels: { de: "Potenzielle Arbeitskräfte", en: "Potential labour force" }, broader: "c_e1da4e07" },
  { code: "c_20cd11bb", iri: "http://data.europa.eu/bna/c_20cd11bb", labels: { de: "Statistik des internationalen Warenverkehrs der EU – Ausfuhren und Einfuhren Aufschlüsselung gleichzeitig nach Partnern, Produkten und Warenströmen", en: "EU International trade in goods statistics – exports and imports breakdowns simultaneously by partner, product and flow" }, broader: "c_e1da4e07" },
  { code: "c_a3767648", iri: "http://data.europa.eu/bna/c_a3767648", labels: { de: "Tourismusströme in Europa", en: "Tourism flows in Europe" }, broader: "c_e1da4e07" },
  { code: "c_92874eb2", iri: "http://data.europa.eu/bna/c_92874eb2", labels: { de: "Umweltgesamtrechnungen und -statistiken", en: "Environmental accounts and statistics" }, broader: "c_e1da4e07" },
  { code: "c_a8b937c4", iri: "http://data.europa.eu/bna/c_a8b937c4", labels: { de: "Ungleichheit", en: "Inequality" }, broader: "c_e1da4e07" },
  { code: "c_a49ec591", iri: "http://data.europa.eu/bna/c_a49ec591", labels: { de: "Verkaufsmengen nach Tätigkeit", en: "Volume of sales by activity" }, broader: "c_e1da4e07" },
  { code: "c_b72b721f", iri: "http://data.europa.eu/bna/c_b72b721f", labels: { de: "Volkswirtschaftliche Gesamtrechnungen – BIP-Hauptaggregate", en: "National accounts – GDP main aggregates" }, broader: "c_e1da4e07" },
  { code: "c_95da87c7", iri: "http://data.europa.eu/bna/c_95da87c7", labels: { de: "Volkswirtschaftliche Gesamtrechnungen – Schlüsselindikatoren für Kapitalgesellschaften", en: "National accounts – key indicators on corporations" }, broader: "c_e1da4e07" },
  { code: "c_59627af3", iri: "http://data.europa.eu/bna/c_59627af3", labels: { de: "Volkswirtschaftliche Gesamtrechnungen – Schlüsselindikatoren für private Haushalte", en: "National accounts – key indicators on households" }, broader: "c_e1da4e07" },
  { code: "c_a9135398", iri: "http://data.europa.eu/bna/c_a9135398", labels: { de: "Unternehmen und Eigentümerschaft von Unternehmen", en: "Companies and company ownership" } },
  { code: "c_56a1bf47", iri: "http://data.europa.eu/bna/c_56a1bf47", labels: { de: "Grundlegende Angaben zum Unternehmen: Schlüsselattribute", en: "Basic company information: key attributes" }, broader: "c_a9135398" },
  { code: "c_8f0fac04", iri: "http://data.europa.eu/bna/c_8f0fac04", labels: { de: "Unternehmensunterlagen und -abschlüsse", en: "Company documents and accounts" }, broader: "c_a9135398" },
  { code: "c_b79e35eb", iri: "http://data.europa.eu/bna/c_b79e35eb", labels: { de: "Mobilität", en: "Mobility" } },
  { code: "c_4b74ea13", iri: "http://data.europa.eu/bna/c_4b74ea13", labels: { de: "Verkehrsnetze", en: "Transport networks" }, broader: "c_b79e35eb" },
  { code: "c_b151a0ba", iri: "http://data.europa.eu/bna/c_b151a0ba", labels: { de: "Binnenschifffahrtsdatensätze", en: "Inland waterways datasets" }, broader: "c_b79e35eb" },
  { code: "c_f6886b00", iri: "http://data.europa.eu/bna/c_f6886b00", labels: { de: "Beschränkungen infolge von Hochwasser und Eis", en: "Restrictions caused by flood and ice" }, broader: "c_b151a0ba" },
  { code: "c_664c9e5a", iri: "http://data.europa.eu/bna/c_664c9e5a", labels: { de: "Fahrwasser-/Fahrrinnengrenzen", en: "Boundaries of the fairway/navigation channel" }, broader: "c_b151a0ba" },
  { code: "c_f76b01e6", iri: "http://data.europa.eu/bna/c_f76b01e6", labels: { de: "Fahrwassermerkmale", en: "Fairway characteristics" }, broader: "c_b151a0ba" },
  { code: "c_e5f69a04", iri: "http://data.europa.eu/bna/c_e5f69a04", labels: { de: "Gegenwärtige und zukünftige Wasserstände an den Pegeln", en: "Present and future water levels at gauges" }, broader: "c_b151a0ba" },
  { code: "c_25f43866", iri: "http://data.europa.eu/bna/c_25f43866", labels: { de: "Höhe der Abgaben für die Wasserstraßen-Infrastruktur", en: "Rates of waterway infrastructure charges" }, broader: "c_b151a0ba" },
  { code: "c_99bc517f", iri: "http://data.europa.eu/bna/c_99bc517f", labels: { de: "Isolierte Gefahrenstellen im Fahrwasser/in der Fahrrinne unter und über Wasser", en: "Isolated dangers in the fairway/navigation channel under and above water" }, broader: "c_b151a0ba" },
  { code: "c_593bc53d", iri: "http://data.europa.eu/bna/c_593bc53d", labels: { de: "Kurzfristige Änderungen bei den Schifffahrtszeichen", en: "Short term changes of aids to navigation" }, broader: "c_b151a0ba" },
  { code: "c_66b946cb", iri: "http://data.europa.eu/bna/c_66b946cb", labels: { de: "Kurzfristige Änderungen der Betriebszeiten von Schleusen und Brücken", en: "Short term changes of lock and bridge operating times" }, broader: "c_b151a0ba" },
  { code: "c_3e8e3bf7", iri: "http://data.europa.eu/bna/c_3e8e3bf7", labels: { de: "Lage und Merkmale von Häfen und Umschlagstellen", en: "Location and characteristics of ports and transhipment sites" }, broader: "c_b151a0ba" },
  { code: "c_407951ff", iri: "http://data.europa.eu/bna/c_407951ff", labels: { de: "Lage von Häfen und Umschlagstellen", en: "Location of ports and transhipment sites" }, broader: "c_b151a0ba" },
  { code: "c_fa2a1c3a", iri: "http://data.europa.eu/bna/c_fa2a1c3a", labels: { de: "Langzeitbehinderungen im Fahrweg und Zuverlässigkeit", en: "Long-time obstructions in the fairway and reliability" }, broader: "c_b151a0ba" },
  { code: "c_298ffb73", iri: "http://data.europa.eu/bna/c_298ffb73", labels: { de: "Links zu den externen xml-Dateien mit Betriebszeiten einschränkender Infrastrukturen", en: "Links to the external xml-files with operation times of restricting structures" }, broader: "c_b151a0ba" },
  { code: "c_9cbe4435", iri: "http://data.europa.eu/bna/c_9cbe4435", labels: { de: "Liste der Navigationshilfen und Verkehrszeichen", en: "List of navigation aids and traffic signs" }, broader: "c_b151a0ba" },
  { code: "c_03ba8d92", iri: "http://data.europa.eu/bna/c_03ba8d92", labels: { de: "Normale Betriebszeiten der Schleusen und Brücken", en: "Regular lock and bridge operating times" }, broader: "c_b151a0ba" },
  { code: "c_b24028d7", iri: "http://data.europa.eu/bna/c_b24028d7", labels: { de: "Offizielle Schifffahrtszeichen (z. B. Tonnen, Baken, Leuchtzeichen, Tafelzeichen)", en: "Official aids-to-navigation (e.g. buoys, beacons, lights, notice marks)" }, broader: "c_b151a0ba" },
  { code: "c_1e787364", iri: "http://data.europa.eu/bna/c_1e787364", labels: { de: "Referenzdaten für die schifffahrtsrelevanten Pegel", en: "Reference data for water level gauges relevant to navigation" }, broader: "c_b151a0ba" },
  { code: "c_7e19ef26", iri: "http://data.europa.eu/bna/c_7e19ef26", labels: { de: "Sonstige physische Beschränkungen auf Wasserstraßen", en: "Other physical limitations on waterways" }, broader: "c_b151a0ba" },
  { code: "c_fef208ab", iri: "http://data.europa.eu/bna/c_fef208ab", labels: { de: "Tiefenlinien in der Fahrrinne", en: "Water depths contours in the navigation channel" }, broader: "c_b151a0ba" },
  { code: "c_1226dc1a", iri: "http://data.europa.eu/bna/c_1226dc1a", labels: { de: "Ufer der Wasserstraße bei Mittelwasser", en: "Bank of waterway at mean water level" }, broader: "c_b151a0ba" },
  { code: "c_bc8941d9", iri: "http://data.europa.eu/bna/c_bc8941d9", labels: { de: "Uferbefestigung", en: "Shoreline construction" }, broader: "c_b151a0ba" },
  { code: "c_883d0205", iri: "http://data.europa.eu/bna/c_883d0205", labels: { de: "Umrisse der Schleusen und Wehre", en: "Contours of locks and dams" }, broader: "c_b151a0ba" },
  { code: "c_2037ada4", iri: "http://data.europa.eu/bna/c_2037ada4", labels: { de: "Vorschriften und Empfehlungen für die Schifffahrt", en: "Navigation rules and recommendations" }, broader: "c_b151a0ba" },
  { code: "c_b121e2f6", iri: "http://data.europa.eu/bna/c_b121e2f6", labels: { de: "Vorübergehende Hindernisse im Fahrwasser", en: "Temporary obstructions in the fairway" }, broader: "c_b151a0ba" },
  { code: "c_c19af83a", iri: "http://data.europa.eu/bna/c_c19af83a", labels: { de: "Wasserstraßenachse mit Kilometerangabe", en: "Waterway axis with kilometres indication" }, broader: "c_b151a0ba" },
  { code: "c_e50004c6", iri: "http://data.europa.eu/bna/c_e50004c6", labels: { de: "Zustand der Flüsse, Kanäle, Schleusen und Brücken", en: "State of the rivers, canals, locks and bridges" }, broader: "c_b151a0ba" },
];

/** The six categories' German and English names (lower case) → code, for clients that write a name. */
export const HVD_CATEGORY_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  HVD_CATEGORIES.filter((c) => !c.broader).flatMap((c) => [c.labels.de, c.labels.en].map((l) => [String(l).toLowerCase(), c.code])),
);
