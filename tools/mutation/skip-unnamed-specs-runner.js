// Jest runner for mutation runs only (stryker.config.mjs). For each mutant Stryker runs the specs
// related to the mutated file (often 20+) with a test-name pattern naming the few tests that cover
// it; jest still loads every related spec file (its imports, @nx/devkit, fixtures) only to skip all
// its tests, and that loading was most of a mutant's 6-20 s. This runner remembers each spec
// file's test names from the run without a pattern (Stryker's dry run) and leaves out the files
// none of whose tests match the pattern. A file it has no names for runs.
// The names are also written next to the jest rootDir (in Stryker's sandbox): Stryker starts a new
// runner process after a mutant times out, and that process reads them back.
const { appendFileSync, existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const TestRunner = require('jest-runner').default;

const NAMES_FILE = '.mutation-spec-names.json';

class SkipUnnamedSpecsRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    const file = join(this._globalConfig.rootDir, NAMES_FILE);
    const pattern = this._globalConfig.testNamePattern;
    if (!pattern) {
      const names = {};
      this.on('test-file-success', ([test, result]) => {
        names[test.path] = result.testResults.map((t) => t.fullName);
      });
      await super.runTests(tests, watcher, options);
      writeFileSync(file, JSON.stringify(names));
      return;
    }
    // NIX_FLEET_MUTATION_TRACE=FILE: which mutant and specs each runner starts, to find the one a
    // run died on (Stryker writes its results only at the end).
    const trace = process.env.NIX_FLEET_MUTATION_TRACE;
    if (trace) appendFileSync(trace, `${new Date().toISOString()} runner ${process.pid} mutant ${process.env.__STRYKER_ACTIVE_MUTANT__} tests ${pattern.slice(0, 300)}\n`);
    const names = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    const regex = new RegExp(pattern, 'i');
    const wanted = tests.filter((test) => {
      const known = names[test.path];
      return known === undefined || known.some((name) => regex.test(name));
    });
    return super.runTests(wanted, watcher, options);
  }
}

module.exports = SkipUnnamedSpecsRunner;
