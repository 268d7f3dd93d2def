// `ng serve` proxy: the API and the public connect page live on the portal (npm start → :3000).
// The portal refuses cross-site state-changing requests by Origin, so the proxy presents the
// portal's own origin; cookies stay on the dev server's origin because the paths are proxied.
const target = process.env['PORTAL_URL'] ?? 'http://localhost:3000';

/** @param {import('node:http').ClientRequest} proxyReq */
function rewriteOrigin(proxyReq) {
  if (proxyReq.getHeader('origin')) {
    proxyReq.setHeader('origin', target);
  }
}

const entry = {
  target,
  secure: false,
  changeOrigin: true,
  ws: true,
  configure: (proxy) => proxy.on('proxyReq', rewriteOrigin),
};

export default {
  '/api': entry,
  '/support': entry,
};
