/** The TypeScript generator behind `tars2ts`. */
export {
  DEFAULT_IMPORT_FROM,
  generateTypeScript,
  type GenerateOptions,
  type GeneratedFile,
} from './generate.js';
