// The settings are the same for the three API examples: see examples/shared.
export * from '../../shared/api-example-config.ts';
