import type { ModelIR } from "../../ir/types.js";
import { netImpl } from "./nets/index.js";
import type { WeightSpec } from "./nets/types.js";

export function netWeightName(net: string, local: string): string {
  return `net.${net}.${local}`;
}

export function paramWeightName(param: string): string {
  return `param.${param}`;
}

/**
 * Every learned tensor of a model with its stable name, shape and initialiser, in a fixed
 * order (nets in declaration order, then params). Pure data: checkpoints are validated
 * against this without loading tfjs.
 */
export function modelWeightSpecs(ir: ModelIR): WeightSpec[] {
  const specs: WeightSpec[] = [];
  for (const net of ir.nets) {
    for (const w of netImpl(net).weights(net)) {
      specs.push({ ...w, name: netWeightName(net.name, w.name) });
    }
  }
  for (const p of ir.params) {
    specs.push({
      name: paramWeightName(p.name),
      shape: [...p.shape],
      init:
        p.initScale !== undefined
          ? { kind: "normal", mean: p.init, std: p.initScale }
          : { kind: "constant", value: p.init },
    });
  }
  return specs;
}
