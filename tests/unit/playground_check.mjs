// Runs featuremaps/widget/playground.js on the cases test_playground_js.py writes, and prints, as
// JSON, each case's map, one explained value, the size formula and the refitted weights.
import { readFileSync } from "node:fs";
import { convolve, explain, fitWeights, presetWeights, sizeFormula } from "../../featuremaps/widget/playground.js";

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = cases.map((c) => {
  const x = Float32Array.from(c.x);
  const result = convolve(x, c.shape, c.weights, c.bias, c.k, c.options);
  if (result.error) return { error: result.error };
  const [oh, ow] = result.shape;
  const [i, j] = [oh - 1, Math.floor(ow / 2)];
  const { sum, terms } = explain(x, c.shape, c.weights, c.bias, c.k, c.options, i, j);
  return { map: Array.from(result.data), shape: result.shape, unit: [i, j], sum, terms: terms.length,
    rows: sizeFormula(c.shape[0], c.k, c.options).out, cols: sizeFormula(c.shape[1], c.k, c.options).out,
    refit: fitWeights(c.weights, c.refitK, c.shape[2]),
    preset: Array.from(presetWeights({ k: c.k, w: c.weights.slice(0, c.k * c.k) }, c.shape[2])) };
});
console.log(JSON.stringify(out));
