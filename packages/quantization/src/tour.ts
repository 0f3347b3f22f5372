import type { TourDemo } from '@tensorloom/core';
import { runMnistQuantizationDemo } from './demo/mnistDemo.js';
import { runNextVitWeightHookDemo } from './demo/nextVitDemo.js';

/** The package's `loom tour` demos. */
export const demos: TourDemo[] = [
  {
    id: 'quantization/mnist-mixed-precision',
    title:
      'Mixed-precision PTQ on MNIST: Hessian vs augmented (inter-layer) ordering, bisection vs exhaustive',
    paper:
      'Schaefer et al. 2023, Augmenting Hessians with Inter-Layer Dependencies for Mixed-Precision PTQ (arXiv 2306.04879)',
    run: runMnistQuantizationDemo,
  },
  {
    id: 'quantization/nextvit-weight-hook',
    title: 'Weight-only PTQ of a tiny Next-ViT (custom NCB/NTB layers) through the in-place weight hook',
    paper: 'Schaefer et al. 2023 (arXiv 2306.04879); model: Li et al. 2022, Next-ViT (@tensorloom/backbones)',
    run: runNextVitWeightHookDemo,
  },
];
