// Starts Swagger UI on /api/docs. A file rather than inline script, so the page keeps the
// strict Content-Security-Policy (script-src 'self').
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    // The validator badge would fetch from validator.swagger.io: nothing leaves this origin.
    validatorUrl: null,
  });
});
