export * from './core/data-retention';
export * from './core/secure-bucket';
export * from './core/validation';
export * from './storage/data-lake';
export * from './storage/data-lake-zone';
export * from './storage/lake-formation-governance';
export * from './storage/storage-tiering';
export * from './core/private-network';
