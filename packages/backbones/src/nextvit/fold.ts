import type { LayersModel, Sequential, Tensor } from '@tensorflow/tfjs';
import { ArgumentError, describeValue, tf } from '@tensorloom/core';
import { NextVitBlock, NextVitHead, NextVitStem } from './layers.js';

type Affine = { a: Tensor; c: Tensor };

/** BatchNorm (inference) as `x ↦ a·x + c` per channel. */
function affine(layer: NextVitStem | NextVitBlock | NextVitHead, prefix: string, eps = 1e-5): Affine {
  const g = layer.variable(`${prefix}.weight`).read();
  const b = layer.variable(`${prefix}.bias`).read();
  const m = layer.variable(`${prefix}.running_mean`).read();
  const v = layer.variable(`${prefix}.running_var`).read();
  const a = tf.div(g, tf.sqrt(tf.add(v, eps)));
  return { a, c: tf.sub(b, tf.mul(m, a)) };
}

/** Conv (out channels last) followed by BN → conv with bias. */
function postFold(w: Tensor, bn: Affine): [Tensor, Tensor] {
  return [tf.mul(w, bn.a), bn.c];
}

/** BN followed by a 1×1 conv / linear with kernel `[.., cin, cout]` and bias → folded kernel and bias. */
function preFold(w: Tensor, bias: Tensor, bn: Affine): [Tensor, Tensor] {
  const cin = w.shape[w.rank - 2]!;
  const cout = w.shape[w.rank - 1]!;
  const w2 = tf.reshape(w, [cin, cout]);
  const scaled = tf.reshape(tf.mul(w2, tf.reshape(bn.a, [cin, 1])), w.shape);
  const shift = tf.reshape(tf.matMul(tf.reshape(bn.c, [1, cin]), w2), [cout]);
  return [scaled, tf.add(bias, shift)];
}

/**
 * The deployment transform of Next-ViT: returns a new model in which every BatchNorm is gone. Pre-norm
 * BatchNorms (before the MLP, before E-MHSA's q/k/v — the key/value BatchNorm1d after the token pool
 * included — and before the classifier) are folded into the following 1×1 conv or linear layer, as the
 * official `merge_bn` does; post-norm BatchNorms (stem, patch embeddings, MHCA's grouped conv) are folded
 * into the preceding conv as a bias. In inference mode the outputs equal the original model's up to
 * float32 rounding, and the forward pass is faster. The source model is left untouched; the result
 * infers only (it has no BatchNorm to train).
 *
 * @param model - a Next-ViT from `nextVit`
 * @throws {@link ArgumentError} when `model` is not a (training-form) Next-ViT
 *
 * @example
 * ```ts
 * const fast = foldNextVitBatchNorm(model);
 * fast.predict(images);
 * ```
 */
export function foldNextVitBatchNorm(model: LayersModel): Sequential {
  const layers = model instanceof tf.LayersModel ? model.layers : [];
  const stem = layers[0];
  const head = layers[layers.length - 1];
  if (!(stem instanceof NextVitStem) || !(head instanceof NextVitHead) || stem.deploy) {
    throw new ArgumentError(
      `model: expected a Next-ViT in training form (from nextVit()), got ${describeValue(model)}`,
    );
  }
  const blocks = layers.slice(1, -1) as NextVitBlock[];
  const inputShape = (model.inputs[0]!.shape as (number | null)[]).slice(1);
  const out = tf.sequential({ name: 'next_vit_deploy' });
  const newStem = new NextVitStem({
    channels: stem.channels,
    inChannels: stem.inChannels,
    deploy: true,
    seed: stem.seed,
    inputShape,
  } as never);
  out.add(newStem);
  const newBlocks = blocks.map((b) => {
    const nb = new NextVitBlock({
      block: b.block,
      headDim: b.headDim,
      mixBlockRatio: b.mixBlockRatio,
      deploy: true,
      seed: b.seed,
    });
    out.add(nb);
    return nb;
  });
  const newHead = new NextVitHead({
    channels: head.channels,
    numClasses: head.numClasses,
    deploy: true,
    seed: head.seed,
  });
  out.add(newHead);

  const write = (layer: NextVitStem | NextVitBlock | NextVitHead, name: string, value: Tensor) => {
    layer.variable(name).write(value);
  };
  tf.tidy(() => {
    stem.channels.forEach((_, i) => {
      const [w, b] = postFold(stem.variable(`stem.${i}.conv.weight`).read(), affine(stem, `stem.${i}.norm`));
      write(newStem, `stem.${i}.conv.weight`, w);
      write(newStem, `stem.${i}.conv.bias`, b);
    });
    blocks.forEach((src, idx) => {
      const dst = newBlocks[idx]!;
      const p = src.prefix;
      const done = new Set<string>();
      const copy = (name: string, value?: Tensor) => {
        write(dst, name, value ?? src.variable(name).read());
        done.add(name);
      };
      for (const emb of ['patch_embed', 'projection']) {
        if (!src.hasWeight(`${p}.${emb}.conv.weight`)) continue;
        const [w, b] = postFold(
          src.variable(`${p}.${emb}.conv.weight`).read(),
          affine(src, `${p}.${emb}.norm`),
        );
        copy(`${p}.${emb}.conv.weight`, w);
        copy(`${p}.${emb}.conv.bias`, b);
      }
      const g = `${p}.mhca.group_conv3x3`;
      const [gw, gb] = postFold(src.variable(`${g}.weight`).read(), affine(src, `${p}.mhca.norm`));
      copy(`${g}.weight`, gw);
      copy(`${g}.bias`, gb);
      const mlpNorm = src.block.type === 'ncb' ? `${p}.norm` : `${p}.norm2`;
      const [w1, b1] = preFold(
        src.variable(`${p}.mlp.conv1.weight`).read(),
        src.variable(`${p}.mlp.conv1.bias`).read(),
        affine(src, mlpNorm),
      );
      copy(`${p}.mlp.conv1.weight`, w1);
      copy(`${p}.mlp.conv1.bias`, b1);
      if (src.block.type === 'ntb') {
        const n1 = affine(src, `${p}.norm1`);
        let kv = n1;
        if (src.hasWeight(`${p}.e_mhsa.norm.weight`)) {
          const n2 = affine(src, `${p}.e_mhsa.norm`);
          kv = { a: tf.mul(n1.a, n2.a), c: tf.add(tf.mul(n2.a, n1.c), n2.c) };
        }
        for (const [name, bn] of [
          ['q', n1],
          ['k', kv],
          ['v', kv],
        ] as const) {
          const [w, b] = preFold(
            src.variable(`${p}.e_mhsa.${name}.weight`).read(),
            src.variable(`${p}.e_mhsa.${name}.bias`).read(),
            bn,
          );
          copy(`${p}.e_mhsa.${name}.weight`, w);
          copy(`${p}.e_mhsa.${name}.bias`, b);
        }
      }
      for (const spec of dst.weightSpecs()) if (!done.has(spec.name)) copy(spec.name);
    });
    const hn = affine(head, 'norm');
    if (head.numClasses > 0) {
      const [w, b] = preFold(
        head.variable('proj_head.0.weight').read(),
        head.variable('proj_head.0.bias').read(),
        hn,
      );
      write(newHead, 'proj_head.0.weight', w);
      write(newHead, 'proj_head.0.bias', b);
    } else {
      write(newHead, 'norm.scale', hn.a);
      write(newHead, 'norm.shift', hn.c);
    }
  });
  return out;
}
