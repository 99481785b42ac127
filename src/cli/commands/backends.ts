// backends: which training backends load here, why the others do not, and which one a run gets by default.

import { parse } from '../args.js';
import { printJson, type Command } from '../command.js';
import { table } from '../format.js';

export const backendsCommand: Command = {
  name: 'backends',
  summary: 'which training backends load here (native oneDNN kernels, tfjs-node, wasm, cpu) and why not',
  usage: `digit-workbench backends [--json]

  Starts a trainer process (as a run would) and asks each backend, in the order a run without --backend tries
  them: native (this project's kernels on oneDNN, built at npm install), tensorflow (tfjs-node), wasm, cpu. For
  the native kernels it shows oneDNN's version and the instruction set they run with (ONEDNN_MAX_CPU_ISA=AVX2 caps
  it); for a backend that does not load, the reason in one line. --json prints the list as the Settings view gets it.`,
  async run(argv, ctx) {
    const { values } = parse(argv, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    if (values.help) return void console.log(this.usage);
    const list = await ctx.workbench().call('settings:backends', undefined);
    if (values.json) return printJson(list);
    const first = list.find((b) => b.available);
    const rows = list.map((b) => [
      b.name === first?.name ? `${b.name} (default)` : b.name,
      b.available ? 'yes' : 'no',
      b.available ? (b.kernels ? `${b.kernels.library} ${b.kernels.version}, ${b.kernels.isa}, ${b.kernels.threads} threads` : '') : (b.reason ?? ''),
    ]);
    console.log(table(['backend', 'loads', 'details'], rows));
  },
};
