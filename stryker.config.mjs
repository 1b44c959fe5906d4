// Mutation testing of the plugin's core: npm run test:mutation (docs/Testing.md, "Mutation testing").
// Concurrency 1 by default: the unit specs themselves start processes (nix, ssh, git). Runs that
// wait on them gain from more (tools/test.sh and docs/Testing.md use 4 on 2 cores).
// incremental: only mutants whose code or covering specs changed since reports/stryker-incremental.json are run.
export default {
  "packageManager": "npm",
  "testRunner": "jest",
  "jest": {
    "projectType": "custom",
    "configFile": "packages/nix-fleet-plugin/jest.config.js",
    "enableFindRelatedTests": true,
    // Specs of code outside the core kill no core mutant; the vm executor's spec also times out
    // under the load of a mutation run (it waits for a started script).
    // The runner leaves out related spec files none of whose tests cover the mutant (it cut a mutant
    // from about 6 s to about 1.3 s): tools/mutation/skip-unnamed-specs-runner.js.
    "config": {
      "runner": "<rootDir>/../../tools/mutation/skip-unnamed-specs-runner.js",
      "testPathIgnorePatterns": ["/node_modules/", "/src/generators/", "/src/executors/vm/", "/src/executors/install/", "/src/install/", "/src/identity/", "/testing/doc-links"]
    }
  },
  "coverageAnalysis": "perTest",
  // A static mutant (module-level code) needs every spec of the suite per mutant: hours on this machine.
  "ignoreStatic": true,
  "mutate": [
    "packages/nix-fleet-plugin/src/deploy/**/*.ts",
    "packages/nix-fleet-plugin/src/nix/**/*.ts",
    "packages/nix-fleet-plugin/src/ssh/**/*.ts",
    "packages/nix-fleet-plugin/src/process/**/*.ts",
    "packages/nix-fleet-plugin/src/git/**/*.ts",
    "packages/nix-fleet-plugin/src/host/**/*.ts",
    "packages/nix-fleet-plugin/src/graph/**/*.ts",
    "packages/nix-fleet-plugin/src/executors/build/batch.ts",
    "packages/nix-fleet-plugin/src/executors/eval/batch.ts",
    "packages/nix-fleet-plugin/src/executors/task-hash.ts",
    "!packages/nix-fleet-plugin/src/**/*.spec.ts",
    "!packages/nix-fleet-plugin/src/**/*.d.ts"
  ],
  "ignorePatterns": ["dist", ".nx", "reports", "tmp"],
  "concurrency": 1,
  // A mutant that lifts an output cap makes a spec hold all a command prints: the runner then dies
  // of its own heap limit (Stryker restarts it) instead of taking the machine's memory.
  "testRunnerNodeArgs": ["--max-old-space-size=2048"],
  "timeoutMS": 20000,
  "incremental": true,
  "incrementalFile": "reports/stryker-incremental.json",
  "reporters": [
    "clear-text",
    "progress",
    "json"
  ],
  "jsonReporter": {
    "fileName": "reports/mutation/mutation.json"
  },
  "clearTextReporter": {
    "allowColor": false,
    "logTests": false,
    // Hundreds of survivors with their diffs drown the score table: tools/mutation/survivors.mjs lists them.
    "reportMutants": false,
    "reportScoreTable": true
  },
  "thresholds": {
    "high": 90,
    "low": 80,
    "break": 80
  },
  "tempDirName": ".stryker-tmp",
  "cleanTempDir": true,
  // The specs run through ts-jest without type checks (isolatedModules), and a generated .js validator must stay byte for byte.
  "disableTypeChecks": false
};
