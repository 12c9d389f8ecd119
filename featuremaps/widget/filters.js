// Which filter made a map: the Conv2D behind a layer of the exported network (through layers that keep
// the channels: activations, pooling, normalisation), its weights for one map, and what they weigh most.
import LAYER_KINDS from "../layer_kinds.json" with { type: "json" };

const KEEPS_CHANNELS = new Set(["relu", "activation", "max_pool", "average_pool", "scale", "identity", "rescale"]);

// { conv, input } for map layer `name`: the Conv2D whose filter c made map c, and the name of the layer it
// reads (null: the image). null if no Conv2D is behind it that way.
export function filterBehind(net, name) {
  const at = net.layers.findIndex((layer) => layer.name === name);
  for (let k = at; k >= 0; k--) {
    const layer = net.layers[k];
    const op = LAYER_KINDS.kinds[layer.kind]?.page;
    if (op === "conv") return { conv: layer, input: k > 0 ? net.layers[k - 1].name : null };
    if (!KEEPS_CHANNELS.has(op)) return null;
  }
  return null;
}

// Filter c of a Conv2D: its K_h×K_w×C weights (channels last, as the kernel w[u, v, ch, c]) and its bias.
export function filterWeights(conv, c) {
  const [kh, kw] = conv.kernel;
  const n = conv.filters;
  const cin = conv.w.length / (kh * kw * n);
  const weights = new Float32Array(kh * kw * cin);
  for (let i = 0; i < kh * kw * cin; i++) weights[i] = conv.w[i * n + c];
  return { kernel: [kh, kw], channels: cin, weights, bias: conv.b[c] };
}

// Each input map's share of the filter's total |weight|, largest first: [{ map, share }].
export function inputShares({ kernel: [kh, kw], channels, weights }) {
  const sums = new Float64Array(channels);
  for (let i = 0; i < kh * kw * channels; i++) sums[i % channels] += Math.abs(weights[i]);
  const total = sums.reduce((a, b) => a + b, 0) || 1;
  return Array.from(sums, (s, map) => ({ map, share: s / total })).sort((a, b) => b.share - a.share || a.map - b.map);
}
