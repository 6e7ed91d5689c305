// Renders the generated OpenAPI document with Swagger UI, served from this service (no CDN).
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: document.body.getAttribute('data-spec'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
