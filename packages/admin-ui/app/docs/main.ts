// The API reference page: swagger-ui-dist, bundled from the package into the core's assets
// (no CDN), over this server's own openapi.json. It runs under default-src 'self' (plus data:
// images for the icons its style sheet draws): no inline script or style.
import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import './docs.css';
import '../icon.svg?url';
import { readPageMeta } from '../lib/page-meta';

const { base } = readPageMeta(document);
const root = document.getElementById('app')!;
root.id = 'swagger-ui';
SwaggerUI({
  url: `${base}/openapi.json`,
  domNode: root,
  deepLinking: false,
  // The "Try it out" requests go to this same origin; the spec's validator badge would call out.
  validatorUrl: null,
  tryItOutEnabled: false,
  persistAuthorization: false,
});
