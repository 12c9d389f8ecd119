// Builds each widget's front end into one ES module with esbuild (anywidget takes one module; the
// sources import each other). The bundles are committed, so a wheel needs no Node.js to be used.
// Usage: node tools/bundle_widget.mjs            write featuremaps/widget/bundle/{browser,playground}.js
//        node tools/bundle_widget.mjs --check    exit 1 if a committed bundle differs from its sources
import { readFileSync, writeFileSync } from "node:fs";
import * as esbuild from "esbuild";

const WIDGET = "featuremaps/widget";
const ENTRIES = ["browser", "playground", "film"];
const check = process.argv.includes("--check");
const stale = [];
for (const name of ENTRIES) {
  const result = await esbuild.build({
    entryPoints: [`${WIDGET}/${name}.js`], bundle: true, format: "esm", write: false,
    // Every page that shows a widget carries its module: minified, it is a third of the sources.
    minify: true, legalComments: "none", charset: "utf8", target: "es2020", logLevel: "error",
  });
  const text = result.outputFiles[0].text;
  const path = `${WIDGET}/bundle/${name}.js`;
  if (!check) writeFileSync(path, text);
  else if (readFileSync(path, "utf8") !== text) stale.push(path);
}
if (stale.length) {
  console.error(`${stale.join(", ")} differ from the sources in ${WIDGET}/: run \`make widget\` and commit them.`);
  process.exit(1);
}
