// Starts Swagger UI on the API's OpenAPI document (a file of its own: the pages allow no inline
// script).
window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui" });
