// Runs featuremaps/widget/forward.js on inputs written by test_forward_js.py and prints, as JSON,
// the largest |JavaScript - Keras| difference of each layer over all inputs.
import { readFileSync } from "node:fs";
import { forward, prepare } from "../../featuremaps/widget/forward.js";

const dir = process.argv[2];
const spec = JSON.parse(readFileSync(`${dir}/spec.json`, "utf8"));
const f32 = (path) => {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};
const net = prepare(spec);
const x = f32(`${dir}/x.f32`);
const size = spec.input_shape.reduce((a, b) => a * b);
const expected = spec.layers.map((layer) => f32(`${dir}/${layer.name}.f32`));
const worst = {};
const shapes = {};
for (let i = 0; i < x.length / size; i++) {
  forward(net, x.subarray(i * size, (i + 1) * size)).forEach((out, k) => {
    const n = out.data.length;
    let diff = expected[k].length === n * (x.length / size) ? 0 : Infinity;
    for (let j = 0; j < n && diff !== Infinity; j++) {
      const d = Math.abs(out.data[j] - expected[k][i * n + j]);
      diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    }
    worst[out.name] = Math.max(worst[out.name] ?? 0, diff);
    shapes[out.name] = out.shape;
  });
}
console.log(JSON.stringify({ worst: Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, Number.isFinite(v) ? v : "inf"])), shapes }));
