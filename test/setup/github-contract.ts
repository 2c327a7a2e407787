// Placeholder: replaced by the OpenAPI/GraphQL contract hook.
export {};
