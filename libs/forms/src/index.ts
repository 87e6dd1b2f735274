export {
  CONTAINER_TYPES,
  FIELD_TYPES,
  checkFormSchema,
  isFieldType,
  parseFormSchema,
  type FieldType,
  type FormComponent,
  type FormOption,
  type FormSchema,
  type FormSchemaProblem,
  type FormSchemaResult,
  type FormValidation,
} from './form-schema.js';
export { formFields, formValues, valueAt, type FormField, type FormVariables } from './form-fields.js';
export { validateFormSubmission, type FormRule, type FormViolation } from './validate-form-submission.js';
