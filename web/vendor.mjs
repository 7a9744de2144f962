// Copies the npm packages' browser files into the server crate, where they are embedded in the
// binary (no CDN: pages must work without internet access). Run after changing a version in
// package.json: `npm ci && npm run vendor`, then commit crates/jixiao-server/assets/vendor/.
import { copyFileSync, mkdirSync } from "node:fs";
const out = new URL("../crates/jixiao-server/assets/vendor/", import.meta.url);
mkdirSync(out, { recursive: true });
const files = [
  ["echarts/dist/echarts.min.js", "echarts.min.js"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui.css"],
];
for (const [from, to] of files) {
  copyFileSync(new URL(`./node_modules/${from}`, import.meta.url), new URL(to, out));
  console.log(`vendored ${from} -> assets/vendor/${to}`);
}
