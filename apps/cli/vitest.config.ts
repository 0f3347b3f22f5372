import { preset } from '../../tooling/vitest.preset.ts';

export default preset('cli', { testTimeout: 300_000 });
