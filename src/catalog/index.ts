/** The catalog stage's public surface: the Product type, the store, importers and ingest. */
export * from './product.js';
export type { CatalogStore, UpsertResult } from './types.js';
export { SqliteCatalogStore, openCatalogStore, productContentHash, type SqliteCatalogStoreOptions } from './sqlite.js';
export { CATALOG_FORMATS, parseMoney, parseAvailability, type CatalogFormat, type ImportRow } from './import-row.js';
export { importEsci } from './esci.js';
export { importCsv, CSV_COLUMNS } from './csv.js';
export { importGmc, importGmcTsv, importGmcXml } from './gmc.js';
export { openCatalogSource, type CatalogSource } from './source.js';
export { demoPriceCents, demoStock } from './demo.js';
export { ingestFile, IMPORTERS, type IngestOptions, type IngestProgress, type IngestSummary, type RowError } from './ingest.js';
