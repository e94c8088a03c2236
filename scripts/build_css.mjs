// `make css`: Bootstrap reduced to what our pages use (see purgecss.config.cjs), written to
// static/vendor/bootstrap/bootstrap.app.min.css, which base.html loads and git keeps.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const { PurgeCSS } = require(process.env.PURGECSS_MODULE);
const config = require("./purgecss.config.cjs");

const [result] = await new PurgeCSS().purge(config);
writeFileSync(config.output, result.css); // Bootstrap's licence comment stays at its top
console.log(`${config.output}: ${Buffer.byteLength(result.css)} bytes`);
