// bpmnlint's `recommended` rules over BPMN files: prints {file: [{id, rule, category, message}]}.
// One Node process for many files (one per file costs a second each). Run by tests/flows/test_bpmnlint.py
// with the modules ui/modeler installs (package.json pins bpmnlint).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.ABFLOW_MODELER + '/package.json');
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const { BpmnModdle } = await import(require.resolve('bpmn-moddle'));

const out = {};
for (const file of process.argv.slice(2)) {
  // a linter per file: rules keep state across the files one linter is given
  const linter = new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver: new NodeResolver({ require }) });
  const { rootElement } = await new BpmnModdle().fromXML(readFileSync(file, 'utf8'));
  const reports = await linter.lint(rootElement);
  out[file] = Object.entries(reports).flatMap(([rule, found]) =>
    found.map(r => ({ id: r.id, rule, category: r.category, message: r.message })));
}
process.stdout.write(JSON.stringify(out));
