export {
  createSchemaValidator,
  defaultSpecPath,
  loadExamples,
  loadSpec,
  type OpenApiDocument,
  type SchemaErrors,
} from "./spec.js";
